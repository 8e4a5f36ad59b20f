"""Request dependencies: the engine, who is calling (bearer token), access checks, scope, paging, formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, Select, func, select

from epizone.domain.access import ANONYMOUS, Actor, action, require
from epizone.ops.access import actor_for
from epizone.store.db import reading
from epizone.store.tokens import TokenError, verify_token

bearer = HTTPBearer(auto_error=False, description="A token from `epizone db tokens create USER` or `POST /api/v1/tokens`")
CHALLENGE = {"WWW-Authenticate": "Bearer"}
MAX_LIMIT = 10_000
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="A number the service gave")]


def engine(request: Request) -> Engine:
    return request.app.state.engine


def caller(request: Request,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor | None:
    """The token's user as an Actor (scope and enterprise read once per request), or None for an anonymous call;
    401 for a token that is not accepted."""
    if credentials is None:
        return None
    try:
        who = verify_token(engine(request), credentials.credentials)
    except TokenError as exc:
        raise HTTPException(401, str(exc), headers=CHALLENGE) from None
    with reading(engine(request)) as connection:
        return actor_for(connection, who.name, who.role, who.scope_area_code)


def admit(request: Request, who: Actor | None, name: str) -> Actor:
    """``who`` when they may do action ``name``: 401 for an anonymous call the service does not take, 403
    (``require``) for a caller whose role, or enterprise account, does not allow it."""
    if who is None:
        if not (request.app.state.settings.public_read and action(name).public):
            raise HTTPException(401, "authentication required: send the header Authorization: Bearer <token>",
                                headers=CHALLENGE)
        who = ANONYMOUS
    require(who, name)
    return who


def acting(name: str) -> Callable[..., Actor]:
    """A dependency giving the caller as an Actor when they may do action ``name`` (``admit``)."""

    def check(request: Request, who: Annotated[Actor | None, Depends(caller)]) -> Actor:
        return admit(request, who, name)

    check.__name__ = f"acting_{name}"
    return check


@dataclass(frozen=True)
class Paging:
    """Which page of a list to answer: ``limit`` items from ``offset``."""

    limit: int
    offset: int

    def read(self, connection: Connection, query: Select, counted: Select | None = None,
             ) -> tuple[int, list[dict[str, Any]]]:
        """How many rows ``counted`` (default: ``query``) gives in all, and this page of ``query`` as dicts."""
        counted = query if counted is None else counted
        total = connection.scalar(select(func.count()).select_from(counted.order_by(None).subquery()))
        return total, [r._asdict() for r in connection.execute(query.limit(self.limit).offset(self.offset))]

    def answer(self, total: int, items: list[Any]) -> dict[str, Any]:
        """A page's answer (``Page``): the total, the paging and the items."""
        return {"total": total, "limit": self.limit, "offset": self.offset, "items": items}

    def cut(self, found: list[Any]) -> dict[str, Any]:
        """The page's answer for a list read whole."""
        return self.answer(len(found), found[self.offset:self.offset + self.limit])


def paging(limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 100,
           offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip")] = 0) -> Paging:
    return Paging(limit, offset)


def naive(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as the store keeps it: UTC without a zone (a naive one is taken as UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


TableFormat = Literal["json", "csv"]
MapFormat = Literal["json", "csv", "geojson"]


def wants(request: Request, format: str | None) -> str:  # noqa: A002
    """``?format=`` if given, else ``text/csv`` or ``application/geo+json`` in Accept, else json."""
    if format:
        return format
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "application/geo+json" in accept:
        return "geojson"
    return "json"
