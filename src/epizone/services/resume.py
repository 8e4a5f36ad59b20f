"""Continuing a run from a checkpoint: the inputs it still reads, its key and digests, and keeping the next one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.cutoff import DataThrough
from epizone.domain.model import Area
from epizone.domain.rules import RuleSet
from epizone.engine.carry import Carry, joined
from epizone.engine.checkpoint import Checkpoint, OpenClusters
from epizone.engine.clusters import joined as joined_cases, open_rows
from epizone.engine.digest import case_digests, count_digests, metric_digests
from epizone.io.cases import CaseArrays
from epizone.io.columns import coded
from epizone.io.counts import CountArrays
from epizone.io.metrics import MetricArrays
from epizone.io.tables import Table
from epizone.services.state import StateDir, checkpoint_key


@dataclass
class Inputs:
    """The encoded inputs of a run."""

    cases: CaseArrays | None
    counts: CountArrays | None
    metrics: MetricArrays | None

    def span(self) -> tuple[int | None, int | None]:
        """The first and last date in any input (None, None when there is none)."""
        days = [a.day for a in (self.cases, self.counts, self.metrics) if a is not None and a.day.size]
        if not days:
            return None, None
        return min(int(d.min()) for d in days), max(int(d.max()) for d in days)

    def digests(self, cluster_ids: np.ndarray) -> dict[str, np.ndarray]:
        found = {}
        if self.cases is not None:
            found["cases"] = case_digests(self.cases, cluster_ids)
        if self.counts is not None:
            found["counts"] = count_digests(self.counts)
        if self.metrics is not None:
            found["metrics"] = metric_digests(self.metrics)
        return found

    def from_day(self, since: int, open_clusters: OpenClusters,
                 ids: np.ndarray) -> tuple["Inputs", CaseArrays | None, np.ndarray]:
        """The rows dated from ``since``; the case rows clusters are found in (those and the open clusters'
        rows, renumbered as today's cluster ids ``ids``); the cluster id of each number."""
        window = Inputs(*(None if a is None else _from(a, since) for a in (self.cases, self.counts, self.metrics)))
        if not open_clusters.unit.size:
            return window, window.cases, ids
        numbers, ids = _numbered(open_clusters.cluster, ids)
        area_codes = self.cases.area_codes if self.cases is not None else []
        earlier = CaseArrays(open_clusters.unit, open_clusters.day, open_clusters.classification, numbers,
                             np.zeros(numbers.size, np.int64), area_codes, open_clusters.imported)
        return window, joined_cases(window.cases, earlier), ids


@dataclass
class Keeping:
    """What it takes to keep a checkpoint at the end of a run."""

    state: StateDir
    key: str
    day: int
    cutoff: int
    covered: int | None
    digests: dict[str, np.ndarray]
    clusters: CaseArrays | None  # the case rows the run found clusters in
    ids: np.ndarray              # the cluster id of each of their numbers

    def save(self, rules: RuleSet, kept: list[Carry]) -> None:
        carry = joined(kept)
        rows = open_rows(rules, self.clusters, carry.since)
        found = OpenClusters.none()
        if rows.size:
            c = self.clusters
            imported = np.zeros(rows.size, bool) if c.imported is None else c.imported[rows]
            found = OpenClusters(c.unit[rows], c.day[rows], c.classification[rows], imported,
                                 np.asarray(self.ids, dtype=str)[c.cluster[rows]])
        digests = {k: v[:, v[0] <= self.cutoff] for k, v in self.digests.items()}
        self.state.save(Checkpoint(self.key, self.day, self.cutoff, self.covered, carry, found, digests))


def key_of(rules: RuleSet, unit: str, units: list[Area], through: DataThrough,
           holidays: list[tuple[int, int]]) -> str:
    """The checkpoint key: the rule set's text, the unit kind and its areas, the cutoff and the holidays."""
    return checkpoint_key(rules.model_dump_json(), unit, areas_text(units), through, sorted(holidays))


def areas_text(units: list[Area]) -> str:
    """``str([(code, population), ...])`` of the units, as the key has always read them, made without
    formatting 42,750 tuples one by one when every code is plain text (printable, no quote, no backslash)."""
    codes = [u.code for u in units]
    joined = "".join(codes)
    if "'" in joined or "\\" in joined or not joined.isprintable():
        return str([(u.code, u.population) for u in units])
    if not codes:
        return "[]"
    pairs = map("', ".join, zip(codes, map(str, [u.population for u in units])))  # str(None) == "None"
    return "[('" + "), ('".join(pairs) + ")]"


def cluster_ids(cases_table: Table | None) -> np.ndarray:
    """The cluster id (text) of each cluster number the line list was encoded with."""
    if cases_table is None:
        return np.zeros(0, dtype=str)
    return np.asarray(coded(cases_table, "cluster_id").distinct(), dtype=str)


def _from(arrays, since: int):  # noqa: ANN001, ANN202
    """The rows of encoded arrays dated from ``since``."""
    keep = arrays.day >= since
    if isinstance(arrays, CaseArrays):
        return arrays.kept(keep)
    fields = {f: getattr(arrays, f) for f in arrays.__dataclass_fields__}
    return type(arrays)(**{f: v[keep] if isinstance(v, np.ndarray) else v for f, v in fields.items()})


def _numbered(wanted: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of the cluster ids ``wanted`` among ``ids``; ids not there are appended (returned with them)."""
    found = pc.index_in(pa.array(wanted), value_set=pa.array(ids, pa.string())).to_numpy(zero_copy_only=False)
    missing = np.isnan(found) if found.dtype.kind == "f" else np.zeros(found.size, bool)
    numbers = np.where(missing, 0, np.nan_to_num(found)).astype(np.int32)
    if missing.any():
        extra, where = np.unique(wanted[missing], return_inverse=True)
        numbers[missing] = ids.size + where
        ids = np.concatenate([ids, extra])
    return numbers, ids
