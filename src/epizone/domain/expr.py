"""Level conditions: a small, safe expression language over indicator names.

A condition is a string such as ``cumulative_confirmed > 50 and cluster_14d``. It is parsed once
with Python's own parser and only these forms are accepted: names of indicators, numbers,
``true``/``false``, comparisons (``== != < <= > >=``, chained), ``and``, ``or``, ``not``, brackets and
``known(name)``. An unknown (null) indicator value makes every comparison false: a rule that must
treat missing data specially says so with ``known(...)``.
The same tree evaluates on plain Python scalars (the reference evaluator) and on NumPy arrays
(the engine), so a rule is written once and read the same way everywhere.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from epizone.domain.errors import InvalidInput

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False}


class ExpressionError(InvalidInput):
    """A condition that is not in the accepted language."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition; ``names`` are the indicators it reads."""

    source: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any], vector: bool = False) -> Any:
        return _eval(self.tree, values, vector)


def parse_condition(source: str) -> Condition:
    try:
        tree = ast.parse(str(source).strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse condition {source!r}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree, source, names)
    return Condition(str(source), tree, frozenset(names))


def _check(node: ast.AST, source: str, names: set[str]) -> None:
    if isinstance(node, ast.Name):
        if node.id not in _CONSTANTS:
            names.add(node.id)
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"in {source!r}: only numbers and true/false are allowed as constants")
        return
    if _is_known(node):
        names.add(node.args[0].id)  # type: ignore[attr-defined]
        return
    if isinstance(node, ast.BoolOp):
        children: list[ast.AST] = list(node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        children = [node.operand]
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        children = [node.left, *node.comparators]
    else:
        raise ExpressionError(f"in {source!r}: {ast.unparse(node)!r} is not allowed in a condition")
    for child in children:
        _check(child, source, names)


def _is_known(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "known"
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Name))


def _known(value: Any, vector: bool) -> Any:
    """False where the value is null: NaN in arrays (NaN is the one value not equal to itself)."""
    if vector:
        return value == value  # noqa: PLR0124
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _eval(node: ast.expr, values: Mapping[str, Any], vector: bool) -> Any:
    if isinstance(node, ast.Call):
        return _known(values[node.args[0].id], vector)  # type: ignore[attr-defined]
    if isinstance(node, ast.Name):
        return _CONSTANTS[node.id] if node.id in _CONSTANTS else values[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, vector)
        if isinstance(node.op, ast.USub):
            return -operand
        return ~operand if vector else not operand
    if isinstance(node, ast.BoolOp):
        return _bool_op(node, values, vector)
    return _compare(node, values, vector)  # type: ignore[arg-type]


def _bool_op(node: ast.BoolOp, values: Mapping[str, Any], vector: bool) -> Any:
    parts = [_as_bool(_eval(v, values, vector), vector) for v in node.values]
    result = parts[0]
    for part in parts[1:]:
        if isinstance(node.op, ast.And):
            result = (result & part) if vector else (result and part)
        else:
            result = (result | part) if vector else (result or part)
    return result


def _compare(node: ast.Compare, values: Mapping[str, Any], vector: bool) -> Any:
    left = _eval(node.left, values, vector)
    result: Any = None
    for op, right_node in zip(node.ops, node.comparators):
        right = _eval(right_node, values, vector)
        step = _COMPARE[type(op)](left, right)
        if result is None:
            result = step
        else:
            result = (result & step) if vector else (result and step)
        left = right
    return result


def _as_bool(value: Any, vector: bool) -> Any:
    if vector:
        return value if getattr(value, "dtype", None) == bool else value != 0
    return bool(value)
