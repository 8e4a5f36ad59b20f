"""Dependencies of the operations endpoints: readers (any caller, or area-wide data), area filters,
answers labelled synthetic, CSV with the label in a header."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from sqlalchemy import Select

from epizone.api.deps import Paging, acting, engine, today, wants
from epizone.api.ops.schemas import any_synthetic, notice
from epizone.api.render import csv_response
from epizone.domain.access import Actor, require_areas
from epizone.domain.errors import NotFound
from epizone.ops.areas import Areas, current_areas
from epizone.ops.overview import scoped
from epizone.store.db import reading

SYNTHETIC_HEADER = "X-Synthetic"
NOTICE_HEADER = "X-Synthetic-Notice"
HEADER_NOTICE = "generated demo data (scripts/build_ops_demo.py), not real"


Reader = Annotated[Actor, Depends(acting("ops_read"))]
AreaReader = Annotated[Actor, Depends(acting("ops_read_area_data"))]
AreaQ = Annotated[str | None, Query(max_length=64, description="Only this area and the areas below it")]
DateQ = Annotated[dt.date | None, Query(description="Default: today (UTC)")]
StartQ = Annotated[dt.date | None, Query(description="From this date")]
EndQ = Annotated[dt.date | None, Query(description="To this date")]


def area_filter(areas: Areas, actor: Actor, area: str | None) -> set[str] | None:
    """The area codes a list is limited to: the actor's scope, narrowed to ``area``'s subtree when given
    (404 for an unknown area, 403 outside the scope)."""
    if area is None:
        return None if actor.areas is None else set(actor.areas)
    if area not in areas:
        raise NotFound(f"no area with code {area!r}")
    require_areas(actor, area)
    return scoped(actor, areas.subtree(area))


def load_areas(request: Request) -> Areas:
    with reading(engine(request)) as connection:
        return current_areas(connection)


def day(date: dt.date | None) -> dt.date:
    return date or today()


def labelled(request: Request, items: list[dict[str, Any]], format: str | None, total: int | None = None,  # noqa: A002
             page: Paging | None = None) -> Response | dict[str, Any]:
    """A list as JSON (with ``synthetic`` and ``notice``) or as CSV (``X-Synthetic`` header, a column per row)."""
    synthetic = any_synthetic(items)
    if wants(request, format) == "csv":
        response = csv_response(items, total if total is not None else len(items))
        response.headers[SYNTHETIC_HEADER] = "true" if synthetic else "false"
        if synthetic:
            response.headers[NOTICE_HEADER] = HEADER_NOTICE
        return response
    body: dict[str, Any] = {"items": items, "synthetic": synthetic, "notice": notice(synthetic)}
    if page is not None:
        body.update(total=total, limit=page.limit, offset=page.offset)
    return body


def paged(request: Request, query: Select, page: Paging, format: str | None) -> Response | dict[str, Any]:  # noqa: A002
    with reading(engine(request)) as connection:
        total, items = page.read(connection, query)
    return labelled(request, items, format, total, page)
