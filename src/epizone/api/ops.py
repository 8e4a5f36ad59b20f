"""Operations on the service: ``install(app)`` adds the ``/api/v1/ops`` routers, their error answers, and the
guard that keeps enterprise accounts to their own business.

An enterprise account is a reporter linked to one enterprise. The service's role table would let it do what
any reporter of its area may (read the area's case reports, submit case and count files); the guard refuses
it every endpoint outside ``/api/v1/ops`` but its own user and tokens, published levels, announcements,
measures and the boundaries (403), before the endpoint runs.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from epizone.api.routes import ops_duties, ops_resumption, ops_supplies
from epizone.ops.models import Enterprise, EnterpriseAccount
from epizone.store.db import reading
from epizone.store.models import User
from epizone.store.tokens import TokenError, verify_token

PREFIX = "/api/v1"
OPEN_TO_ENTERPRISES = ("/ops", "/users/me", "/tokens", "/levels", "/announcements", "/measures", "/geometry")


def install(app: FastAPI, prefix: str = PREFIX) -> None:
    """Add the operations endpoints, their error answers and the enterprise-account guard to ``app``."""
    for router in (ops_resumption.router, ops_duties.router, ops_supplies.router, ops_supplies.overview_router):
        app.include_router(router, prefix=prefix)
    app.add_middleware(EnterpriseGuard, prefix=prefix)


class EnterpriseGuard:
    """Refuses an enterprise account's token everywhere under the API but the paths open to it (ASGI middleware)."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX):
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._guarded(scope["path"]):
            token = _bearer(scope)
            if token:
                engine = scope["app"].state.engine
                enterprise = await run_in_threadpool(linked_enterprise, engine, token)
                if enterprise is not None:
                    body = json.dumps({"detail": f"an enterprise account (enterprise {enterprise}) may use "
                                                 f"{self.prefix}/ops and read levels, announcements and measures "
                                                 "only"}).encode()
                    await send({"type": "http.response.start", "status": 403,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _guarded(self, path: str) -> bool:
        if not path.startswith(self.prefix + "/"):
            return False
        rest = path[len(self.prefix):]
        return not any(rest == p or rest.startswith(p + "/") or rest.startswith(p + "?") for p in OPEN_TO_ENTERPRISES)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def linked_enterprise(engine: Engine, token: str) -> str | None:
    """The code of the enterprise the token's user acts for (None: not an enterprise account, or not a valid
    token, which the endpoint itself then refuses)."""
    try:
        who = verify_token(engine, token)
    except TokenError:
        return None
    if who.role != "reporter":
        return None
    with reading(engine) as connection:
        return connection.scalar(select(Enterprise.code)
                                 .join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
                                 .join(User, User.id == EnterpriseAccount.user_id).where(User.name == who.name))
