"""Level periods: one row per unit per run of days at the same level, from a chunk's dense kernel result.

A period starts on the first shown day and wherever a unit's level differs from the day before; it ends
(inclusive) the day before the unit's next period starts, or on the last shown day. Its other columns are
the dense row of its first day. Starts are found for the whole chunk at once on the flattened
units x days grid: the cell after a period's last day is the next period's first cell, or the next unit's
first day, so ``end = next start - 1`` holds across units too.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from epizone.engine.batches import BatchBuilder, Cells
from epizone.engine.compile import Chunk, Result


def starts(level: np.ndarray) -> np.ndarray:
    """Flat (row-major) indexes of the cells that begin a period in a units x days level grid."""
    changed = np.empty(level.shape, dtype=bool)
    changed[:, :1] = True
    np.not_equal(level[:, 1:], level[:, :-1], out=changed[:, 1:])
    return np.flatnonzero(changed)


def schema(dense: pa.Schema) -> pa.Schema:
    """The dense schema with ``date`` replaced by the period's ``start`` and inclusive ``end``."""
    at = dense.get_field_index("date")
    date = dense.field(at)
    return dense.remove(at).insert(at, date.with_name("end")).insert(at, date.with_name("start"))


class PeriodBuilder:
    """Turns kernel results into period batches, with the dense builder's dictionaries and column arrays."""

    def __init__(self, dense: BatchBuilder):
        self.dense = dense
        self.schema = schema(dense.schema)
        shown = dense.plan.shown
        self.days, self.cutoffs = dense.plan.days[shown].astype(np.int32), dense.plan.cutoffs[shown].astype(np.int32)

    def build(self, chunk: Chunk, result: Result) -> pa.RecordBatch:
        n, t = result.level.shape
        first = starts(result.level)
        unit, day = np.divmod(first, t)
        end = (np.append(first[1:], n * t) - 1) % t
        columns = self.dense.columns(chunk, result, pa.array(unit.astype(np.int32)),
                                     pa.array(np.zeros(first.size, dtype=np.int8)), Cells(unit, day))
        columns.update(start=_dates(self.days[day]), end=_dates(self.days[end]), data_through=_dates(self.cutoffs[day]))
        return pa.RecordBatch.from_arrays([columns[f.name] for f in self.schema], schema=self.schema)

    def tally(self, batch: pa.RecordBatch, levels: int) -> tuple[np.ndarray, np.ndarray]:
        """Unit-days per level code, and units per level code on the last shown day."""
        code = batch.column("level").indices.to_numpy()
        start, end = (batch.column(name).cast(pa.int32()).to_numpy() for name in ("start", "end"))
        days = np.bincount(code, weights=end - start + 1, minlength=levels).astype(np.int64)
        return days, np.bincount(code[end == self.days[-1]], minlength=levels)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32, copy=False)).view(pa.date32())
