"""Encoded inputs → sparse per-unit daily series and cluster intervals, by sorting integer keys.

Every record becomes one 64-bit key (unit, day, series); one sort groups them. Everything is
vectorised NumPy; the result is a handful of arrays sorted by unit, which the kernel densifies one
bounded chunk of units at a time.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from epizone.domain.rules import ClusterCount, ClusterWindow, RuleSet
from epizone.io.cases import CLASSIFICATIONS, CaseArrays
from epizone.io.counts import METRICS, CountArrays
from epizone.io.metrics import MetricArrays

CLUSTERS = "clusters"
SERIES = ("confirmed", "asymptomatic", CLUSTERS)
_METRIC_SERIES = {i: SERIES.index({"new_confirmed": "confirmed", "new_asymptomatic": "asymptomatic",
                                   "new_clusters": CLUSTERS}[m]) for i, m in enumerate(METRICS)}


class _ByUnit:
    unit: np.ndarray

    def rows_for(self, first_unit: int, end_unit: int) -> slice:
        """The rows of units ``first_unit .. end_unit - 1`` (rows are sorted by unit)."""
        lo, hi = np.searchsorted(self.unit, [first_unit, end_unit])
        return slice(int(lo), int(hi))


@dataclass
class Series(_ByUnit):
    """Sparse unit x day values, sorted by unit then day; (unit, day) pairs are unique."""

    unit: np.ndarray
    day: np.ndarray
    value: np.ndarray


@dataclass
class Intervals(_ByUnit):
    """Day intervals [start, end] per unit during which an indicator holds, sorted by unit."""

    unit: np.ndarray
    start: np.ndarray
    end: np.ndarray


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
    metrics: dict[str, Series] = field(default_factory=dict)   # reported values (float), by metric name
    reached: dict[str, Series] = field(default_factory=dict)   # clusters reaching k cases, per unit and day


@dataclass
class _Records:
    """Cases and counts side by side: unit, day, series index and weight (None: every record weighs 1)."""

    unit: np.ndarray
    day: np.ndarray
    series: np.ndarray
    weight: np.ndarray | None

    @classmethod
    def join(cls, cases: CaseArrays | None, counts: CountArrays | None) -> "_Records":
        parts = []
        if cases is not None:
            parts.append((cases.unit, cases.day, cases.classification.astype(np.int8, copy=False), None))
        if counts is not None:
            series = np.array([_METRIC_SERIES[i] for i in range(len(METRICS))], dtype=np.int8)[counts.metric]
            parts.append((counts.unit, counts.day, series, counts.value))
        if not parts:
            empty = np.zeros(0, dtype=np.int32)
            return cls(empty, empty, empty.astype(np.int8), None)
        if len(parts) == 1:  # the arrays as they are: no copy
            return cls(*parts[0])
        weights = [np.ones(p[0].size, dtype=np.int64) if p[3] is None else p[3] for p in parts]
        return cls(*(np.concatenate([p[i] for p in parts]) for i in range(3)), np.concatenate(weights))


def aggregate(rules: RuleSet, cases: CaseArrays | None, counts: CountArrays | None,
              metrics: MetricArrays | None = None, cluster_cases: CaseArrays | None = None) -> Aggregates:
    """``cluster_cases``: the case rows line-list clusters are found in, when not ``cases`` (a continuation
    adds the rows of clusters still open before its grid, see ``engine.clusters``)."""
    records = _Records.join(cases, counts)
    days = records.day if metrics is None else np.concatenate([records.day, metrics.day])
    first = int(days.min()) if days.size else None
    last = int(days.max()) if days.size else None
    if cluster_cases is None:
        cluster_cases, low, high = cases, first or 0, last or 0
    else:
        low, high = _span(cluster_cases.day, first, last)
    clusters = {name: ind for name, ind in rules.indicators.items() if isinstance(ind, ClusterWindow)}
    with ThreadPoolExecutor(max_workers=1) as pool:  # NumPy sorts release the GIL: two at once
        intervals = {name: pool.submit(_cluster_intervals, cluster_cases, ind, low, high)
                     for name, ind in clusters.items()}
        series = _series(records, first or 0, last or 0)
        unassigned = unassigned_rows(cases, counts, metrics)
        reached = {name: _clusters_reached(cluster_cases, ind, low, high)
                   for name, ind in rules.indicators.items() if isinstance(ind, ClusterCount)}
        return Aggregates(series, {name: job.result() for name, job in intervals.items()}, first, last,
                          unassigned, _metric_series(metrics), reached)


def unassigned_rows(cases: CaseArrays | None, counts: CountArrays | None,
                    metrics: MetricArrays | None) -> list[Unassigned]:
    """Data recorded above (or outside) the unit kind, by area and series."""
    return _unassigned(cases, counts) + _unassigned_metrics(metrics)


def _span(days: np.ndarray, first: int | None, last: int | None) -> tuple[int, int]:
    """The first and last of ``days`` and of the days ``first .. last`` (0, 0 when there is none)."""
    known = [d for d in (first, last) if d is not None] + ([int(days.min()), int(days.max())] if days.size else [])
    return (min(known), max(known)) if known else (0, 0)


def _metric_series(metrics: MetricArrays | None) -> dict[str, Series]:
    """Each metric's values at the units, sorted by unit then day."""
    if metrics is None:
        return {}
    result = {}
    for number, name in enumerate(metrics.names):
        rows = np.flatnonzero((metrics.metric == number) & (metrics.unit >= 0))
        order = rows[np.lexsort((metrics.day[rows], metrics.unit[rows]))]
        result[name] = Series(metrics.unit[order], metrics.day[order], metrics.value[order])
    return result


def _unassigned_metrics(metrics: MetricArrays | None) -> list[Unassigned]:
    """Metric rows reported for an area that is not itself a unit: how many rows, per area and metric."""
    if metrics is None:
        return []
    rows = np.flatnonzero(metrics.unit < 0)
    pairs = Counter(zip(metrics.area[rows].tolist(), metrics.metric[rows].tolist()))
    return [Unassigned(metrics.area_codes[a], f"metric {metrics.names[m]} (rows)", n)
            for (a, m), n in sorted(pairs.items())]


def _series(records: _Records, first: int, last: int) -> dict[str, Series]:
    """Sum weights per (series, unit, day) by sorting one composite key per record (32-bit when it fits)."""
    assigned = records.unit >= 0
    if records.weight is not None:
        assigned &= records.weight > 0
    everything = bool(assigned.all())
    pick = (lambda a: a) if everything else (lambda a: a[assigned])  # noqa: E731
    span = last - first + 1
    units = int(records.unit.max()) + 1 if records.unit.size else 1
    dtype = np.int32 if len(SERIES) * units * span <= np.iinfo(np.int32).max else np.int64
    key = pick(records.series).astype(dtype)  # a new array, built up in place: no temporaries
    key *= units
    key += pick(records.unit)
    key *= span
    key -= first
    key += pick(records.day)
    weights = None if records.weight is None else pick(records.weight)
    if weights is None or bool(np.all(weights == 1)):
        key.sort()
        keys, totals = _runs(key)
    else:
        keys, inverse = np.unique(key, return_inverse=True)
        totals = np.bincount(inverse, weights=weights, minlength=keys.size).astype(np.int64)
    cells = span * units
    bounds = np.searchsorted(keys, np.arange(len(SERIES) + 1, dtype=np.int64) * cells).tolist()
    result = {}
    for i, name in enumerate(SERIES):  # keys are sorted by series first: each series is one slice
        part = keys[bounds[i]:bounds[i + 1]] - dtype(i * cells)
        unit = part // dtype(span)
        part -= unit * dtype(span)
        part += dtype(first)
        result[name] = Series(unit.astype(np.int32), part.astype(np.int32),
                              totals[bounds[i]:bounds[i + 1]].astype(np.int64))
    return result


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how many times each occurs (``np.unique``, sort done)."""
    if not ordered.size:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.append(starts, ordered.size))


@dataclass
class _ClusterDays:
    """Cases of assigned units in clusters, as sorted keys (unit, cluster, day): ``group`` = unit * clusters + cluster."""

    key: np.ndarray
    span: int
    clusters: int
    first: int
    local_groups: np.ndarray | None = None  # sorted groups with a local case, and the day of their first one
    local_first: np.ndarray | None = None

    @classmethod
    def of(cls, cases: CaseArrays, classifications: list[str], first: int, last: int,
           involving_local: bool = False) -> "_ClusterDays":
        mask = (cases.unit >= 0) & (cases.cluster >= 0)
        if set(classifications) != set(CLASSIFICATIONS):
            mask &= np.isin(cases.classification, [CLASSIFICATIONS.index(c) for c in classifications])
        span = last - first + 1
        clusters = int(cases.cluster.max()) + 1 if cases.cluster.size else 1
        keys = cases.unit[mask].astype(np.int64)  # only the rows in clusters, built up in place
        keys *= clusters
        keys += cases.cluster[mask]
        keys *= span
        keys -= first
        keys += cases.day[mask]
        local = keys[~cases.imported[mask]] if involving_local and cases.imported is not None else None
        keys.sort()
        found = cls(keys, span, clusters, first)
        if involving_local:
            ordered = keys if local is None else np.sort(local)
            groups = ordered // span
            head = np.r_[True, groups[1:] != groups[:-1]] if ordered.size else np.zeros(0, dtype=bool)
            found.local_groups, found.local_first = groups[head], (ordered[head] % span + first).astype(np.int32)
        return found

    @property
    def group(self) -> np.ndarray:
        return self.key // self.span

    def local_from(self, groups: np.ndarray) -> np.ndarray:
        """The day from which each group involves local infection (its first local case; never: INT32 max)."""
        never = np.full(groups.size, np.iinfo(np.int32).max, dtype=np.int64)
        if self.local_groups is None or self.local_groups.size == 0:
            return never
        at = np.minimum(np.searchsorted(self.local_groups, groups), self.local_groups.size - 1)
        return np.where(self.local_groups[at] == groups, self.local_first[at], never)


def _clusters_reached(cases: CaseArrays | None, ind: ClusterCount, first: int, last: int) -> Series:
    """For each unit and day, how many of its clusters reached ``min_cases`` cases that day (k-th case)."""
    if cases is None:
        return Series(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))
    sorted_days = _ClusterDays.of(cases, ind.classifications, first, last, ind.involving_local)
    key, span, clusters, group = sorted_days.key, sorted_days.span, sorted_days.clusters, sorted_days.group
    k = ind.min_cases - 1
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if key.size else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], key.size] if key.size else starts
    enough = starts[(ends - starts) > k]
    kth = key[enough + k]
    units = (kth // span // clusters).astype(np.int64)
    days = (kth % span + first).astype(np.int64)
    if ind.involving_local:  # counted from the later of its k-th case and its first local case
        days = np.maximum(days, sorted_days.local_from(kth // span))
        units, days = units[days <= last], days[days <= last]
    pairs, totals = np.unique(units * span + (days - first), return_counts=True)
    return Series((pairs // span).astype(np.int32), (pairs % span + first).astype(np.int32), totals.astype(np.int64))


def _cluster_intervals(cases: CaseArrays | None, ind: ClusterWindow, first: int, last: int) -> Intervals:
    """Days t on which some cluster of a unit has >= k cases dated in [t - days + 1, t].

    For one cluster's case days d1 <= d2 <= ... in one unit, cases i .. i+k-1 all lie in the window of
    day t exactly when d(i+k-1) <= t <= d(i) + days - 1, so each run of k consecutive cases gives one
    interval. Sorting the key (unit, cluster, day) lines the runs up.
    """
    empty = np.zeros(0, dtype=np.int32)
    if cases is None:
        return Intervals(empty, empty, empty)
    sorted_days = _ClusterDays.of(cases, ind.classifications, first, last, ind.involving_local)
    key, span, clusters, group = sorted_days.key, sorted_days.span, sorted_days.clusters, sorted_days.group
    k = ind.min_cases - 1
    day = (key % span + first).astype(np.int32)
    same = group[k:] == group[:key.size - k] if key.size > k else np.zeros(0, dtype=bool)
    start, end = day[k:][same], day[:key.size - k][same] + ind.days - 1
    if ind.involving_local:  # from the day the cluster has a local case
        start = np.maximum(start, sorted_days.local_from(group[k:][same])).astype(np.int32)
    keep = start <= end
    unit = (group[k:][same] // clusters).astype(np.int32)
    return Intervals(unit[keep], start[keep], end[keep].astype(np.int32))


def _unassigned(cases: CaseArrays | None, counts: CountArrays | None) -> list[Unassigned]:
    found: dict[tuple[str, str], int] = {}
    if cases is not None:
        rows = np.flatnonzero(cases.unit < 0)
        keys, totals = np.unique(cases.area[rows] * 4 + cases.classification[rows], return_counts=True)
        for key, total in zip(keys.tolist(), totals.tolist()):
            name = (cases.area_codes[key // 4], CLASSIFICATIONS[key % 4])
            found[name] = found.get(name, 0) + total
    if counts is not None:
        rows = np.flatnonzero((counts.unit < 0) & (counts.value > 0))
        keys, inverse = np.unique(counts.area[rows] * 4 + counts.metric[rows], return_inverse=True)
        totals = np.bincount(inverse, weights=counts.value[rows], minlength=keys.size)
        for key, total in zip(keys.tolist(), totals.tolist()):
            name = (counts.area_codes[key // 4], SERIES[_METRIC_SERIES[key % 4]])
            found[name] = found.get(name, 0) + int(total)
    return [Unassigned(area, series, count) for (area, series), count in sorted(found.items())]
