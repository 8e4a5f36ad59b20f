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
from epizone.store import migrate
from epizone.store.db import make_engine

POSTGRES_VARIABLE = "EPIZONE_TEST_POSTGRES_URL"
DATABASES = ["sqlite", "postgresql"]

AREAS = """code,name,parent_code,kind,population
35,Fujian,,province,41540086
3501,Fuzhou,35,city,8291268
350102,Gulou,3501,county,669090
350103,Taijiang,3501,county,411819
350102001,Gulou-1,350102,township,
350102002,Gulou-2,350102,township,
350103001,Taijiang-1,350103,township,
"""
CASES_HEADER = "case_id,report_date,area_code,classification,cluster_id"
CASE_LIST = """case_id,report_date,area_code,classification,cluster_id,onset_date,imported
c1,2020-02-01,350102001,confirmed,k1,2020-01-28,false
c2,2020-02-02,350102002,confirmed,k1,,
c3,2020-02-03,350102001,asymptomatic,,,true
c4,2020-02-04,350103001,confirmed,k2,2020-02-01,0
c5,2020-02-06,350103001,confirmed,k2,,yes
"""  # every optional column, clusters, and each way of writing the imported flag
COUNTS_HEADER = "area_code,date,metric,value"


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
class Store:
    """An empty database of one kind, its URL and an engine on it."""

    kind: str
    url: str
    engine: Engine
    root: Path

    def upgrade(self) -> "Store":
        migrate.upgrade(self.engine)
        return self

    def write(self, name: str, text_: str) -> Path:
        path = self.root / name
        path.write_text(text_.lstrip("\n"), encoding="utf-8")
        return path

    def areas(self, text_: str = AREAS, name: str = "areas.csv") -> Path:
        return self.write(name, text_)

    def cases(self, *rows: str, header: str = CASES_HEADER, name: str = "cases.csv") -> Path:
        return self.write(name, "\n".join([header, *rows]) + "\n")

    def counts(self, *rows: str, header: str = COUNTS_HEADER, name: str = "counts.csv") -> Path:
        return self.write(name, "\n".join([header, *rows]) + "\n")

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
        yield Store(request.param, url, engine, tmp_path)
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
