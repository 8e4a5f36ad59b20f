"""The hierarchy of a store's current areas with the published levels in force, for the dashboard's reads at
national scale (``drilldown``): the areas in depth-first order (so the areas below one are a slice of an array),
the units (areas with a level in ``current_levels``) with their level after the latest publication, and the
publications in force. Read once per state of the store (``store.state``: imports and announcements change it)
and kept in the process as a derived, read-only copy (``Trees``); every worker reads and keeps its own.

The levels in force on an earlier date are the read model's, but for the areas whose level changed after it,
looked up in the publications in force then: a day in the past costs what changed since, not the country's size.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from epizone.store.levels import active
from epizone.store.models import Announcement, AreaAlias, AreaRecord, CurrentLevel, Publication, PublishedLevel

IN_LIMIT = 5000      # up to this many codes are looked up with IN (...), more are read whole and filtered
KEPT_TREES = 4


@dataclass(frozen=True)
class Tree:
    """The current areas in depth-first order (children by code), so the areas below ``codes[i]`` are at
    positions ``i + 1 .. end[i] - 1``; the units (areas with a published level: ``current_levels``) with the level
    in force after the latest publication (an index into ``level_names``) and the announcement that published it.
    """

    codes: list[str]
    position: dict[str, int]
    end: np.ndarray
    parent: np.ndarray          # position of the parent, -1 for a root
    names: list[str]
    english: list[str | None]   # the English name, else the pinyin (None: neither)
    kinds: list[str]
    published: np.ndarray       # bool: a unit
    level: np.ndarray           # index into level_names, -1: none
    announcement: np.ndarray
    level_names: list[str]
    last_change: dt.date | None
    publications: list[Any]     # in force (not retracted), by effective date then id: id, effective_date,
                                # number (of the announcement), rule_set

    def publication_ids(self, first: dt.date = dt.date.min, last: dt.date = dt.date.max) -> list[int]:
        return [p.id for p in self.publications if first <= p.effective_date <= last]

    def span(self, i: int) -> tuple[int, int]:
        """The positions of ``i`` and the areas below it (-1: every area), as a range."""
        return (0, len(self.codes)) if i < 0 else (i, int(self.end[i]))

    def children(self, i: int, units: np.ndarray | None = None) -> list[int]:
        """Positions of the areas right below position ``i`` (-1: the roots) with a unit (of ``units``, default:
        every unit) in or below them."""
        units = self.published if units is None else units
        found, j, stop = [], (0 if i < 0 else i + 1), (len(self.codes) if i < 0 else int(self.end[i]))
        while j < stop:
            if units[j:int(self.end[j])].any():
                found.append(j)
            j = int(self.end[j])
        return found

    def area(self, i: int) -> dict[str, Any]:
        found = {"code": self.codes[i], "name": self.names[i], "kind": self.kinds[i]}
        if self.english[i]:
            found["name_en"] = self.english[i]
        return found


class Trees:
    """The ``Tree`` of a store for its latest states (read once per state; a process keeps a few)."""

    def __init__(self, kept: int = KEPT_TREES):
        self.kept = kept
        self._trees: dict[str, Tree] = {}
        self._lock = threading.Lock()

    def get(self, connection: Connection, state: str) -> Tree:
        found = self._trees.get(state)
        if found is None:
            found = read_tree(connection)
            with self._lock:
                self._trees[state] = found
                while len(self._trees) > self.kept:
                    self._trees.pop(next(iter(self._trees)))
        return found


def read_tree(connection: Connection) -> Tree:
    """The current areas and the levels in force after the latest publication."""
    rows = connection.execute(select(AreaRecord.code, AreaRecord.name, AreaRecord.parent_code, AreaRecord.kind)
                              .where(AreaRecord.superseded_at.is_(None))).all()
    known = {r.code for r in rows}
    children: dict[str | None, list[str]] = {}
    info = {}
    for r in rows:
        children.setdefault(r.parent_code if r.parent_code in known else None, []).append(r.code)
        info[r.code] = r
    codes: list[str] = []
    parent: list[int] = []
    stack: list[tuple[str, int]] = [(c, -1) for c in sorted(children.get(None, []), reverse=True)]
    while stack:  # depth first, children in code order
        code, up = stack.pop()
        parent.append(up)
        codes.append(code)
        stack.extend((c, len(codes) - 1) for c in sorted(children.get(code, []), reverse=True))
    n = len(codes)
    up = np.asarray(parent, dtype=np.int64)
    end = np.arange(1, n + 1, dtype=np.int64)
    for i in range(n - 1, -1, -1):  # every area comes after its parent: close the subtrees from the last
        if up[i] >= 0 and end[i] > end[up[i]]:
            end[up[i]] = end[i]
    position = {code: i for i, code in enumerate(codes)}
    return Tree(codes, position, end, up, [info[c].name for c in codes], _english(connection, position),
                [info[c].kind for c in codes], *_current(connection, position), _publications(connection))


def _publications(connection: Connection) -> list[Any]:
    return connection.execute(
        select(Publication.id, Publication.effective_date, Announcement.number, Announcement.rule_set)
        .join(Announcement, Announcement.publication_id == Publication.id)
        .where(Announcement.kind == "publish", active())
        .order_by(Publication.effective_date, Publication.id)).all()


def _english(connection: Connection, position: dict[str, int]) -> list[str | None]:
    english: list[str | None] = [None] * len(position)
    for code, kind, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)
                                                .where(AreaAlias.kind.in_(("english", "pinyin")))
                                                .order_by(AreaAlias.id)):
        i = position.get(code)
        if i is not None and (english[i] is None or kind == "english"):
            english[i] = alias
    return english


def _current(connection: Connection, position: dict[str, int]) -> tuple:
    n = len(position)
    published, level = np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64)
    announcement = np.zeros(n, dtype=np.int64)
    names: dict[str, int] = {}
    last = None
    for code, name, number, effective in connection.execute(
            select(CurrentLevel.area_code, CurrentLevel.level, CurrentLevel.announcement,
                   CurrentLevel.effective_date)):
        i = position.get(code)
        if i is not None:
            published[i] = True
            level[i] = names.setdefault(name, len(names))
            announcement[i] = number
            last = effective if last is None or effective > last else last
    return published, level, announcement, list(names), last


def on_date(connection: Connection, areas: Tree, date: dt.date) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The level (index into the names returned) and announcement of every area's published level in force on
    ``date``: the read model's, but for the areas whose level changed after ``date``, looked up in the
    publications in force then."""
    if areas.last_change is None or date >= areas.last_change:
        return areas.level, areas.announcement, areas.level_names
    later = areas.publication_ids(first=date + dt.timedelta(days=1))
    changed = {code for code in connection.scalars(
        select(PublishedLevel.area_code).distinct().where(PublishedLevel.publication_id.in_(later)))
        if code in areas.position}
    level, announcement, names = areas.level.copy(), areas.announcement.copy(), list(areas.level_names)
    level[[areas.position[code] for code in changed]] = -1
    index = {name: k for k, name in enumerate(names)}
    for code, (name, number) in latest(connection, areas, changed, date).items():
        i = areas.position[code]
        if name not in index:
            index[name] = len(names)
            names.append(name)
        level[i], announcement[i] = index[name], number
    return level, announcement, names


def latest(connection: Connection, areas: Tree, codes: Collection[str], date: dt.date) -> dict[str, tuple[str, int]]:
    """Area code -> (level, announcement) in force on ``date``, for ``codes``: the row of the latest publication
    in force then that holds the area."""
    if not codes:
        return {}
    rank = {p.id: (k, p.number) for k, p in enumerate(areas.publications) if p.effective_date <= date}
    query = select(PublishedLevel.area_code, PublishedLevel.level, PublishedLevel.publication_id) \
        .where(PublishedLevel.publication_id.in_(list(rank)))
    if len(codes) <= IN_LIMIT:
        query = query.where(PublishedLevel.area_code.in_(sorted(codes)))
    found: dict[str, tuple[int, str]] = {}
    for code, level, publication in connection.execute(query):
        if code in codes and (code not in found or rank[publication][0] > found[code][0]):
            found[code] = (rank[publication][0], level)
    by_rank = [p.number for p in areas.publications]
    return {code: (level, by_rank[k]) for code, (k, level) in found.items()}


def rule_set_on(areas: Tree, date: dt.date) -> str | None:
    """The rule set of the latest publication in force on ``date``."""
    found = [p.rule_set for p in areas.publications if p.effective_date <= date]
    return found[-1] if found else None
