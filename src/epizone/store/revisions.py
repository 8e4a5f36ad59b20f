"""Revisioned records: apply an imported set of records as new revisions, and read records as of a moment.

Every kind of record has a key (``case_id``; ``area_code, date, metric``; ``code``) and value columns.
Applying a set of records compares it with the current versions of its keys in Arrow, a batch of them at a
time (``matching``): a file about as large as the store, or larger, streams every current version in one scan;
a smaller one (a day's import) stages its keys in a temporary table and reads only their current versions
through the index on the current key; into an empty table nothing is read.
Records whose key has no version yet are new (revision 1); records that differ from their current version
in any value (``NULL`` equal only to ``NULL``) supersede it and become the next revision; the others are left
alone. The changed keys are superseded with one ``UPDATE`` and every new version is appended in bulk
(``bulk.insert_arrow``), sorted by key as the file's records are; into an empty table, with its secondary
indexes and constraints set aside and created again after (``bulk.indexes_set_aside``). Imports never delete
a record, so a key without a current version has no version at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (Column, ColumnElement, Connection, MetaData, Table, and_, func, literal_column, or_, select, text, tuple_,
                        update)

from epizone.store.bulk import (Progress, indexes_set_aside, insert_arrow, numbered, read_arrow,
                                read_batches)
from epizone.store.matching import Matching
from epizone.store.models import AreaRecord, Base, CaseReport, CountReport

SCAN_RATIO = 4  # read every current version when the store holds at most this many versions per imported record
KEY_SEPARATOR = "\x1f"


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
    records = records.select(list(kind.columns))
    stored = connection.scalar(select(func.max(kind.table.c.id))) or 0
    if stored == 0:  # nothing to compare with
        new, revised = records.append_column("revision", pa.repeat(1, records.num_rows).cast(pa.int64())), None
    else:
        matching = Matching(records, lambda table: _key_text(kind, table), kind.values)
        for batch in _current_versions(connection, kind, records, stored):
            matching.feed(batch)
        new, revised = matching.new(), matching.revised()
    if revised is not None and revised.num_rows:
        superseded = _supersede(connection, kind, revised.select(list(kind.key)), at)
        if superseded != revised.num_rows:
            raise RuntimeError(f"{kind.name}: {superseded} current versions superseded for {revised.num_rows} revisions")
    versions = new if revised is None else pa.concat_tables([new, revised])
    if stored == 0:  # a first load
        with indexes_set_aside(connection, kind.table):
            insert_arrow(connection, kind.table, numbered(connection, kind.table, versions),
                         {"recorded_at": at, "batch_id": batch_id}, progress)
    else:
        insert_arrow(connection, kind.table, versions, {"recorded_at": at, "batch_id": batch_id}, progress)
    return Applied(new=new.num_rows, revised=0 if revised is None else revised.num_rows)


def _current_versions(connection: Connection, kind: RecordKind, records: pa.Table,
                      stored: int) -> Iterator[pa.RecordBatch | pa.Table]:
    """The current version (columns ``kind.columns`` and ``revision``) of every key of ``records``, and
    possibly of others, a batch at a time; ``stored``: about how many versions the table holds."""
    if records.num_rows == 0:
        return
    table = kind.table
    columns = [table.c[name] for name in (*kind.columns, "revision")]
    if stored <= SCAN_RATIO * records.num_rows:
        yield from read_batches(connection, select(*columns).where(table.c.superseded_at.is_(None)))
        return
    keys = _temporary(connection, kind, records.select(list(kind.key)), "lookup")
    yield read_arrow(connection, select(*columns).where(_current_of(connection, kind, keys)))
    keys.drop(connection)


def _temporary(connection: Connection, kind: RecordKind, keys: pa.Table, purpose: str) -> Table:
    """A temporary table holding ``keys``, analysed so that PostgreSQL plans joins on it with its size."""
    columns = [Column(name, kind.table.c[name].type, primary_key=True) for name in kind.key]
    temporary = Table(f"{purpose}_{kind.name}", MetaData(), *columns, prefixes=["TEMPORARY"])
    temporary.create(connection)
    insert_arrow(connection, temporary, keys)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {temporary.name}")
    return temporary


def _key_text(kind: RecordKind, records: pa.Table) -> pa.ChunkedArray:
    """Each record's key as one text (a key's columns joined by a separator no value holds)."""
    if len(kind.key) == 1:
        return records.column(kind.key[0])
    parts = [records.column(name).cast(pa.string()) for name in kind.key]
    return pc.binary_join_element_wise(*parts, KEY_SEPARATOR)


def _supersede(connection: Connection, kind: RecordKind, keys: pa.Table, at: dt.datetime) -> int:
    """Close the current versions of ``keys``; how many were closed."""
    table = kind.table
    staged = _temporary(connection, kind, keys, "revised")
    statement = update(table).where(_current_of(connection, kind, staged)).values(superseded_at=at)
    count = connection.execute(statement, execution_options={"preserve_rowcount": True}).rowcount
    staged.drop(connection)
    return count


def _current_of(connection: Connection, kind: RecordKind, staged: Table) -> ColumnElement[bool]:
    """The current versions of the keys of a staging table, as ``key IN (staged keys)``: SQLite then walks the
    staged keys and looks each one up through the table's ``(key, revision)`` index (a join lets it scan the
    whole table instead, having no statistics). On SQLite, ``superseded_at IS NULL`` is written with a unary
    ``+``, which keeps SQLite off the index on ``superseded_at`` alone: reckoning ~10 rows for an indexed
    equality, it took that index and walked all 5M current versions for a day's 5,000 keys (0.2 s -> 5 s)."""
    table = kind.table
    keys = select(*(staged.c[name] for name in kind.key))
    current = (text(f'+"{table.name}".superseded_at IS NULL') if connection.dialect.name == "sqlite"
               else table.c.superseded_at.is_(None))
    return and_(current, _key_of(kind, table).in_(keys))


def _key_of(kind: RecordKind, table: Table):  # noqa: ANN202
    columns = [table.c[name] for name in kind.key]
    return columns[0] if len(columns) == 1 else tuple_(*columns)


def known_at(kind: RecordKind, at: dt.datetime | None, recorded_hint: bool = False):  # noqa: ANN201
    """The condition selecting each record's version as known at ``at`` (the current one when None).
    ``recorded_hint`` (SQLite, a query with a more selective condition of its own): ``recorded_at <= at`` is
    marked as true of nearly every row (``likelihood``), so that SQLite, having no statistics, does not walk
    the ``recorded_at`` index over the whole table instead of the other condition's index."""
    table = kind.table
    if at is None:
        return table.c.superseded_at.is_(None)
    recorded = table.c.recorded_at <= at
    if recorded_hint:
        recorded = func.likelihood(recorded, literal_column("0.99"))
    return and_(recorded, or_(table.c.superseded_at.is_(None), table.c.superseded_at > at))
