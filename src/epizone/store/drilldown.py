"""The published levels on a date by area of the hierarchy, for the dashboard at national scale: instead of every
unit's level (42,750 townships), the children of one area, each with how many units below it are at each level
(a unit among them: its own level), and the units below that area that changed level that day.

The hierarchy (``Tree``) is read once per state of the store (``store.state``: imports and announcements change
it) and kept in the process as a derived, read-only copy; every worker reads and keeps its own. Levels in force on
a date are read from the read model ``current_levels``; for an earlier date, only the areas whose level changed
after it are looked up in the publications (``levels.in_force``), so a day in the past costs what changed since,
not the size of the country.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from epizone.domain.errors import NotFound
from epizone.store.levels import active
from epizone.store.models import Announcement, AreaAlias, AreaRecord, CurrentLevel, Publication, PublishedLevel

CHANGES_SHOWN = 100  # the changes of a day listed by name (all are counted)
IN_LIMIT = 5000      # up to this many codes are looked up with IN (...), more are read whole and filtered
KEPT_TREES = 4

class AreaNotFound(NotFound):
    """No current area has this code."""


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


def grid(connection: Connection, trees: Trees, state: str, date: dt.date, area: str | None = None,
         scope: Collection[str] | None = None) -> dict[str, Any]:
    """The children of ``area`` (default: the top, going down while there is one area only) with their units'
    levels on ``date``, and the units below it whose level changed that day (see ``docs/web.md``), from a store
    in ``state`` (``store.state``). AreaNotFound for an unknown code."""
    areas = trees.get(connection, state)
    visible = areas.published if scope is None else areas.published & _mask(areas, scope)
    focus = _focus(areas, area, visible)
    seen = np.zeros(len(areas.codes), dtype=bool)
    start, stop = areas.span(focus)
    seen[start:stop] = visible[start:stop]
    level, announcement, names = on_date(connection, areas, date)
    changes = _changes(connection, areas, date, seen, (level, announcement, names))
    return {"date": date, "rule_set": rule_set_on(areas, date),
            **_tiles(areas, focus, seen, level, announcement, names), "changes": changes}


def _focus(areas: Tree, code: str | None, visible: np.ndarray) -> int:
    if code is not None:
        if code not in areas.position:
            raise AreaNotFound(f"no area {code!r} in the store")
        return areas.position[code]
    focus = -1
    while len(children := areas.children(focus, visible)) == 1 and areas.children(children[0], visible):
        focus = children[0]
    return focus


def _tiles(areas: Tree, focus: int, seen: np.ndarray, level: np.ndarray, announcement: np.ndarray,
           names: list[str]) -> dict[str, Any]:
    """The focus, the path down to it, the counts by level of its units, and one tile per child: a unit's level,
    or how many units below it are at each level."""
    children = areas.children(focus, seen)
    units = np.flatnonzero(seen)
    graded = units[level[units] >= 0]
    below = graded[graded != focus]
    starts = np.asarray(children, dtype=np.int64)
    width = max(len(names), 1)
    counts = np.bincount((np.searchsorted(starts, below, side="right") - 1) * width + level[below],
                         minlength=len(children) * width).reshape(len(children), width)
    in_child = np.bincount(np.searchsorted(starts, units[units != focus], side="right") - 1,
                           minlength=len(children))
    tiles = []
    for k, i in enumerate(children):
        if not in_child[k]:
            continue  # outside the reader's scope
        tile = areas.area(i)
        if areas.published[i] and not areas.children(i, seen):
            tile["level"] = names[level[i]] if level[i] >= 0 else None
            tile["announcement"] = int(announcement[i]) if level[i] >= 0 else None
        else:
            tile["units"] = int(in_child[k])
            tile["levels"] = {names[j]: int(n) for j, n in enumerate(counts[k]) if n}
        tiles.append(tile)
    path, up = [], focus
    while up >= 0:
        path.insert(0, areas.area(up))
        up = int(areas.parent[up])
    totals = np.bincount(level[graded], minlength=width)
    return {"focus": path[-1] if path else None, "path": path, "units": len(units),
            "levels": {names[j]: int(n) for j, n in sorted(enumerate(totals), key=lambda p: names[p[0]]) if n},
            "tiles": tiles}


def _changes(connection: Connection, areas: Tree, date: dt.date, seen: np.ndarray,
             levels: tuple[np.ndarray, np.ndarray, list[str]]) -> dict[str, Any]:
    """The units seen whose level on ``date`` differs from the day before's: only the areas of a publication that
    took effect that day can have changed."""
    level, announcement, names = levels
    today = areas.publication_ids(date, date)
    if not today or not areas.publication_ids(last=date - dt.timedelta(days=1)):
        return {"total": 0, "items": []}
    # an area published without a level before had none on any earlier day (publications are made in the
    # order of their effective dates; a retraction only takes levels away)
    touched = {code for code in connection.scalars(
        select(PublishedLevel.area_code).distinct().where(PublishedLevel.publication_id.in_(today),
                                                          PublishedLevel.previous_level.is_not(None)))
        if code in areas.position and seen[areas.position[code]] and level[areas.position[code]] >= 0}
    before = latest(connection, areas, touched, date - dt.timedelta(days=1))
    now = {code: names[level[areas.position[code]]] for code in touched}
    moved = sorted(code for code in touched if code in before and before[code][0] != now[code])
    items = [{**areas.area(areas.position[code]), "from": before[code][0], "to": now[code],
              "announcement": int(announcement[areas.position[code]])} for code in moved[:CHANGES_SHOWN]]
    return {"total": len(moved), "items": items}


def named_areas(connection: Connection, trees: Trees, state: str, scope: Collection[str] | None = None
                ) -> dict[str, Any]:
    """The areas with a published level and the areas above them (inside ``scope`` when given), by code, as
    rows of ``columns``, and their other names (``aliases``: code -> [kind, alias] pairs): what the dashboard's
    search and names need, in a compact shape (a national store has some 46,000 areas)."""
    areas = trees.get(connection, state)
    allowed = np.ones(len(areas.codes), dtype=bool) if scope is None else _mask(areas, scope)
    units = areas.published & allowed
    total = np.concatenate([[0], np.cumsum(units)])
    wanted = (total[areas.end] - total[np.arange(len(areas.codes))] > 0) & allowed
    chosen = sorted(np.flatnonzero(wanted).tolist(), key=areas.codes.__getitem__)
    parents = [int(p) for p in areas.parent]
    rows = [[areas.codes[i], areas.names[i], areas.codes[parents[i]] if parents[i] >= 0 else None, areas.kinds[i],
             bool(areas.published[i])] for i in chosen]
    aliases: dict[str, list[list[str]]] = {}
    for code, kind, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)
                                                .order_by(AreaAlias.id)):
        i = areas.position.get(code)
        if i is not None and wanted[i]:
            aliases.setdefault(code, []).append([kind, alias])
    return {"columns": ["code", "name", "parent_code", "kind", "published"], "rows": rows, "aliases": aliases}


def _mask(areas: Tree, codes: Collection[str]) -> np.ndarray:
    found = np.zeros(len(areas.codes), dtype=bool)
    found[[areas.position[c] for c in codes if c in areas.position]] = True
    return found
