"""Reading the store: records as known at a moment, and a summary of what it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine, func, select

from epizone.store.bulk import read_arrow
from epizone.store.db import reading
from epizone.store.migrate import current_revision, head_revision
from epizone.store.models import AuditEntry, ImportBatch
from epizone.store.revisions import KINDS, known_at

HISTORY = ("revision", "recorded_at", "batch_id")


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """The store's form of a moment: UTC without a zone; a naive moment is taken to be UTC already."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


DATES = {"cases": "report_date", "counts": "date"}  # the date a case or count is graded on


def records_as_of(engine: Engine, kind: str, at: dt.datetime | None = None, since: dt.date | None = None,
                  columns: Sequence[str] | None = None) -> pa.Table:
    """Every ``kind`` record (areas, cases, counts) as known at ``at`` (now when None): for each key the
    revision recorded at or before ``at`` and not superseded by then; with ``since``, only the cases and
    counts dated from it. Columns: the input file's columns plus ``revision``, ``recorded_at`` and
    ``batch_id`` (or only ``columns``); sorted by key. One query, read into Arrow a batch at a time
    (``bulk.read_batches``): no Python object per record."""
    record = KINDS[kind]
    table = record.table
    chosen = columns or (*record.columns, *HISTORY)
    moment = known_at(record, as_utc(at), recorded_hint=since is not None and engine.dialect.name == "sqlite")
    query = select(*(table.c[name] for name in chosen)).where(moment)
    if since is not None:
        query = query.where(table.c[DATES[kind]] >= since)
    with reading(engine) as connection:
        found = read_arrow(connection, query)  # sorted here: in SQL the order would choose the key's index
    keys = [(k, "ascending") for k in record.key if k in found.column_names]
    return found.take(pc.sort_indices(found, keys)) if keys else found


@dataclass(frozen=True)
class Status:
    schema_revision: str | None
    head_revision: str
    current: dict[str, int]     # current records per kind
    versions: dict[str, int]    # all stored versions per kind
    batches: list[dict]         # the latest import batches, newest first
    audit_entries: int


def status(engine: Engine, last: int = 5) -> Status:
    with reading(engine) as connection:
        revision = current_revision(connection)
        if revision is None:
            return Status(None, head_revision(), {}, {}, [], 0)
        return Status(revision, head_revision(), *_contents(connection, last))


def _contents(connection: Connection, last: int) -> tuple:
    current, versions = {}, {}
    for name, record in KINDS.items():
        table = record.table
        versions[name] = connection.scalar(select(func.count()).select_from(table))
        current[name] = connection.scalar(select(func.count()).select_from(table).where(known_at(record, None)))
    batches = [row._asdict() for row in connection.execute(
        select(ImportBatch.id, ImportBatch.kind, ImportBatch.file_name, ImportBatch.user_name,
               ImportBatch.recorded_at, ImportBatch.rows_read, ImportBatch.rows_new, ImportBatch.rows_revised,
               ImportBatch.rows_unchanged).order_by(ImportBatch.id.desc()).limit(last))]
    audit = connection.scalar(select(func.count()).select_from(AuditEntry))
    return current, versions, batches, audit


def record_history(engine: Engine, kind: str, *key: object) -> list[dict]:
    """Every stored version of one record (e.g. ``record_history(engine, "cases", "c1")``), oldest first,
    with ``revision``, ``recorded_at``, ``superseded_at`` and ``batch_id``."""
    record = KINDS[kind]
    table = record.table
    if len(key) != len(record.key):
        raise ValueError(f"a {kind} record is identified by {', '.join(record.key)}")
    query = (select(*(table.c[name] for name in (*record.columns, *HISTORY, "superseded_at")))
             .where(*(table.c[name] == value for name, value in zip(record.key, key)))
             .order_by(table.c.revision))
    with reading(engine) as connection:
        return [row._asdict() for row in connection.execute(query)]
