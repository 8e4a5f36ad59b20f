"""What a run grades: the units, the assessed days, each day's data cutoff and how units are chunked.

Units are independent once the inputs are aggregated, so the work is split into chunks of units
whose dense grids stay within a fixed number of cells: memory is flat whatever the country size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from epizone.domain.cutoff import DataThrough
from epizone.domain.model import Area
from epizone.engine.aggregate import Aggregates
from epizone.engine.carry import Carry, lookback
from epizone.engine.compile import Chunk, Kernel

CHUNK_CELLS = 1 << 22  # unit-days of grid per chunk


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
