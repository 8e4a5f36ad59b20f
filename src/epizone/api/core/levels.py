"""Published levels: in force on a date for every area (JSON pages, CSV, GeoJSON, or all of them in one streamed
response), and counts by level over time. Answers keyed by a date carry an ETag (``epizone.api.caching``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import Connection, Select

from epizone.api.caching import date_keyed, etag_for, not_modified, store_state
from epizone.api.deps import MapFormat, Paging, TableFormat, acting, engine, naive, paging, today, wants
from epizone.api.export import accepted, compressed_answer, csv_chunks, encoded, geojson_chunks, streamed
from epizone.api.render import CSV_CONTENT, CSV_TYPE, GEOJSON_TYPE, MAP_CONTENT, csv_response, geojson_response
from epizone.api.models import Page
from epizone.api.core.schemas import LevelCountsOut, LevelOut
from epizone.domain.access import Actor
from epizone.store.db import reading
from epizone.store.exports import ExportKey, keep_export, kept_export
from epizone.store.levels import MAX_DAYS, counts_by_level, levels_on, reads_current

router = APIRouter(tags=["levels"])
LevelReader = Annotated[Actor, Depends(acting("read_levels"))]
AreaCode = Annotated[str | None, Query(max_length=64, description="Keyset paging: the areas after this code "
                                                                  "(the last code of the previous page)")]


@router.get("/levels", response_model=Page[LevelOut], responses=MAP_CONTENT,
            summary="The published level in force on a date, for every area")
def levels(request: Request, response: Response, who: LevelReader, page: Annotated[Paging, Depends(paging)],
           date: Annotated[dt.date | None, Query(description="Default: today (UTC)")] = None,
           level: Annotated[str | None, Query(max_length=64, description="Only areas at this level")] = None,
           known_at: Annotated[dt.datetime | None, Query(description="As known at this moment")] = None,
           after: AreaCode = None,
           all: Annotated[bool, Query(description="Every area in one streamed CSV or GeoJSON response "  # noqa: A002
                                                  "(no paging)")] = False,
           format: MapFormat | None = None):  # noqa: A002
    day, shape = date or today(), wants(request, format)
    if all and shape == "json":
        raise HTTPException(422, "all=true answers CSV or GeoJSON: ask for format=csv or format=geojson, "
                                 "or page JSON with after=")
    with reading(engine(request)) as connection:
        state = store_state(connection)
        etag = etag_for(request, who, state, [day])
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        if all:
            return _export(request, connection, who, state, day, naive(known_at), level, shape, date_keyed(etag))
        query = levels_on(connection, day, naive(known_at), who.areas, level)
        total, items = page.read(connection, _after(query, after), query)
    headers = date_keyed(etag)
    if shape == "csv":
        return csv_response(items, total, headers)
    if shape == "geojson":
        return geojson_response(items, total, request.app.state.geometry, headers)
    response.headers.update(headers)
    return page.answer(total, items)


def _after(query: Select, after: str | None) -> Select:
    return query if after is None else query.where(query.selected_columns.area_code > after)


def _export(request: Request, connection: Connection, who: Actor, state: str, day: dt.date,
            known_at: dt.datetime | None, level: str | None, shape: str, headers: dict[str, str]) -> Response:
    """Every level in one streamed answer. The whole read model (no scope, level or ``known_at``) is made once
    per state of the store and kept there compressed (``epizone.store.exports``) for every worker to serve."""
    media = GEOJSON_TYPE if shape == "geojson" else CSV_TYPE
    whole = who.areas is None and level is None and reads_current(connection, day, known_at)
    key = ExportKey(state, shape, accepted(request) or "gzip")
    kept = kept_export(connection, key) if whole else None
    if kept is None:
        result = connection.execute(levels_on(connection, day, known_at, who.areas, level))
        columns, rows = list(result.keys()), result.all()
        chunks = geojson_chunks(rows, columns, request.app.state.geometry) if shape == "geojson" else \
            csv_chunks(rows, columns)
        if not whole:
            return streamed(request, chunks, media, {**headers, "X-Total-Count": str(len(rows))})
        kept = len(rows), b"".join(encoded(chunks, key.encoding))
        keep_export(engine(request), key, *kept)
    return compressed_answer(request, kept[1], key.encoding, media, {**headers, "X-Total-Count": str(kept[0])})


@router.get("/levels/counts", response_model=list[LevelCountsOut], responses=CSV_CONTENT,
            summary="How many areas were at each published level, day by day")
def level_counts(request: Request, response: Response, who: LevelReader, start: dt.date,
                 end: Annotated[dt.date | None, Query(description="Default: start")] = None,
                 format: TableFormat | None = None):  # noqa: A002
    last = end or start
    if last < start or (last - start).days >= MAX_DAYS:
        raise HTTPException(422, f"end must be on or after start and at most {MAX_DAYS - 1} days later")
    with reading(engine(request)) as connection:
        etag = etag_for(request, who, store_state(connection))
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        rows = counts_by_level(connection, start, last, who.areas)
    if wants(request, format) == "csv":
        return csv_response([{"date": r["date"], "level": level, "areas": n}
                             for r in rows for level, n in r["levels"].items()], headers=date_keyed(etag))
    response.headers.update(date_keyed(etag))
    return rows
