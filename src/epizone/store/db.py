"""Engines and transactions for SQLite and PostgreSQL.

SQLite: the driver's own transaction handling is switched off and every transaction starts with an
explicit ``BEGIN`` (``BEGIN IMMEDIATE`` for writers), so reads, writes and DDL of one transaction are
one atomic unit and a writer takes the write lock before it reads what it will change. A writer gets a
large page cache for its transaction (a bulk import keeps the key indexes it fills in memory). The file runs in
WAL mode with foreign keys enforced. PostgreSQL: writers serialise on one advisory transaction lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from epizone.domain.errors import InvalidInput, Unavailable

WRITE_OPTION = "epizone_write"
WRITER_CACHE_KIB = 262_144  # SQLite page cache of a writer (KiB): a bulk import's index pages stay in memory
READER_CACHE_KIB = 2_000    # SQLite's default, for every other transaction
WRITER_LOCK = 4_020_217  # pg_advisory_xact_lock key shared by every epizone writer
SCRATCH_PREFIX = "epizone-scratch-"  # SQLite scratch databases a bulk insert attaches (``sqlite_stage``)


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL through psycopg 3 (the driver the store ships)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist yet (None for other databases)."""
    parsed = make_url(url)
    path = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or path in ("", ":memory:") or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    engine = create_engine(normalise_url(url))
    if is_sqlite(engine):
        _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT by the driver
        cursor = dbapi_connection.cursor()
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, _record) -> None:  # noqa: ANN001
        if dbapi_connection is not None:
            detach_scratch(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writer = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def detach_scratch(dbapi_connection) -> None:  # noqa: ANN001 - a sqlite3 connection
    """Detach (and remove) the scratch databases a bulk insert attached: SQLite cannot detach them in the
    transaction that used them, so this runs when the connection goes back to its pool."""
    attached = [(name, path) for _, name, path in dbapi_connection.execute("PRAGMA database_list")
                if name.startswith(SCRATCH_PREFIX)]
    for name, path in attached:
        if dbapi_connection.in_transaction:
            dbapi_connection.execute("ROLLBACK")
        dbapi_connection.execute(f'DETACH DATABASE "{name}"')
        if path:
            Path(path).unlink(missing_ok=True)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the store's writer lock; committed when the block ends normally,
    rolled back when it raises."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        _sqlite_cache(connection, WRITER_CACHE_KIB)
        try:
            with connection.begin():
                if not is_sqlite(connection):
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
                yield connection
        finally:
            _sqlite_cache(connection, READER_CACHE_KIB)


def _sqlite_cache(connection: Connection, kib: int) -> None:
    """Set a SQLite connection's page cache (on the driver's connection: no transaction is begun for it)."""
    if is_sqlite(connection):
        connection.connection.driver_connection.execute(f"PRAGMA cache_size = -{kib}")  # type: ignore[union-attr]


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every query in it sees the same snapshot."""
    with engine.connect() as connection, connection.begin():
        yield connection


@contextmanager
def engine_for(url: str, create: bool = False) -> Iterator[Engine]:
    """The engine for ``url``, disposed after the block. InvalidInput when the URL names no usable database,
    Unavailable when it names a SQLite file that does not exist (unless ``create``: only ``epizone db init``
    creates one); the database failing in the block (unreachable, no schema or an old one) is raised as
    Unavailable naming it."""
    engine = _open(url, create)
    try:
        yield engine
    except OperationalError as exc:
        raise Unavailable(f"cannot use the database {safe_url(url)}: {exc.orig}") from exc
    except Unavailable as exc:
        raise Unavailable(f"{safe_url(url)}: {exc}") from exc
    finally:
        engine.dispose()


def _open(url: str, create: bool) -> Engine:
    try:
        missing = None if create else missing_sqlite_file(url)
        if missing is None:
            return make_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise InvalidInput(f"--db {url!r}: not a usable database URL ({exc})") from None
    raise Unavailable(f"{missing}: no such database file (create it with `epizone db init`)")
