"""What the dashboard reads besides the REST API: boundaries, rule sets with their palette, the published
period, the areas with published levels (names and aliases, for search) and the reasons of a published level.

Everything here is part of the *published* levels: the interface that mounts the dashboard gives ``routes`` the
dependency that admits a caller who may read them (``read_levels``: anonymous too when public read is on),
except the rule sets, which are package data. The indicator values that made a published level fire are part
of its reason, so they are read with it; the full explanation (every clause replayed) stays
``/areas/{code}/explanation`` (``read_data``). These routes are not in the OpenAPI schema: they serve the
dashboard and may change with it (docs/web.md lists them).
"""

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from epizone.domain.access import Actor, require_areas
from epizone.domain.errors import NotFound
from epizone.domain.rules import UNKNOWN, builtin_ids, load_rule_set
from epizone.store.dashboard import area_names, published_reason, publications_in_force, published_among, units
from epizone.store.db import reading
from epizone.store.areatree import Trees
from epizone.store.drilldown import grid, named_areas
from epizone.store.state import store_state
from epizone.web.caching import etag_for, json_answer, not_modified
from epizone.web.geometry import fitting, shipped_codes
from epizone.web.palette import fills

GEOJSON = "application/geo+json"


def routes(reader: Callable[..., Actor]) -> APIRouter:
    """The dashboard's data routes; ``reader`` is the dependency giving a caller who may read published levels.
    (The module does not postpone annotations: FastAPI reads ``level_reader`` from them as the routes are made.)"""
    router = APIRouter(include_in_schema=False)
    level_reader = Annotated[Actor, Depends(reader)]
    trees = Trees()  # the hierarchy and the levels in force, read once per state of the store

    @router.get("/geometry")
    def geometry(request: Request, who: level_reader) -> JSONResponse:
        """The shipped boundaries that fit the store's areas (code and name), as one FeatureCollection; each
        feature's ``published``: whether its area has a published level (a unit on the map)."""
        engine = request.app.state.engine
        features = fitting(area_names(engine, shipped_codes()))
        published = published_among(engine, [f["properties"]["code"] for f in features])
        features = [{**f, "properties": {**f["properties"], "published": f["properties"]["code"] in published}}
                    for f in features]
        return JSONResponse({"type": "FeatureCollection", "features": features}, media_type=GEOJSON)

    @router.get("/dashboard/rulesets")
    def rule_sets() -> list[dict[str, Any]]:
        """Every built-in rule set: titles, levels in order with both palettes, indicators and clauses."""
        return _rule_sets()

    @router.get("/dashboard/period")
    def period(request: Request, who: level_reader) -> dict[str, Any]:
        """The first and last effective dates of the publications in force, and the rule set of each."""
        publications = publications_in_force(request.app.state.engine)
        return {"first": publications[0]["effective_date"] if publications else None,
                "last": publications[-1]["effective_date"] if publications else None,
                "publications": publications, "public_read": request.app.state.settings.public_read,
                "units": units(request.app.state.engine, who.areas)}

    @router.get("/dashboard/areas")
    def areas(request: Request, who: level_reader) -> Response:
        """The areas with a published level and the areas above them, as rows (code, name, parent, kind,
        published) with their aliases: for search and names."""
        with reading(request.app.state.engine) as connection:
            etag = etag_for(request, who, store_state(connection))
            if (unchanged := not_modified(request, etag)) is not None:
                return unchanged
            found = named_areas(connection, trees, store_state(connection), who.areas)
        return json_answer(request, found, etag)

    @router.get("/dashboard/grid")
    def area_grid(request: Request, who: level_reader,
                  date: Annotated[dt.date, Query(description="The day the levels are in force")],
                  area: Annotated[str | None, Query(max_length=64, description="The area whose children are "
                                                    "shown (default: the top)")] = None) -> Response:
        """The children of an area with their units' levels on a date (a unit: its level; an area above units:
        how many of them are at each level), and the units below it that changed level that day."""
        with reading(request.app.state.engine) as connection:
            state = store_state(connection)
            etag = etag_for(request, who, state)
            if (unchanged := not_modified(request, etag)) is not None:
                return unchanged
            found = grid(connection, trees, state, date, area, who.areas)
        return json_answer(request, found, etag)

    @router.get("/dashboard/areas/{code}/reasons")
    def reasons(request: Request, who: level_reader, code: str,
                date: Annotated[dt.date, Query(description="The day the level is in force")]) -> dict[str, Any]:
        """The published level of one area in force on a date, with its clause and the indicator values."""
        require_areas(who, code)
        found = published_reason(request.app.state.engine, code, date)
        if found is None:
            raise NotFound(f"no published level of area {code!r} in force on {date}")
        return found

    return router


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
