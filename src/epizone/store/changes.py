"""The changes an announcement makes: the lines of its body, summarised by parent area when there are many, and
the full list (the announcement's attachment, read from the frozen publications for download).

A publication's body lists every change when there are at most ``LIST_ALL`` (the Fujian demo: 88 counties);
beyond that it lists the first ``FIRST`` and counts the changes by parent area (the lowest level of the hierarchy
with at most ``MAX_GROUPS`` areas), so a national first publication reads like an announcement, not a dump.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Connection, Engine, select

from epizone.store.db import reading
from epizone.store.levels import in_force
from epizone.store.migrate import require_schema
from epizone.store.models import AreaAlias, AreaRecord, PublishedLevel

LIST_ALL = 100
FIRST = 20
MAX_GROUPS = 40
ATTACHMENT = "/api/v1/announcements/{number}/changes"
CHANGE_COLUMNS = ["area_code", "area_name", "area_name_en", "from", "to", "reason_code", "reason.zh", "reason.en"]


def as_row(line: dict[str, Any]) -> dict[str, Any]:
    """One line of the full list as a CSV row (``CHANGE_COLUMNS``; the reason as ``reason.zh``, ``reason.en``)."""
    reason = line.get("reason") or {}
    return {**{c: line.get(c) for c in CHANGE_COLUMNS[:6]}, "reason.zh": reason.get("zh"), "reason.en": reason.get("en")}


def change_line(row: dict[str, Any]) -> dict[str, Any]:
    """One change of a publication, as its body lists it (``area_name_en`` is filled by ``listed``)."""
    return {"area_code": row["area_code"], "area_name": row["area_name"], "area_name_en": None,
            "from": row["previous_level"], "to": row["level"], "reason_code": row["reason_code"],
            "reason": {"zh": row["reason_zh"], "en": row["reason_en"]}}


def listed(connection: Connection, number: int, key: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The body's entries for ``lines`` under ``key``: every line, or the first ``FIRST``, ``by_area`` and the
    ``attachment`` (the path of the full list); and ``<key>_count``, how many there are in all."""
    shown = lines if len(lines) <= LIST_ALL else lines[:FIRST]
    english = _english_names(connection, [line["area_code"] for line in shown])
    entries: dict[str, Any] = {key: [{**line, "area_name_en": english.get(line["area_code"])} for line in shown],
                               f"{key}_count": len(lines)}
    if len(shown) < len(lines):
        entries.update(by_area=by_area(connection, lines), attachment=ATTACHMENT.format(number=number))
    return entries


def by_area(connection: Connection, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many ``lines`` fall in each parent area, and how many go to each level, at the lowest level of the
    hierarchy with at most ``MAX_GROUPS`` areas."""
    areas = {r.code: r for r in connection.execute(select(AreaRecord.code, AreaRecord.name, AreaRecord.parent_code)
                                                   .where(AreaRecord.superseded_at.is_(None)))}
    owner = {line["area_code"]: _parent(areas, line["area_code"]) for line in lines}
    while len(set(owner.values())) > MAX_GROUPS:
        raised = {code: _parent(areas, group) for code, group in owner.items()}
        if raised == owner:
            break
        owner = raised
    moves: dict[str, Counter] = {}
    for line in lines:
        moves.setdefault(owner[line["area_code"]], Counter())[line["to"]] += 1
    english = _english_names(connection, list(moves))
    return [{"area_code": group, "area_name": areas[group].name if group in areas else group,
             "area_name_en": english.get(group), "areas": sum(counted.values()), "to": dict(sorted(counted.items()))}
            for group, counted in sorted(moves.items())]


def _parent(areas: dict[str, Any], code: str) -> str:
    row = areas.get(code)
    return row.parent_code if row is not None and row.parent_code in areas else code


def reverted(rows: dict[str, Any], before: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of a retraction: the areas of the retracted publication (``rows``) whose level goes back to
    another one (``before``: the rows in force without it)."""
    return [{"area_code": code, "area_name": r.area_name, "area_name_en": None, "from": r.level,
             "to": before.get(code, {}).get("level")}
            for code, r in sorted(rows.items()) if before.get(code, {}).get("level") != r.level]


def changes_of(engine: Engine, announcement: Any) -> list[dict[str, Any]]:
    """Every line of an announcement (``AnnouncementInfo``): the changes of a publication, or the areas a
    retraction reverts, as it read when it was made, with English names."""
    with reading(engine) as connection:
        require_schema(connection)
        if announcement.kind == "publish":
            lines = [change_line(r._asdict()) for r in published_rows(connection, announcement.publication_id).values()
                     if r.previous_level != r.level]
        else:
            lines = reverted(*without(connection, announcement.publication_id, announcement.created_at))
        english = _english_names(connection, None)
    return [{**line, "area_name_en": english.get(line["area_code"])} for line in lines]


def without(connection: Connection, publication_id: int, known_at: dt.datetime | None = None,
            ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(the rows of a publication by area, the rows in force for those areas without it), as known at
    ``known_at``."""
    rows = published_rows(connection, publication_id)
    before = {r.area_code: r._asdict() for r in connection.execute(
        in_force(dt.date.max, known_at, excluding=publication_id)) if r.area_code in rows}
    return rows, before


def published_rows(connection: Connection, publication_id: int) -> dict[str, Any]:
    """Area code -> the row a publication wrote for it."""
    p = PublishedLevel
    return {r.area_code: r for r in connection.execute(
        select(p.area_code, p.area_name, p.level, p.previous_level, p.reason_code, p.reason_en, p.reason_zh)
        .where(p.publication_id == publication_id).order_by(p.area_code))}


def _english_names(connection: Connection, codes: list[str] | None) -> dict[str, str]:
    """Area code -> its first English alias (of ``codes``; None: of every area)."""
    query = select(AreaAlias.area_code, AreaAlias.alias).where(AreaAlias.kind == "english").order_by(AreaAlias.id)
    if codes is not None:
        if not codes:
            return {}
        query = query.where(AreaAlias.area_code.in_(sorted(set(codes))))
    found: dict[str, str] = {}
    for code, alias in connection.execute(query):
        found.setdefault(code, alias)
    return found
