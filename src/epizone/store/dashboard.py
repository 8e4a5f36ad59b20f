"""What the dashboard reads from the store besides the REST API's queries: the areas' names and aliases (to fit
the shipped boundaries), the publications in force, the areas with published levels, and the reason of one
published level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from epizone.store.db import reading
from epizone.store.levels import active, levels_in_force
from epizone.store.models import Announcement, AreaAlias, AreaRecord, AssessedLevel, AssessmentRun, Publication, \
    PublishedLevel


def area_names(engine: Engine) -> dict[str, set[str]]:
    """Current area code -> its name and every alias."""
    names: dict[str, set[str]] = {}
    with reading(engine) as connection:
        for code, name in connection.execute(select(AreaRecord.code, AreaRecord.name)
                                             .where(AreaRecord.superseded_at.is_(None))):
            names[code] = {name}
        for code, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.alias)):
            if code in names:
                names[code].add(alias)
    return names


def publications_in_force(engine: Engine) -> list[dict[str, Any]]:
    """The publications not retracted, by effective date: announcement number, rule set, effective date, date."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(Announcement.number, Announcement.rule_set, Publication.effective_date, Publication.date)
            .join(Publication, Publication.id == Announcement.publication_id)
            .where(Announcement.kind == "publish", active())
            .order_by(Publication.effective_date, Publication.id)).all()
    return [{"announcement": r.number, "rule_set": r.rule_set, "effective_date": r.effective_date, "date": r.date}
            for r in rows]


def published_areas(engine: Engine, scope: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The areas with a published level and the areas above them (inside ``scope`` when given): code, name,
    parent, kind, whether published, and aliases."""
    with reading(engine) as connection:
        published = set(connection.scalars(select(PublishedLevel.area_code).distinct()))
        rows = {r.code: r._asdict() for r in connection.execute(
            select(AreaRecord.code, AreaRecord.name, AreaRecord.parent_code, AreaRecord.kind)
            .where(AreaRecord.superseded_at.is_(None)))}
        wanted = _with_parents(published, rows, scope)
        aliases: dict[str, list[dict[str, str]]] = {}
        for code, kind, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)
                                                    .order_by(AreaAlias.id)):
            if code in wanted:
                aliases.setdefault(code, []).append({"kind": kind, "alias": alias})
    return [{**rows[code], "published": code in published, "aliases": aliases.get(code, [])}
            for code in sorted(wanted)]


def _with_parents(codes: set[str], rows: dict[str, dict[str, Any]], scope: Collection[str] | None) -> set[str]:
    wanted: set[str] = set()
    for code in codes:
        while code in rows and code not in wanted and (scope is None or code in scope):
            wanted.add(code)
            code = rows[code]["parent_code"]
    return wanted


def published_reason(engine: Engine, code: str, date: dt.date) -> dict[str, Any] | None:
    """The published level of one area in force on a date, with the clause and the indicator values of the latest
    publication in force then (a publication keeps only the areas whose level it changes, so the run graded that
    day is read for them), and since when the area is at that level (None: no published level in force)."""
    with reading(engine) as connection:
        found = levels_in_force(connection, date, areas=[code]).get(code)
        if found is None:
            return None
        assessed = _assessed(connection, code, date, found["level"]) or _assessed_in(
            connection, code, found["run_id"], found["assessed_date"])
        since = connection.scalar(
            select(func.min(Publication.effective_date))
            .join(PublishedLevel, PublishedLevel.publication_id == Publication.id)
            .where(PublishedLevel.area_code == code, PublishedLevel.level == found["level"],
                   Publication.effective_date <= date, active(),
                   Publication.effective_date > _last_other(connection, code, found["level"], date)))
    latest = {} if assessed is None else {k: getattr(assessed, k) for k in (
        "run_id", "assessed_date", "reason_code", "reason_en", "reason_zh")}
    return {**found, **latest, "date": date, "rule_set": assessed.rule_set if assessed else None,
            "data_through": assessed.data_through if assessed else None,
            "indicators": assessed.indicators if assessed else {}, "level_since": since}


def _assessed(connection: Connection, code: str, date: dt.date, level: str) -> Any:
    """The area's row in the run of the latest publication in force on ``date``, if it gives the same level."""
    latest = connection.execute(select(Publication.run_id, Publication.date).where(
        Publication.effective_date <= date, active())
        .order_by(Publication.effective_date.desc(), Publication.id.desc()).limit(1)).first()
    if latest is None:
        return None
    row = _assessed_in(connection, code, latest.run_id, latest.date)
    return row if row is not None and row.level == level else None


def _assessed_in(connection: Connection, code: str, run_id: int, date: dt.date) -> Any:
    return connection.execute(
        select(AssessedLevel.run_id, AssessedLevel.date.label("assessed_date"), AssessedLevel.level,
               AssessedLevel.reason_code, AssessedLevel.reason_en, AssessedLevel.reason_zh,
               AssessedLevel.indicators, AssessedLevel.data_through, AssessmentRun.rule_set)
        .join(AssessmentRun, AssessmentRun.id == AssessedLevel.run_id)
        .where(AssessedLevel.run_id == run_id, AssessedLevel.area_code == code, AssessedLevel.date == date)).first()


def _last_other(connection: Connection, code: str, level: str, date: dt.date) -> dt.date:
    """The last effective date on or before ``date`` at which the area was published at another level."""
    last = connection.scalar(
        select(func.max(Publication.effective_date))
        .join(PublishedLevel, PublishedLevel.publication_id == Publication.id)
        .where(PublishedLevel.area_code == code, PublishedLevel.level != level,
               Publication.effective_date <= date, active()))
    return last or dt.date.min
