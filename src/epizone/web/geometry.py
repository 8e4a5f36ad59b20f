"""Area boundaries shipped with the package (``epizone/web/geo/*.geojson``) and which of them fit a store.

A shipped feature belongs to a store's area when the codes are equal **and** the store's current name of the
area (or one of its aliases) is the feature's name: codes are reused for other areas after re-divisions and in
other data sets, and a boundary on the wrong area is worse than none. Features marked ``assessed: false``
without an area of their own in the store (Kinmen, drawn for context) come along when their file fits at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Engine

from epizone.store.dashboard import area_names

Feature = dict[str, Any]


@cache
def shipped() -> dict[str, list[Feature]]:
    """File stem -> its features, as shipped (read once per process)."""
    folder = resources.files("epizone.web").joinpath("geo")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".geojson"):
            found[entry.name.removesuffix(".geojson")] = json.loads(entry.read_text(encoding="utf-8"))["features"]
    return found


@cache
def shipped_codes() -> frozenset[str]:
    """The codes of every shipped feature: the only areas whose names decide which boundaries fit."""
    return frozenset(f["properties"]["code"] for features in shipped().values() for f in features)


def fitting(names: Mapping[str, set[str]]) -> list[Feature]:
    """The shipped features that belong to the areas ``names`` describes (see the module's text)."""
    chosen: list[Feature] = []
    for features in shipped().values():
        own = [f for f in features if f["properties"]["name"] in names.get(f["properties"]["code"], ())]
        if own:
            context = [f for f in features if f["properties"]["code"] not in names
                       and f["properties"].get("assessed") is False]
            chosen.extend(own + context)
    return chosen


class StoreGeometry(Mapping[str, dict[str, Any]]):
    """Area code -> GeoJSON geometry, for the features that fit the store now (``app.state.geometry``).

    The store's names are read again when the last reading is older than ``ttl`` seconds, so one GeoJSON answer
    reads them once, and an area renamed by an import loses its boundary within ``ttl``."""

    def __init__(self, engine: Engine, ttl: float = 2.0):
        self.engine = engine
        self.ttl = ttl
        self._read_at = -float("inf")
        self._geometry: dict[str, dict[str, Any]] = {}

    def _current(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        if now - self._read_at > self.ttl:
            names = area_names(self.engine, shipped_codes())
            self._geometry = {f["properties"]["code"]: f["geometry"] for f in fitting(names)
                              if f["properties"]["code"] in names}
            self._read_at = now
        return self._geometry

    def __getitem__(self, code: str) -> dict[str, Any]:
        return self._current()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())
