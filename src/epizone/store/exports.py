"""The compressed exports of every level in force (``level_exports``), shared by the service's worker processes
through the store: the first worker asked for an export makes and keeps it for the store's state; the others read
it. Writing a new state's export drops the exports of earlier states."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from epizone.store.audit import utc_now
from epizone.store.db import writing
from epizone.store.models import LevelExport


@dataclass(frozen=True)
class ExportKey:
    state: str      # the store's state the export was made for
    shape: str      # csv or geojson
    encoding: str   # gzip or br


def kept_export(connection: Connection, key: ExportKey) -> tuple[int, bytes] | None:
    """(rows, compressed body) of the export kept for ``key``, or None."""
    row = connection.execute(select(LevelExport.rows, LevelExport.body).where(
        LevelExport.state == key.state, LevelExport.shape == key.shape, LevelExport.encoding == key.encoding)).first()
    return None if row is None else (row.rows, row.body)


def keep_export(engine: Engine, key: ExportKey, rows: int, body: bytes) -> None:
    """Keep an export for ``key`` (another worker may have kept it first: then theirs stays)."""
    try:
        with writing(engine) as connection:
            connection.execute(delete(LevelExport).where(LevelExport.state != key.state))
            connection.execute(insert(LevelExport).values(state=key.state, shape=key.shape, encoding=key.encoding,
                                                          rows=rows, body=body, created_at=utc_now()))
    except IntegrityError:
        pass
