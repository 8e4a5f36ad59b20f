"""Published levels: in force on a date for every area (JSON, CSV, GeoJSON), and counts by level over time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from epizone.api.deps import MapFormat, Paging, TableFormat, acting, engine, naive, paging, today, wants
from epizone.api.render import CSV_CONTENT, MAP_CONTENT, csv_response, geojson_response
from epizone.api.models import Page
from epizone.api.core.schemas import LevelCountsOut, LevelOut
from epizone.domain.access import Actor
from epizone.store.db import reading
from epizone.store.levels import MAX_DAYS, counts_by_level, in_force

router = APIRouter(tags=["levels"])
LevelReader = Annotated[Actor, Depends(acting("read_levels"))]


@router.get("/levels", response_model=Page[LevelOut], responses=MAP_CONTENT,
            summary="The published level in force on a date, for every area")
def levels(request: Request, who: LevelReader, page: Annotated[Paging, Depends(paging)],
           date: Annotated[dt.date | None, Query(description="Default: today (UTC)")] = None,
           level: Annotated[str | None, Query(max_length=64, description="Only areas at this level")] = None,
           known_at: Annotated[dt.datetime | None, Query(description="As known at this moment")] = None,
           format: MapFormat | None = None):  # noqa: A002
    scope = who.areas
    query = in_force(date or today(), naive(known_at), scope, level)
    with reading(engine(request)) as connection:
        total, items = page.read(connection, query)
    shape = wants(request, format)
    if shape == "csv":
        return csv_response(items, total)
    if shape == "geojson":
        return geojson_response(items, total, request.app.state.geometry)
    return page.answer(total, items)


@router.get("/levels/counts", response_model=list[LevelCountsOut], responses=CSV_CONTENT,
            summary="How many areas were at each published level, day by day")
def level_counts(request: Request, who: LevelReader, start: dt.date,
                 end: Annotated[dt.date | None, Query(description="Default: start")] = None,
                 format: TableFormat | None = None):  # noqa: A002
    last = end or start
    if last < start or (last - start).days >= MAX_DAYS:
        raise HTTPException(422, f"end must be on or after start and at most {MAX_DAYS - 1} days later")
    with reading(engine(request)) as connection:
        rows = counts_by_level(connection, start, last, who.areas)
    if wants(request, format) == "csv":
        return csv_response([{"date": r["date"], "level": level, "areas": n}
                             for r in rows for level, n in r["levels"].items()])
    return rows
