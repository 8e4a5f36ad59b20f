"""The published levels on a date by area of the hierarchy, for the dashboard at national scale: instead of every
unit's level (42,750 townships), the children of one area, each with how many units below it are at each level
(a unit among them: its own level), and the units below that area that changed level that day; and the list of
areas for search, in a compact shape. Both read the hierarchy kept per state of the store (``areatree``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from epizone.domain.errors import NotFound
from epizone.store.areatree import Tree, Trees, latest, on_date, rule_set_on
from epizone.store.models import AreaAlias, PublishedLevel

CHANGES_SHOWN = 100  # the changes of a day listed by name (all are counted)


class AreaNotFound(NotFound):
    """No current area has this code."""


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
