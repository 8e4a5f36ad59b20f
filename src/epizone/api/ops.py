"""Operations on the service: ``install(app)`` adds the ``/api/v1/ops`` routers (resumption, duty supervision,
supplies). Who may use them, enterprise accounts included, is the registry's (``epizone.ops.access``)."""

from __future__ import annotations

from fastapi import FastAPI

from epizone.api.routes import ops_duties, ops_resumption, ops_supplies

PREFIX = "/api/v1"


def install(app: FastAPI, prefix: str = PREFIX) -> None:
    """Add the operations endpoints to ``app``."""
    for router in (ops_resumption.router, ops_duties.router, ops_supplies.router, ops_supplies.overview_router):
        app.include_router(router, prefix=prefix)
