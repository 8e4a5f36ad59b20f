"""Imported records against their current versions, read a batch at a time: which are new, which changed.

The file's keys become one sorted NumPy array of fixed-width byte strings (a key's columns joined as text,
padded with NUL bytes); each batch of current versions read from the store is looked up in it with a binary
search, its rows compared value by value with the file's rows they match (``NULL`` equal only to ``NULL``),
and dropped. So the store's side is never held whole, nor joined: a 5M-row file compared with a 5M-row store
holds the file, its keys and one batch (a hash join of both sides took ~2.5 GB more).
Keys holding a NUL byte are not supported (the padding would hide it); no input format produces them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KeyText = Callable[[pa.Table], pa.ChunkedArray | pa.Array]


class Matching:
    """The records of a file (one per key), matched against the batches of current versions ``feed`` gets."""

    def __init__(self, records: pa.Table, key_text: KeyText, values: Iterable[str]):
        self.records = records
        self.key_text = key_text
        self.values = list(values)
        text = _combined(key_text(records))
        self.width = max(int(pc.max(pc.binary_length(text)).as_py() or 0), 1) if len(text) else 1
        keys = _padded(text, self.width)
        self.order = None if len(keys) < 2 or bool(np.all(keys[:-1] <= keys[1:])) else np.argsort(keys, kind="stable")
        self.keys = keys if self.order is None else keys[self.order]
        self.found = np.zeros(records.num_rows, bool)
        self.changed: list[tuple[np.ndarray, pa.Table]] = []  # (rows of the file, their next versions)

    def feed(self, current: pa.Table | pa.RecordBatch) -> None:
        """Match a batch of current versions (columns of the records and ``revision``)."""
        if current.num_rows == 0 or self.records.num_rows == 0:
            return
        current = current if isinstance(current, pa.Table) else pa.Table.from_batches([current])
        text = _combined(self.key_text(current))
        fits = pc.less_equal(pc.binary_length(text), self.width)  # longer keys are in no record of the file
        if not pc.all(fits).as_py():
            current, text = current.filter(fits), text.filter(fits)
        keys = _padded(text, self.width)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = self.keys[at] == keys
        rows = at[hit] if self.order is None else self.order[at[hit]]
        self.found[rows] = True
        mine = self.records.take(pa.array(rows))
        theirs = current.filter(pa.array(hit))
        differs = reduce(pc.or_, (_distinct(mine.column(name), theirs.column(name)) for name in self.values))
        revision = pc.add(theirs.column("revision").filter(differs), 1).cast(pa.int64())
        changed = np.asarray(differs.combine_chunks() if isinstance(differs, pa.ChunkedArray) else differs)
        self.changed.append((rows[changed], mine.filter(differs).append_column("revision", revision)))

    def new(self) -> pa.Table:
        """The records no current version matched (revision 1)."""
        new = self.records.filter(pa.array(~self.found))
        return new.append_column("revision", pa.repeat(1, new.num_rows).cast(pa.int64()))

    def revised(self) -> pa.Table:
        """The records that differ from their current version, each with its next revision, in key order."""
        empty = self.records.slice(0, 0).append_column("revision", pa.array([], pa.int64()))
        revised = pa.concat_tables([empty, *(table for _, table in self.changed)])
        rows = np.concatenate([np.empty(0, np.int64), *(rows for rows, _ in self.changed)])
        return revised.take(pa.array(np.argsort(rows, kind="stable"))) if len(rows) else revised.combine_chunks()


def _combined(text: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return array.cast(pa.binary())


def _padded(text: pa.Array, width: int) -> np.ndarray:
    """``text`` (none longer than ``width`` bytes) as an array of ``width``-byte strings, NUL-padded."""
    if len(text) == 0:
        return np.empty(0, f"S{width}")
    lengths = pc.binary_length(text)
    if pc.min(lengths).as_py() != width:
        padding = pc.binary_repeat(pa.scalar(b"\x00", pa.binary()), pc.subtract(width, lengths))
        text = pc.binary_join_element_wise(text, padding, b"")
    _, offsets, data = text.buffers()
    start = int(np.frombuffer(offsets, np.int32)[text.offset])
    return np.frombuffer(data, f"S{width}", count=len(text), offset=start)


def _distinct(left: pa.ChunkedArray, right: pa.ChunkedArray) -> pa.ChunkedArray:
    """``left IS DISTINCT FROM right``: null equals null only."""
    both_null = pc.and_(pc.is_null(left), pc.is_null(right))
    return pc.and_(pc.fill_null(pc.not_equal(left, right), True), pc.invert(both_null))
