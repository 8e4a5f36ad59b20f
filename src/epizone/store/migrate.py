"""Schema migrations: Alembic, run from code against the migrations shipped inside the package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from epizone.domain.errors import Unavailable
from epizone.store.db import writing

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """A Config built in code (no alembic.ini); ``connection`` is handed to migrations/env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create the schema or bring it up to ``revision``, in one transaction."""
    with writing(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with writing(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


@cache
def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(connection: Connection) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


class SchemaError(Unavailable):
    """The database has no epizone schema, or an older one."""


def require_schema(connection: Connection) -> None:
    found, head = current_revision(connection), head_revision()
    if found != head:
        state = "has no epizone schema" if found is None else f"is at schema revision {found}, not {head}"
        raise SchemaError(f"the database {state}: run `epizone db init`")
