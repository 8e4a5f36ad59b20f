"""Data submission (a file, or JSON rows) through the store's importer, and reading the reports back.

Areas need the import_areas right; cases and counts the submit_reports right, and a reporter's file may
only hold areas in their scope (403 otherwise, nothing written). Bad rows: 422 listing each problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from epizone.api.deps import Paging, TableFormat, acting, admit, caller, engine, naive, paging, wants
from epizone.api.render import CSV_CONTENT, csv_response
from epizone.api.models import Page
from epizone.api.core.schemas import CaseReportOut, CountReportOut, ImportOut
from epizone.api.models import IMPORT_ERRORS, RowsIn
from epizone.domain.access import Actor, require_areas
from epizone.domain.problems import InputError
from epizone.domain.values import as_text
from epizone.store.db import reading
from epizone.store.imports import ImportResult, import_file
from epizone.store.queries import HISTORY
from epizone.store.revisions import KINDS, known_at

router = APIRouter(tags=["data"])
Kind = Literal["areas", "cases", "counts"]
CHUNK = 1 << 20


def _who_may_import(request: Request, kind: Kind, who: Actor | None) -> Actor:
    return admit(request, who, "import_areas" if kind == "areas" else "submit_reports")


def _run_import(request: Request, kind: Kind, path: Path, name: str, who: Actor,
                response: Response) -> ImportResult:
    result = import_file(engine(request), kind, path, who.name, name=name, allowed_areas=who.areas)
    response.status_code = 201 if result.changed else 200
    return result


def _out(result: ImportResult) -> ImportOut:
    return ImportOut(**result.__dict__, changed=result.changed)


@router.post("/imports/{kind}", response_model=ImportOut, status_code=201, responses=IMPORT_ERRORS,
             summary="Import a CSV or Parquet file (201: imported; 200: nothing changed)")
async def import_upload(request: Request, kind: Kind, response: Response,
                        who: Annotated[Actor | None, Depends(caller)],
                        file: Annotated[UploadFile, File(description="CSV, or Parquet when the name ends in .parquet")],
                        ) -> ImportOut:
    principal = _who_may_import(request, kind, who)
    name = _safe_name(file.filename or f"{kind}.csv")
    with tempfile.TemporaryDirectory(prefix="epizone-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            while block := await file.read(CHUNK):
                handle.write(block)
        result = await run_in_threadpool(_run_import, request, kind, path, name, principal, response)
    return _out(result)


@router.post("/imports/{kind}/rows", response_model=ImportOut, status_code=201, responses=IMPORT_ERRORS,
             summary="Import records given as JSON objects (line N in a problem is rows[N-1])")
def import_rows(request: Request, kind: Kind, body: RowsIn, response: Response,
                who: Annotated[Actor | None, Depends(caller)]) -> ImportOut:
    principal = _who_may_import(request, kind, who)
    columns = list(dict.fromkeys(key for row in body.rows for key in row))
    with tempfile.TemporaryDirectory(prefix="epizone-rows-") as folder:
        path = Path(folder) / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in body.rows:
                writer.writerow([as_text(row.get(c)) for c in columns])
        try:
            result = _run_import(request, kind, path, body.name, principal, response)
        except InputError as exc:  # CSV line n is rows[n - 2]: say rows position n - 1 instead
            raise InputError([p.__class__(p.file, max(p.line - 1, 0), p.column, p.column_number, p.value,
                                          p.expected, p.more) for p in exc.problems]) from None
    return _out(result)


def _safe_name(name: str) -> str:
    base = re.sub(r"[^\w.\-]", "_", Path(name).name)[:200].lstrip(".")
    return base or "upload.csv"


Reader = Annotated[Actor, Depends(acting("read_data"))]


def _reports(request: Request, who: Actor, kind: str, page: Paging, area: str | None,
             start: dt.date | None, end: dt.date | None, moment: dt.datetime | None, format: str | None,  # noqa: A002
             model: type) -> Any:
    record = KINDS[kind]
    table = record.table
    date_column = table.c.report_date if kind == "cases" else table.c.date
    scope = who.areas
    if area is not None:
        require_areas(who, area)
    query = select(*(table.c[n] for n in (*record.columns, *HISTORY))).where(known_at(record, naive(moment)))
    if area is not None:
        query = query.where(table.c.area_code == area)
    if scope is not None:
        query = query.where(table.c.area_code.in_(sorted(scope)))
    if start is not None:
        query = query.where(date_column >= start)
    if end is not None:
        query = query.where(date_column <= end)
    with reading(engine(request)) as connection:
        total, rows = page.read(connection, query.order_by(*(table.c[k] for k in record.key)))
    if wants(request, format) == "csv":
        return csv_response(rows, total)
    return page.answer(total, rows)


AreaQ = Annotated[str | None, Query(max_length=64, description="Only this area")]
StartQ = Annotated[dt.date | None, Query(description="From this date")]
EndQ = Annotated[dt.date | None, Query(description="To this date")]
AsOfQ = Annotated[dt.datetime | None, Query(description="As known at this moment (default: now)")]


@router.get("/reports/cases", response_model=Page[CaseReportOut], responses=CSV_CONTENT,
            summary="The case line list as known at a moment")
def case_reports(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                 start: StartQ = None, end: EndQ = None, as_of: AsOfQ = None,
                 format: TableFormat | None = None):  # noqa: A002
    return _reports(request, who, "cases", page, area, start, end, as_of, format, CaseReportOut)


@router.get("/reports/counts", response_model=Page[CountReportOut], responses=CSV_CONTENT,
            summary="The daily counts as known at a moment")
def count_reports(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                  start: StartQ = None, end: EndQ = None, as_of: AsOfQ = None,
                  format: TableFormat | None = None):  # noqa: A002
    return _reports(request, who, "counts", page, area, start, end, as_of, format, CountReportOut)
