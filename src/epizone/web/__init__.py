"""The web dashboard, served by the same app as the REST API: ``mount(app, level_reader)``.

Offline first: every script, style and boundary is package data (``static/``, ``geo/``); nothing is fetched from
the internet, and the page's Content-Security-Policy lets it load and connect to its own origin only.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from epizone.domain.access import Actor
from epizone.web.geometry import StoreGeometry
from epizone.web.routes import routes

STATIC = Path(str(resources.files("epizone.web").joinpath("static")))
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": POLICY, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def mount(app: FastAPI, level_reader: Callable[..., Actor], prefix: str = "/api/v1") -> FastAPI:
    """Serve the dashboard at ``/`` (assets under ``/static``), its data routes under ``prefix`` (callers admitted
    by the dependency ``level_reader``), and give the levels' GeoJSON the shipped boundaries that fit the store
    (``app.state.geometry``)."""
    app.state.geometry = StoreGeometry(app.state.engine)
    app.include_router(routes(level_reader), prefix=prefix)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    return app
