"""Kernel results of a chunk -> Arrow record batches of the dense output: one row per unit and shown day."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from epizone.domain.rules import ClusterWindow, Cumulative, DaysSince, Metric
from epizone.engine.compile import NEVER, Chunk, Kernel, Result
from epizone.engine.plan import Plan


class Cells:
    """The cells of a chunk's units x days grids that become rows: every cell in order, or the given ones."""

    def __init__(self, unit: np.ndarray | None = None, day: np.ndarray | None = None):
        self.unit, self.day = unit, day

    def pick(self, grid: np.ndarray) -> np.ndarray:
        """The grid's values of the rows, in row order."""
        return grid.ravel() if self.unit is None else grid[self.unit, self.day]

    def day_of(self, rows: np.ndarray, days: int) -> np.ndarray:
        """The day column (0 .. days - 1) of the given row numbers."""
        return rows % days if self.day is None else self.day[rows]


class BatchBuilder:
    """Turns kernel results into Arrow batches with dictionary-encoded codes, names, levels and reasons.

    Area codes and names carry a dictionary of the chunk's own units only, so each Parquet row group
    (one per chunk) stores a small dictionary page. Columns that are never null are declared so,
    which spares writers the definition levels.
    """

    def __init__(self, kernel: Kernel, plan: Plan, lang: str):
        self.kernel, self.plan = kernel, plan
        self.codes = pa.array([u.code for u in plan.units], pa.string())
        self.names = pa.array([u.name for u in plan.units], pa.string())
        self.levels = pa.array(kernel.level_ids, pa.string())
        self.clause_codes = pa.array(kernel.clause_codes, pa.string())
        self.reasons = pa.array(kernel.reasons(lang), pa.string())
        self.rule_set = pa.array([kernel.rules.ref], pa.string())
        self.schema = _schema(kernel)
        self._shared: dict[int, tuple[pa.Array, ...]] = {}

    def build(self, chunk: Chunk, result: Result) -> pa.RecordBatch:
        unit, dates, cutoffs, zeros = self._layout(chunk.size)
        columns = self.columns(chunk, result, unit, zeros, Cells())
        columns.update(date=dates, data_through=cutoffs)
        return pa.RecordBatch.from_arrays([columns[f.name] for f in self.schema], schema=self.schema)

    def columns(self, chunk: Chunk, result: Result, unit: pa.Array, zeros: pa.Array,
                cells: Cells) -> dict[str, pa.Array]:
        """Every column but the dates, by name: ``unit`` (chunk-local unit of each row) and ``zeros`` (int8
        zeros, one per row) as Arrow arrays, the other values picked from the result's grids by ``cells``."""
        clause = pa.array(cells.pick(result.clause))
        columns = {
            "area_code": pa.DictionaryArray.from_arrays(unit, self.codes.slice(chunk.first_unit, chunk.size)),
            "area_name": pa.DictionaryArray.from_arrays(unit, self.names.slice(chunk.first_unit, chunk.size)),
            "level": pa.DictionaryArray.from_arrays(pa.array(cells.pick(result.level)), self.levels),
            "rule_set": pa.DictionaryArray.from_arrays(zeros, self.rule_set),
            **{name: _indicator_array(cells.pick(values)) for name, values in result.indicators.items()},
            "reason_code": pa.DictionaryArray.from_arrays(clause, self.clause_codes),
            "reason": pa.DictionaryArray.from_arrays(clause, self.reasons),
        }
        if self.kernel.rules.states:
            columns["event"] = self._events(result, cells)
        return columns

    def tally(self, batch: pa.RecordBatch, levels: int) -> tuple[np.ndarray, np.ndarray]:
        """Unit-days per level code, and units per level code on the last shown day."""
        codes = batch.column("level").indices.to_numpy()
        tail = codes.reshape(-1, self.plan.days.size - self.plan.skip)[:, -1]
        return (np.array([np.count_nonzero(codes == i) for i in range(levels)], dtype=np.int64),
                np.bincount(tail, minlength=levels))

    def _events(self, result: Result, cells: Cells) -> pa.Array:
        """The switch that took effect on a row's day, in words (null on other days)."""
        kind = cells.pick(result.event)
        rows = np.flatnonzero(kind)
        shown = self.plan.days[self.plan.shown]
        texts = [self.kernel.event_text(int(k), int(self.plan.days[0]) + int(done), int(day))
                 for k, done, day in zip(kind[rows], cells.pick(result.completed)[rows],
                                         shown[cells.day_of(rows, result.event.shape[1])])]
        distinct = sorted(set(texts))
        index = np.zeros(kind.size, dtype=np.int32)
        index[rows] = [distinct.index(t) for t in texts]
        return pa.DictionaryArray.from_arrays(pa.array(index, mask=kind == 0), pa.array(distinct, pa.string()))

    def _layout(self, n: int) -> tuple[pa.Array, ...]:
        """Row-to-unit indexes, dates, cutoffs and rule-set codes: the same for every chunk of n units."""
        if n not in self._shared:
            days, cutoffs = self.plan.days[self.plan.shown], self.plan.cutoffs[self.plan.shown]
            t = days.size
            self._shared[n] = (pa.array(np.repeat(np.arange(n, dtype=np.int32), t)),
                               _tile_dates(days, n), _tile_dates(cutoffs, n),
                               pa.array(np.zeros(n * t, dtype=np.int8)))
        return self._shared[n]


def _schema(kernel: Kernel) -> pa.Schema:
    text = pa.dictionary(pa.int32(), pa.string())
    small = pa.dictionary(pa.int8(), pa.string())
    fields = [pa.field("area_code", text, False), pa.field("area_name", text, False),
              pa.field("date", pa.date32(), False), pa.field("level", small, False),
              pa.field("rule_set", small, False)]
    for name, ind in kernel.rules.indicators.items():
        if isinstance(ind, ClusterWindow):
            fields.append(pa.field(name, pa.bool_(), False))
        elif isinstance(ind, Metric) or getattr(ind, "is_rate", False) or (
                isinstance(ind, Cumulative) and ind.metric):
            fields.append(pa.field(name, pa.float64(), True))
        else:
            fields.append(pa.field(name, pa.int32(), isinstance(ind, DaysSince)))
    fields += [pa.field("reason_code", small, False), pa.field("reason", small, False),
               pa.field("data_through", pa.date32(), False)]
    if kernel.rules.states:
        fields.append(pa.field("event", pa.dictionary(pa.int32(), pa.string()), True))
    return pa.schema(fields)


def _tile_dates(days: np.ndarray, n: int) -> pa.Array:
    return pa.array(np.tile(days.astype(np.int32), n)).view(pa.date32())


def _indicator_array(values: np.ndarray) -> pa.Array:
    flat = values.ravel()
    if flat.dtype == bool:
        return pa.array(flat)
    if flat.dtype.kind == "f":
        unknown = np.isnan(flat)
        return pa.array(flat, mask=unknown) if unknown.any() else pa.array(flat)
    flat = flat.astype(np.int32, copy=False)
    never = flat == NEVER
    return pa.array(flat, mask=never) if never.any() else pa.array(flat)
