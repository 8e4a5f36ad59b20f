"""A checkpoint: what grading the days after ``day`` needs from the inputs, and when it may be used.

It holds the carry (:mod:`epizone.engine.carry`), the case rows of line-list clusters still open
(:mod:`epizone.engine.clusters`, their cluster ids as text so that they survive a renumbering), and a
digest of each input date up to the cutoff of ``day``. Its ``key`` names everything else a grade depends
on: the rule set's text, the unit kind and its areas, the data cutoff and the public holidays. Stored as one
NumPy ``.npz`` file (no pickled objects).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from epizone.engine.carry import Carry
from epizone.engine.transitions import Machine

MACHINE = ("state", "since", "runs", "pending", "chosen", "done_at")
OPEN = ("unit", "day", "classification", "imported")


@dataclass
class OpenClusters:
    """Case rows of clusters still open: unit index, day, classification, imported, and the cluster's id."""

    unit: np.ndarray
    day: np.ndarray
    classification: np.ndarray
    imported: np.ndarray
    cluster: np.ndarray  # str

    @classmethod
    def none(cls) -> "OpenClusters":
        z = np.zeros(0, np.int32)
        return cls(z, z, z.astype(np.int8), z.astype(bool), np.zeros(0, dtype=str))


@dataclass
class Checkpoint:
    key: str
    day: int                  # the last graded day: the carry continues from day + 1
    cutoff: int               # its data cutoff: inputs dated up to it are in the checkpoint
    covered: int | None       # the last date the data covered (days whose cutoff is later were "no data")
    carry: Carry
    clusters: OpenClusters = field(default_factory=OpenClusters.none)
    digests: dict[str, np.ndarray] = field(default_factory=dict)  # per input: 2 x n (date, digest), dates <= cutoff

    def changed_from(self, digests: dict[str, np.ndarray], since: int | None = None) -> int | None:
        """The earliest date up to the cutoff (and from ``since``) whose rows differ from ``digests``
        (None: none differs)."""
        found = [_first_difference(self.digests.get(name), digests.get(name), self.cutoff, since)
                 for name in set(self.digests) | set(digests)]
        found = [d for d in found if d is not None]
        return min(found) if found else None

    def same_stale(self, covered: int | None) -> bool:
        """Whether the days up to ``day`` were "no data" on the same days as with ``covered`` as the data's end."""
        if covered == self.covered:
            return True
        return self.covered is not None and covered is not None and self.cutoff <= min(self.covered, covered)

    def save(self, path: Path) -> None:
        part = path.with_name(path.name + ".part")
        part.write_bytes(self.to_bytes())
        part.replace(path)  # never a half-written checkpoint

    def to_bytes(self) -> bytes:
        """The checkpoint as the bytes of an ``.npz`` file (``load`` reads them back from a file object)."""
        header = {"key": self.key, "day": self.day, "cutoff": self.cutoff, "covered": self.covered,
                  "since": self.carry.since, "next": self.carry.day, "base": sorted(self.carry.base),
                  "last": sorted(self.carry.last), "machine": self.carry.machine is not None,
                  "digests": sorted(self.digests)}
        arrays = {"header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
        arrays |= {f"base.{k}": v for k, v in self.carry.base.items()}
        arrays |= {f"last.{k}": v for k, v in self.carry.last.items()}
        if self.carry.machine is not None:
            arrays |= {f"machine.{f}": getattr(self.carry.machine, f) for f in MACHINE}
        arrays |= {f"open.{f}": getattr(self.clusters, f) for f in (*OPEN, "cluster")}
        arrays |= {f"digest.{k}": v for k, v in self.digests.items()}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def load(cls, path: Path | io.BytesIO) -> "Checkpoint":
        with np.load(path, allow_pickle=False) as data:
            h = json.loads(bytes(data["header"]).decode())
            machine = Machine(*(data[f"machine.{f}"] for f in MACHINE)) if h["machine"] else None
            carry = Carry(h["since"], h["next"], {k: data[f"base.{k}"] for k in h["base"]},
                          {k: data[f"last.{k}"] for k in h["last"]}, machine)
            clusters = OpenClusters(*(data[f"open.{f}"] for f in (*OPEN, "cluster")))
            return cls(h["key"], h["day"], h["cutoff"], h["covered"], carry, clusters,
                       {k: data[f"digest.{k}"] for k in h["digests"]})


def merged(old: dict[str, np.ndarray], new: dict[str, np.ndarray], since: int) -> dict[str, np.ndarray]:
    """Digests of the dates before ``since`` from ``old``, from ``since`` on from ``new``."""
    empty = np.zeros((2, 0), dtype=np.int64)
    return {name: np.hstack([old.get(name, empty)[:, old.get(name, empty)[0] < since],
                             new.get(name, empty)[:, new.get(name, empty)[0] >= since]])
            for name in set(old) | set(new)}


def _first_difference(old: np.ndarray | None, new: np.ndarray | None, through: int,
                      since: int | None = None) -> int | None:
    """The earliest date <= ``through`` (and >= ``since``) whose digest differs between two (date, digest) tables."""
    empty = np.zeros((2, 0), dtype=np.int64)
    low = np.iinfo(np.int64).min if since is None else since
    old, new = (empty if x is None else x[:, (x[0] <= through) & (x[0] >= low)] for x in (old, new))
    dates = np.union1d(old[0], new[0])
    if dates.size == 0:
        return None
    a, b = (np.zeros(dates.size, np.int64) for _ in range(2))
    a[np.searchsorted(dates, old[0])] = old[1]
    b[np.searchsorted(dates, new[0])] = new[1]
    differ = dates[a != b]
    return int(differ[0]) if differ.size else None
