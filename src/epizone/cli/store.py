"""The store for the ``db`` and ``ops`` commands: the database of ``--db`` and the user of ``--user``, each
defaulting to the settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine

from epizone.store.db import engine_for
from epizone.store.settings import StoreSettings

T = TypeVar("T")


def user_name(user: str | None) -> str:
    """``--user``, else ``$EPIZONE_USER``, else ``$USER``."""
    return user or StoreSettings.from_environ().user


@contextmanager
def opened(db: str | None, create: bool = False) -> Iterator[Engine]:
    """The engine of ``--db`` (else ``$EPIZONE_DATABASE_URL``, else sqlite:///epizone.db); its failures raised as
    epizone errors (``epizone.store.db.engine_for``). Only ``init`` creates a SQLite file (``create``)."""
    with engine_for(db or StoreSettings.from_environ().database_url, create) as engine:
        yield engine


def on_store(db: str | None, action: Callable[..., T], *args: Any) -> T:
    """``action(engine, *args)`` on the store of ``--db`` (see ``opened``)."""
    with opened(db) as engine:
        return action(engine, *args)
