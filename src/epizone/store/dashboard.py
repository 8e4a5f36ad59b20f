"""What the dashboard reads from the store besides the REST API's queries: the areas' names and aliases (to fit
the shipped boundaries), the publications in force, how many units have a published level, and the reason of one
published level. The levels by area of the hierarchy and the list of areas are in ``drilldown``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from epizone.store.db import reading
from epizone.store.levels import active, levels_in_force
from epizone.store.models import Announcement, AreaAlias, AreaRecord, AssessedLevel, AssessmentRun, CurrentLevel, \
    Publication, PublishedLevel


def area_names(engine: Engine, codes: Collection[str] | None = None) -> dict[str, set[str]]:
    """Current area code -> its name and every alias (of ``codes`` only, when given)."""
    names: dict[str, set[str]] = {}
    query, aliases = select(AreaRecord.code, AreaRecord.name).where(AreaRecord.superseded_at.is_(None)), \
        select(AreaAlias.area_code, AreaAlias.alias)
    if codes is not None:
        query, aliases = query.where(AreaRecord.code.in_(sorted(codes))), \
            aliases.where(AreaAlias.area_code.in_(sorted(codes)))
    with reading(engine) as connection:
        for code, name in connection.execute(query):
            names[code] = {name}
        for code, alias in connection.execute(aliases):
            if code in names:
                names[code].add(alias)
    return names


def published_among(engine: Engine, codes: Collection[str]) -> set[str]:
    """Those of ``codes`` that have a published level (in the read model of the levels in force)."""
    if not codes:
        return set()
    with reading(engine) as connection:
        return set(connection.scalars(select(CurrentLevel.area_code)
                                      .where(CurrentLevel.area_code.in_(sorted(codes)))))


def units(engine: Engine, scope: Collection[str] | None = None) -> int:
    """How many areas have a published level (inside ``scope`` when given)."""
    with reading(engine) as connection:
        if scope is None:
            return connection.scalar(select(func.count()).select_from(CurrentLevel)) or 0
        return len(set(connection.scalars(select(CurrentLevel.area_code))) & set(scope))


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
