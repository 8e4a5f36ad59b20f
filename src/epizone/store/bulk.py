"""Arrow tables into and out of the store's database in bulk, with no Python object per row beyond the values.

Writing (``insert_arrow``): the values every row shares (the constants, and columns of numbers, dates or flags
holding one value or none) are written into the statement instead of sent per row. SQLite: from ``STAGE_ROWS``
rows on, the rows are written by the ADBC SQLite driver into scratch files and copied by the database with
``INSERT ... SELECT`` (``sqlite_stage``); fewer rows go through the driver's ``executemany`` on plain tuples
(dates as ISO text and flags as 0/1, as SQLAlchemy stores them). PostgreSQL runs ``COPY ... FROM STDIN`` in the
binary format built from the Arrow buffers (``pgcopy``), or on CSV written by Arrow (every value quoted, so an
unquoted empty field is NULL and a quoted one an empty text) for column types the binary encoder does not cover.
A first load takes its ids from the table's sequence in one call (``numbered``).

Reading (``read_batches``): SQLite fetches plain tuples from the driver's cursor, a batch at a time, and turns
each column into an Arrow array at once (dates and moments arrive as ISO text and are parsed by Arrow);
PostgreSQL runs ``COPY (query) TO STDOUT`` and parses the CSV with Arrow, a batch at a time.
Both stay inside the caller's transaction.

A first load into an empty table (``indexes_set_aside``): its secondary indexes (and, on PostgreSQL, its
unique and foreign-key constraints) are dropped for the load and created again from their own definitions
after it, in the same transaction: one sort per index instead of one B-tree insertion (and, on PostgreSQL, one
trigger call) per row, and the rows are checked against them all the same when they are created again. On
PostgreSQL this locks the table until the commit (readers of it wait), hence only while it is empty.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Select, Table, literal, text

from epizone.store import pgcopy, sqlite_stage

CHUNK_ROWS = 100_000
STAGE_ROWS = 20_000  # SQLite: from this many rows on, written through scratch files by ADBC (``sqlite_stage``)
COPY_CHUNK_BYTES = 8 << 20
INDEX_BUILD_MEMORY = "256MB"  # PostgreSQL's memory for building an index again after a large load
Progress = Callable[[int, int], None]  # (rows written so far, rows in all)
ARROW_TYPES = ((dt.datetime, pa.timestamp("us")), (dt.date, pa.date32()), (bool, pa.bool_()), (int, pa.int64()))


def arrow_schema(columns: list) -> pa.Schema:  # noqa: ANN001 - SQLAlchemy columns or labels
    """The Arrow schema of query columns: moments, dates, flags, integers, anything else as text."""
    return pa.schema([(c.name, _arrow_type(c.type.python_type)) for c in columns])


def _arrow_type(python_type: type) -> pa.DataType:
    return next((arrow for kind, arrow in ARROW_TYPES if issubclass(python_type, kind)), pa.string())


def insert_arrow(connection: Connection, table: Table, data: pa.Table, constants: Mapping[str, object] | None = None,
                 progress: Progress | None = None) -> None:
    """Append every row of ``data`` (columns named as ``table``'s) to ``table``, each with ``constants``."""
    constants = dict(constants or {})
    done, total = 0, data.num_rows

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    if connection.dialect.name == "sqlite" and total >= STAGE_ROWS and sqlite_stage.can_stage(data):
        names, inline = _sqlite_columns(connection, table, data, constants)
        sqlite_stage.stage_insert(connection, table, data.select(names), inline, advance)
        return
    if connection.dialect.name == "postgresql":
        for name, value in constants.items():
            data = data.append_column(name, pa.repeat(value, total))
        constants = {}
        kinds = pgcopy.binary_kinds(table, data.schema.names)
        if kinds is not None:
            _copy_binary(connection, table, data, kinds, advance)
            return
    write = _copy_batch if connection.dialect.name == "postgresql" else _insert_batch
    for batch in data.to_batches(max_chunksize=CHUNK_ROWS):
        if batch.num_rows == 0:
            continue
        write(connection, table, batch, constants)
        advance(batch.num_rows)


def _sqlite_columns(connection: Connection, table: Table, data: pa.Table | pa.RecordBatch,
                    constants: dict[str, object]) -> tuple[list[str], dict[str, str]]:
    """The columns bound per row, and the others as SQL literals: the constants, and the columns holding one
    value (or null) in every row of ``data`` (numbers, dates and flags only: a cheap check)."""
    inline = {name: value for name, column in zip(data.schema.names, data.columns)
              if (value := _only_value(column)) is not _VARIES}
    inline.update(constants)
    names = [name for name in data.schema.names if name not in inline]
    return names, {name: _sql_literal(connection, table, name, value) for name, value in inline.items()}


_VARIES = object()


def _only_value(column: pa.Array | pa.ChunkedArray) -> object:
    """The one value of every row of ``column`` (None when all are null), or ``_VARIES``."""
    if column.null_count == len(column):
        return None
    if column.null_count or not (pa.types.is_integer(column.type) or pa.types.is_date(column.type)
                                 or pa.types.is_boolean(column.type)):
        return _VARIES
    low, high = pc.min_max(column).values()
    return low.as_py() if low == high else _VARIES


def _insert_batch(connection: Connection, table: Table, batch: pa.RecordBatch, constants: dict[str, object]) -> None:
    """SQLite: one executemany; columns null in every row of the batch, and the constants, are written inline."""
    names, inline = _sqlite_columns(connection, table, batch, constants)
    values = ["?"] * len(names) + list(inline.values())
    columns = ", ".join(f'"{name}"' for name in [*names, *inline])
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join(values)})'
    arrays = [_sqlite_value(batch.column(name)).to_pylist() for name in names]
    connection.exec_driver_sql(statement, list(zip(*arrays)) if arrays else [()] * batch.num_rows)


def _sql_literal(connection: Connection, table: Table, name: str, value: object) -> str:
    if value is None:
        return "NULL"
    return str(literal(value, table.c[name].type).compile(dialect=connection.dialect,
                                                          compile_kwargs={"literal_binds": True}))


def _sqlite_value(column: pa.Array) -> pa.Array:
    if pa.types.is_date(column.type):
        return column.cast(pa.string())
    if pa.types.is_boolean(column.type):
        return column.cast(pa.int8())
    return column


def _copy_binary(connection: Connection, table: Table, data: pa.Table, kinds: list[str],
                 advance: Callable[[int], None]) -> None:
    """PostgreSQL: one COPY in the binary format (``pgcopy``); a thread sends each batch to the server while
    the next one is encoded."""
    from psycopg.copy import QueuedLibpqWriter  # the PostgreSQL driver, there when PostgreSQL is used

    names = ", ".join(f'"{name}"' for name in data.schema.names)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT binary)'
    with cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(pgcopy.HEADER)
        for batch in data.to_batches(max_chunksize=CHUNK_ROWS):
            if batch.num_rows:
                copy.write(pgcopy.encode(batch, kinds))
                advance(batch.num_rows)
        copy.write(pgcopy.TRAILER)


def _copy_batch(connection: Connection, table: Table, batch: pa.RecordBatch, _: dict[str, object]) -> None:
    """PostgreSQL: COPY from CSV written by Arrow (the constants already added as columns)."""
    names = ", ".join(f'"{name}"' for name in batch.schema.names)
    buffer = io.BytesIO()
    pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT csv)') as copy:
        copy.write(buffer.getbuffer())


@contextmanager
def indexes_set_aside(connection: Connection, table: Table) -> Iterator[None]:
    """``table`` without its secondary indexes and constraints (the primary key stays) during the block."""
    postgres = connection.dialect.name == "postgresql"
    dropped = _pg_set_aside(connection, table) if postgres else _sqlite_set_aside(connection, table)
    if postgres:  # for this transaction only: each index is sorted in memory, not in temporary files
        connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    for drop, _ in dropped:
        connection.exec_driver_sql(drop)
    yield
    for _, create in reversed(dropped):
        connection.exec_driver_sql(create)


def _sqlite_set_aside(connection: Connection, table: Table) -> list[tuple[str, str]]:
    """(drop, create) of each index created by name (a UNIQUE constraint's own index cannot be dropped)."""
    found = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                                    "AND sql IS NOT NULL ORDER BY name"), {"t": table.name})
    return [(f'DROP INDEX "{name}"', sql) for name, sql in found]


def numbered(connection: Connection, table: Table, data: pa.Table) -> pa.Table:
    """``data`` with its ``id`` column taken from the table's sequence in one call, on PostgreSQL (the server
    then spends no ``nextval`` per row); as it is on SQLite (which numbers rows itself at no cost). Only for a
    table no one else writes to until the commit (a first load holds it locked)."""
    if connection.dialect.name != "postgresql" or data.num_rows == 0:
        return data
    sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
    last = connection.scalar(text("SELECT setval(CAST(:s AS regclass), nextval(CAST(:s AS regclass)) + :n - 1)"),
                             {"s": sequence, "n": data.num_rows})
    ids = pa.array(range(last - data.num_rows + 1, last + 1), pa.int64())
    return data.add_column(0, "id", ids)


def _pg_set_aside(connection: Connection, table: Table) -> list[tuple[str, str]]:
    """(drop, create) of each unique and foreign-key constraint, then of each other index but the primary key."""
    constraints = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
        "AND contype IN ('u', 'f') ORDER BY contype DESC, conname"), {"t": table.name})
    indexes = connection.execute(text(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = CAST(:t AS regclass) AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
        "ORDER BY c.relname"), {"t": table.name})
    alter = f'ALTER TABLE "{table.name}"'
    return ([(f'{alter} DROP CONSTRAINT "{name}"', f'{alter} ADD CONSTRAINT "{name}" {definition}')
             for name, definition in constraints]
            + [(f'DROP INDEX "{name}"', definition) for name, definition in indexes])


def read_arrow(connection: Connection, query: Select) -> pa.Table:
    """The rows of ``query`` as one Arrow table (read a batch at a time)."""
    schema = arrow_schema(list(query.selected_columns))
    return pa.Table.from_batches(list(read_batches(connection, query)), schema)


def read_batches(connection: Connection, query: Select, rows: int = CHUNK_ROWS) -> Iterator[pa.RecordBatch]:
    """The rows of ``query`` as Arrow record batches of at most about ``rows`` rows, in the query's order."""
    schema = arrow_schema(list(query.selected_columns))
    compiled = query.compile(dialect=connection.dialect)
    if connection.dialect.name == "postgresql":
        yield from _copy_out(connection, str(compiled), compiled.params, schema, rows)
    else:
        yield from _fetch(connection, str(compiled), compiled.positiontup or [], compiled.params, schema, rows)


def _fetch(connection: Connection, sql: str, order: list[str], params: dict, schema: pa.Schema,
           rows: int) -> Iterator[pa.RecordBatch]:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, [params[name] for name in order])
        while found := cursor.fetchmany(rows):
            columns = zip(*found)
            yield pa.record_batch([_from_sqlite(list(values), field.type) for values, field in zip(columns, schema)],
                                  schema=schema)
    finally:
        cursor.close()


def _from_sqlite(values: list, kind: pa.DataType) -> pa.Array:
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return pa.array(values, pa.string()).cast(kind)
    if pa.types.is_boolean(kind):
        return pa.array(values, pa.int8()).cast(kind)
    return pa.array(values, kind)


def _copy_out(connection: Connection, sql: str, params: dict, schema: pa.Schema,
              rows: int) -> Iterator[pa.RecordBatch]:
    options = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False,
                                   null_values=[""], true_values=["t"], false_values=["f"])
    read = pacsv.ReadOptions(column_names=schema.names, block_size=COPY_CHUNK_BYTES)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", params) as copy:
        chunk: list[bytes] = []
        size = 0
        for data in copy:
            chunk.append(bytes(data))
            size += len(data)
            if size >= COPY_CHUNK_BYTES:
                yield from _parse(chunk, read, options, schema, rows)
                chunk, size = [], 0
        if chunk:
            yield from _parse(chunk, read, options, schema, rows)


def _parse(chunk: list[bytes], read: pacsv.ReadOptions, options: pacsv.ConvertOptions, schema: pa.Schema,
           rows: int) -> Iterator[pa.RecordBatch]:
    table = pacsv.read_csv(io.BytesIO(b"".join(chunk)), read_options=read, convert_options=options)
    yield from table.select(schema.names).to_batches(max_chunksize=rows)
