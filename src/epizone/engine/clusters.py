"""Line-list clusters still open at a checkpoint: the few case rows dated before it that later days read.

A cluster window on day ``t`` reads the cases of the last ``days`` data dates, all within a continuation's
grid, except that ``involving_local`` needs each cluster's first local case, whenever it was. A cluster
count needs the day a cluster reached ``min_cases`` cases: the ``min_cases`` first cases of each cluster and,
with ``involving_local``, its first local case. Keeping, for every (unit, cluster), those rows dated
before the grid gives the same intervals and counts on the grid as the whole line list would.
"""

from __future__ import annotations

import numpy as np

from epizone.domain.rules import ClusterCount, ClusterWindow, RuleSet
from epizone.io.cases import CLASSIFICATIONS, CaseArrays


def open_rows(rules: RuleSet, cases: CaseArrays | None, since: int) -> np.ndarray:
    """Indexes of the case rows dated before ``since`` that days graded on a grid from ``since`` still read."""
    if cases is None:
        return np.zeros(0, dtype=np.int64)
    keep = np.zeros(cases.unit.size, dtype=bool)
    before = (cases.day < since) & (cases.unit >= 0) & (cases.cluster >= 0)
    for ind in rules.indicators.values():
        if not isinstance(ind, (ClusterCount, ClusterWindow)):
            continue
        allowed = before & np.isin(cases.classification, [CLASSIFICATIONS.index(c) for c in ind.classifications])
        if isinstance(ind, ClusterCount):
            keep[_first_per_cluster(cases, np.flatnonzero(allowed), ind.min_cases)] = True
        if ind.involving_local:
            local = allowed if cases.imported is None else allowed & ~cases.imported
            keep[_first_per_cluster(cases, np.flatnonzero(local), 1)] = True
    return np.flatnonzero(keep)


def _first_per_cluster(cases: CaseArrays, rows: np.ndarray, count: int) -> np.ndarray:
    """Of ``rows``, the ``count`` earliest of each (unit, cluster)."""
    if rows.size == 0:
        return rows
    order = rows[np.lexsort((cases.day[rows], cases.cluster[rows], cases.unit[rows]))]
    unit, cluster = cases.unit[order], cases.cluster[order]
    head = np.r_[True, (unit[1:] != unit[:-1]) | (cluster[1:] != cluster[:-1])]
    starts = np.flatnonzero(head)
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    return order[rank < count]


def joined(first: CaseArrays | None, second: CaseArrays | None) -> CaseArrays | None:
    """Two sets of case rows as one (the area columns of the first)."""
    if first is None or second is None:
        return first if second is None else second
    imported = None
    if first.imported is not None or second.imported is not None:
        imported = np.concatenate([_flags(first), _flags(second)])
    return CaseArrays(*(np.concatenate([getattr(first, f), getattr(second, f)])
                        for f in ("unit", "day", "classification", "cluster", "area")),
                      first.area_codes, imported)


def _flags(cases: CaseArrays) -> np.ndarray:
    return np.zeros(cases.unit.size, dtype=bool) if cases.imported is None else cases.imported
