"""Work resumption: the catalogue (policies per level, sectors, ...), imports of every operations kind, the
enterprise registry and each enterprise's status, daily reports, bottlenecks, resumption figures, flags and
enterprise accounts."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from epizone.api.deps import Id, Paging, TableFormat, acting, admit, caller, engine, paging
from epizone.api.ops.deps import (AreaQ, DateQ, EndQ, Reader, StartQ, area_filter, day, labelled, load_areas,
                                  paged)
from epizone.api.ops.schemas import (AccountIn, BottleneckCount, Category, AccountOut, BottleneckOut, CatalogueOut, EnterpriseOut,
                                     EnterprisePatch, EnterpriseStatusOut, FlagOut, ImportOpsOut, OpsList, OpsPage,
                                     ReopenIn, ReportOut, ResolveIn, ResumptionOut, notice)
from epizone.api.render import CSV_CONTENT
from epizone.api.models import Page
from epizone.api.models import IMPORT_ERRORS, RowsIn
from epizone.ops import checklist, enterprises, figures, policy, reports, supplies
from epizone.domain.access import Actor
from epizone.ops.areas import current_areas
from epizone.domain.errors import InvalidInput
from epizone.ops.imports import import_ops
from epizone.ops.writes import ImportSummary
from epizone.store.db import reading

router = APIRouter(prefix="/ops", tags=["operations: resumption"])
OpsKind = Literal["enterprises", "reports", "inspections", "facilities", "supplies"]
CHUNK = 1 << 20


@router.get("/catalogue", response_model=CatalogueOut,
            summary="What each level allows (per rule set), sectors, size classes, statuses, bottleneck categories, "
                    "supply items, facility kinds, thresholds")
def catalogue(who: Reader) -> CatalogueOut:
    def texts(labels: dict) -> list[dict]:
        return [{"id": k, "zh": v.zh, "en": v.en} for k, v in labels.items()]
    shipped = supplies.settings()
    return CatalogueOut(
        policies=[p.__dict__ for p in policy.policies()], permissions=texts(policy.permissions()),
        sectors=[{"id": s.id, "zh": s.zh, "en": s.en, "essential": s.essential} for s in policy.sectors().values()],
        size_classes=texts(policy.size_classes()), statuses=texts(policy.statuses()),
        bottleneck_categories=texts(policy.categories()),
        supply_items=[{k: i[k] for k in ("id", "zh", "en", "unit")} for i in shipped["items"]],
        facility_kinds=[{k: i[k] for k in ("id", "zh", "en")} for i in shipped["facility_kinds"]],
        alert_days=shipped["alert_days"], window_days=shipped["window_days"], due_days=checklist.settings()["due_days"])


def _actor(request: Request, who: Actor | None) -> Actor:
    return admit(request, who, "ops_read")


def _out(summary: ImportSummary) -> ImportOpsOut:
    return ImportOpsOut(kind=summary.kind, file=summary.file, rows_read=summary.rows_read, new=summary.new,
                        changed=summary.changed, unchanged=summary.unchanged, extra=summary.extra,
                        wrote=summary.wrote)


@router.post("/imports/{kind}", response_model=ImportOpsOut, status_code=201, responses=IMPORT_ERRORS,
             summary="Import a CSV or Parquet file of enterprises, reports, inspections, facilities or supplies "
                     "(201: something changed; 200: nothing did)")
async def import_upload(request: Request, kind: OpsKind, response: Response,
                        who: Annotated[Actor | None, Depends(caller)],
                        file: Annotated[UploadFile, File(description="CSV, or Parquet when the name ends in .parquet")],
                        ) -> ImportOpsOut:
    actor = await run_in_threadpool(_actor, request, who)
    name = re.sub(r"[^\w.\-]", "_", Path(file.filename or f"{kind}.csv").name)[:200].lstrip(".") or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="epizone-ops-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            while block := await file.read(CHUNK):
                handle.write(block)
        summary = await run_in_threadpool(import_ops, engine(request), kind, path, actor, name)
    response.status_code = 201 if summary.wrote else 200
    return _out(summary)


@router.post("/imports/{kind}/rows", response_model=ImportOpsOut, status_code=201, responses=IMPORT_ERRORS,
             summary="Import records given as JSON objects with the file's columns (line N in a problem is rows[N-1])")
def import_rows(request: Request, kind: OpsKind, body: RowsIn, response: Response,
                who: Annotated[Actor | None, Depends(caller)]) -> ImportOpsOut:
    actor = _actor(request, who)
    summary = import_ops(engine(request), kind, body.rows, actor, body.name)
    response.status_code = 201 if summary.wrote else 200
    return _out(summary)


@router.get("/enterprises", response_model=OpsPage[EnterpriseOut], responses=CSV_CONTENT,
            summary="The enterprise registry (an enterprise account sees its own enterprise only)")
def list_enterprises(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                     sector: Annotated[str | None, Query(max_length=32)] = None,
                     size_class: Annotated[str | None, Query(max_length=16)] = None,
                     key: Annotated[bool | None, Query(description="Only key enterprises (true) or others")] = None,
                     q: Annotated[str | None, Query(max_length=100, description="Part of a name or code")] = None,
                     format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, enterprises.registry(who, codes, sector, size_class, key, q), page, format)


def _enterprise(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "id"}


@router.get("/enterprises/{code}", response_model=EnterpriseOut, summary="One enterprise")
def get_enterprise(request: Request, who: Reader, code: str) -> EnterpriseOut:
    with reading(engine(request)) as connection:
        return EnterpriseOut(**_enterprise(enterprises.find(connection, who, code)))


@router.patch("/enterprises/{code}", response_model=EnterpriseOut,
              summary="Change an enterprise, e.g. record that its prevention plan was approved (audited)")
def change_enterprise(request: Request, code: str, body: EnterprisePatch,
                      who: Annotated[Actor, Depends(acting("ops_register"))]) -> EnterpriseOut:
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    if not changes:
        raise InvalidInput("nothing to change: give at least one field")
    nulls = [k for k, v in changes.items() if v is None and k != "plan_approved_on"]
    if nulls:
        raise InvalidInput(f"{', '.join(sorted(nulls))}: expected a value, not null")
    return EnterpriseOut(**_enterprise(enterprises.change(engine(request), who, code, changes)))


@router.get("/enterprises/{code}/status", response_model=EnterpriseStatusOut,
            summary="What the enterprise's area level allows on a date, whether it may operate, its latest report, "
                    "the flag if it operates beyond the level, its open bottlenecks")
def enterprise_status(request: Request, who: Reader, code: str, date: DateQ = None) -> EnterpriseStatusOut:
    with reading(engine(request)) as connection:
        status = figures.enterprise_status(connection, current_areas(connection), who, code, day(date))
    return EnterpriseStatusOut(**status, notice=notice(status["synthetic"]))


@router.get("/reports", response_model=OpsPage[ReportOut], responses=CSV_CONTENT,
            summary="Daily resumption reports, oldest first")
def list_reports(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                 enterprise: Annotated[str | None, Query(max_length=64)] = None, start: StartQ = None,
                 end: EndQ = None, status: Literal["closed", "partial", "full"] | None = None,
                 format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, reports.reports(who, codes, enterprise, start, end, status), page, format)


@router.get("/bottlenecks", response_model=OpsPage[BottleneckOut], responses=CSV_CONTENT,
            summary="Bottlenecks, oldest first: open (as of a date when given), resolved, or all")
def list_bottlenecks(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                     category: Category | None = None,
                     state: Literal["open", "resolved", "all"] = "open",
                     date: Annotated[dt.date | None, Query(description="As of this date (default: now)")] = None,
                     enterprise: Annotated[str | None, Query(max_length=64)] = None,
                     format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, reports.bottlenecks(who, codes, category, state, date, enterprise), page, format)


@router.get("/bottlenecks/summary", response_model=OpsList[BottleneckCount], responses=CSV_CONTENT,
            summary="Open bottlenecks counted per county and category, as of a date; the county with most first")
def bottleneck_summary(request: Request, who: Reader, area: AreaQ = None,
                       date: Annotated[dt.date | None, Query(description="As of this date (default: now)")] = None,
                       format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = [r._asdict() for r in connection.execute(reports.bottlenecks(who, codes, date=date))]
    return labelled(request, figures.bottleneck_summary(rows, areas), format)


@router.post("/bottlenecks/{bottleneck_id}/resolve", response_model=BottleneckOut,
             summary="An officer marks a bottleneck resolved (audited)")
def resolve_bottleneck(request: Request, bottleneck_id: Id, body: ResolveIn,
                       who: Annotated[Actor, Depends(acting("ops_resolve"))]) -> BottleneckOut:
    return BottleneckOut(**reports.resolve(engine(request), who, bottleneck_id, body.date, body.note))


@router.post("/bottlenecks/{bottleneck_id}/reopen", response_model=BottleneckOut,
             summary="Open a resolved bottleneck again (audited)")
def reopen_bottleneck(request: Request, bottleneck_id: Id, body: ReopenIn,
                      who: Annotated[Actor, Depends(acting("ops_resolve"))]) -> BottleneckOut:
    return BottleneckOut(**reports.reopen(engine(request), who, bottleneck_id, body.note))


@router.get("/resumption", response_model=OpsList[ResumptionOut], responses=CSV_CONTENT,
            summary="Resumption rates (enterprises and workforce) by county, city, sector or size class, day by day")
def resumption(request: Request, who: Reader, start: dt.date, end: Annotated[dt.date | None, Query(
                   description="Default: start")] = None, area: AreaQ = None,
               by: Literal["county", "city", "sector", "size_class", "total"] = "county",
               sector: Annotated[str | None, Query(max_length=32)] = None,
               size_class: Annotated[str | None, Query(max_length=16)] = None,
               key: Annotated[bool | None, Query(description="Only key enterprises (true) or others")] = None,
               format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = figures.resumption(connection, areas, who, start, end or start, by, codes, sector, size_class, key)
    return labelled(request, rows, format)


@router.get("/flags", response_model=OpsList[FlagOut], responses=CSV_CONTENT,
            summary="Enterprises operating on a date beyond what their area's level allows")
def flags(request: Request, who: Reader, date: DateQ = None, area: AreaQ = None,
          format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = figures.flags(connection, areas, who, day(date), codes)
    return labelled(request, rows, format)


Admin = Annotated[Actor, Depends(acting("ops_accounts"))]


@router.get("/accounts", response_model=Page[AccountOut], summary="Users who act for one enterprise")
def accounts(request: Request, who: Admin, page: Annotated[Paging, Depends(paging)]) -> Page[AccountOut]:
    found = enterprises.list_accounts(engine(request))
    return page.cut(found)


@router.post("/accounts", response_model=AccountOut, status_code=201,
             summary="Link a reporter to one enterprise: from now on it acts for that enterprise only")
def link(request: Request, body: AccountIn, who: Admin) -> AccountOut:
    return AccountOut(**enterprises.link_account(engine(request), who, body.user, body.enterprise_code).__dict__)


@router.delete("/accounts/{user}", response_model=AccountOut, summary="Unlink a user from their enterprise")
def unlink(request: Request, user: str, who: Admin) -> AccountOut:
    return AccountOut(**enterprises.unlink_account(engine(request), who, user).__dict__)

