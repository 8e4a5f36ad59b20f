"""Front-line medical supplies: facilities, their daily supply reports, days of supply left, alerts; and the
officer's overview of an area on a date."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from epizone.api.deps import Paging, TableFormat, engine, paging
from epizone.api.ops.deps import AreaQ, AreaReader, DateQ, EndQ, StartQ, area_filter, day, labelled, load_areas, paged
from epizone.api.ops.schemas import FacilityOut, OpsList, OpsPage, OverviewOut, StandingOut, SupplyReportOut
from epizone.api.render import CSV_CONTENT
from epizone.ops import supplies
from epizone.ops.overview import overview as area_overview
from epizone.store.db import reading

router = APIRouter(prefix="/ops", tags=["operations: supplies"])
overview_router = APIRouter(prefix="/ops", tags=["operations: overview"])
By = Literal["county", "facility", "total"]


@router.get("/facilities", response_model=OpsPage[FacilityOut], responses=CSV_CONTENT,
            summary="Hospitals and clinics whose supplies are tracked")
def facilities(request: Request, who: AreaReader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
               format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, supplies.facilities(codes), page, format)


@router.get("/supplies", response_model=OpsPage[SupplyReportOut], responses=CSV_CONTENT,
            summary="Daily supply reports: stock at the end of the day, used, received")
def supply_reports(request: Request, who: AreaReader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                   facility: Annotated[str | None, Query(max_length=64)] = None, start: StartQ = None,
                   end: EndQ = None, item: Annotated[str | None, Query(max_length=32)] = None,
                   format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, supplies.reports(codes, facility, start, end, item), page, format)


@router.get("/supplies/standing", response_model=OpsList[StandingOut], responses=CSV_CONTENT,
            summary="Stock, daily use and days of supply left per county, facility or in all, on a date")
def standing(request: Request, who: AreaReader, date: DateQ = None, area: AreaQ = None, by: By = "county",
             format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = supplies.standing(connection, areas, day(date), codes, by)
    return labelled(request, rows, format)


@router.get("/supplies/alerts", response_model=OpsList[StandingOut], responses=CSV_CONTENT,
            summary="Areas (or facilities) and items with fewer days of supply left than the threshold, worst first")
def alerts(request: Request, who: AreaReader, date: DateQ = None, area: AreaQ = None, by: By = "county",
           days: Annotated[float | None, Query(ge=0, le=3650, description="Threshold in days "
                                                                         "(default: supplies.yaml)")] = None,
           format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = supplies.alerts(connection, areas, day(date), days, codes, by)
    return labelled(request, rows, format)


@overview_router.get("/overview/{area}", response_model=OverviewOut,
                     summary="An officer's overview of an area on a date: level, what it allows, resumption, "
                             "bottlenecks, inspections, supplies")
def overview(request: Request, area: str, who: AreaReader, date: DateQ = None,
             alert_days: Annotated[float | None, Query(ge=0, le=3650, description="Supply alert threshold "
                                                                                 "(default: supplies.yaml)")] = None,
             ) -> OverviewOut:
    with reading(engine(request)) as connection:
        return OverviewOut(**area_overview(connection, who, area, day(date), alert_days))
