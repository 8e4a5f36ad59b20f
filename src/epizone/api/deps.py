"""Request dependencies: the engine, who is calling (bearer token), access checks, scope, paging, formats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from epizone.store.access import PUBLIC, SCOPED_ROLES, allowed, subtree
from epizone.store.db import reading
from epizone.store.tokens import Principal, TokenError, verify_token

bearer = HTTPBearer(auto_error=False, description="A token from `epizone db tokens create USER` or `POST /api/v1/tokens`")
CHALLENGE = {"WWW-Authenticate": "Bearer"}
MAX_LIMIT = 10_000
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="A number the service gave")]


def engine(request: Request) -> Engine:
    return request.app.state.engine


def caller(request: Request,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal | None:
    """The token's user, or None for an anonymous call; 401 for a token that is not accepted."""
    if credentials is None:
        return None
    try:
        return verify_token(engine(request), credentials.credentials)
    except TokenError as exc:
        raise HTTPException(401, str(exc), headers=CHALLENGE) from None


def require(action: str) -> Callable[..., Principal | None]:
    """A dependency that lets the call through when the caller may do ``action``: 401 or 403 otherwise."""

    def check(request: Request, who: Annotated[Principal | None, Depends(caller)]) -> Principal | None:
        if who is None:
            if request.app.state.settings.public_read and action in PUBLIC:
                return None
            raise HTTPException(401, "authentication required: send the header Authorization: Bearer <token>",
                                headers=CHALLENGE)
        if not allowed(who.role, action):
            raise HTTPException(403, f"the {who.role} role may not {action.replace('_', ' ')}")
        return who

    check.__name__ = f"require_{action}"
    return check


def scope_of(request: Request, who: Principal | None) -> set[str] | None:
    """The area codes a scoped caller may see (None: every area)."""
    if who is None or who.role not in SCOPED_ROLES:
        return None
    if who.scope_area_code is None:
        return set()
    with reading(engine(request)) as connection:
        return subtree(connection, who.scope_area_code)


def check_scope(scope: Collection[str] | None, *codes: str) -> None:
    outside = [code for code in codes if scope is not None and code not in scope]
    if outside:
        raise HTTPException(403, f"area {', '.join(outside)} is outside your scope")


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


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
