"""Vectorised validation of input columns: decide once per distinct value, then map every row.

A coded column is a pair (row codes, distinct values). A check maps each distinct value to a result
(or to a "bad" marker), and NumPy gathers that result for every row; bad rows are found with one
``flatnonzero``. Nothing here loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.cutoff import day_number
from epizone.domain.problems import MAX_SHOWN, Problem
from epizone.io.tables import Table

BAD = np.iinfo(np.int32).min   # a value the check rejected
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Coded:
    """Row codes into ``dictionary`` (distinct stripped texts; a null reads as an empty string)."""

    codes: np.ndarray
    dictionary: pa.Array
    unique: bool = False  # the dictionary's texts are known to be distinct

    @cached_property
    def values(self) -> list[str]:
        return self.dictionary.to_pylist()

    def mapped(self, fn: Callable[[str], int]) -> np.ndarray:
        """``fn`` of each row's value, computed once per distinct value (``BAD`` where it rejects)."""
        table = np.array([fn(v) for v in self.values], dtype=np.int64)
        if table.size and table.min() >= np.iinfo(np.int32).min and table.max() <= np.iinfo(np.int32).max:
            table = table.astype(np.int32)
        return table[self.codes] if table.size else np.zeros(self.codes.size, dtype=np.int32)

    def numbered(self) -> np.ndarray:
        """A number per distinct non-empty text (equal after stripping), -1 for empty; per row.

        For columns with many distinct values (cluster ids): no Python per value.
        """
        if not len(self.dictionary):
            return np.zeros(self.codes.size, dtype=np.int32)
        empty = pc.equal(self.dictionary, "").to_numpy(zero_copy_only=False)
        if self.unique:  # distinct texts already: a row's number is its code (one pass, no gather)
            numbers = self.codes.copy()
            for code in np.flatnonzero(empty).tolist():
                numbers[self.codes == code] = -1
            return numbers
        table = self.dictionary.dictionary_encode().indices.to_numpy(zero_copy_only=False).astype(np.int32)
        table[empty] = -1
        return table[self.codes]

    def distinct(self) -> list[str]:
        """The texts that ``numbered`` numbers, by number."""
        return self.values if self.unique else self.dictionary.dictionary_encode().dictionary.to_pylist()

    def value_of(self, rows: np.ndarray) -> list[str]:
        return self.dictionary.take(pa.array(self.codes[rows])).to_pylist()


def coded(table: Table, column: str) -> Coded:
    """The column as codes + distinct (stripped) text values, whatever type the file gave it (decoded once
    per table: the result is shared, never to be changed)."""
    key = ("coded", column)
    if key not in table.derived:
        table.derived[key] = _coded(table, column)
    return table.derived[key]


def _coded(table: Table, column: str) -> Coded:
    array = table.data.column(column)
    if not pa.types.is_dictionary(array.type):
        array = array.cast(pa.string()).dictionary_encode()
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    dictionary, codes, nulls = _unify(chunks)
    plain = dictionary.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(plain.fill_null(""))
    # the unified dictionary's texts are distinct; they stay so if trimming changed none (and no null became "")
    unique = plain.null_count == 0 and bool(pc.all(pc.equal(trimmed, plain)).as_py() is not False)
    if nulls:  # null entries read as an empty string
        unique = unique and not pc.any(pc.equal(trimmed, "")).as_py()
        trimmed = pa.concat_arrays([trimmed, pa.array([""])])
        codes[codes < 0] = len(trimmed) - 1
    return Coded(codes, trimmed, unique)


def _unify(chunks: list[pa.DictionaryArray]) -> tuple[pa.Array, np.ndarray, bool]:
    """One dictionary for all chunks, the row codes into it (-1 for a null) and whether there is a null.

    Chunks of one Parquet row group share their dictionary, so each distinct dictionary is hashed once
    (Arrow's own unify would hash every chunk's copy); the row codes are written once, straight into the
    result, and copied as they are where a chunk's dictionary is already the unified one's start."""
    offsets: dict[tuple, int] = {}
    parts: list[pa.Array] = []
    size = 0
    for chunk in chunks:
        key = _identity(chunk.dictionary)
        if key not in offsets:
            offsets[key], size = size, size + len(chunk.dictionary)
            parts.append(chunk.dictionary)
    if not parts:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int32), False
    encoded = pa.concat_arrays(parts).dictionary_encode()
    remap = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    maps = {key: remap[at:at + len(part)] for (key, at), part in zip(offsets.items(), parts)}
    same = {key: bool(np.array_equal(found, np.arange(found.size))) for key, found in maps.items()}
    codes = np.empty(sum(len(c) for c in chunks), dtype=np.int32)
    nulls, row = False, 0
    for chunk in chunks:
        key, out = _identity(chunk.dictionary), codes[row:row + len(chunk)]
        row += len(chunk)
        indices = chunk.indices.fill_null(0) if chunk.null_count else chunk.indices
        raw = indices.to_numpy(zero_copy_only=False)
        if same[key]:
            out[:] = raw
        elif len(maps[key]):
            np.take(maps[key], raw, out=out)
        else:  # an empty dictionary: every entry is null
            out[:] = -1
        if chunk.null_count:
            out[~chunk.is_valid().to_numpy(zero_copy_only=False)] = -1
            nulls = True
    return encoded.dictionary, codes, nulls


def _identity(dictionary: pa.Array) -> tuple:
    return (len(dictionary), dictionary.offset, *(b.address if b is not None else 0 for b in dictionary.buffers()))


def day_of(text: str) -> int:
    """Day number of a YYYY-MM-DD date, or BAD."""
    if not _DATE.fullmatch(text):
        return BAD
    try:
        return day_number(dt.date.fromisoformat(text))
    except ValueError:
        return BAD


def days(table: Table, column: str, optional: bool = False) -> tuple[np.ndarray, list[Problem]]:
    """Day numbers of a date column (native dates or YYYY-MM-DD text); empty allowed when optional."""
    array = table.data.column(column)
    if pa.types.is_date32(array.type) and array.null_count == 0:  # day numbers already: the chunks' buffers
        return np.concatenate([c.view(pa.int32()).to_numpy() for c in array.chunks] or [np.zeros(0, np.int32)]), []
    column_codes = coded(table, column) if not pa.types.is_date(array.type) else \
        Coded(*_date_codes(array))
    result = column_codes.mapped(lambda v: (-1 if optional and v == "" else day_of(v)))
    expected = "a date as YYYY-MM-DD" + (", or empty" if optional else "")
    return result.astype(np.int32), rejected(table, column, column_codes, result == BAD, expected)


def _date_codes(array: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes and texts of a native date column with nulls (a null reads as an empty text)."""
    encoded = array.cast(pa.string()).combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), pa.concat_arrays([encoded.dictionary, pa.array([""])])


def rejected(table: Table, column: str, column_codes: Coded, bad: np.ndarray, expected: str) -> list[Problem]:
    """Problems for the first bad rows of a column; the last one listed counts the rest."""
    return listed(table, column, np.flatnonzero(bad), column_codes.value_of, expected)


def listed(table: Table, column: str, rows: np.ndarray, values: Callable[[np.ndarray], list[str]],
           expected: str) -> list[Problem]:
    shown = rows[:MAX_SHOWN]
    problems = table.problems(column, shown, values(shown), expected)
    if rows.size > shown.size:
        last = problems[-1]
        problems[-1] = Problem(last.file, last.line, last.column, last.column_number, last.value, last.expected,
                               more=int(rows.size - shown.size))
    return problems


def checked(table: Table, column: str, fn: Callable[[str], int],
            expected: str) -> tuple[Coded, np.ndarray, list[Problem]]:
    """The column's codes, ``fn`` of every row (``BAD`` = rejected) and a problem per rejected row."""
    values = coded(table, column)
    result = values.mapped(fn)
    return values, result, rejected(table, column, values, result == BAD, expected)


def one_of(table: Table, column: str, names: tuple[str, ...]) -> tuple[Coded, np.ndarray, list[Problem]]:
    """The index of each row's value in ``names``."""
    index = {name: i for i, name in enumerate(names)}
    return checked(table, column, lambda v: index.get(v, BAD), f"one of {', '.join(names)}")
