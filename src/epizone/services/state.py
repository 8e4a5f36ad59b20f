"""Checkpoints kept in a folder between runs of ``epizone assess --state DIR``.

A run looks for the newest checkpoint with its key (rule set text, unit kind and areas, data cutoff,
holidays) whose inputs up to its cutoff are unchanged, and continues from it; it says what it did. At its
end it keeps a checkpoint at its last day. The newest ``KEEP`` checkpoints of each key are kept, so that a
correction to a recent date replays from a checkpoint before it rather than from the beginning.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from epizone.domain.cutoff import from_day_number
from epizone.engine.checkpoint import Checkpoint

KEEP = 8


def checkpoint_key(*parts: object) -> str:
    """A digest of everything a grade depends on besides the data."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Choice:
    """The checkpoint to continue from (None: a full replay) and what was done, in words."""

    checkpoint: Checkpoint | None
    note: str


class StateDir:
    """The checkpoints of a folder: ``<key prefix>-<day>.npz``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _paths(self, key: str) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"{key[:16]}-*.npz"))

    def choose(self, key: str, digests: dict, covered: int | None, end: int, full: bool = False,
               rows_from: int | None = None) -> Choice:
        """The newest checkpoint before ``end`` still valid for these inputs; a note of the choice.

        ``rows_from``: the inputs hold only the rows dated from this day, those before are unchanged (the
        caller knows): only a checkpoint whose grid starts at or after it can be used, and only the
        digests from it are compared."""
        if full:
            return Choice(None, "full replay: asked for (--full)")
        found = [c for c in (self._load(p) for p in self._paths(key)) if c is not None and c.key == key]
        if not found:
            return Choice(None, "full replay: no checkpoint for this rule set, unit, cutoff and holidays")
        changed = None
        for checkpoint in sorted(found, key=lambda c: c.day, reverse=True):
            if checkpoint.day >= end or (rows_from is not None and checkpoint.carry.since < rows_from):
                continue
            differ = checkpoint.changed_from(digests, rows_from)
            if differ is not None:
                changed = differ if changed is None else min(changed, differ)
                continue
            if not checkpoint.same_stale(covered):
                continue
            if changed is not None:
                return Choice(checkpoint, f"replayed from {from_day_number(checkpoint.day + 1)}: inputs changed "
                                          f"on {from_day_number(changed)}")
            return Choice(checkpoint, f"continued from {from_day_number(checkpoint.day)}")
        if changed is not None:
            return Choice(None, f"full replay: inputs changed on {from_day_number(changed)}, before every checkpoint")
        return Choice(None, "full replay: no checkpoint before the end date fits the inputs' data end")

    def save(self, checkpoint: Checkpoint) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        checkpoint.save(self.folder / f"{checkpoint.key[:16]}-{from_day_number(checkpoint.day)}.npz")
        for old in self._paths(checkpoint.key)[:-KEEP]:
            old.unlink()

    @staticmethod
    def _load(path: Path) -> Checkpoint | None:
        """A checkpoint, or None when the file cannot be read (it is then ignored and replaced in time)."""
        try:
            return Checkpoint.load(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None
