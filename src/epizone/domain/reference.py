"""A plain-Python reference evaluator of docs/semantics.md: slow on purpose, and obviously correct.

It exists to check the engine: for every unit and every assessed day it works out the data cutoff,
loops over the records to pick those of the unit dated in range, counts them directly and tries
the clauses in order. Nothing here is shared with ``epizone.engine``: the cutoff and the coverage
rule are re-derived from the contract. Pure standard library; no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Union

from epizone.domain.model import Hierarchy
from epizone.domain.rules import NONE, ClusterCount, ClusterWindow, Cumulative, DaysSince, Metric, Move, RuleSet, WindowSum

UNKNOWN_LEVEL = "unknown"
UNKNOWN_REASON = "unknown.no_data"
METRIC_OF_SERIES = {"confirmed": "new_confirmed", "asymptomatic": "new_asymptomatic"}
CLUSTER_METRIC = "new_clusters"

Value = Union[int, float, bool, None]


@dataclass(frozen=True)
class CaseRecord:
    """One line of the line list (``cluster_id`` is ``""`` when the case belongs to no cluster)."""

    case_id: str
    report_date: dt.date
    area_code: str
    classification: str
    cluster_id: str = ""
    imported: bool = False  # True only where the line list says the case was imported


@dataclass(frozen=True)
class CountRecord:
    """One line of the daily counts: ``metric`` is new_confirmed, new_asymptomatic or new_clusters."""

    area_code: str
    date: dt.date
    metric: str
    value: int


@dataclass(frozen=True)
class MetricRecord:
    """One reported metric value of an area on a date (e.g. ``case_rate_7d``)."""

    area_code: str
    date: dt.date
    metric: str
    value: float


@dataclass
class ReferenceRow:
    area_code: str
    date: dt.date
    cutoff: dt.date
    level: str
    reason_code: str
    indicators: dict[str, Value] = field(default_factory=dict)
    move: str | None = None  # the timed move that took effect that day


def cutoff(day: dt.date, lag: int = 0, through_date: dt.date | None = None) -> dt.date:
    """``c(t)``: ``t - lag``, or ``min(t, D)`` for a fixed data-through date ``D``."""
    if through_date is not None:
        return day if day <= through_date else through_date
    return day - dt.timedelta(days=lag)


def distinct_cases(cases: list[CaseRecord]) -> list[CaseRecord]:
    """A case id repeated (identically, inputs are assumed valid) counts once: keep its first line."""
    seen: set[str] = set()
    result = []
    for case in cases:
        if case.case_id not in seen:
            seen.add(case.case_id)
            result.append(case)
    return result


def distinct_counts(counts: list[CountRecord]) -> list[CountRecord]:
    """The same (area, date, metric) repeated with the same value counts once."""
    seen: set[tuple[str, dt.date, str]] = set()
    result = []
    for row in counts:
        key = (row.area_code, row.date, row.metric)
        if key not in seen:
            seen.add(key)
            result.append(row)
    return result


def covered_through(cases: list[CaseRecord], counts: list[CountRecord],
                    data_end: dt.date | None = None, metrics: tuple[MetricRecord, ...] = ()) -> dt.date | None:
    """The last covered date: ``data_end`` if given, else the last date present in the inputs."""
    if data_end is not None:
        return data_end
    dates = [c.report_date for c in cases] + [r.date for r in counts] + [m.date for m in metrics]
    return max(dates) if dates else None


def evaluate(rules: RuleSet, hierarchy: Hierarchy, cases: list[CaseRecord], counts: list[CountRecord],
             unit: str, start: dt.date, end: dt.date, lag: int = 0, through_date: dt.date | None = None,
             data_end: dt.date | None = None, metrics: tuple[MetricRecord, ...] = (),
             groups: dict[str, list[str]] | None = None,
             holidays: tuple[tuple[dt.date, str | None], ...] = ()) -> list[ReferenceRow]:
    """One row per area of kind ``unit`` (in hierarchy order) and day ``start..end``. ``holidays``:
    ``(date, area code)`` pairs, a holiday of the units at or below the area (None: of every unit)."""
    cases = distinct_cases(cases)
    counts = distinct_counts(counts)
    unit_of = hierarchy.unit_of(unit)
    last_covered = covered_through(cases, counts, data_end, metrics)
    first_data = min([c.report_date for c in cases] + [r.date for r in counts] + [m.date for m in metrics],
                     default=start)
    shown_from = start
    if rules.states:  # replay from the first data date: the state on ``start`` depends on history
        start = min(start, first_data)
    rows: list[ReferenceRow] = []
    for area in hierarchy.units(unit):
        mine_cases = [c for c in cases if unit_of.get(c.area_code) == area.code]
        mine_counts = [r for r in counts if unit_of.get(r.area_code) == area.code]
        mine_metrics = _metrics_of(area.code, metrics, groups or {})
        day = start
        while day <= end:
            c = cutoff(day, lag, through_date)
            values = {name: _indicator(ind, mine_cases, mine_counts, c, mine_metrics, area.population)
                      for name, ind in rules.indicators.items()}
            if last_covered is None or c > last_covered:
                level, reason = UNKNOWN_LEVEL, UNKNOWN_REASON
            else:
                level, reason = _grade(rules, values)
            rows.append(ReferenceRow(area.code, day, c, level, reason, values))
            day += dt.timedelta(days=1)
    if rules.states:
        rows = _replay(rules, rows, last_covered, _holiday_test(rules, hierarchy, holidays))
    return [r for r in rows if r.date >= shown_from]


def _metrics_of(code: str, metrics: tuple[MetricRecord, ...], groups: dict[str, list[str]]) -> list[MetricRecord]:
    """The unit's own metric rows, then those of every group it belongs to for (date, metric) it lacks."""
    own = [m for m in metrics if m.area_code == code]
    have = {(m.date, m.metric) for m in own}
    for group in sorted(g for g, members in groups.items() if code in members):
        for m in metrics:
            if m.area_code == group and (m.date, m.metric) not in have:
                own.append(m)
                have.add((m.date, m.metric))
    return own


def _holiday_test(rules: RuleSet, hierarchy: Hierarchy, holidays: tuple[tuple[dt.date, str | None], ...]):
    def is_holiday(code: str, day: dt.date) -> bool:
        if day in rules.holidays or (day, None) in holidays:
            return True
        area = hierarchy.by_code.get(code)
        while area is not None:
            if (day, area.code) in holidays:
                return True
            area = hierarchy.by_code.get(area.parent_code) if area.parent_code else None
        return False
    return is_holiday


def _counts(move: Move, code: str, day: dt.date, is_holiday) -> bool:  # noqa: ANN001
    if move.calendar == "every_day":
        return True
    weekend = day.weekday() >= (5 if move.calendar == "weekdays" else 6)
    return not weekend and not is_holiday(code, day)


def _replay(rules: RuleSet, rows: list[ReferenceRow], last_covered: dt.date | None,
            is_holiday) -> list[ReferenceRow]:  # noqa: ANN001
    """Walk each unit's days in order, moving between timed states as the moves' runs complete."""
    states = {state.code: state for state in rules.states}
    state, since, runs, pending, area = NONE, 0, [], None, None
    for i, row in enumerate(rows):
        if row.area_code != area:  # a new unit starts outside every state, counting from its first day
            area, state, since, runs, pending = row.area_code, NONE, i, [0] * len(rules.moves), None
        if pending is not None and pending[0] == i:  # a move due today takes effect before today's runs
            state, since, runs, row.move, pending = _enter(rules, pending[1], i)
        if pending is None and i >= since:
            known = {k: (float("nan") if v is None else v) for k, v in row.indicators.items()}
            mine = [m for m, move in enumerate(rules.moves) if state in move.from_]
            for m in mine:
                if _counts(rules.moves[m], row.area_code, row.date, is_holiday):
                    runs[m] = runs[m] + 1 if rules.moves[m].condition.evaluate(known) else 0
            done = [m for m in mine if runs[m] >= rules.moves[m].days and (
                rules.moves[m].last_condition is None or rules.moves[m].last_condition.evaluate(known))]
            if done:
                pending, runs = (i + rules.moves[done[0]].takes_effect, done[0]), [0] * len(rules.moves)
        if pending is not None and pending[0] == i:  # a move completed today with no delay
            state, since, runs, row.move, pending = _enter(rules, pending[1], i)
        if state != NONE:
            row.level, row.reason_code = states[state].level, f"{state}.in_force"
        if last_covered is None or row.cutoff > last_covered:
            row.level, row.reason_code = UNKNOWN_LEVEL, UNKNOWN_REASON
    return rows


def _enter(rules: RuleSet, move: int, i: int) -> tuple[str, int, list[int], str, None]:
    """Take move ``move`` on day ``i``: the new state, whose runs count from the next day (or from day ``i``)."""
    to = rules.moves[move].to
    same_day = any(s.code == to and s.count_from == "same_day" for s in rules.states)
    return to, i if same_day else i + 1, [0] * len(rules.moves), rules.moves[move].code, None


def unassigned(hierarchy: Hierarchy, cases: list[CaseRecord], counts: list[CountRecord],
               unit: str) -> dict[tuple[str, str], int]:
    """Records with no area of the unit kind at or above them: ``(area_code, series) -> number``.

    The series of a line-list case is its classification; of a count, its series (confirmed,
    asymptomatic) or ``clusters`` for new_clusters. Zero totals are left out.
    """
    unit_of = hierarchy.unit_of(unit)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for case in distinct_cases(cases):
        if unit_of.get(case.area_code) is None:
            totals[(case.area_code, case.classification)] += 1
    series_of_metric = {m: s for s, m in METRIC_OF_SERIES.items()} | {CLUSTER_METRIC: "clusters"}
    for row in distinct_counts(counts):
        if unit_of.get(row.area_code) is None:
            totals[(row.area_code, series_of_metric[row.metric])] += row.value
    return {key: n for key, n in totals.items() if n}


def _daily(series: str, cases: list[CaseRecord], counts: list[CountRecord], upto: dt.date) -> dict[dt.date, int]:
    """``n_s(u, d)`` for every date ``d <= upto`` that has a record (possibly with total 0)."""
    kinds = ("confirmed", "asymptomatic") if series == "infections" else (series,)
    per_day: dict[dt.date, int] = defaultdict(int)
    for case in cases:
        if case.classification in kinds and case.report_date <= upto:
            per_day[case.report_date] += 1
    metrics = {METRIC_OF_SERIES[kind] for kind in kinds}
    for row in counts:
        if row.metric in metrics and row.date <= upto:
            per_day[row.date] += row.value
    return per_day


def _indicator(ind: object, cases: list[CaseRecord], counts: list[CountRecord], c: dt.date,
               metrics: list[MetricRecord] = (), population: int | None = None) -> Value:  # type: ignore[assignment]
    if isinstance(ind, (Cumulative, DaysSince)) and ind.metric:
        reported = [m for m in metrics if m.metric == ind.metric and m.date <= c]
        if isinstance(ind, Cumulative):
            return float(sum(m.value for m in sorted(reported, key=lambda m: m.date)))
        positive = [m.date for m in reported if m.value > 0]
        return (c - max(positive)).days if positive else None
    if isinstance(ind, ClusterCount):
        members: dict[str, int] = defaultdict(int)
        local: set[str] = set()
        for case in cases:
            if case.cluster_id and case.classification in ind.classifications and case.report_date <= c:
                members[case.cluster_id] += 1
                if not case.imported:
                    local.add(case.cluster_id)
        reported = sum(r.value for r in counts if r.metric == CLUSTER_METRIC and r.date <= c)
        return sum(1 for cluster, n in members.items()
                   if n >= ind.min_cases and (cluster in local or not ind.involving_local)) + reported
    if isinstance(ind, Cumulative):
        return sum(_daily(ind.series, cases, counts, c).values())
    if isinstance(ind, WindowSum):
        first = c - dt.timedelta(days=ind.days - 1)
        total = sum(n for d, n in _daily(ind.series, cases, counts, c).items() if first <= d)
        if not (ind.mean or ind.per_100k):
            return total
        value = float(total)
        if ind.mean:
            value = value / ind.days
        if ind.per_100k:
            return None if population is None else value * 100000.0 / float(population)
        return value
    if isinstance(ind, Metric):
        def latest(name: str) -> float | None:
            recent = [m for m in metrics if m.metric == name and c - dt.timedelta(days=ind.stale_days) < m.date <= c]
            return max(recent, key=lambda m: m.date).value if recent else None

        for source in ind.sources:
            value = latest(source.metric)
            if source.per:
                denominator = latest(source.per)
                value = None if value is None or not denominator else value / denominator
                if value is not None and source.percent:
                    value = value * 100.0
            if value is None:
                continue
            if source.per_100k:
                if population is None:
                    continue
                value = value * 100000.0 / float(population)
            return value
        return None
    if isinstance(ind, DaysSince):
        days = [d for d, n in _daily(ind.series, cases, counts, c).items() if n > 0]
        return (c - max(days)).days if days else None
    if isinstance(ind, ClusterWindow):
        first = c - dt.timedelta(days=ind.days - 1)
        members: dict[str, int] = defaultdict(int)
        local: set[str] = set()
        for case in cases:
            if case.cluster_id and case.classification in ind.classifications and case.report_date <= c:
                if first <= case.report_date:
                    members[case.cluster_id] += 1
                if not case.imported:
                    local.add(case.cluster_id)
        if any(n >= ind.min_cases and (cluster in local or not ind.involving_local)
               for cluster, n in members.items()):
            return True
        reported: dict[dt.date, int] = defaultdict(int)
        for row in counts:
            if row.metric == CLUSTER_METRIC and first <= row.date <= c:
                reported[row.date] += row.value
        return any(n > 0 for n in reported.values())
    raise TypeError(f"the reference evaluator does not know indicator kind {type(ind).__name__}")


def _grade(rules: RuleSet, values: dict[str, Value]) -> tuple[str, str]:
    known = {name: (float("nan") if v is None else v) for name, v in values.items()}  # null: comparisons false
    for clause in rules.clauses:
        if clause.condition.evaluate(known, vector=False):
            return clause.level, clause.code
    raise AssertionError("the last clause is always `when: true`")  # pragma: no cover
