"""Validated inputs (DuckDB views ``cases`` and ``counts``) → sparse per-unit daily series.

Everything here is set-based SQL; the result is a handful of NumPy arrays sorted by unit, which the
kernel densifies one bounded chunk of units at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

from epizone.domain.rules import ClusterWindow, RuleSet

CLUSTERS = "clusters"


@dataclass
class Series:
    """Sparse unit x day values, sorted by unit then day; (unit, day) pairs are unique."""

    unit: np.ndarray
    day: np.ndarray
    value: np.ndarray

    def rows_for(self, first_unit: int, end_unit: int) -> slice:
        lo, hi = np.searchsorted(self.unit, [first_unit, end_unit])
        return slice(int(lo), int(hi))


@dataclass
class Intervals:
    """Day intervals [start, end] per unit during which an indicator holds, sorted by unit."""

    unit: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def rows_for(self, first_unit: int, end_unit: int) -> slice:
        lo, hi = np.searchsorted(self.unit, [first_unit, end_unit])
        return slice(int(lo), int(hi))


@dataclass
class Unassigned:
    """Data recorded at an area above (or outside) the unit kind: counted, never dropped silently."""

    area_code: str
    series: str
    count: int


@dataclass
class Aggregates:
    series: dict[str, Series]
    intervals: dict[str, Intervals]
    first_day: int | None
    last_day: int | None
    unassigned: list[Unassigned] = field(default_factory=list)


_EMPTY_SERIES = "SELECT NULL::INTEGER AS unit, NULL::INTEGER AS day, NULL::VARCHAR AS series, NULL::BIGINT AS n WHERE false"


def aggregate(con: duckdb.DuckDBPyConnection, rules: RuleSet, has_cases: bool, has_counts: bool) -> Aggregates:
    parts = []
    if has_cases:
        parts.append("SELECT unit, day, area_code, classification AS series, 1 AS n FROM cases")
    if has_counts:
        parts.append("""SELECT unit, day, area_code, CASE metric WHEN 'new_confirmed' THEN 'confirmed'
                        WHEN 'new_asymptomatic' THEN 'asymptomatic' ELSE 'clusters' END AS series, value AS n
                        FROM counts""")
    con.execute(f"CREATE OR REPLACE TEMP VIEW observations AS {' UNION ALL '.join(parts) or _EMPTY_SERIES}")
    return Aggregates(
        series=_series(con),
        intervals={name: _cluster_intervals(con, ind) if has_cases else _no_intervals()
                   for name, ind in rules.indicators.items() if isinstance(ind, ClusterWindow)},
        first_day=con.execute("SELECT min(day) FROM observations").fetchone()[0],
        last_day=con.execute("SELECT max(day) FROM observations").fetchone()[0],
        unassigned=[Unassigned(*row) for row in con.execute(
            "SELECT area_code, series, sum(n)::BIGINT FROM observations WHERE unit < 0 "
            "GROUP BY ALL HAVING sum(n) > 0 ORDER BY area_code, series").fetchall()],
    )


def _series(con: duckdb.DuckDBPyConnection) -> dict[str, Series]:
    table = con.execute("""
        SELECT series, unit, day, sum(n)::BIGINT AS n FROM observations WHERE unit >= 0
        GROUP BY ALL HAVING sum(n) > 0 ORDER BY series, unit, day
    """).fetchnumpy()
    names = np.asarray(table["series"]).astype(str)
    result = {}
    for name in ("confirmed", "asymptomatic", CLUSTERS):
        mask = names == name
        result[name] = Series(np.asarray(table["unit"][mask], dtype=np.int32),
                              np.asarray(table["day"][mask], dtype=np.int32),
                              np.asarray(table["n"][mask], dtype=np.int64))
    return result


def _cluster_intervals(con: duckdb.DuckDBPyConnection, ind: ClusterWindow) -> Intervals:
    """Days t on which some cluster of a unit has >= k cases dated in [t - days + 1, t].

    For one cluster's case days d1 <= d2 <= ..., cases i .. i+k-1 all lie in the window of day t
    exactly when d(i+k-1) <= t <= d(i) + days - 1, so each run of k consecutive cases gives one interval.
    """
    classes = ", ".join(f"'{c}'" for c in ind.classifications)
    table = con.execute(f"""
        SELECT unit, start_day, end_day FROM (
            SELECT unit, day + {ind.days - 1} AS end_day,
                   lead(day, {ind.min_cases - 1}) OVER (PARTITION BY unit, cluster_id ORDER BY day) AS start_day
            FROM cases WHERE unit >= 0 AND cluster_id <> '' AND classification IN ({classes})
        ) WHERE start_day IS NOT NULL AND start_day <= end_day ORDER BY unit
    """).fetchnumpy()
    return Intervals(np.asarray(table["unit"], dtype=np.int32), np.asarray(table["start_day"], dtype=np.int32),
                     np.asarray(table["end_day"], dtype=np.int32))


def _no_intervals() -> Intervals:
    empty = np.zeros(0, dtype=np.int32)
    return Intervals(empty, empty, empty)
