"""Supervision of the ten standing duties: the checklist, inspections and their findings, deficiencies with
follow-up, compliance by area and duty, and inspections due after a level rose."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from epizone.api.deps import Id, Paging, TableFormat, acting, engine, paging
from epizone.api.ops.deps import AreaQ, AreaReader, DateQ, EndQ, Reader, StartQ, area_filter, day, labelled, \
    load_areas, paged
from epizone.api.ops.schemas import (CloseIn, ComplianceOut, DueOut, FindingOut, InspectionDetailOut, InspectionOut,
                                     ItemIn, ItemOut, ItemPatch, OpsList, OpsPage, notice)
from epizone.api.render import CSV_CONTENT
from epizone.ops import checklist
from epizone.ops import inspections as inspecting
from epizone.domain.access import Actor
from epizone.store.db import reading

router = APIRouter(prefix="/ops", tags=["operations: duties"])
Inspector = Annotated[Actor, Depends(acting("ops_inspect"))]


@router.get("/duties", response_model=OpsList[ItemOut], summary="The checklist: the ten duties and their items")
def duties(request: Request, who: Reader,
           active: Annotated[bool, Query(description="Only the items in use")] = False) -> OpsList[ItemOut]:
    return OpsList[ItemOut](items=[i.__dict__ for i in checklist.list_items(engine(request), active)])


@router.post("/duties/items", response_model=ItemOut, status_code=201, summary="Add a checklist item (audited)")
def add_item(request: Request, body: ItemIn, who: Inspector) -> ItemOut:
    return ItemOut(**checklist.add_item(engine(request), who, body.duty_code, body.text_zh, body.text_en,
                                        body.code).__dict__)


@router.patch("/duties/items/{code}", response_model=ItemOut,
              summary="Reword a checklist item or switch it off (active: false) (audited)")
def edit_item(request: Request, code: str, body: ItemPatch, who: Inspector) -> ItemOut:
    return ItemOut(**checklist.edit_item(engine(request), who, code, body.text_zh, body.text_en,
                                         body.active).__dict__)


@router.get("/inspections", response_model=OpsPage[InspectionOut], responses=CSV_CONTENT,
            summary="Inspections, newest first")
def list_inspections(request: Request, who: AreaReader, page: Annotated[Paging, Depends(paging)], area: AreaQ = None,
                     start: StartQ = None, end: EndQ = None, format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, inspecting.inspections(codes, start, end), page, format)


@router.get("/inspections/{inspection_id}", response_model=InspectionDetailOut,
            summary="One inspection with its findings")
def get_inspection(request: Request, inspection_id: Id, who: AreaReader) -> InspectionDetailOut:
    with reading(engine(request)) as connection:
        row = connection.execute(inspecting.inspections().where(
            inspecting.Inspection.id == inspection_id)).first()
        if row is None:
            raise HTTPException(404, f"no inspection with id {inspection_id}")
        if not who.sees_area(row.area_code):
            raise HTTPException(403, f"inspection {inspection_id} (area {row.area_code}) is outside your scope")
        found = [r._asdict() for r in connection.execute(inspecting.findings().where(
            inspecting.Finding.inspection_id == inspection_id))]
    return InspectionDetailOut(**row._asdict(), findings=found, notice=notice(row.synthetic))


@router.get("/deficiencies", response_model=OpsPage[FindingOut], responses=CSV_CONTENT,
            summary="Deficiencies found by a date: open, overdue (open past their deadline), closed or all; "
                    "oldest deadline first")
def deficiencies(request: Request, who: AreaReader, page: Annotated[Paging, Depends(paging)], date: DateQ = None,
                 area: AreaQ = None, state: Literal["open", "overdue", "closed", "all"] = "open",
                 format: TableFormat | None = None):  # noqa: A002
    codes = area_filter(load_areas(request), who, area)
    return paged(request, inspecting.deficiencies(codes, day(date), state), page, format)


@router.post("/deficiencies/{finding_id}/close", response_model=FindingOut,
             summary="Follow-up: the deficiency was remedied (audited)")
def close_deficiency(request: Request, finding_id: Id, body: CloseIn, who: Inspector) -> FindingOut:
    return FindingOut(**inspecting.close(engine(request), who, finding_id, body.date, body.note))


@router.get("/compliance", response_model=OpsList[ComplianceOut], responses=CSV_CONTENT,
            summary="Findings of a period per county and duty, with the compliance rate")
def compliance(request: Request, who: AreaReader, area: AreaQ = None, start: StartQ = None, end: EndQ = None,
               format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = inspecting.compliance(connection, areas, codes, start, end)
    return labelled(request, rows, format)


@router.get("/dues", response_model=OpsList[DueOut], responses=CSV_CONTENT,
            summary="Inspections due because an area's published level rose: done, pending or overdue on a date")
def dues(request: Request, who: AreaReader, date: DateQ = None, area: AreaQ = None,
         state: Literal["done", "pending", "overdue"] | None = None,
         due_days: Annotated[int | None, Query(ge=0, le=365, description="Days allowed after a rise "
                                                                         "(default: duties.yaml)")] = None,
         format: TableFormat | None = None):  # noqa: A002
    areas = load_areas(request)
    codes = area_filter(areas, who, area)
    with reading(engine(request)) as connection:
        rows = [d.__dict__ for d in inspecting.dues(connection, areas, day(date), codes, due_days)
                if state is None or d.state == state]
    return labelled(request, rows, format)

