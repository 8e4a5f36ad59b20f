"""Run validation checks over an input table in DuckDB and turn the bad rows into Problems."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from epizone.domain.problems import MAX_SHOWN, Problem
from epizone.io.tables import LINE, Table

DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class Check:
    """Rows where ``bad`` (a SQL predicate) holds are reported for ``column`` with ``expected``."""

    column: str
    bad: str
    expected: str


def date_sql(table: Table, column: str) -> str:
    """SQL giving the column as a DATE (NULL where it is not a valid YYYY-MM-DD date)."""
    field = table.data.schema.field(column)
    if pa.types.is_date(field.type):
        return f'"{column}"'
    return f"CAST(try_strptime(trim(CAST(\"{column}\" AS VARCHAR)), '{DATE_FORMAT}') AS DATE)"


def text_sql(column: str) -> str:
    return f"coalesce(trim(CAST(\"{column}\" AS VARCHAR)), '')"


def run_checks(con: duckdb.DuckDBPyConnection, view: str, table: Table, checks: list[Check]) -> list[Problem]:
    problems: list[Problem] = []
    for check in checks:
        rows = con.execute(
            f'SELECT "{LINE}", CAST("{check.column}" AS VARCHAR) FROM {view} WHERE {check.bad} '
            f'ORDER BY "{LINE}" LIMIT {MAX_SHOWN + 1}'
        ).fetchall()
        problems.extend(
            Problem(table.file, line, check.column, table.number(check.column), "" if v is None else v, check.expected)
            for line, v in rows
        )
    return problems


def duplicate_problems(
    con: duckdb.DuckDBPyConnection, view: str, table: Table, key: str, content: list[str], what: str
) -> tuple[list[Problem], bool]:
    """Rows sharing ``key`` but differing in ``content``, each reported against the key's first line.

    Leaves the temp table ``<view>_dups(key, first_line)`` of every repeated key and says whether
    there is any, so callers deduplicate only when they must.
    """
    body = ", ".join(content)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {view}_dups AS
        SELECT "{key}" AS dup_key, min("{LINE}") AS first_line, count(DISTINCT ({body})) AS variants
        FROM {view} GROUP BY "{key}" HAVING count(*) > 1
    """)
    any_dups = con.execute(f"SELECT count(*) FROM {view}_dups").fetchone()[0] > 0
    if not any_dups:
        return [], False
    rows = con.execute(f"""
        SELECT t."{LINE}", CAST(t."{key}" AS VARCHAR), d.first_line
        FROM {view} t JOIN {view}_dups d ON t."{key}" = d.dup_key
        WHERE d.variants > 1 AND t."{LINE}" <> d.first_line
        ORDER BY t."{LINE}" LIMIT {MAX_SHOWN + 1}
    """).fetchall()
    problems = [
        Problem(table.file, line, key, table.number(key), value, f"{what} on line {first} with different content")
        for line, value, first in rows
    ]
    return problems, True
