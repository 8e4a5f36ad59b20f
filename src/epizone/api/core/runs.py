"""Assessment runs: make one from the store's data, list them, read their levels, explain a level, publish."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from epizone.api.deps import Id, Paging, TableFormat, acting, engine, naive, paging, wants
from epizone.api.render import CSV_CONTENT, csv_response
from epizone.api.core.explaining import explanation_out
from epizone.api.models import Page
from epizone.api.core.schemas import AnnouncementOut, ExplanationOut, PublishIn, RunIn, RunLevelOut, RunOut, RunPeriodOut
from epizone.domain.access import Actor, require_areas
from epizone.domain.cutoff import DataThrough
from epizone.store.db import reading
from epizone.store.levels import run_level_on, run_levels, run_periods
from epizone.store.publish import publish
from epizone.services.runs import RunRequest, explain_run, run_assessment
from epizone.store.runs import RunError, get_run, list_runs

router = APIRouter(tags=["runs"])
Reader = Annotated[Actor, Depends(acting("read_data"))]
Assessor = Annotated[Actor, Depends(acting("assess"))]
Publisher = Annotated[Actor, Depends(acting("publish"))]


@router.post("/runs", response_model=RunOut, status_code=201,
             summary="Grade the store's data as of a moment under a rule set, and keep the run")
def create_run(request: Request, body: RunIn, who: Assessor) -> RunOut:
    try:
        through = DataThrough.parse(body.data_through)
    except ValueError as exc:
        raise RunError(str(exc)) from None
    req = RunRequest(body.rule_set, body.start, body.end or body.start, through, body.unit, naive(body.as_of),
                     body.data_end, body.full, body.keep)
    return RunOut(**run_assessment(engine(request), req, who.name).__dict__)


@router.get("/runs", response_model=Page[RunOut], summary="Assessment runs, newest first")
def runs(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)]) -> Page[RunOut]:
    total, found = list_runs(engine(request), page.limit, page.offset)
    return page.answer(total, found)


@router.get("/runs/{run_id}", response_model=RunOut, summary="One run: rule set, period, data cutoff, who, when")
def run(request: Request, who: Reader, run_id: Id) -> RunOut:
    return RunOut(**get_run(engine(request), run_id).__dict__)


@router.get("/runs/{run_id}/levels", response_model=Page[RunLevelOut], responses=CSV_CONTENT,
            summary="A run's levels, reasons and indicator values")
def levels(request: Request, who: Reader, run_id: Id, page: Annotated[Paging, Depends(paging)],
           date: Annotated[dt.date | None, Query(description="Only this day")] = None,
           level: Annotated[str | None, Query(max_length=64)] = None,
           format: TableFormat | None = None):  # noqa: A002
    query = run_levels(get_run(engine(request), run_id), date, who.areas, level)  # 404 when there is no such run
    with reading(engine(request)) as connection:
        total, items = page.read(connection, query)
    if wants(request, format) == "csv":
        return csv_response(items, total)
    return page.answer(total, items)


@router.get("/runs/{run_id}/periods", response_model=Page[RunPeriodOut], responses=CSV_CONTENT,
            summary="A run's levels as periods: each unit's runs of days at one level, with the reason and "
                    "indicator values of each period's first day")
def periods(request: Request, who: Reader, run_id: Id, page: Annotated[Paging, Depends(paging)],
            area: Annotated[str | None, Query(max_length=64, description="Only this unit")] = None,
            level: Annotated[str | None, Query(max_length=64)] = None,
            format: TableFormat | None = None):  # noqa: A002
    get_run(engine(request), run_id)  # 404 when there is no such run
    if area is not None:
        require_areas(who, area)
    query = run_periods(run_id, [area] if area is not None else who.areas, level)
    with reading(engine(request)) as connection:
        total, items = page.read(connection, query)
    if wants(request, format) == "csv":
        return csv_response(items, total)
    return page.answer(total, items)


@router.get("/runs/{run_id}/explanation", response_model=ExplanationOut,
            summary="Why a unit got its level on a day of the run: indicators and every clause")
def explanation(request: Request, who: Reader, run_id: Id, area: Annotated[str, Query(max_length=64)],
                date: dt.date, lang: Annotated[str, Query(pattern="^(en|zh)$")] = "en") -> ExplanationOut:
    require_areas(who, area)
    db = engine(request)
    with reading(db) as connection:
        known = connection.execute(run_level_on(run_id, date, [area])).first()
    if known is None:
        get_run(db, run_id)
        raise HTTPException(404, f"run {run_id} has no level of area {area!r} on {date}")
    return explanation_out(run_id, explain_run(db, run_id, area, date, lang))


@router.post("/runs/{run_id}/publish", response_model=AnnouncementOut, status_code=201,
             summary="Publish the run's levels on a date; answers the announcement (200 if it was already published)")
def publish_run(request: Request, run_id: Id, body: PublishIn, who: Publisher, response: Response) -> AnnouncementOut:
    done = publish(engine(request), run_id, body.date, who.name, body.effective_date)
    response.status_code = 201 if done.created else 200
    return AnnouncementOut(**done.announcement.__dict__)
