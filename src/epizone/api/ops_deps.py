"""Dependencies of the operations endpoints: who acts (an ``Actor`` with scope and enterprise), area filters,
answers labelled synthetic, CSV with the label in a header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, Response
from sqlalchemy import Select, func, select

from epizone.api.deps import CHALLENGE, Paging, caller, engine, today, wants
from epizone.api.ops_schemas import any_synthetic, notice
from epizone.api.render import csv_response
from epizone.ops.access import Actor, actor_for, may
from epizone.ops.areas import Areas, current_areas
from epizone.ops.overview import scoped
from epizone.store.db import reading
from epizone.store.tokens import Principal

SYNTHETIC_HEADER = "X-Synthetic"
NOTICE_HEADER = "X-Synthetic-Notice"
HEADER_NOTICE = "generated demo data (scripts/build_ops_demo.py), not real"


def acting(action: str, area_data: bool = False) -> Callable[..., Actor]:
    """A dependency giving the caller as an Actor when they may do ``action``: 401 without a token, 403 otherwise.
    ``area_data``: the endpoint shows area-wide data, which an enterprise account may not read."""

    def check(request: Request, who: Annotated[Principal | None, Depends(caller)]) -> Actor:
        if who is None:
            raise HTTPException(401, "authentication required: send the header Authorization: Bearer <token>",
                                headers=CHALLENGE)
        with reading(engine(request)) as connection:
            actor = actor_for(connection, who.name, who.role, who.scope_area_code)
        if not may(actor, action) or (area_data and actor.is_enterprise):
            who_is = "an enterprise account" if actor.is_enterprise else f"the {actor.role} role"
            raise HTTPException(403, f"{who_is} may not {action.removeprefix('ops_').replace('_', ' ')}"
                                     f"{' area data' if area_data and actor.is_enterprise else ''}")
        return actor

    check.__name__ = f"acting_{action}"
    return check


Reader = Annotated[Actor, Depends(acting("ops_read"))]
AreaReader = Annotated[Actor, Depends(acting("ops_read", area_data=True))]
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
        raise HTTPException(404, f"no area with code {area!r}")
    if not actor.sees_area(area):
        raise HTTPException(403, f"area {area} is outside your scope")
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
        total = connection.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        items = [r._asdict() for r in connection.execute(query.limit(page.limit).offset(page.offset))]
    return labelled(request, items, format, total, page)
