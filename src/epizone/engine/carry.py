"""What the data dated before a day leave to the days after it: a checkpoint's per-unit arrays.

Grading day ``t`` reads indicators as of its cutoff ``c(t)``. Every indicator is either a running total
(cumulative counts, window sums as differences of running totals, clusters reached), the last day
something happened (days since), or a value read from the last ``W`` data dates (window sums, metrics
within ``stale_days``, cluster windows). So days from ``t + 1`` on need, from the data dated before
``since = c(t + 1) - W + 1``, only:

- ``base``: each running total just before ``since`` (by key: ``series:<name>`` for a case series,
  else the indicator's name);
- ``last``: the last day before ``since`` with something to count (``days_since``), ``NO_DAY`` if none;
- ``machine``: each unit's timed state after day ``t`` (:class:`epizone.engine.transitions.Machine`);
- the case rows of line-list clusters still open (kept beside the carry, see ``engine.clusters``).

An empty carry (zeros, no last day, every machine at rest) is a full replay's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from epizone.domain.rules import ClusterWindow, Metric, RuleSet, WindowSum
from epizone.engine.transitions import Machine

NO_DAY = np.iinfo(np.int32).min  # ``last``: nothing before ``since``


def lookback(rules: RuleSet) -> int:
    """W: how many data dates up to a cutoff an indicator reads beyond running totals (at least 1)."""
    widths = [1]
    for ind in rules.indicators.values():
        if isinstance(ind, (WindowSum, ClusterWindow)):
            widths.append(ind.days)
        elif isinstance(ind, Metric):
            widths.append(ind.stale_days)
    return max(widths)


@dataclass
class Carry:
    """Per unit (rows): the running totals and last days before data date ``since``, and the timed machines
    after the day before ``day`` (machine days relative to ``day``)."""

    since: int
    day: int
    base: dict[str, np.ndarray] = field(default_factory=dict)
    last: dict[str, np.ndarray] = field(default_factory=dict)
    machine: Machine | None = None

    def base_of(self, key: str, rows: slice, dtype: type) -> np.ndarray:
        """The running total of ``key`` before ``since`` for units ``rows`` (0 when none is carried)."""
        found = self.base.get(key)
        size = rows.stop - rows.start
        return np.zeros(size, dtype) if found is None else found[rows].astype(dtype)

    def last_of(self, key: str, rows: slice) -> np.ndarray:
        found = self.last.get(key)
        return np.full(rows.stop - rows.start, NO_DAY, np.int32) if found is None else found[rows]

    def machine_of(self, rows: slice) -> Machine | None:
        return None if self.machine is None else self.machine.rows(rows)


def empty(since: int, day: int) -> Carry:
    """A full replay's start: nothing before ``since``."""
    return Carry(since, day)


def joined(parts: list[Carry]) -> Carry:
    """The carries of consecutive chunks of units as one."""
    first = parts[0]
    machines = [p.machine for p in parts]
    machine = None if machines[0] is None else Machine(
        *(np.concatenate([getattr(m, f) for m in machines], axis=-1)
          for f in ("state", "since", "runs", "pending", "chosen", "done_at")))
    return Carry(first.since, first.day,
                 {k: np.concatenate([p.base[k] for p in parts]) for k in first.base},
                 {k: np.concatenate([p.last[k] for p in parts]) for k in first.last}, machine)
