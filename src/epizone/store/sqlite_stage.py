"""SQLite: many rows appended from Arrow by the database itself, inside the caller's transaction.

Python's ``sqlite3`` binds every value of every row through Python objects (~6 us a row for a line-list row,
most of a 5M-row load). Instead the rows are written by the ADBC SQLite driver (Apache Arrow's, in C) into a
scratch database file of their own (no journal, no syncing: it is thrown away), in parts; the store's connection
attaches each part and copies it with one ``INSERT ... SELECT`` per part, in the caller's transaction, so a
failed or killed import still leaves the store as it was. The next part is written on another thread while the
database copies the last one (both drivers release the GIL).

SQLite refuses to detach a database inside a transaction: each scratch file is unlinked as soon as it is
attached (the connection keeps it open) and detached when the connection goes back to its pool
(``db.detach_scratch``, on check-in).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Connection, Table

from epizone.store.db import SCRATCH_PREFIX

PART_ROWS = 1_000_000  # rows per scratch file: one part is written while the previous one is copied
STAGED_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_floating,
                pa.types.is_date, pa.types.is_boolean)


def can_stage(data: pa.Table) -> bool:
    """Whether every column has a type the scratch file takes as SQLAlchemy stores it (and ADBC is there)."""
    if not all(any(check(field.type) for check in STAGED_TYPES) for field in data.schema):
        return False
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def stage_insert(connection: Connection, table: Table, data: pa.Table, inline: Mapping[str, str],
                 progress: Callable[[int], None]) -> None:
    """Append ``data`` (every column non-null somewhere) to ``table``, each row with the SQL literals ``inline``."""
    parts = [data.slice(start, PART_ROWS) for start in range(0, data.num_rows, PART_ROWS)]
    written: list[Path] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-stage") as writer:
        try:
            pending = writer.submit(_write_part, _stored(parts[0]))
            for number in range(len(parts)):
                written.append(path := pending.result())
                if number + 1 < len(parts):
                    pending = writer.submit(_write_part, _stored(parts[number + 1]))
                _copy_part(connection, table, path, data.schema.names, inline)
                progress(parts[number].num_rows)
        finally:  # a part written but not attached yet (a failure, or the next part) goes too
            if not pending.cancel() and pending.exception() is None:
                written.append(pending.result())
            for path in written:
                _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # attached, on a system that keeps open files: db.detach_scratch removes it


def _stored(part: pa.Table) -> pa.Table:
    """The columns as SQLAlchemy stores them in SQLite: dates as ISO text, flags as 0/1."""
    columns = []
    for column in part.columns:
        if pa.types.is_date(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        columns.append(column)
    return pa.table(columns, names=part.schema.names)


def _write_part(part: pa.Table) -> Path:
    import adbc_driver_sqlite.dbapi as adbc

    handle, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=".db")
    os.close(handle)
    path = Path(name)
    try:
        with adbc.connect(str(path), autocommit=True) as scratch, scratch.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.adbc_ingest("rows", part, mode="create")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _copy_part(connection: Connection, table: Table, path: Path, names: list[str], inline: Mapping[str, str]) -> None:
    alias = path.stem
    quoted = str(path).replace("'", "''")
    connection.exec_driver_sql(f"ATTACH DATABASE '{quoted}' AS \"{alias}\"")
    _remove(path)  # the connection keeps the file open until it is detached
    columns = ", ".join(f'"{name}"' for name in [*names, *inline])
    values = ", ".join([*(f'"{name}"' for name in names), *inline.values()])
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) SELECT {values} FROM "{alias}".rows '
                               f"ORDER BY rowid")
