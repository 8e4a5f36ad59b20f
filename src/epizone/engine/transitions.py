"""Timed states as an explicit state machine, stepped day by day and vectorised over units.

Each unit is in state 0 (``none``: the clauses decide its level) or in one of the rule set's timed
states 1..S. Every move out of the current state keeps its own run of consecutive counted days on
which its condition holds, counted from the day after the state took effect (or that day itself); a move completes when
its run is long enough and its last-day condition holds, and takes effect ``takes_effect`` days
later (the first listed move wins a tie). On a working-day calendar a Sunday (and on ``weekdays`` a
Saturday) or a public holiday neither counts nor breaks a run. Every move is recorded as an event:
which move, the day it completed and the day it took effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from epizone.domain.rules import NONE, RuleSet

SATURDAY, SUNDAY = 5, 6  # datetime.date.weekday()


@dataclass
class States:
    """Per unit (rows) and day (columns): the state in force and the moves that took effect."""

    state: np.ndarray      # int8: 0 none, i + 1 the rule set's states[i]
    event: np.ndarray      # int16: 0 none, m + 1 moves[m] took effect that day
    completed: np.ndarray  # int32: day index whose run completed the move (where event != 0; < 0: before day 0)
    machine: "Machine | None" = None  # each unit's machine after the last day


@dataclass
class Machine:
    """Each unit's timed state after a day, all it takes to step on from the next day (a checkpoint's part).

    Days are indexes relative to the next day (0); ``pending`` is -1 where no move waits to take effect."""

    state: np.ndarray    # int8 (units)
    since: np.ndarray    # int32: runs count from this day
    runs: np.ndarray     # int32 (moves x units): each move's current run of counted days
    pending: np.ndarray  # int32: the day a completed move takes effect, -1 none
    chosen: np.ndarray   # int32: that move
    done_at: np.ndarray  # int32: the day its run completed

    @classmethod
    def empty(cls, moves: int, n: int) -> "Machine":
        """Every unit in ``none`` from day 0, no run, nothing pending: the start of a full replay."""
        return cls(np.zeros(n, np.int8), np.zeros(n, np.int32), np.zeros((moves, n), np.int32),
                   np.full(n, -1, np.int32), np.full(n, -1, np.int32), np.zeros(n, np.int32))

    def rows(self, keep: np.ndarray | slice) -> "Machine":
        return Machine(self.state[keep], self.since[keep], self.runs[:, keep], self.pending[keep],
                       self.chosen[keep], self.done_at[keep])

    def put(self, keep: np.ndarray, part: "Machine") -> None:
        self.state[keep], self.since[keep], self.runs[:, keep] = part.state, part.since, part.runs
        self.pending[keep], self.chosen[keep], self.done_at[keep] = part.pending, part.chosen, part.done_at

    def shifted(self, days: int) -> "Machine":
        """The same machine with its day indexes counted from ``days`` later (pending stays -1 where none)."""
        return Machine(self.state, self.since - days, self.runs, np.where(self.pending >= 0, self.pending - days, -1),
                       self.chosen, self.done_at - days)

    def busy(self) -> np.ndarray:
        """Units whose machine is anything but the resting ``none`` (they must be stepped)."""
        return (self.state != 0) | (self.pending >= 0) | (self.runs != 0).any(axis=0) | (self.since > 0)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday 0 .. Sunday 6 of day numbers (1970-01-01, day 0, was a Thursday)."""
    return (days + 3) % 7


def counted_days(days: np.ndarray, calendar: str, holidays: np.ndarray | None = None) -> np.ndarray:
    """Which days count towards a run: per day, or per unit and day when ``holidays`` (bool, units x days)."""
    if calendar == "every_day":
        return np.ones(days.size, dtype=bool)
    rest = weekday(days) >= (SATURDAY if calendar == "weekdays" else SUNDAY)
    return ~rest if holidays is None else ~(rest | holidays)


def state_index(rules: RuleSet) -> dict[str, int]:
    return {NONE: 0} | {state.code: i + 1 for i, state in enumerate(rules.states)}


def step(rules: RuleSet, when: list[np.ndarray], last: list[np.ndarray | None], counted: list[np.ndarray],
         start: Machine | None = None) -> States:
    """``when``/``last``: each move's run and last-day conditions (units x days); ``counted``: each move's
    counted days (days, or units x days); ``start``: each unit's machine before day 0 (default: at rest).

    A unit at rest on which no move out of ``none`` ever meets its condition stays at rest throughout:
    only the others are stepped (in most places most units never see a case)."""
    n, t_count = when[0].shape
    start = start if start is not None else Machine.empty(len(rules.moves), n)
    moving = start.busy()
    for m, move in enumerate(rules.moves):
        if NONE in move.from_:
            moving |= when[m].any(axis=1)
    if moving.all():
        return _step(rules, when, last, counted, start)
    result = States(np.zeros((n, t_count), dtype=np.int8), np.zeros((n, t_count), dtype=np.int16),
                    np.zeros((n, t_count), dtype=np.int32), start.shifted(t_count))
    if moving.any():
        part = _step(rules, [w[moving] for w in when], [None if x is None else x[moving] for x in last],
                     [c[moving] if c.ndim == 2 else c for c in counted], start.rows(moving))
        result.state[moving], result.event[moving], result.completed[moving] = part.state, part.event, part.completed
        result.machine.put(moving, part.machine)
    return result


def _step(rules: RuleSet, when: list[np.ndarray], last: list[np.ndarray | None], counted: list[np.ndarray],
          start: Machine) -> States:
    n, t_count = when[0].shape
    index = state_index(rules)
    sources = [np.isin(np.arange(len(index)), [index[s] for s in move.from_]) for move in rules.moves]
    target = np.array([index[move.to] for move in rules.moves], dtype=np.int8)
    wait = np.array([1] + [int(state.count_from == "day_after") for state in rules.states])  # by state
    need = np.array([move.days for move in rules.moves])
    delay = np.array([move.takes_effect for move in rules.moves])
    # stepped day by day: days x units, so that each day's values are contiguous
    when = [np.ascontiguousarray(w.T) for w in when]
    last = [None if x is None else np.ascontiguousarray(x.T) for x in last]
    counted = [np.ascontiguousarray(c.T) if c.ndim == 2 else c for c in counted]
    state, since, runs = start.state.copy(), start.since.copy(), start.runs.copy()
    pending, chosen, done_at = start.pending.copy(), start.chosen.copy(), start.done_at.copy()
    winner = np.empty(n, dtype=np.int32)
    result = States(np.zeros((t_count, n), dtype=np.int8), np.zeros((t_count, n), dtype=np.int16),
                    np.zeros((t_count, n), dtype=np.int32))
    for t in range(t_count):
        _apply(result, t, pending == t, state, since, runs, pending, chosen, done_at, target, wait)
        active = (pending < 0) & (t >= since)
        winner.fill(-1)
        for m in range(len(rules.moves)):
            mine = active & sources[m][state]
            if not mine.any():
                continue
            step_today = mine & counted[m][t]
            runs[m] += step_today                    # extend the run on counted days ...
            runs[m][step_today & ~when[m][t]] = 0    # ... or reset it where the condition fails
            complete = mine & (runs[m] >= need[m]) & (winner < 0)
            if last[m] is not None:
                complete &= last[m][t]
            winner[complete] = m
        completed = winner >= 0
        if completed.any():
            pending[completed] = t + delay[winner[completed]]
            chosen[completed] = winner[completed]
            done_at[completed] = t
            runs[:, completed] = 0
            _apply(result, t, pending == t, state, since, runs, pending, chosen, done_at, target, wait)
        result.state[t] = state
    after = Machine(state, since, runs, pending, chosen, done_at).shifted(t_count)
    return States(np.ascontiguousarray(result.state.T), np.ascontiguousarray(result.event.T),
                  np.ascontiguousarray(result.completed.T), after)


def _apply(result: States, t: int, now: np.ndarray, state: np.ndarray, since: np.ndarray, runs: np.ndarray,
           pending: np.ndarray, chosen: np.ndarray, done_at: np.ndarray, target: np.ndarray,
           wait: np.ndarray) -> None:
    if not now.any():
        return
    result.event[t, now] = chosen[now] + 1
    result.completed[t, now] = done_at[now]
    state[now] = target[chosen[now]]
    since[now] = t + wait[state[now]]
    runs[:, now] = 0
    pending[now] = -1
