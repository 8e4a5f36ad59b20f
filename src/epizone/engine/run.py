"""Run a compiled rule set over all units, chunk by chunk, yielding Arrow record batches.

Units are independent once the inputs are aggregated, so the work is split into chunks of units
whose dense grids stay within a fixed number of cells: memory is flat whatever the country size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pyarrow as pa

from epizone.domain.cutoff import DataThrough
from epizone.domain.model import Area
from epizone.domain.rules import ClusterWindow, Cumulative, DaysSince, Metric
from epizone.engine.aggregate import Aggregates
from epizone.engine.carry import Carry, lookback
from epizone.engine.compile import NEVER, Chunk, Kernel, Result

CHUNK_CELLS = 1 << 22  # unit-days of grid per chunk
T = TypeVar("T")


@dataclass
class Plan:
    """What to assess: the units, the assessed days and where each day's cutoff falls on the grid."""

    units: list[Area]
    days: np.ndarray        # assessed day numbers (with the replayed history first, see ``skip``)
    cutoffs: np.ndarray     # data cutoff day number of each assessed day
    grid_start: int
    grid_days: int
    stale: np.ndarray       # cutoff later than the last date the data covers
    chunk_units: int
    skip: int = 0           # leading days replayed only to know the timed state on the first day
    holidays: dict[int, np.ndarray] | None = None  # public holidays by unit index (-1: every unit), as day masks
    carry: Carry | None = None  # what the data before the grid and the days before ``days`` left (None: nothing)
    keep: int | None = None     # keep a carry for the days after the last, on a grid from this data date

    @property
    def shown(self) -> slice:
        """The days that are written out."""
        return slice(self.skip, self.days.size)

    @property
    def population(self) -> np.ndarray:
        """People per unit (NaN where the areas file gives none), for per-100k indicators."""
        return np.array([np.nan if u.population is None else u.population for u in self.units], dtype=np.float64)

    @property
    def positions(self) -> np.ndarray:
        return self.cutoffs - self.grid_start

    def holidays_of(self, chunk: Chunk) -> np.ndarray | None:
        """The chunk's units x days mask of public holidays (None when there are none)."""
        if not self.holidays:
            return None
        mask = np.zeros((chunk.size, self.days.size), dtype=bool)
        mask |= self.holidays.get(-1, False)
        for unit, days in self.holidays.items():
            if chunk.first_unit <= unit < chunk.end_unit:
                mask[unit - chunk.first_unit] |= days
        return mask

    def chunks(self) -> Iterator[Chunk]:
        for first in range(0, len(self.units), self.chunk_units):
            yield Chunk(first, min(first + self.chunk_units, len(self.units)), self.grid_start, self.grid_days)


def make_plan(agg: Aggregates, units: list[Area], start: int, end: int, through: DataThrough,
              data_end: int | None = None, chunk_cells: int = CHUNK_CELLS, replay: bool = False) -> Plan:
    """``replay``: begin at the first data date, so timed transitions start from a known state."""
    if end < start:
        raise ValueError("the end date is before the start date")
    first = min(start, agg.first_day) if replay and agg.first_day is not None else start
    days = np.arange(first, end + 1, dtype=np.int32)
    cutoffs = through.cutoffs(days).astype(np.int32)
    grid_start = int(min(cutoffs[0], agg.first_day if agg.first_day is not None else cutoffs[0]))
    grid_days = int(cutoffs[-1]) - grid_start + 1
    covered = data_end if data_end is not None else agg.last_day
    stale = np.ones(days.size, dtype=bool) if covered is None else cutoffs > covered
    chunk_units = max(1, chunk_cells // max(grid_days, days.size))
    return Plan(units, days, cutoffs, grid_start, grid_days, stale, chunk_units, skip=start - first)


def continue_plan(carry: Carry, units: list[Area], start: int, end: int, through: DataThrough,
                  covered: int | None, chunk_cells: int = CHUNK_CELLS) -> Plan:
    """Grade days ``carry.day .. end`` (writing out those from ``start``) on a grid of the data dated from
    ``carry.since``; ``covered``: the last date the data cover."""
    if end < carry.day:
        raise ValueError("the end date is before the day the checkpoint continues from")
    days = np.arange(carry.day, end + 1, dtype=np.int32)
    cutoffs = through.cutoffs(days).astype(np.int32)
    grid_days = int(cutoffs[-1]) - carry.since + 1
    stale = np.ones(days.size, dtype=bool) if covered is None else cutoffs > covered
    chunk_units = max(1, chunk_cells // max(grid_days, days.size))
    return Plan(units, days, cutoffs, carry.since, grid_days, stale, chunk_units,
                skip=max(0, start - carry.day), carry=carry)


def keep_from(kernel: Kernel, plan: Plan, through: DataThrough) -> int:
    """The data date a continuation after the plan's last day starts its grid at: c(end + 1) - W + 1."""
    after = through.cutoffs(np.array([int(plan.days[-1]) + 1]))
    return int(after[0]) - lookback(kernel.rules) + 1


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
        clause = pa.array(result.clause.ravel())
        columns = [
            pa.DictionaryArray.from_arrays(unit, self.codes.slice(chunk.first_unit, chunk.size)),
            pa.DictionaryArray.from_arrays(unit, self.names.slice(chunk.first_unit, chunk.size)),
            dates,
            pa.DictionaryArray.from_arrays(pa.array(result.level.ravel()), self.levels),
            pa.DictionaryArray.from_arrays(zeros, self.rule_set),
            *(_indicator_array(values) for values in result.indicators.values()),
            pa.DictionaryArray.from_arrays(clause, self.clause_codes),
            pa.DictionaryArray.from_arrays(clause, self.reasons),
            cutoffs,
        ]
        if self.kernel.rules.states:
            columns.append(self._events(result))
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)

    def _events(self, result: Result) -> pa.Array:
        """The switch that took effect on a row's day, in words (null on other days)."""
        kind = result.event.ravel()
        rows = np.flatnonzero(kind)
        texts = [self.kernel.event_text(int(k), int(done), int(day))
                 for k, done, day in zip(kind[rows], int(self.plan.days[0]) + result.completed.ravel()[rows],
                                         self.plan.days[self.plan.shown][rows % result.event.shape[1]])]
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


def run(kernel: Kernel, agg: Aggregates, plan: Plan, lang: str = "en",
        kept: list[Carry] | None = None) -> Iterator[tuple[Chunk, pa.RecordBatch]]:
    """Grade chunk by chunk; with ``plan.keep``, each chunk's carry is appended to ``kept`` (see ``carry.joined``)."""
    builder = BatchBuilder(kernel, plan, lang)
    positions, population = plan.positions, plan.population
    for chunk in plan.chunks():
        result = kernel.run(agg, chunk, positions, plan.stale, population[chunk.first_unit:chunk.end_unit],
                            plan.days, plan.holidays_of(chunk), plan.carry, plan.keep)
        if kept is not None and result.carry is not None:
            kept.append(result.carry)
        yield chunk, builder.build(chunk, result.shown(plan.shown))


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce ``items`` in a background thread, up to ``depth`` ahead of the consumer.

    NumPy and the Arrow writers release the GIL on large arrays, so computing chunk k+1 overlaps
    writing chunk k on a second core. Errors in the producer are raised in the consumer.
    """
    slots: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                slots.put(item)
            slots.put(done)
        except BaseException as exc:  # handed to the consumer
            slots.put(_Failure(exc))

    worker = threading.Thread(target=produce, name="epizone-kernel", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not done:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get(timeout=0.05)
            except queue.Empty:
                pass


@dataclass
class _Failure:
    error: BaseException
