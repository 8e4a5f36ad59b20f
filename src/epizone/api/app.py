"""The app factory: ``create_app(settings)`` gives a FastAPI app on the settings' database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError

from epizone.api import core, ops
from epizone.api.deps import acting
from epizone.api.docs_page import add_docs
from epizone.api.models import ErrorOut
from epizone.api.settings import ApiSettings
from epizone.domain.errors import BASES, EpizoneError
from epizone.domain.problems import InputError
from epizone.store.db import make_engine
from epizone.web import mount

PREFIX = "/api/v1"
ERRORS = {status: {"model": ErrorOut, "description": text} for status, text in (
    (401, "No token, or a token that is unknown, revoked or expired"),
    (403, "The caller's role may not do this, or the area is outside their scope"),
    (404, "No such thing"),
    (409, "Conflicts with what is published"),
    (422, "Bad input: `problems` lists each bad value with where it is and what was expected"))}
DESCRIPTION = """Risk levels of areas under official rule sets: data submission, assessment runs, publication with
announcements in Chinese and English, measures, users and tokens. Authenticate with `Authorization: Bearer <token>`.
Lists take `limit` and `offset` and answer `total`; tables also come as CSV (`?format=csv` or `Accept: text/csv`)."""


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings.from_environ()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="epizone", version=version("epizone"), description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  responses=ERRORS)
    add_docs(app)  # Swagger UI from the package: the docs work with no internet
    app.state.engine = engine
    app.state.settings = settings
    app.state.geometry = {}  # area code -> GeoJSON geometry (the dashboard's boundaries that fit the store)
    for router in core.ROUTERS:  # the store's endpoints (epizone.api.core)
        app.include_router(router, prefix=PREFIX)
    mount(app, acting("read_levels"), PREFIX)  # the web dashboard at / (epizone.web)
    for router in ops.ROUTERS:  # resumption, duty supervision, supplies under /ops (epizone.api.ops)
        app.include_router(router, prefix=PREFIX)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(DataError, _unstorable)
    for base in BASES:  # one answer per base error (Starlette finds it through the class hierarchy)
        app.add_exception_handler(base, _answer)

    @app.get("/health", tags=["service"], summary="Liveness and the schema revision")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": version("epizone")}

    return app


async def _answer(_request: Request, exc: EpizoneError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


async def _input_error(_request: Request, exc: InputError) -> JSONResponse:
    problems = [{"file": p.file, "line": p.line, "column": p.column, "column_number": p.column_number,
                 "value": p.value, "expected": p.expected, "more": p.more} for p in exc.problems]
    return JSONResponse({"detail": f"{exc.count} problem(s); nothing was written", "problems": problems},
                        status_code=422)


async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"file": "request", "line": 0, "column": ".".join(str(part) for part in error.get("loc", ())),
                 "column_number": 0, "value": _shown(error.get("input")), "expected": error.get("msg", ""), "more": 0}
                for error in exc.errors()]
    return JSONResponse({"detail": f"{len(problems)} problem(s) in the request", "problems": problems},
                        status_code=422)


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:200] + "..."


async def _unstorable(_request: Request, exc: DataError) -> JSONResponse:
    return JSONResponse({"detail": f"a value the database cannot hold: {str(exc.orig).splitlines()[0]}"},
                        status_code=422)


async def _unavailable(_request: Request, exc: OperationalError) -> JSONResponse:
    return JSONResponse({"detail": f"the database cannot be used: {exc.orig}"}, status_code=503)
