"""Per-date digests of the encoded inputs: which dates' rows changed between two readings of a file.

Each row's content (unit, date and the values the engine reads, cluster ids as text) is mixed into 64
bits; a date's digest is the sum of its rows' (so the order of the rows does not matter). Not a
cryptographic hash: it detects corrections, it does not defend against forgery.
"""

from __future__ import annotations

import numpy as np

from epizone.io.cases import CaseArrays
from epizone.io.counts import CountArrays
from epizone.io.metrics import MetricArrays

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser of each value (as unsigned 64 bits)."""
    return _mixed(x.astype(np.uint64))


def _mixed(z: np.ndarray) -> np.ndarray:
    """``mix`` of a uint64 array, done in place (two arrays, no temporaries per step)."""
    shifted = np.empty_like(z)
    with np.errstate(over="ignore"):
        for shift, factor in ((30, _M1), (27, _M2)):
            np.right_shift(z, np.uint64(shift), out=shifted)
            z ^= shifted
            z *= factor
        np.right_shift(z, np.uint64(31), out=shifted)
        z ^= shifted
    return z


def combine(*columns: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of several integer columns."""
    h = np.zeros(columns[0].size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            h *= np.uint64(31)
            h += column.astype(np.int64).view(np.uint64)
            _mixed(h)
    return h


def text_hashes(texts: list[str] | np.ndarray) -> np.ndarray:
    """A 64-bit hash of each text, vectorised over its characters."""
    chars = np.asarray(texts, dtype=np.str_)
    if chars.size == 0:
        return np.zeros(0, dtype=np.uint64)
    codes = chars.reshape(-1, 1).view(np.uint32) if chars.itemsize else np.zeros((chars.size, 0), np.uint32)
    h = np.full(chars.size, codes.shape[1], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in codes.T:
            h *= np.uint64(1_000_003)
            h += column
            _mixed(h)
    return h


def by_date(day: np.ndarray, row_hash: np.ndarray) -> np.ndarray:
    """2 x n: each date present and the sum (mod 2^64) of its rows' hashes, as int64."""
    if day.size == 0:
        return np.zeros((2, 0), dtype=np.int64)
    first = int(day.min())
    offset = day - first
    total = np.zeros(int(offset.max()) + 1, dtype=np.uint64)
    rows = np.bincount(offset)
    for shift in range(0, 64, 16):  # exact sums of 16-bit parts in float64, then put together
        part = ((row_hash >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.float64)
        with np.errstate(over="ignore"):
            total += np.bincount(offset, weights=part, minlength=total.size).astype(np.uint64) << np.uint64(shift)
    present = np.flatnonzero(rows)
    return np.vstack([present + first, total[present].view(np.int64)]).astype(np.int64)


def case_digests(cases: CaseArrays, cluster_ids: list[str] | np.ndarray) -> np.ndarray:
    """Per date of the line list; ``cluster_ids``: the text of each cluster number."""
    clusters = np.append(text_hashes(cluster_ids), np.uint64(0))  # number -1: in no cluster
    imported = np.zeros(cases.unit.size, np.int8) if cases.imported is None else cases.imported.astype(np.int8)
    h = combine(cases.unit, cases.day, cases.classification, clusters[cases.cluster].view(np.int64), imported)
    return by_date(cases.day, h)


def count_digests(counts: CountArrays) -> np.ndarray:
    return by_date(counts.day, combine(counts.unit, counts.day, counts.metric, counts.value))


def metric_digests(metrics: MetricArrays) -> np.ndarray:
    names = text_hashes(metrics.names).view(np.int64)
    h = combine(metrics.unit, metrics.day, names[metrics.metric], metrics.value.astype(np.float64).view(np.int64))
    return by_date(metrics.day, h)
