"""Timed states at national community scale: the vectorised state machine against a plain per-unit loop.

Synthetic inputs (seeded): N communities x D days under cn-2022-06's five moves; a share of the
communities ever see an infection or a risk-site designation (the rest never leave ``none``), and mass
testing is negative on half of the days. Both implementations are timed in the same process (medians)
and their states, events and completion days compared on every unit-day.

    .venv/bin/python benchmarks/timed_states.py [--units 200000] [--days 365] [--touched 0.05] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from epizone.domain.rules import NONE, load_rule_set
from epizone.engine import transitions


def inputs(units: int, days: int, touched: float, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    seen = rng.random(units) < touched
    def flags(p: float) -> np.ndarray:  # noqa: E306
        return (rng.random((units, days)) < p) & seen[:, None]
    return {"new_infections_1d": flags(0.02).astype(float),
            "high_risk_site": np.where(flags(0.004), 1.0, np.nan),
            "medium_risk_site": np.where(flags(0.01), 1.0, np.nan),
            "mass_testing_negative": np.where(rng.random((units, days)) < 0.5, 1.0, np.nan)}


def plain_loop(rules, when, last, counted) -> transitions.States:  # noqa: ANN001
    """The same machine, one unit and one day at a time in plain Python (the baseline)."""
    n, t_count = when[0].shape
    index = transitions.state_index(rules)
    moves = [(i, {index[s] for s in m.from_}, index[m.to], m.days, m.takes_effect) for i, m in enumerate(rules.moves)]
    wait = [1] + [int(s.count_from == "day_after") for s in rules.states]
    out = transitions.States(np.zeros((n, t_count), np.int8), np.zeros((n, t_count), np.int16),
                             np.zeros((n, t_count), np.int32))
    when_rows = [w.tolist() for w in when]
    last_rows = [None if x is None else x.tolist() for x in last]
    counts = [c.tolist() for c in counted]
    for u in range(n):
        state, since, pending, chosen, done = 0, 0, -1, -1, 0
        runs = [0] * len(moves)
        for t in range(t_count):
            for phase in ("start", "count", "end"):
                if phase == "count":
                    if pending >= 0 or t < since:
                        continue
                    winner = -1
                    for m, sources, _to, need, _delay in moves:
                        if state not in sources:
                            continue
                        if counts[m][t]:
                            runs[m] = runs[m] + 1 if when_rows[m][u][t] else 0
                        if winner < 0 and runs[m] >= need and (last_rows[m] is None or last_rows[m][u][t]):
                            winner = m
                    if winner >= 0:
                        pending, chosen, done, runs = t + moves[winner][4], winner, t, [0] * len(moves)
                elif pending == t:  # a move due today takes effect
                    out.event[u, t], out.completed[u, t] = chosen + 1, done
                    state = moves[chosen][2]
                    since, runs, pending = t + wait[state], [0] * len(moves), -1
            out.state[u, t] = state
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--touched", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-units", type=int, default=5_000,
                        help="units the plain loop runs on (timed, then scaled to --units)")
    args = parser.parse_args()
    rules = load_rule_set("cn-2022-06")
    assert all(NONE not in m.from_ or m.days >= 1 for m in rules.moves)
    values = inputs(args.units, args.days, args.touched)
    shape = (args.units, args.days)
    when = [np.broadcast_to(m.condition.evaluate(values, vector=True), shape) for m in rules.moves]
    last = [None if m.last_condition is None else
            np.broadcast_to(m.last_condition.evaluate(values, vector=True), shape) for m in rules.moves]
    days = np.arange(19_000, 19_000 + args.days)
    counted = [transitions.counted_days(days, m.calendar) for m in rules.moves]
    times = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        states = transitions.step(rules, when, last, counted)
        times.append(time.perf_counter() - began)
    k = min(args.baseline_units, args.units)
    began = time.perf_counter()
    loop = plain_loop(rules, [w[:k] for w in when], [None if x is None else x[:k] for x in last], counted)
    loop_seconds = (time.perf_counter() - began) * args.units / k
    same = all(np.array_equal(getattr(states, f)[:k], getattr(loop, f)) for f in ("state", "event", "completed"))
    median = statistics.median(times)
    print(f"cn-2022-06, {args.units:,} communities x {args.days} days, {args.touched:.0%} ever touched")
    print(f"epizone step: median {median:.2f} s of {args.repeats} ({median / (args.units * args.days) * 1e9:.1f} ns "
          f"per unit-day); in a timed state on the last day: {int((states.state[:, -1] > 0).sum()):,}")
    print(f"plain loop on {k:,} units, scaled: {loop_seconds:.1f} s -> {loop_seconds / median:.0f}x")
    print(f"identical states, events and completion days on the first {k:,} units: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
