"""Daily counts from bulletins: ``area_code,date,metric,value``."""

from __future__ import annotations

import duckdb

from epizone.domain.problems import Problem
from epizone.io.checks import Check, date_sql, run_checks, text_sql
from epizone.io.tables import LINE, Table

COLUMNS = ["area_code", "date", "metric", "value"]
METRICS = ("new_confirmed", "new_asymptomatic", "new_clusters")


def check_counts(con: duckdb.DuckDBPyConnection, table: Table) -> list[Problem]:
    """Validate the counts and create the clean view ``counts(day, unit, area_code, metric, value)``.

    A row repeated with the same value counts once; the same area, date and metric with two
    different values is an error.
    """
    con.register("counts_raw", table.data)
    day = date_sql(table, "date")
    value = f"try_cast({text_sql('value')} AS DOUBLE)"
    metrics = ", ".join(f"'{m}'" for m in METRICS)
    checks = [
        Check("area_code", f"{text_sql('area_code')} NOT IN (SELECT code FROM areas)",
              "the code of an area in the areas file"),
        Check("date", f"{day} IS NULL", "a date as YYYY-MM-DD"),
        Check("metric", f"{text_sql('metric')} NOT IN ({metrics})", f"one of {', '.join(METRICS)}"),
        Check("value", f"{value} IS NULL OR {value} < 0 OR {value} <> floor({value})",
              "a whole number >= 0"),
    ]
    problems = run_checks(con, "counts_raw", table, checks)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE counts_clean AS
        SELECT {text_sql('area_code')} AS area_code, CAST({day} - DATE '1970-01-01' AS INTEGER) AS day,
               {text_sql('metric')} AS metric, CAST({value} AS BIGINT) AS value, "{LINE}" AS line
        FROM counts_raw
    """)
    rows = con.execute(f"""
        SELECT c.line, CAST(c.value AS VARCHAR), f.first_line FROM counts_clean c JOIN (
            SELECT area_code, day, metric, min(line) AS first_line FROM counts_clean
            GROUP BY ALL HAVING count(DISTINCT value) > 1) f USING (area_code, day, metric)
        WHERE c.line <> f.first_line ORDER BY c.line LIMIT 51
    """).fetchall()
    problems += [
        Problem(table.file, line, "value", table.number("value"), value,
                f"one value per area, date and metric (line {first} gives another value)")
        for line, value, first in rows
    ]
    con.execute("""
        CREATE OR REPLACE TEMP VIEW counts AS
        SELECT day, areas.unit, area_code, metric, value
        FROM (SELECT DISTINCT area_code, day, metric, value FROM counts_clean) AS c
        JOIN areas ON areas.code = c.area_code
    """)
    return problems
