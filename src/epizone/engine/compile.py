"""A rule set compiled to NumPy array operations over a dense chunk of units x days.

The grid's day axis runs over data dates ``grid_start .. grid_start + days - 1``. Each assessed day
``t`` reads the grid at its data cutoff ``c(t)`` (see :mod:`epizone.domain.cutoff`): every indicator
is the value "as of" that cutoff, for every unit at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from epizone.domain.cutoff import from_day_number
from epizone.domain.rules import (NONE, UNKNOWN, ClusterCount, ClusterWindow, Cumulative, DaysSince, Metric, RuleSet,
                                  WindowSum)
from epizone.engine import transitions
from epizone.engine.aggregate import CLUSTERS, Aggregates
from epizone.engine.carry import NO_DAY, Carry

NO_DATA_CODE = "unknown.no_data"
INFECTIONS = "infections"  # confirmed + asymptomatic
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
    event: np.ndarray | None = None      # timed moves that took effect (see engine.transitions)
    completed: np.ndarray | None = None
    carry: Carry | None = None           # the chunk's carry for a continuation, when asked for

    def shown(self, days: slice) -> "Result":
        if days.start == 0:
            return self
        cut = (lambda a: None if a is None else a[:, days])  # noqa: E731
        return Result({k: v[:, days] for k, v in self.indicators.items()}, self.level[:, days],
                      self.clause[:, days], cut(self.event), cut(self.completed), self.carry)


class Kernel:
    """Compiled form of a rule set; ``run`` evaluates one chunk."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.level_ids = rules.level_ids
        in_force = [f"{state.code}.in_force" for state in rules.states]
        self.clause_codes = [c.code for c in rules.clauses] + in_force + [NO_DATA_CODE]
        self._clause_level = np.array(
            [self.level_ids.index(c.level) for c in rules.clauses]
            + [self.level_ids.index(state.level) for state in rules.states] + [self.level_ids.index(UNKNOWN)],
            dtype=np.int8,
        )
        self._series = sorted({ind.series for ind in rules.indicators.values() if getattr(ind, "series", None)})
        self._in_conditions = set().union(*(c.condition.names for c in rules.clauses),
                                          *(move.names for move in rules.moves))

    def reasons(self, lang: str) -> list[str]:
        texts = [c.reason(lang) for c in self.rules.clauses]
        texts += [(state.zh if lang == "zh" else state.en) for state in self.rules.states]
        return texts + (["数据截止日期晚于已有数据,无法评估"] if lang == "zh" else
                        ["No data reported up to the data cutoff: level cannot be assessed"])

    def event_text(self, move_number: int, completed: int, effective: int) -> str:
        """``brake.on: 3 consecutive days with incidence_7d > 100 to 2021-04-22; brake in force from 2021-04-24``."""
        return event_text(self.rules, move_number - 1, from_day_number(completed), from_day_number(effective))

    def run(self, agg: Aggregates, chunk: Chunk, positions: np.ndarray, stale: np.ndarray,
            population: np.ndarray | None = None, days: np.ndarray | None = None,
            holidays: np.ndarray | None = None, carry: Carry | None = None, keep: int | None = None) -> Result:
        """``positions``: grid column of each assessed day's cutoff; ``stale``: cutoff beyond the data;
        ``population``: of the chunk's units (NaN where unknown), for per-100k indicators; ``days``: the
        assessed day numbers; ``holidays``: public holidays of the chunk's units (units x days, bool);
        ``carry``: what the data before the grid and the days before ``days`` left (all units; None: nothing,
        a full replay); ``keep``: also return the chunk's carry for days from ``days[-1] + 1``, whose grid
        starts at data date ``keep``."""
        running = _Running(chunk, carry, keep, int(days[-1]) + 1 if days is not None and days.size else 0)
        dense = {name: _densify(agg, name, chunk) for name in self._series if name != INFECTIONS}
        if INFECTIONS in self._series:
            dense[INFECTIONS] = _densify(agg, "confirmed", chunk) + _densify(agg, "asymptomatic", chunk)
        people = population if population is not None else np.full(chunk.size, np.nan)
        values = {name: self._indicator(ind, agg, chunk, dense, running, positions, name, people)
                  for name, ind in self.rules.indicators.items()}
        conditions = self._nulls_as_nan(values)
        clause = self._first_clause(conditions, (chunk.size, positions.size))
        event = completed = None
        if self.rules.states:
            days = days if days is not None else np.arange(positions.size)
            event, completed, machine = self._moves(conditions, clause, days, holidays, (chunk.size, positions.size),
                                                    None if carry is None else carry.machine_of(running.rows))
            if running.out is not None:
                running.out.machine = machine
        if stale.any():
            clause[:, stale] = len(self.clause_codes) - 1
        return Result(values, self._clause_level[clause], clause, event, completed, running.out)

    def _moves(self, conditions: dict[str, np.ndarray], clause: np.ndarray, days: np.ndarray,
               holidays: np.ndarray | None, shape: tuple[int, int], start: transitions.Machine | None
               ) -> tuple[np.ndarray, np.ndarray, transitions.Machine]:
        """Step the timed states from ``start``; where a unit is in one, the state's level replaces the clause's."""
        moves = self.rules.moves
        when = [np.broadcast_to(m.condition.evaluate(conditions, vector=True), shape) for m in moves]
        last = [None if m.last_condition is None else
                np.broadcast_to(m.last_condition.evaluate(conditions, vector=True), shape) for m in moves]
        counted = [transitions.counted_days(days, m.calendar, holidays) for m in moves]
        states = transitions.step(self.rules, when, last, counted, start)
        timed = states.state > 0
        clause[timed] = len(self.rules.clauses) - 1 + states.state[timed]
        return states.event, states.completed, states.machine

    def _nulls_as_nan(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Conditions see a null ``days_since`` as NaN, like every other unknown value."""
        return {name: (np.where(v == NEVER, np.nan, v)
                       if name in self._in_conditions and isinstance(self.rules.indicators[name], DaysSince) else v)
                for name, v in values.items()}

    def _first_clause(self, values: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
        """Index of the first clause that holds: assign from the last clause to the first."""
        clauses = self.rules.clauses
        clause = np.full(shape, len(clauses) - 1, dtype=np.int8)
        for i in range(len(clauses) - 2, -1, -1):
            held = clauses[i].condition.evaluate(values, vector=True)
            if np.ndim(held) == 0:
                if held:
                    clause[...] = i
                continue
            clause[held] = i
        return clause

    def _indicator(self, ind, agg, chunk, dense, running, positions, name, people):  # noqa: ANN001
        if isinstance(ind, (Cumulative, DaysSince)) and ind.metric:
            grid = _metric_grid(agg, ind.metric, chunk)
            if isinstance(ind, DaysSince):
                return running.days_since(name, grid, positions)
            return at(running.totals(name, grid), positions + 1)
        if isinstance(ind, ClusterCount):
            grid = _densify_series(agg.reached[name], chunk) + _densify(agg, CLUSTERS, chunk)
            return at(running.totals(name, grid), positions + 1)
        if isinstance(ind, Cumulative):
            return at(running.totals(f"series:{ind.series}", dense[ind.series]), positions + 1)
        if isinstance(ind, WindowSum):
            total = _window(running.totals(f"series:{ind.series}", dense[ind.series]), positions, ind.days)
            return _rate(total, ind, people) if ind.is_rate else total
        if isinstance(ind, DaysSince):
            return running.days_since(f"since:{ind.series}", dense[ind.series], positions)
        if isinstance(ind, ClusterWindow):
            return _cluster(agg, name, ind, chunk, positions)
        if isinstance(ind, Metric):
            return _metric(agg, ind, chunk, positions, people)
        raise TypeError(f"no kernel for indicator kind {type(ind).__name__}")


def _rate(total: np.ndarray, ind: WindowSum, people: np.ndarray) -> np.ndarray:
    """Daily mean and/or per 100,000 people, in the same order of operations as the reference."""
    value = total.astype(np.float64)
    if ind.mean:
        value = value / ind.days
    if ind.per_100k:
        value = value * 100000.0 / people[:, None]
    return value


def _metric(agg: Aggregates, ind: Metric, chunk: Chunk, positions: np.ndarray, people: np.ndarray) -> np.ndarray:
    """The latest reported value dated within ``stale_days`` up to each cutoff, first source first."""
    result = np.full((chunk.size, positions.size), np.nan)
    for source in ind.sources:
        value = _latest(agg, source.metric, ind.stale_days, chunk, positions)
        if source.per:
            denominator = _latest(agg, source.per, ind.stale_days, chunk, positions)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(denominator == 0, np.nan, value / denominator)
            if source.percent:
                value = value * 100.0
        if source.per_100k:
            value = value * 100000.0 / people[:, None]
        result = np.where(np.isnan(result), value, result)
    return result


def _latest(agg: Aggregates, name: str, stale_days: int, chunk: Chunk, positions: np.ndarray) -> np.ndarray:
    """Each unit's latest value of a metric dated within ``stale_days`` up to each cutoff (NaN if none)."""
    series = agg.metrics.get(name)
    if series is None:
        return np.full((chunk.size, positions.size), np.nan)
    grid = np.full((chunk.size, chunk.days), np.nan)
    rows = series.rows_for(chunk.first_unit, chunk.end_unit)
    day = series.day[rows] - chunk.grid_start
    keep = (day >= 0) & (day < chunk.days)
    grid[series.unit[rows][keep] - chunk.first_unit, day[keep]] = series.value[rows][keep]
    index = np.where(np.isnan(grid), NEVER, np.arange(chunk.days, dtype=np.int32))
    last = at(np.maximum.accumulate(index, axis=1), positions)
    fresh = (last >= 0) & (positions - last < stale_days)
    return np.where(fresh, np.take_along_axis(grid, np.maximum(last, 0), axis=1), np.nan)


def at(grid: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Columns ``index`` of ``grid`` (0 where the index is negative), by slicing when they are consecutive."""
    if index.size == 0:
        return grid[:, :0]
    first = int(index[0])
    if index.size == 1 or bool(np.all(np.diff(index) == 1)):
        if first >= 0:
            return grid[:, first:first + index.size]
        out = np.zeros((grid.shape[0], index.size), dtype=grid.dtype)
        if first + index.size > 0:
            out[:, -first:] = grid[:, :first + index.size]
        return out
    out = grid[:, np.maximum(index, 0)]
    out[:, index < 0] = 0
    return out


def _densify(agg: Aggregates, name: str, chunk: Chunk) -> np.ndarray:
    return _densify_series(agg.series[name], chunk)


def _metric_grid(agg: Aggregates, name: str, chunk: Chunk) -> np.ndarray:
    """A reported metric's values per unit and day, 0 where nothing was reported (for sums and last-dates)."""
    grid = np.zeros((chunk.size, chunk.days), dtype=np.float64)
    series = agg.metrics.get(name)
    if series is not None:
        rows = series.rows_for(chunk.first_unit, chunk.end_unit)
        day = series.day[rows] - chunk.grid_start
        keep = (day >= 0) & (day < chunk.days)
        grid[series.unit[rows][keep] - chunk.first_unit, day[keep]] = series.value[rows][keep]
    return grid


def _densify_series(series, chunk: Chunk) -> np.ndarray:  # noqa: ANN001
    grid = np.zeros((chunk.size, chunk.days), dtype=np.int32)
    rows = series.rows_for(chunk.first_unit, chunk.end_unit)
    day = series.day[rows] - chunk.grid_start
    keep = (day >= 0) & (day < chunk.days)
    grid[series.unit[rows][keep] - chunk.first_unit, day[keep]] = series.value[rows][keep]
    return grid


def _window(totals: np.ndarray, positions: np.ndarray, days: int) -> np.ndarray:
    """Sum over the ``days`` data dates ending at each cutoff: total(c) - total(c - days), on running totals
    whose column 0 is the total before the grid."""
    return at(totals, positions + 1) - at(totals, positions + 1 - days)


class _Running:
    """A chunk's running totals and last days, continued from a carry and, when asked, kept for the next run.

    Running totals have a leading column: the total of the data before the grid (the carry's base)."""

    def __init__(self, chunk: Chunk, carry: Carry | None, keep: int | None, next_day: int):
        self.chunk, self.carry = chunk, carry
        self.rows = slice(chunk.first_unit, chunk.end_unit)
        self.out = None if keep is None else Carry(keep, next_day)
        self.keep = keep
        self._totals: dict[str, np.ndarray] = {}

    def totals(self, key: str, grid: np.ndarray) -> np.ndarray:
        if key not in self._totals:
            dtype = np.float64 if grid.dtype.kind == "f" else np.int32
            totals = np.empty((grid.shape[0], grid.shape[1] + 1), dtype=dtype)
            totals[:, 0] = 0 if self.carry is None else self.carry.base_of(key, self.rows, dtype)
            totals[:, 1:] = grid
            np.cumsum(totals, axis=1, out=totals)  # sequential: a float total adds up in the same order
            self._totals[key] = totals
            if self.out is not None:
                self.out.base[key] = totals[:, max(0, self.keep - self.chunk.grid_start)].copy()
        return self._totals[key]

    def days_since(self, key: str, grid: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Days from the last day with something (> 0) up to each cutoff; NEVER when there is none."""
        dtype = np.int16 if grid.shape[1] < np.iinfo(np.int16).max else np.int32
        index = np.maximum.accumulate(np.where(grid > 0, np.arange(grid.shape[1], dtype=dtype), dtype(NEVER)), axis=1)
        last = at(index, positions).astype(np.int32)
        before = (np.full(self.chunk.size, NO_DAY, np.int32) if self.carry is None
                  else self.carry.last_of(key, self.rows))
        earlier = np.where(before[:, None] == NO_DAY, NEVER, positions + self.chunk.grid_start - before[:, None])
        if self.out is not None:
            column = self.keep - 1 - self.chunk.grid_start
            inside = index[:, column].astype(np.int32) if column >= 0 else np.full(self.chunk.size, NEVER, np.int32)
            self.out.last[key] = np.where(inside >= 0, self.chunk.grid_start + inside, before).astype(np.int32)
        return np.where(last >= 0, positions.astype(np.int32) - last, earlier).astype(np.int32)


def _cluster(agg: Aggregates, name: str, ind: ClusterWindow, chunk: Chunk, positions: np.ndarray) -> np.ndarray:
    """Line-list clusters (intervals) or, from counts, a ``new_clusters`` value > 0 in the window."""
    width = chunk.days + 1
    spans = agg.intervals[name]
    rows = spans.rows_for(chunk.first_unit, chunk.end_unit)
    active = np.zeros((chunk.size, positions.size), dtype=bool)
    if rows.stop > rows.start:
        base = (spans.unit[rows] - chunk.first_unit).astype(np.int64) * width
        start = np.clip(spans.start[rows] - chunk.grid_start, 0, chunk.days)
        end = np.clip(spans.end[rows] - chunk.grid_start + 1, 0, chunk.days)
        size = chunk.size * width
        marks = np.bincount(base + start, minlength=size) - np.bincount(base + end, minlength=size)
        running = np.cumsum(marks.reshape(chunk.size, width)[:, :-1].astype(np.int32), axis=1, dtype=np.int32)
        active = at(running, positions) > 0
    counted = agg.series[CLUSTERS]
    rows = counted.rows_for(chunk.first_unit, chunk.end_unit)
    if rows.stop > rows.start:
        reported = np.zeros((chunk.size, chunk.days + 1), dtype=np.int32)
        np.cumsum(_densify(agg, CLUSTERS, chunk), axis=1, out=reported[:, 1:])
        active = active | (_window(reported, positions, ind.days) > 0)
    return active


def event_text(rules: RuleSet, move: int, completed: object, effective: object) -> str:
    """What a move did, in words: its run, the day that completed it and the day it took effect."""
    m = rules.moves[move]
    counted = {"every_day": "days", "working_days": "working days", "weekdays": "weekdays"}[m.calendar]
    last = f", the last with {m.last_day}," if m.last_day else ""
    effect = "lifted" if m.to == NONE else f"{m.to} in force"
    return f"{m.code}: {m.days} consecutive {counted} with {m.when}{last} to {completed}; {effect} from {effective}"
