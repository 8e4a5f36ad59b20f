"""Areas and their hierarchy (province > city > county > township, or any kinds a user declares)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from epizone.domain.problems import InputError, Problem

KINDS = ("province", "city", "county", "township", "community")  # community: residential compound or village


class Area(NamedTuple):
    """One area (immutable; a named tuple, so that a country's ~46,000 are built at C speed)."""

    code: str
    name: str
    parent_code: str | None
    kind: str
    population: int | None = None
    line: int = 0


@dataclass
class Hierarchy:
    """A validated forest of areas. ``areas`` keeps the input order (and is not changed once given)."""

    areas: list[Area]

    @cached_property
    def by_code(self) -> dict[str, Area]:
        """Every area by its code (made on first use: a store run never needs it)."""
        return {a.code: a for a in self.areas}

    @classmethod
    def build(cls, areas: list[Area], file: str = "areas", columns: dict[str, int] | None = None) -> "Hierarchy":
        """Check codes, kinds, parents and cycles; raise InputError listing every problem."""
        problems = _check(areas, file, columns or {"code": 1, "parent_code": 3, "kind": 4})
        if problems:
            raise InputError(problems)
        return cls(areas)

    def units(self, kind: str) -> list[Area]:
        """Every area of the unit kind, in input order."""
        return [a for a in self.areas if a.kind == kind]

    def unit_of(self, kind: str) -> dict[str, str | None]:
        """For every area code, the code of its ancestor-or-self of the unit kind (None if none)."""
        result: dict[str, str | None] = {a.code: a.code for a in self.areas if a.kind == kind}
        others = {a.code: a for a in self.areas if a.kind != kind}
        for area in others.values():  # up from each other area to a unit, a root or an area already known
            if area.code in result:
                continue
            chain = []
            node: Area | None = area
            found: str | None = None
            while node is not None:
                chain.append(node.code)
                parent = node.parent_code
                if parent and parent in result:
                    found = result[parent]
                    break
                node = others.get(parent) if parent else None
            for code in chain:
                result[code] = found
        return result

    def kinds(self) -> set[str]:
        return {a.kind for a in self.areas}


def _check(areas: list[Area], file: str, col: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Area] = {}
    for a in areas:
        if a.code in seen and seen[a.code] != a:
            problems.append(Problem(file, a.line, "code", col["code"], a.code,
                                    f"a unique area code (also on line {seen[a.code].line})"))
        seen.setdefault(a.code, a)
        if a.kind not in KINDS:
            problems.append(Problem(file, a.line, "kind", col["kind"], a.kind, f"one of {', '.join(KINDS)}"))
    for a in areas:
        if a.parent_code and a.parent_code not in seen:
            problems.append(Problem(file, a.line, "parent_code", col["parent_code"], a.parent_code,
                                    "the code of an area in this file (missing parent)"))
    problems.extend(_cycles(areas, seen, file, col["parent_code"]))
    return problems


def _cycles(areas: list[Area], by_code: dict[str, Area], file: str, column: int) -> list[Problem]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to reach a root
    problems: list[Problem] = []
    for start in areas:
        path: list[str] = []
        code: str | None = start.code
        while code and code in by_code and state.get(code) is None:
            state[code] = 1
            path.append(code)
            code = by_code[code].parent_code
        if code and state.get(code) == 1:
            cycle = path[path.index(code):]
            for member in cycle:
                a = by_code[member]
                problems.append(Problem(file, a.line, "parent_code", column, a.parent_code or "",
                                        f"a parent that does not lead back to {member} (cycle: {' -> '.join(cycle + [code])})"))
        for member in path:
            state[member] = 2
    return problems
