"""``epizone serve``: check the store, then run the app with uvicorn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
import uvicorn
from sqlalchemy.exc import ArgumentError, OperationalError

from epizone import console
from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.services.demo import OFFICIAL_DATE
from epizone.services.demo_store import DB_NAME, demo_store, officer_token
from epizone.store.db import make_engine, missing_sqlite_file, reading, safe_url
from epizone.store.migrate import SchemaError, require_schema

STORE_UNUSABLE = 1
BAD_INPUT = 2
DEMO_FOLDER = Path("out/demo-store")


def serve(db: str | None, host: str, port: int, public_read: bool, demo: bool = False) -> None:
    settings = ApiSettings.from_environ()
    if demo:  # the bundled demo store, graded and published (epizone.services.demo_store), readable by anyone
        if db:
            _fail("--demo serves its own store: leave out --db", BAD_INPUT)
        console.err.print(f"demo store: {DEMO_FOLDER / DB_NAME} (built on first use: a few seconds)")
        db, public_read = demo_store(DEMO_FOLDER).url, True
        console.err.print(f"operations pages (SYNTHETIC data) need a token: paste {officer_token(db)} under "
                          "Token (a viewer of the demo store, valid for 24 hours)", markup=False, soft_wrap=True)
    settings = replace(settings, database_url=db or settings.database_url,
                       public_read=public_read or settings.public_read)
    _check(settings.database_url)
    page = f"#/map?date={OFFICIAL_DATE}" if demo else ""  # the demo opens on the day of the official list
    console.err.print(f"epizone service on {safe_url(settings.database_url)}: dashboard http://{host}:{port}/{page}, "
                      f"API docs http://{host}:{port}/docs{' (public read on)' if settings.public_read else ''}")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _check(url: str) -> None:
    """The store must exist and be at the latest schema: the same exit codes as `epizone db`."""
    try:
        missing = missing_sqlite_file(url)
        engine = make_engine(url)
    except (ArgumentError, ImportError) as exc:
        _fail(f"--db {url!r}: not a usable database URL ({exc})", BAD_INPUT)
    if missing:
        _fail(f"{missing}: no such database file (create it with `epizone db init`)", STORE_UNUSABLE)
    try:
        with reading(engine) as connection:
            require_schema(connection)
    except SchemaError as exc:
        _fail(f"{safe_url(url)}: {exc}", STORE_UNUSABLE)
    except OperationalError as exc:
        _fail(f"cannot use the database {safe_url(url)}: {exc.orig}", STORE_UNUSABLE)
    finally:
        engine.dispose()


def _fail(message: str, code: int) -> None:
    console.err.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)
