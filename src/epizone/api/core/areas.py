"""Areas with their aliases (search by code, name, traditional, pinyin, English), an area's level history and
the explanation of its published level."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import Engine, func, or_, select

from epizone.api.caching import date_keyed, etag_for, not_modified, store_state
from epizone.api.deps import Paging, TableFormat, acting, engine, naive, paging, wants
from epizone.api.render import CSV_CONTENT, csv_response
from epizone.api.core.explaining import explanation_out
from epizone.api.models import Page
from epizone.api.core.schemas import AreaOut, ExplanationOut, HistoryOut
from epizone.domain.access import Actor, require_areas
from epizone.store.db import reading
from epizone.store.levels import history, levels_in_force
from epizone.store.models import AreaAlias, AreaRecord
from epizone.services.runs import explain_run

router = APIRouter(tags=["areas"])
Reader = Annotated[Actor, Depends(acting("read_data"))]
LevelReader = Annotated[Actor, Depends(acting("read_levels"))]
AREA_COLUMNS = (AreaRecord.code, AreaRecord.name, AreaRecord.parent_code, AreaRecord.kind, AreaRecord.population,
                AreaRecord.valid_from, AreaRecord.valid_to)


@router.get("/areas", response_model=Page[AreaOut], responses=CSV_CONTENT, summary="Areas, searchable")
def list_areas(
    request: Request, who: Reader, page: Annotated[Paging, Depends(paging)],
    q: Annotated[str | None, Query(max_length=100, description="Part of a code, name or alias (any case)")] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    parent: Annotated[str | None, Query(max_length=64, description="Only the children of this area")] = None,
    format: TableFormat | None = None,  # noqa: A002
):
    scope = who.areas
    query = select(*AREA_COLUMNS).where(AreaRecord.superseded_at.is_(None))
    if q:
        needle = q.strip().lower()
        aliased = select(AreaAlias.area_code).where(func.lower(AreaAlias.alias).contains(needle, autoescape=True))
        query = query.where(or_(AreaRecord.code.startswith(q.strip(), autoescape=True),
                                func.lower(AreaRecord.name).contains(needle, autoescape=True),
                                AreaRecord.code.in_(aliased)))
    if kind:
        query = query.where(AreaRecord.kind == kind)
    if parent:
        query = query.where(AreaRecord.parent_code == parent)
    if scope is not None:
        query = query.where(AreaRecord.code.in_(sorted(scope)))
    with reading(engine(request)) as connection:
        total, rows = page.read(connection, query.order_by(AreaRecord.code))
        aliases = _aliases(connection, [r["code"] for r in rows])
    items = [{**r, "aliases": aliases.get(r["code"], [])} for r in rows]
    if wants(request, format) == "csv":
        return csv_response(items, total)
    return page.answer(total, items)


@router.get("/areas/{code}", response_model=AreaOut, summary="One area with its aliases")
def get_area(request: Request, who: Reader, code: str) -> AreaOut:
    require_areas(who, code)
    with reading(engine(request)) as connection:
        row = connection.execute(select(*AREA_COLUMNS).where(AreaRecord.code == code,
                                                             AreaRecord.superseded_at.is_(None))).first()
        if row is None:
            raise HTTPException(404, f"no area with code {code!r}")
        return AreaOut(**row._asdict(), aliases=_aliases(connection, [code]).get(code, []))


@router.get("/areas/{code}/levels", response_model=Page[HistoryOut], responses=CSV_CONTENT,
            summary="The published levels of one area over time (retracted publications left out)")
def area_history(request: Request, response: Response, who: LevelReader, code: str,
                 page: Annotated[Paging, Depends(paging)],
                 known_at: Annotated[dt.datetime | None, Query(description="As known at this moment")] = None,
                 format: TableFormat | None = None):  # noqa: A002
    require_areas(who, code)
    with reading(engine(request)) as connection:
        etag = etag_for(request, who, store_state(connection))
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        rows = [r._asdict() for r in connection.execute(history(code, naive(known_at)))]
    items = rows[page.offset:page.offset + page.limit]
    if wants(request, format) == "csv":
        return csv_response(items, len(rows), date_keyed(etag))
    response.headers.update(date_keyed(etag))
    return page.answer(len(rows), items)


@router.get("/areas/{code}/explanation", response_model=ExplanationOut,
            summary="Why the area has its published level on a date: indicators and every clause, replayed")
def area_explanation(request: Request, who: Reader, code: str,
                     date: Annotated[dt.date | None, Query(description="Default: today (UTC)")] = None,
                     lang: Annotated[str, Query(pattern="^(en|zh)$")] = "en") -> ExplanationOut:
    require_areas(who, code)
    day = date or dt.datetime.now(dt.timezone.utc).date()
    db: Engine = engine(request)
    with reading(db) as connection:
        found = levels_in_force(connection, day, areas=[code]).get(code)
    if found is None:
        raise HTTPException(404, f"no published level of area {code!r} in force on {day}")
    return explanation_out(found["run_id"], explain_run(db, found["run_id"], code, found["assessed_date"], lang))


def _aliases(connection, codes: list[str]) -> dict[str, list[dict[str, str]]]:  # noqa: ANN001
    found: dict[str, list[dict[str, str]]] = {}
    if not codes:
        return found
    for code, kind, alias in connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)
                                                .where(AreaAlias.area_code.in_(codes)).order_by(AreaAlias.id)):
        found.setdefault(code, []).append({"kind": kind, "alias": alias})
    return found
