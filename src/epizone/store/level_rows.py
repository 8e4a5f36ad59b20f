"""A graded run's table as the rows ``assessed_levels`` keeps, built column by column (no Python object per row).

The engine's periods split at the kept days (``engine.periods``) become rows from ``date`` to ``end_date``
with ``period_end`` on the rows beginning a level period; the reason in both languages (the engine's text is
the English one, the Chinese one is looked up by clause code); the indicators as one JSON object per row,
written by Arrow (a NaN or infinite value is ``null``, as the JSON text of a number cannot say it).
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.rules import RuleSet
from epizone.engine.compile import Kernel

RENAMED = {"start": "date", "end": "end_date", "reason": "reason_en"}
KEPT = ("area_code", "area_name", "date", "end_date", "period_end", "level", "reason_code", "reason_en",
        "reason_zh", "data_through", "indicators", "event")


def level_rows(table: pa.Table, rules: RuleSet) -> pa.Table:
    """``table`` (periods split at kept days, English reasons) as ``assessed_levels`` columns, in their order."""
    columns = {RENAMED.get(name, name): _plain(table.column(name)) for name in table.column_names}
    kernel = Kernel(rules)
    zh = dict(zip(kernel.clause_codes, kernel.reasons("zh")))
    codes = columns["reason_code"]
    columns["reason_zh"] = _looked_up(codes, zh, columns["reason_en"])
    columns["indicators"] = indicator_json(table, list(rules.indicators))
    if "event" not in columns:
        columns["event"] = pa.nulls(table.num_rows, pa.string())
    return pa.table({name: columns[name] for name in KEPT})


def indicator_json(table: pa.Table, names: list[str]) -> pa.ChunkedArray:
    """One JSON object per row: ``{"name": value, ...}`` in the order of ``names``."""
    if not names:
        return pa.chunked_array([pa.array(["{}"] * table.num_rows, pa.string())])
    parts = []
    for i, name in enumerate(names):
        key = ("{" if i == 0 else "") + json.dumps(name) + ":"
        parts.append(pc.binary_join_element_wise(key, _json_number(table.column(name)), ""))
    joined = pc.binary_join_element_wise(*parts, ",") if len(parts) > 1 else parts[0]
    return pc.binary_join_element_wise(joined, "}", "")


def _json_number(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_floating(column.type):
        column = pc.if_else(pc.is_finite(column), column, None)
    if pa.types.is_boolean(column.type):
        return pc.if_else(column, "true", "false").fill_null("null")
    return pc.cast(column, pa.string()).fill_null("null")


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column as its values (the database writers take plain arrays)."""
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def _looked_up(codes: pa.ChunkedArray, texts: dict[str, str], fallback: pa.ChunkedArray) -> pa.ChunkedArray:
    keys = pa.array(list(texts), pa.string())
    found = pc.index_in(codes, value_set=keys)
    return pc.coalesce(pc.take(pa.array(list(texts.values()), pa.string()), found), fallback)
