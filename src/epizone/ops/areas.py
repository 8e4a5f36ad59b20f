"""The current areas as a tree: names, kinds, ancestors, the county and city of any area, subtrees."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from epizone.store.models import AreaRecord


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    parent_code: str | None
    kind: str


@dataclass
class Areas:
    """Every current area, by code."""

    places: dict[str, Place]
    _children: dict[str | None, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[str | None, list[str]] = defaultdict(list)
        for place in self.places.values():
            children[place.parent_code].append(place.code)
        self._children = dict(children)

    def __contains__(self, code: object) -> bool:
        return code in self.places

    def name(self, code: str) -> str:
        place = self.places.get(code)
        return place.name if place else code

    def ancestors(self, code: str) -> list[str]:
        """``code`` and every area above it, nearest first."""
        found, seen = [], set()
        while code is not None and code in self.places and code not in seen:
            found.append(code)
            seen.add(code)
            code = self.places[code].parent_code
        return found

    def of_kind(self, code: str, kind: str) -> str | None:
        """The nearest area of ``kind`` at or above ``code`` (None: there is none)."""
        return next((c for c in self.ancestors(code) if self.places[c].kind == kind), None)

    def county(self, code: str) -> str:
        """The county-level unit of an area (the area itself when it has no county above it)."""
        return self.of_kind(code, "county") or code

    def city(self, code: str) -> str:
        return self.of_kind(code, "city") or self.county(code)

    def subtree(self, root: str) -> set[str]:
        found, stack = set(), [root]
        while stack:
            code = stack.pop()
            if code not in found:
                found.add(code)
                stack.extend(self._children.get(code, ()))
        return found


def current_areas(connection: Connection) -> Areas:
    rows = connection.execute(select(AreaRecord.code, AreaRecord.name, AreaRecord.parent_code, AreaRecord.kind)
                              .where(AreaRecord.superseded_at.is_(None)))
    return Areas({r.code: Place(r.code, r.name, r.parent_code, r.kind) for r in rows})
