"""Announcements (read, retract) and the measures catalogue (read, edit)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from fastapi.responses import JSONResponse

from epizone.api.caching import immutable
from epizone.api.deps import Id, Paging, TableFormat, acting, engine, paging, wants
from epizone.api.export import csv_chunks, streamed
from epizone.api.render import CSV_CONTENT, CSV_TYPE, TEXT_CONTENT, text_response
from epizone.api.models import Page
from epizone.api.core.schemas import AnnouncementOut, ChangeOut, MeasureIn, MeasureOut, MeasurePatch, RetractIn
from epizone.domain.access import Actor
from epizone.store.changes import CHANGE_COLUMNS, as_row, changes_of
from epizone.store.measures import add_measure, edit_measure, list_measures, remove_measure
from epizone.store.publish import get_announcement, list_announcements, retract

router = APIRouter()
Reader = Annotated[Actor, Depends(acting("read_announcements"))]
Publisher = Annotated[Actor, Depends(acting("publish"))]
Editor = Annotated[Actor, Depends(acting("edit_measures"))]


@router.get("/announcements", response_model=Page[AnnouncementOut], tags=["announcements"],
            summary="Announcements, newest first")
def announcements(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)],
                  kind: Literal["publish", "retraction"] | None = None) -> Page[AnnouncementOut]:
    total, found = list_announcements(engine(request), page.limit, page.offset, kind)
    return page.answer(total, found)


@router.get("/announcements/{number}", response_model=AnnouncementOut, responses=TEXT_CONTENT,
            tags=["announcements"], summary="One announcement: JSON, or its text with ?format=text&lang=zh|en")
def announcement(request: Request, who: Reader, number: Id,
                 format: Literal["json", "text"] = "json",  # noqa: A002
                 lang: Annotated[str, Query(pattern="^(en|zh)$")] = "en"):
    found = get_announcement(engine(request), number)
    if format == "text":
        return text_response(found.text_zh if lang == "zh" else found.text_en)
    return AnnouncementOut(**found.__dict__)


@router.get("/announcements/{number}/changes", response_model=list[ChangeOut], responses=CSV_CONTENT,
            tags=["announcements"], summary="Every change of an announcement (its attachment): JSON or CSV; "
                                            "cached as immutable")
def announcement_changes(request: Request, who: Reader, number: Id, format: TableFormat | None = None):  # noqa: A002
    found = get_announcement(engine(request), number)
    lines = changes_of(engine(request), found)
    if wants(request, format) == "csv":
        return streamed(request, csv_chunks((as_row(line).values() for line in lines), CHANGE_COLUMNS), CSV_TYPE,
                        {**immutable(), "X-Total-Count": str(len(lines))})
    return JSONResponse(lines, headers=immutable())


@router.post("/announcements/{number}/retract", response_model=AnnouncementOut, status_code=201,
             tags=["announcements"], summary="Withdraw a publication with a new retraction announcement")
def retract_announcement(request: Request, number: Id, body: RetractIn, who: Publisher) -> AnnouncementOut:
    return AnnouncementOut(**retract(engine(request), number, who.name, body.reason).__dict__)


@router.get("/measures", response_model=Page[MeasureOut], tags=["measures"],
            summary="The measures per rule set and level")
def measures(request: Request, who: Reader, page: Annotated[Paging, Depends(paging)],
             rule_set: Annotated[str | None, Query(max_length=100)] = None,
             level: Annotated[str | None, Query(max_length=64)] = None) -> Page[MeasureOut]:
    found = list_measures(engine(request), rule_set, level)
    return page.cut(found)


@router.post("/measures", response_model=MeasureOut, status_code=201, tags=["measures"], summary="Add a measure")
def new_measure(request: Request, body: MeasureIn, who: Editor) -> MeasureOut:
    return MeasureOut(**add_measure(engine(request), body.rule_set_id, body.level, body.text_zh, body.text_en,
                                    who.name, body.position, body.source).__dict__)


@router.patch("/measures/{measure_id}", response_model=MeasureOut, tags=["measures"], summary="Change a measure")
def change_measure(request: Request, measure_id: Id, body: MeasurePatch, who: Editor) -> MeasureOut:
    return MeasureOut(**edit_measure(engine(request), measure_id, who.name, body.text_zh, body.text_en, body.position,
                                     body.source).__dict__)


@router.delete("/measures/{measure_id}", response_model=MeasureOut, tags=["measures"],
               summary="Remove a measure (answers it as it was)")
def delete_measure(request: Request, measure_id: Id, who: Editor) -> MeasureOut:
    return MeasureOut(**remove_measure(engine(request), measure_id, who.name).__dict__)
