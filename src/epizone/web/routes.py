"""What the dashboard reads besides the REST API: boundaries, rule sets with their palette, the published
period, the areas with published levels (names and aliases, for search) and the reasons of a published level.

Access follows the service's table (``epizone.store.access``): everything here is part of the *published*
levels (``read_levels``: anonymous too when public read is on), except the rule sets, which are package data.
The indicator values that made a published level fire are part of its reason, so they are read with it; the
full explanation (every clause replayed) stays ``/areas/{code}/explanation`` (``read_data``). These routes are
not in the OpenAPI schema: they serve the dashboard and may change with it (docs/web.md lists them).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from epizone.api.deps import check_scope, engine, require, scope_of
from epizone.domain.rules import UNKNOWN, builtin_ids, load_rule_set
from epizone.store.db import reading
from epizone.store.levels import active, levels_in_force
from epizone.store.models import Announcement, AreaAlias, AreaRecord, AssessedLevel, AssessmentRun, Publication, \
    PublishedLevel
from epizone.store.tokens import Principal
from epizone.web.geometry import fitting, store_names
from epizone.web.palette import fills

router = APIRouter(include_in_schema=False)
LevelReader = Annotated[Principal | None, Depends(require("read_levels"))]
GEOJSON = "application/geo+json"


@router.get("/geometry")
def geometry(request: Request, who: LevelReader) -> JSONResponse:
    """The shipped boundaries that fit the store's areas (code and name), as one FeatureCollection."""
    with reading(engine(request)) as connection:
        features = fitting(store_names(connection))
    return JSONResponse({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)


@router.get("/dashboard/rulesets")
def rule_sets() -> list[dict[str, Any]]:
    """Every built-in rule set: titles, levels in order with both palettes, indicators and clauses."""
    return _rule_sets()


@cache
def _rule_sets() -> list[dict[str, Any]]:
    found = []
    for rule_set_id in builtin_ids():
        rules = load_rule_set(rule_set_id)
        fill = fills(rules)
        found.append({
            "id": rules.id, "ref": rules.ref, "unit": rules.unit, "title": rules.title.model_dump(),
            "document": {"zh": rules.document.zh, "en": rules.document.en, "date": rules.document.date.isoformat(),
                         "urls": list(rules.document.urls)},
            "levels": [{"id": level.id, "zh": level.zh, "en": level.en, "color": level.color, "fill": fill[level.id]}
                       for level in rules.levels] + [
                {"id": UNKNOWN, "zh": "未知", "en": "Unknown", "color": "#bdbdbd", "fill": fill[UNKNOWN]}],
            "indicators": {name: {"zh": ind.zh, "en": ind.en} for name, ind in rules.indicators.items()},
            "clauses": [{"code": c.code, "level": c.level, "when": c.when, "zh": c.zh, "en": c.en}
                        for c in rules.clauses]})
    return found


@router.get("/dashboard/period")
def period(request: Request, who: LevelReader) -> dict[str, Any]:
    """The first and last effective dates of the publications in force, and the rule set of each publication."""
    with reading(engine(request)) as connection:
        rows = connection.execute(
            select(Announcement.number, Announcement.rule_set, Publication.effective_date, Publication.date)
            .join(Publication, Publication.id == Announcement.publication_id)
            .where(Announcement.kind == "publish", active())
            .order_by(Publication.effective_date, Publication.id)).all()
    publications = [{"announcement": r.number, "rule_set": r.rule_set, "effective_date": r.effective_date,
                     "date": r.date} for r in rows]
    return {"first": rows[0].effective_date if rows else None, "last": rows[-1].effective_date if rows else None,
            "publications": publications, "public_read": request.app.state.settings.public_read}


@router.get("/dashboard/areas")
def areas(request: Request, who: LevelReader) -> list[dict[str, Any]]:
    """The areas with a published level and the areas above them: code, name, parent, kind and aliases."""
    scope = scope_of(request, who)
    with reading(engine(request)) as connection:
        published = set(connection.scalars(select(PublishedLevel.area_code).distinct()))
        rows = {r.code: r._asdict() for r in connection.execute(
            select(AreaRecord.code, AreaRecord.name, AreaRecord.parent_code, AreaRecord.kind)
            .where(AreaRecord.superseded_at.is_(None)))}
        wanted: set[str] = set()
        for code in published:
            while code in rows and code not in wanted and (scope is None or code in scope):
                wanted.add(code)
                code = rows[code]["parent_code"]
        aliases: dict[str, list[dict[str, str]]] = {}
        for code, kind, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)
                                                    .order_by(AreaAlias.id)):
            if code in wanted:
                aliases.setdefault(code, []).append({"kind": kind, "alias": alias})
    return [{**rows[code], "published": code in published, "aliases": aliases.get(code, [])}
            for code in sorted(wanted)]


@router.get("/dashboard/areas/{code}/reasons")
def reasons(request: Request, who: LevelReader, code: str,
            date: Annotated[dt.date, Query(description="The day the level is in force")]) -> dict[str, Any]:
    """The published level of one area in force on a date, with its clause and the indicator values behind it."""
    check_scope(scope_of(request, who), code)
    with reading(engine(request)) as connection:
        found = levels_in_force(connection, date, areas=[code]).get(code)
        if found is None:
            raise HTTPException(404, f"no published level of area {code!r} in force on {date}")
        assessed = connection.execute(
            select(AssessedLevel.indicators, AssessedLevel.data_through, AssessmentRun.rule_set)
            .join(AssessmentRun, AssessmentRun.id == AssessedLevel.run_id)
            .where(AssessedLevel.run_id == found["run_id"], AssessedLevel.area_code == code,
                   AssessedLevel.date == found["assessed_date"])).first()
        since = connection.scalar(
            select(func.min(Publication.effective_date))
            .join(PublishedLevel, PublishedLevel.publication_id == Publication.id)
            .where(PublishedLevel.area_code == code, PublishedLevel.level == found["level"],
                   Publication.effective_date <= date, active(),
                   Publication.effective_date > _last_other(connection, code, found["level"], date)))
    return {**found, "date": date, "rule_set": assessed.rule_set if assessed else None,
            "data_through": assessed.data_through if assessed else None,
            "indicators": assessed.indicators if assessed else {}, "level_since": since}


def _last_other(connection, code: str, level: str, date: dt.date) -> dt.date:  # noqa: ANN001
    """The last effective date on or before ``date`` at which the area was published at another level."""
    last = connection.scalar(
        select(func.max(Publication.effective_date))
        .join(PublishedLevel, PublishedLevel.publication_id == Publication.id)
        .where(PublishedLevel.area_code == code, PublishedLevel.level != level,
               Publication.effective_date <= date, active()))
    return last or dt.date.min
