"""Revisioned records: apply an imported set of records as new revisions, and read records as of a moment.

Every kind of record has a key (``case_id``; ``area_code, date, metric``; ``code``) and value columns.
Applying a set of records stages them in a temporary table (bulk ``INSERT``; ``COPY`` on PostgreSQL), then
two set-based statements do the rest: current versions whose values differ from the staged ones are
superseded, and every staged record without a current version (new, or just superseded) is inserted as
the next revision. Unchanged records are left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import (Column, Connection, DateTime, MetaData, Table, and_, exists, func, insert, literal, or_,
                        select, tuple_, update)
from sqlalchemy.orm import aliased

from epizone.store.models import AreaRecord, Base, CaseReport, CountReport

CHUNK_ROWS = 100_000
Progress = Callable[[int, int], None]  # (records staged so far, records in all)


@dataclass(frozen=True)
class RecordKind:
    name: str
    model: type[Base]
    key: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[return-value]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key + self.values


AREAS = RecordKind("areas", AreaRecord, ("code",),
                   ("name", "parent_code", "kind", "population", "valid_from", "valid_to"))
CASES = RecordKind("cases", CaseReport, ("case_id",),
                   ("report_date", "area_code", "classification", "cluster_id", "onset_date", "imported"))
COUNTS = RecordKind("counts", CountReport, ("area_code", "date", "metric"), ("value",))
KINDS = {kind.name: kind for kind in (AREAS, CASES, COUNTS)}


@dataclass(frozen=True)
class Applied:
    new: int
    revised: int


def apply(connection: Connection, kind: RecordKind, records: pa.Table, batch_id: int, at: dt.datetime,
          progress: Progress | None = None) -> Applied:
    """Make ``records`` (one per key, columns ``kind.columns``) current, as revisions recorded ``at``."""
    staging = _staging_table(kind)
    staging.create(connection)
    _stage(connection, staging, records.select(list(kind.columns)), progress)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {staging.name}")
    revised = _rowcount(connection, _supersede(kind, staging, at))
    inserted = _rowcount(connection, _insert_next(kind, staging, at, batch_id))
    staging.drop(connection)
    return Applied(new=inserted - revised, revised=revised)


def _rowcount(connection: Connection, statement) -> int:  # noqa: ANN001
    count = connection.execute(statement, execution_options={"preserve_rowcount": True}).rowcount
    if count < 0:
        raise RuntimeError(f"the {connection.dialect.name} driver did not report how many rows changed")
    return count


def _staging_table(kind: RecordKind) -> Table:
    columns = [Column(name, kind.table.c[name].type, primary_key=name in kind.key) for name in kind.columns]
    return Table(f"staging_{kind.name}", MetaData(), *columns, prefixes=["TEMPORARY"])


def _stage(connection: Connection, staging: Table, records: pa.Table, progress: Progress | None) -> None:
    total = records.num_rows
    copy = _copy_rows if connection.dialect.name == "postgresql" else _insert_rows
    done = 0
    for batch in records.to_batches(max_chunksize=CHUNK_ROWS):
        copy(connection, staging, batch)
        done += batch.num_rows
        if progress is not None:
            progress(done, total)


def _insert_rows(connection: Connection, staging: Table, batch: pa.RecordBatch) -> None:
    """SQLite: the Core INSERT, compiled for the dialect, executed with the driver's executemany on plain tuples
    (dates as ISO text and flags as 0/1, exactly as SQLAlchemy stores them in SQLite), so no Python
    object is made per value beyond the text itself."""
    statement = str(insert(staging).compile(dialect=connection.dialect))
    columns = [_sqlite_value(column).to_pylist() for column in batch.columns]
    connection.exec_driver_sql(statement, list(zip(*columns)))


def _sqlite_value(column: pa.Array) -> pa.Array:
    if pa.types.is_date(column.type):
        return column.cast(pa.string())
    if pa.types.is_boolean(column.type):
        return column.cast(pa.int8())
    return column


def _copy_rows(connection: Connection, staging: Table, batch: pa.RecordBatch) -> None:
    """PostgreSQL: COPY from CSV written by Arrow (an empty unquoted field is NULL), in the same transaction."""
    names = ", ".join(f'"{name}"' for name in batch.schema.names)
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {staging.name} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getbuffer())


def _same_key(kind: RecordKind, left: Table, right: Table):  # noqa: ANN202
    return and_(*(left.c[name] == right.c[name] for name in kind.key))


def _supersede(kind: RecordKind, staging: Table, at: dt.datetime):  # noqa: ANN202
    """Close the current versions that a staged record changes."""
    table = kind.table
    differs = or_(*(staging.c[name].is_distinct_from(table.c[name]) for name in kind.values))
    changed = (select(*(staging.c[name] for name in kind.key))
               .join(table, and_(_same_key(kind, staging, table), table.c.superseded_at.is_(None)))
               .where(differs))
    return update(table).where(table.c.superseded_at.is_(None), _key_of(kind, table).in_(changed)) \
        .values(superseded_at=at)


def _key_of(kind: RecordKind, table: Table):  # noqa: ANN202
    columns = [table.c[name] for name in kind.key]
    return columns[0] if len(columns) == 1 else tuple_(*columns)


def _insert_next(kind: RecordKind, staging: Table, at: dt.datetime, batch_id: int):  # noqa: ANN202
    """Insert every staged record that has no current version as its key's next revision."""
    table = kind.table
    earlier = aliased(table, name="earlier")
    last = select(func.max(earlier.c.revision)).where(_same_key(kind, earlier, staging)).scalar_subquery()
    current = exists().where(_same_key(kind, table, staging), table.c.superseded_at.is_(None))
    rows = select(*(staging.c[name] for name in kind.columns), func.coalesce(last, 0) + 1,
                  literal(at, DateTime()), literal(batch_id)).where(~current)
    return insert(table).from_select([*kind.columns, "revision", "recorded_at", "batch_id"], rows)


def known_at(kind: RecordKind, at: dt.datetime | None):  # noqa: ANN201
    """The condition selecting each record's version as known at ``at`` (the current one when None)."""
    table = kind.table
    if at is None:
        return table.c.superseded_at.is_(None)
    return and_(table.c.recorded_at <= at, or_(table.c.superseded_at.is_(None), table.c.superseded_at > at))
