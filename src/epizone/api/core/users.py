"""Users (admins), tokens (everyone their own; admins anyone's) and the audit log (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import select

from epizone.api.deps import Id, Paging, acting, engine, paging
from epizone.api.models import Page
from epizone.api.core.schemas import AuditOut, NewTokenOut, TokenIn, TokenOut, UserIn, UserOut, UserPatch
from epizone.domain.access import Actor, may
from epizone.store.audit import utc_now
from epizone.store.db import reading
from epizone.store.models import AuditEntry
from epizone.store.tokens import TokenInfo, create_token, get_token, list_tokens, revoke_token
from epizone.store.users import add_user, get_user, list_users, update_user

router = APIRouter(tags=["users"])
Admin = Annotated[Actor, Depends(acting("manage_users"))]
Anyone = Annotated[Actor, Depends(acting("own_tokens"))]


@router.get("/users/me", response_model=UserOut, summary="Who the token acts as")
def me(request: Request, who: Anyone) -> UserOut:
    return UserOut(**get_user(engine(request), who.name).__dict__)


@router.get("/users", response_model=Page[UserOut], summary="Every user")
def users(request: Request, who: Admin, page: Annotated[Paging, Depends(paging)]) -> Page[UserOut]:
    return page.cut(list_users(engine(request)))


@router.post("/users", response_model=UserOut, status_code=201, summary="Add a user")
def new_user(request: Request, body: UserIn, who: Admin) -> UserOut:
    return UserOut(**add_user(engine(request), body.name, body.role, body.scope_area_code, who.name).__dict__)


@router.patch("/users/{name}", response_model=UserOut, summary="Change another user's role, scope or disabled state")
def change_user(request: Request, name: str, body: UserPatch, who: Admin) -> UserOut:
    if name == who.name:
        raise HTTPException(403, "nobody changes their own role, scope or state: ask another admin")
    return UserOut(**update_user(engine(request), name, who.name, body.role, body.scope_area_code,
                                 body.disabled).__dict__)


def _token_out(info: TokenInfo) -> dict:
    return {**info.__dict__, "state": info.state}


@router.post("/tokens", response_model=NewTokenOut, status_code=201,
             summary="Create a token (for yourself; admins for anyone); the token is in this answer only")
def new_token(request: Request, body: TokenIn, who: Anyone) -> NewTokenOut:
    user = body.user or who.name
    if user != who.name and not may(who, "manage_users"):
        raise HTTPException(403, "only an admin creates tokens for another user")
    expires = None if body.expires_in_days is None else utc_now() + dt.timedelta(days=body.expires_in_days)
    made = create_token(engine(request), user, who.name, body.label, expires)
    return NewTokenOut(**_token_out(made.info), token=made.token)


@router.get("/tokens", response_model=Page[TokenOut], summary="Your tokens (admins: everyone's, or ?user=)")
def tokens(request: Request, who: Anyone, page: Annotated[Paging, Depends(paging)],
           user: Annotated[str | None, Query(max_length=100)] = None) -> Page[TokenOut]:
    admin = may(who, "manage_users")
    if user is not None and user != who.name and not admin:
        raise HTTPException(403, "only an admin lists another user's tokens")
    return page.cut([_token_out(t) for t in list_tokens(engine(request), user if admin else who.name)])


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke a token (yours; admins: anyone's)")
def revoke(request: Request, token_id: Id, who: Anyone) -> TokenOut:
    found = get_token(engine(request), token_id)
    if found.user != who.name and not may(who, "manage_users"):
        raise HTTPException(404, f"no token with id {token_id}")  # not yours: as if it did not exist
    return TokenOut(**_token_out(revoke_token(engine(request), token_id, who.name)))


@router.get("/audit", response_model=Page[AuditOut], tags=["audit"],
            summary="The audit log, newest first: who changed what, when, before and after")
def audit(request: Request, who: Admin, page: Annotated[Paging, Depends(paging)],
          user: Annotated[str | None, Query(max_length=100)] = None,
          entity: Annotated[str | None, Query(max_length=64)] = None) -> Page[AuditOut]:
    query = select(AuditEntry.id, AuditEntry.recorded_at, AuditEntry.user_name, AuditEntry.action, AuditEntry.entity,
                   AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
    if user is not None:
        query = query.where(AuditEntry.user_name == user)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    with reading(engine(request)) as connection:
        total, items = page.read(connection, query.order_by(AuditEntry.id.desc()))
    return page.answer(total, items)
