"""Timed transitions as an explicit state machine, stepped day by day and vectorised over units.

Each unit is either off (the clauses decide its level) or on (the transition's level applies). A run
of ``days`` consecutive counted days meeting the opposite switch's condition, counted from the day
after the current state took effect, schedules the switch ``takes_effect`` days later. On a
``working_days`` calendar a Sunday neither counts nor breaks the run. Every switch is recorded as an
event: the day the run completed and the day the switch took effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from epizone.domain.rules import Transition

SUNDAY = 6  # datetime.date.weekday()
ON, OFF = 1, 2


@dataclass
class States:
    """Per unit (rows) and day (columns): whether the transition is in force, and switch events."""

    on: np.ndarray         # bool
    event: np.ndarray      # int8: 0 none, ON switched on that day, OFF switched off that day
    completed: np.ndarray  # int32: day index whose run completed the switch (where event != 0)


def counted_days(days: np.ndarray, calendar: str) -> np.ndarray:
    """Which day numbers count towards a run (1970-01-01, day 0, was a Thursday)."""
    if calendar == "every_day":
        return np.ones(days.size, dtype=bool)
    return (days + 3) % 7 != SUNDAY


def step(tr: Transition, on_when: np.ndarray, off_when: np.ndarray, days: np.ndarray) -> States:
    """``on_when``/``off_when``: each switch's condition per unit and day; ``days``: the day numbers."""
    n, t_count = on_when.shape
    counts = {True: counted_days(days, tr.off.calendar), False: counted_days(days, tr.on.calendar)}
    state = np.zeros(n, dtype=bool)
    since = np.zeros(n, dtype=np.int64)
    run = np.zeros(n, dtype=np.int64)
    pending = np.full(n, -1, dtype=np.int64)
    done_at = np.zeros(n, dtype=np.int64)
    result = States(np.zeros((n, t_count), dtype=bool), np.zeros((n, t_count), dtype=np.int8),
                    np.zeros((n, t_count), dtype=np.int32))
    need = (tr.on.days, tr.off.days)
    delay = (tr.on.takes_effect, tr.off.takes_effect)
    for t in range(t_count):
        _flip(result, t, pending == t, state, since, run, pending, done_at)
        active = (pending < 0) & (t >= since)
        meets = np.where(state, off_when[:, t], on_when[:, t])
        counted = np.where(state, counts[True][t], counts[False][t])
        run = np.where(active & counted, np.where(meets, run + 1, 0), run)
        complete = active & (run >= np.where(state, need[1], need[0]))
        pending = np.where(complete, t + np.where(state, delay[1], delay[0]), pending)
        done_at = np.where(complete, t, done_at)
        run = np.where(complete, 0, run)
        _flip(result, t, pending == t, state, since, run, pending, done_at)
        result.on[:, t] = state
    return result


def _flip(result: States, t: int, now: np.ndarray, state: np.ndarray, since: np.ndarray, run: np.ndarray,
          pending: np.ndarray, done_at: np.ndarray) -> None:
    if not now.any():
        return
    result.event[now, t] = np.where(state[now], OFF, ON)
    result.completed[now, t] = done_at[now]
    state[now] = ~state[now]
    since[now] = t + 1
    run[now] = 0
    pending[now] = -1
