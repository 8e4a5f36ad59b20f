"""Database fixtures: the store and API tests run on SQLite (a temporary file) and on a real PostgreSQL server.

PostgreSQL: ``EPIZONE_TEST_POSTGRES_URL`` when set (CI starts a server in .ci/run); otherwise a
temporary server is started here for the session (``pgserver.py``). No server and no way to start one
is a test error, never a skip. Every test gets an empty database: a new SQLite file, or PostgreSQL's
public schema dropped and created again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select, text

import pgserver
from inputs import Files
from epizone.store import migrate
from epizone.store.db import make_engine

POSTGRES_VARIABLE = "EPIZONE_TEST_POSTGRES_URL"
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = os.environ.get(POSTGRES_VARIABLE)
    if url:
        yield url
        return
    try:
        server = pgserver.start_server()
    except pgserver.ServerUnavailable as exc:
        pytest.fail(f"{POSTGRES_VARIABLE} is not set and no PostgreSQL server could be started: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@dataclass
class Store(Files):
    """An empty database of one kind, its URL and an engine on it (and a folder for its input files)."""

    kind: str
    url: str
    engine: Engine

    def upgrade(self) -> "Store":
        migrate.upgrade(self.engine)
        return self

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table (reflected, so nothing is missed), sorted."""
        meta = MetaData()
        meta.reflect(self.engine)
        with self.engine.connect() as connection:
            return {name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                    for name, table in meta.tables.items()}


@pytest.fixture(params=DATABASES)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    engine = make_engine(url)
    try:
        yield Store(tmp_path, request.param, url, engine)
    finally:
        engine.dispose()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """A database with the schema at the latest revision and nothing in it."""
    return empty_store.upgrade()


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
