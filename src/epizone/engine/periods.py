"""Level periods: one row per unit per run of days at the same level, from a chunk's dense kernel result.

A period starts on the first shown day and wherever a unit's level differs from the day before; it ends
(inclusive) the day before the unit's next period starts, or on the last shown day. Its other columns are
the dense row of its first day. Starts are found for the whole chunk at once on the flattened
units x days grid: the cell after a period's last day is the next period's first cell, or the next unit's
first day, so ``end = next start - 1`` holds across units too.

Split at given days (``breaks``, for a store that keeps every unit's values of some days): a row also starts
on each of those days, so each such day's values are a row's own; a row that starts a level period then says
where the period ends (``period_end``), a row that only continues one after a break has none.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from epizone.engine.batches import BatchBuilder, Cells
from epizone.engine.compile import Chunk, Result


def changes(level: np.ndarray) -> np.ndarray:
    """Which cells of a units x days level grid begin a level period (the first day, and every change)."""
    changed = np.empty(level.shape, dtype=bool)
    changed[:, :1] = True
    np.not_equal(level[:, 1:], level[:, :-1], out=changed[:, 1:])
    return changed


def starts(level: np.ndarray) -> np.ndarray:
    """Flat (row-major) indexes of the cells that begin a period in a units x days level grid."""
    return np.flatnonzero(changes(level))


def ends(first: np.ndarray, cells: int, days: int) -> np.ndarray:
    """The last day (column) of each row starting at flat index ``first`` (sorted) in a grid of ``cells``."""
    return (np.append(first[1:], cells) - 1) % days


def schema(dense: pa.Schema, split: bool = False) -> pa.Schema:
    """The dense schema with ``date`` replaced by the period's ``start`` and inclusive ``end`` (and, split at
    breaks, the level period's ``period_end``)."""
    at = dense.get_field_index("date")
    date = dense.field(at)
    fields = dense.remove(at).insert(at, date.with_name("end")).insert(at, date.with_name("start"))
    return fields.insert(at + 2, date.with_name("period_end").with_nullable(True)) if split else fields


class PeriodBuilder:
    """Turns kernel results into period batches, with the dense builder's dictionaries and column arrays."""

    def __init__(self, dense: BatchBuilder, breaks: np.ndarray | None = None):
        self.dense = dense
        shown = dense.plan.shown
        self.days, self.cutoffs = dense.plan.days[shown].astype(np.int32), dense.plan.cutoffs[shown].astype(np.int32)
        self.breaks = None if breaks is None else np.isin(self.days, breaks)
        self.schema = schema(dense.schema, self.breaks is not None)

    def build(self, chunk: Chunk, result: Result) -> pa.RecordBatch:
        n, t = result.level.shape
        changed = changes(result.level)
        split = changed if self.breaks is None else changed | self.breaks
        first = np.flatnonzero(split)
        unit, day = np.divmod(first, t)
        end = ends(first, n * t, t)
        columns = self.dense.columns(chunk, result, pa.array(unit.astype(np.int32)),
                                     pa.array(np.zeros(first.size, dtype=np.int8)), Cells(unit, day))
        columns.update(start=_dates(self.days[day]), end=_dates(self.days[end]), data_through=_dates(self.cutoffs[day]))
        if self.breaks is not None:
            columns["period_end"] = self._period_ends(changed, first, n * t, t)
        return pa.RecordBatch.from_arrays([columns[f.name] for f in self.schema], schema=self.schema)

    def _period_ends(self, changed: np.ndarray, first: np.ndarray, cells: int, t: int) -> pa.Array:
        """For each row: the last day of the level period it begins, or null when it only continues one."""
        begins = np.flatnonzero(changed)
        opens = changed.reshape(-1)[first]
        days = np.zeros(first.size, dtype=np.int32)
        days[opens] = self.days[ends(begins, cells, t)]
        return pa.array(days, pa.int32(), mask=~opens).view(pa.date32())

    def tally(self, batch: pa.RecordBatch, levels: int) -> tuple[np.ndarray, np.ndarray]:
        """Unit-days per level code, and units per level code on the last shown day."""
        code = batch.column("level").indices.to_numpy()
        start, end = (batch.column(name).cast(pa.int32()).to_numpy() for name in ("start", "end"))
        days = np.bincount(code, weights=end - start + 1, minlength=levels).astype(np.int64)
        return days, np.bincount(code[end == self.days[-1]], minlength=levels)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32, copy=False)).view(pa.date32())
