"""``epizone serve``: check the store, then run the app with uvicorn."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import uvicorn
from rich.console import Console

from epizone.api.app import create_app
from epizone.api.settings import PUBLIC_READ_VARIABLE, ApiSettings
from epizone.domain.errors import InvalidInput
from epizone.services.demo import OFFICIAL_DATE
from epizone.services.demo_store import DB_NAME, demo_store, officer_token
from epizone.store.db import engine_for, reading, safe_url
from epizone.store.migrate import require_schema
from epizone.store.settings import URL_VARIABLE

DEMO_FOLDER = Path("out/demo-store")


def serve(db: str | None, host: str, port: int, public_read: bool, demo: bool, log: Console, workers: int = 1,
          ) -> None:
    """Check the store, then serve it with ``workers`` processes; what happens is told on ``log``. InvalidInput /
    Unavailable when the store cannot be served."""
    if workers < 1:
        raise InvalidInput(f"--workers {workers}: give 1 or more")
    settings = ApiSettings.from_environ()
    if demo:  # the bundled demo store, graded and published (epizone.services.demo_store), readable by anyone
        if db:
            raise InvalidInput("--demo serves its own store: leave out --db")
        log.print(f"demo store: {DEMO_FOLDER / DB_NAME} (built on first use: a few seconds)")
        db, public_read = demo_store(DEMO_FOLDER).url, True
        log.print(f"operations pages (SYNTHETIC data) need a token: paste {officer_token(db)} under "
                  "Token (a viewer of the demo store, valid for 24 hours)", markup=False, soft_wrap=True)
    settings = replace(settings, database_url=db or settings.database_url,
                       public_read=public_read or settings.public_read)
    _check(settings.database_url)
    page = f"#/map?date={OFFICIAL_DATE}" if demo else ""  # the demo opens on the day of the official list
    log.print(f"epizone service on {safe_url(settings.database_url)}: dashboard http://{host}:{port}/{page}, "
              f"API docs http://{host}:{port}/docs{' (public read on)' if settings.public_read else ''}")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    # each worker process builds its own app from the environment; everything they share is in the store
    os.environ.update({URL_VARIABLE: settings.database_url, PUBLIC_READ_VARIABLE: "1" if settings.public_read else ""})
    uvicorn.run("epizone.api.app:create_app", factory=True, workers=workers, host=host, port=port, log_level="info")


def _check(url: str) -> None:
    """The store must exist and be at the latest schema: the same errors as `epizone db`."""
    with engine_for(url) as engine, reading(engine) as connection:
        require_schema(connection)
