"""A rule set compiled to NumPy array operations over a dense chunk of units x days.

The grid's day axis runs over data dates ``grid_start .. grid_start + days - 1``. Each assessed day
``t`` reads the grid at its data cutoff ``c(t)`` (see :mod:`epizone.engine.cutoff`): every indicator
is the value "as of" that cutoff, for every unit at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from epizone.domain.rules import ClusterWindow, Cumulative, DaysSince, RuleSet, UNKNOWN, WindowSum
from epizone.engine.aggregate import CLUSTERS, Aggregates

NO_DATA_CODE = "unknown.no_data"
NEVER = -1  # days_since when the series never had a case: written as null


@dataclass
class Chunk:
    """Units ``first_unit .. end_unit - 1`` on a grid of ``days`` data dates from ``grid_start``."""

    first_unit: int
    end_unit: int
    grid_start: int
    days: int

    @property
    def size(self) -> int:
        return self.end_unit - self.first_unit


@dataclass
class Result:
    """Per unit (rows) and assessed day (columns): indicators, level codes and clause indexes."""

    indicators: dict[str, np.ndarray]
    level: np.ndarray
    clause: np.ndarray


class Kernel:
    """Compiled form of a rule set; ``run`` evaluates one chunk."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.level_ids = rules.level_ids
        self.clause_codes = [c.code for c in rules.clauses] + [NO_DATA_CODE]
        self._clause_level = np.array(
            [self.level_ids.index(c.level) for c in rules.clauses] + [self.level_ids.index(UNKNOWN)], dtype=np.int8
        )
        self._series = sorted({ind.series for ind in rules.indicators.values() if hasattr(ind, "series")})

    def reasons(self, lang: str) -> list[str]:
        texts = [c.reason(lang) for c in self.rules.clauses]
        return texts + (["数据截止日期晚于已有数据,无法评估"] if lang == "zh" else
                        ["No data reported up to the data cutoff: level cannot be assessed"])

    def run(self, agg: Aggregates, chunk: Chunk, positions: np.ndarray, stale: np.ndarray) -> Result:
        """``positions``: grid column of each assessed day's cutoff; ``stale``: cutoff beyond the data."""
        dense = {name: _densify(agg, name, chunk) for name in self._series}
        cumulative = {name: np.cumsum(grid, axis=1, dtype=np.int64) for name, grid in dense.items()}
        values = {name: self._indicator(ind, agg, chunk, dense, cumulative, positions, name)
                  for name, ind in self.rules.indicators.items()}
        conditions = [np.broadcast_to(c.condition.evaluate(values, vector=True), (chunk.size, positions.size))
                      for c in self.rules.clauses]
        clause = np.select(conditions, np.arange(len(conditions), dtype=np.int8), default=len(conditions) - 1)
        clause = clause.astype(np.int8)
        clause[:, stale] = len(self.clause_codes) - 1
        return Result(values, self._clause_level[clause], clause)

    def _indicator(self, ind, agg, chunk, dense, cumulative, positions, name):  # noqa: ANN001
        if isinstance(ind, Cumulative):
            return cumulative[ind.series][:, positions]
        if isinstance(ind, WindowSum):
            return _window(cumulative[ind.series], positions, ind.days)
        if isinstance(ind, DaysSince):
            return _days_since(dense[ind.series], positions)
        if isinstance(ind, ClusterWindow):
            return _cluster(agg, name, ind, chunk, positions)
        raise TypeError(f"no kernel for indicator kind {type(ind).__name__}")


def _densify(agg: Aggregates, name: str, chunk: Chunk) -> np.ndarray:
    grid = np.zeros((chunk.size, chunk.days), dtype=np.int64)
    series = agg.series[name]
    rows = series.rows_for(chunk.first_unit, chunk.end_unit)
    day = series.day[rows] - chunk.grid_start
    keep = (day >= 0) & (day < chunk.days)
    grid[series.unit[rows][keep] - chunk.first_unit, day[keep]] = series.value[rows][keep]
    return grid


def _window(cumulative: np.ndarray, positions: np.ndarray, days: int) -> np.ndarray:
    """Sum over the ``days`` data dates ending at each cutoff: cum(c) - cum(c - days)."""
    before = positions - days
    earlier = np.where(before >= 0, cumulative[:, np.maximum(before, 0)], 0)
    return cumulative[:, positions] - earlier


def _days_since(grid: np.ndarray, positions: np.ndarray) -> np.ndarray:
    index = np.where(grid > 0, np.arange(grid.shape[1], dtype=np.int32), NEVER)
    last = np.maximum.accumulate(index, axis=1)[:, positions]
    return np.where(last >= 0, positions - last, NEVER).astype(np.int32)


def _cluster(agg: Aggregates, name: str, ind: ClusterWindow, chunk: Chunk, positions: np.ndarray) -> np.ndarray:
    """Line-list clusters (intervals) or, from counts, a ``new_clusters`` value > 0 in the window."""
    marks = np.zeros((chunk.size, chunk.days + 1), dtype=np.int32)
    spans = agg.intervals[name]
    rows = spans.rows_for(chunk.first_unit, chunk.end_unit)
    unit = spans.unit[rows] - chunk.first_unit
    start = np.clip(spans.start[rows] - chunk.grid_start, 0, chunk.days)
    end = np.clip(spans.end[rows] - chunk.grid_start + 1, 0, chunk.days)
    np.add.at(marks, (unit, start), 1)
    np.add.at(marks, (unit, end), -1)
    active = np.cumsum(marks[:, :-1], axis=1)[:, positions] > 0
    counted = np.cumsum(_densify(agg, CLUSTERS, chunk), axis=1)
    return active | (_window(counted, positions, ind.days) > 0)
