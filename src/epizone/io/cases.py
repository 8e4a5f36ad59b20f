"""The case line list: ``case_id,report_date,area_code,classification,cluster_id`` (+ ``onset_date``, ``imported``)."""

from __future__ import annotations

import duckdb

from epizone.domain.problems import Problem
from epizone.io.checks import Check, date_sql, duplicate_problems, run_checks, text_sql
from epizone.io.tables import LINE, Table

COLUMNS = ["case_id", "report_date", "area_code", "classification", "cluster_id"]
OPTIONAL = ("onset_date", "imported")
CLASSIFICATIONS = ("confirmed", "asymptomatic")
BOOLEAN_TEXT = ("", "true", "false", "1", "0", "yes", "no", "y", "n", "t", "f")


def check_cases(con: duckdb.DuckDBPyConnection, table: Table) -> list[Problem]:
    """Validate the line list and create the clean view ``cases``, one row per distinct case.

    ``areas(code, unit)`` must already exist. ``cases`` has ``day`` (days since 1970-01-01),
    ``unit`` (-1 when the area is above or outside the unit kind), ``area_code``, ``classification``
    and ``cluster_id`` ('' when none). The view is only meaningful when no problem was found.
    """
    con.register("cases_raw", table.data)
    report = date_sql(table, "report_date")
    classes = ", ".join(f"'{c}'" for c in CLASSIFICATIONS)
    checks = [
        Check("case_id", f"{text_sql('case_id')} = ''", "a non-empty case id"),
        Check("report_date", f"{report} IS NULL", "a date as YYYY-MM-DD"),
        Check("area_code", f"{text_sql('area_code')} NOT IN (SELECT code FROM areas)",
              "the code of an area in the areas file"),
        Check("classification", f"{text_sql('classification')} NOT IN ({classes})",
              f"one of {', '.join(CLASSIFICATIONS)}"),
    ]
    names = table.data.column_names
    if "onset_date" in names:
        onset = date_sql(table, "onset_date")
        checks.append(Check("onset_date", f"{text_sql('onset_date')} <> '' AND {onset} IS NULL",
                            "a date as YYYY-MM-DD, or empty"))
    if "imported" in names:
        allowed = ", ".join(f"'{b}'" for b in BOOLEAN_TEXT)
        checks.append(Check("imported", f"lower({text_sql('imported')}) NOT IN ({allowed})",
                            "true or false (or 1/0, yes/no), or empty"))
    problems = run_checks(con, "cases_raw", table, checks)
    content = [text_sql(c) for c in names if c != "case_id" and c != LINE]
    dup_problems, any_dups = duplicate_problems(con, "cases_raw", table, "case_id", content,
                                                "the case id is already used")
    source = "cases_raw"
    if any_dups:  # identical repeats of a case count once: keep each repeated case's first line
        source = (f'(SELECT c.* FROM cases_raw c LEFT JOIN cases_raw_dups d ON c."case_id" = d.dup_key '
                  f'WHERE d.dup_key IS NULL OR c."{LINE}" = d.first_line)')
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW cases AS
        SELECT CAST({report} - DATE '1970-01-01' AS INTEGER) AS day, areas.unit,
               areas.code AS area_code, {text_sql('classification')} AS classification,
               {text_sql('cluster_id')} AS cluster_id
        FROM {source} AS c JOIN areas ON areas.code = {text_sql('area_code')}
    """)
    return dup_problems + problems
