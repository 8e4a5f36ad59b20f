"""Read and validate the areas file: ``code,name,parent_code,kind,population``.

A national file holds ~46,000 areas. The columns are trimmed and checked with Arrow and NumPy (codes
present and unique, kinds known, parents present, no cycles, populations whole numbers >= 0); only when
some check fails are the rows read again one by one, so that every problem is reported exactly as the
row-by-row reading (``_row_by_row``) words it, with its file, line, column and value.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.model import KINDS, Area, Hierarchy
from epizone.domain.problems import InputError, Problem
from epizone.io.tables import Source, Table, read_table

COLUMNS = ["code", "name", "parent_code", "kind", "population"]
# what str.strip() removes: every code point for which str.isspace() holds (tests/test_areas.py checks the list)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_EXACT = 1 << 53  # whole numbers a float holds exactly: the row-by-row reading goes through float()


def read_areas(source: Source) -> Hierarchy:
    """The hierarchy of a file or an Arrow table of areas, always checked as a whole (codes, kinds, parents,
    cycles): a store's areas come from several imports, each checked on its own."""
    table = read_table(source, COLUMNS, kind="areas")
    texts = {c: _texts(table.data.column(c)) for c in ("code", "name", "parent_code", "kind")}
    population = _populations(table.data.column("population"))
    if population is None or not _sound(texts):
        return _row_by_row(table)
    lines = range(table.first_line, table.first_line + table.data.num_rows)
    parents = [p or None for p in texts["parent_code"].to_pylist()]
    columns = [texts["code"].to_pylist(), texts["name"].to_pylist(), parents, _shared(texts["kind"])]
    with _collector_paused():  # tuples of texts and numbers: no cycles for the collector to find
        return Hierarchy(list(map(tuple.__new__, repeat(Area), zip(*columns, population, lines))))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while tens of thousands of small objects are made: otherwise it
    runs over every object of the process many times, tripling the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _shared(texts: pa.Array) -> list[str]:
    """A column of few distinct values as a list sharing one string object per value."""
    encoded = texts.dictionary_encode()
    values = encoded.dictionary.to_pylist()
    return [values[i] for i in encoded.indices.to_numpy().tolist()]


def _texts(column: pa.ChunkedArray) -> pa.Array:
    """Each value as the row-by-row reading sees it: text stripped, a null as an empty text."""
    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        column = column.cast(pa.string())
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.utf8_trim(column.combine_chunks(), characters=WHITESPACE).fill_null("")
    return pa.array([_text(v) for v in column.to_pylist()], pa.string())


def _populations(column: pa.ChunkedArray) -> list[int | None] | None:
    """Each row's population (None: not given), or None when a value is not a whole number >= 0."""
    if pa.types.is_integer(column.type):
        values = column.combine_chunks()
        low, high = pc.min_max(values).values()
        if low.as_py() is None or (low.as_py() >= 0 and high.as_py() < _EXACT):
            return values.to_pylist()
    texts = _texts(column)
    whole = pc.match_substring_regex(texts, r"^[0-9]{1,15}$").to_numpy(zero_copy_only=False)
    empty = pc.equal(texts, "").to_numpy(zero_copy_only=False)
    result = pc.cast(pc.if_else(pa.array(whole), texts, None), pa.int64()).to_pylist()
    for row in np.flatnonzero(~whole & ~empty).tolist():  # 1e3, 12.0, ...: as the row-by-row reading
        value = _population(texts[row].as_py())
        if value is False:
            return None
        result[row] = value
    return result


def _sound(texts: dict[str, pa.Array]) -> bool:
    """Codes non-empty and unique, kinds known, every parent present and no cycle."""
    codes, parents = texts["code"], texts["parent_code"]
    n = len(codes)
    if not n:
        return True
    if pc.any(pc.equal(codes, "")).as_py() or not pc.all(pc.is_in(texts["kind"], value_set=pa.array(KINDS))).as_py():
        return False
    # one hash of codes and parents: numbered by first appearance, unique codes are numbered 0 .. n - 1
    number = pa.chunked_array([codes, parents]).combine_chunks().dictionary_encode().indices.to_numpy()
    if number[n - 1] != n - 1 or number[:n].max() != n - 1:
        return False
    parent = number[n:].astype(np.int64)
    root = pc.equal(parents, "").to_numpy(zero_copy_only=False)
    if (parent[~root] >= n).any():
        return False
    return _acyclic(np.where(root, n, parent))


def _acyclic(parent: np.ndarray) -> bool:
    """Every area leads up to a root (index ``n``), by pointer doubling: log2(depth) NumPy steps."""
    n = parent.size
    jump = np.append(parent, n)
    for _ in range(max(1, int(n).bit_length()) + 1):
        if (jump == n).all():
            return True
        jump = jump[jump]
    return bool((jump == n).all())


def _row_by_row(table: Table) -> Hierarchy:
    """The table read row by row, raising InputError with every problem (called when some check failed)."""
    rows = table.data.to_pylist()
    problems: list[Problem] = []
    areas: list[Area] = []
    for index, row in enumerate(rows):
        line = index + table.first_line
        code = _text(row["code"])
        if not code:
            problems.append(Problem(table.file, line, "code", table.number("code"), "", "a non-empty area code"))
            continue
        population = _population(row["population"])
        if population is False:
            problems.append(Problem(table.file, line, "population", table.number("population"),
                                    str(row["population"]), "a whole number of people >= 0, or empty"))
            population = None
        areas.append(Area(code, _text(row["name"]), _text(row["parent_code"]) or None,
                          _text(row["kind"]), population, line))
    try:
        hierarchy = Hierarchy.build(areas, table.file, {c: table.number(c) for c in COLUMNS})
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return hierarchy


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _population(value: object) -> int | None | bool:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return False
    if not math.isfinite(number) or number < 0 or number != int(number):
        return False
    return int(number)
