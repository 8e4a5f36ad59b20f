"""Input files as validated records ready to store: one Arrow table per file, one row per record key.

Validation is the engine's own (``epizone.io``): the same file passes or fails here as it does for
``epizone assess``, except that area codes are checked against the areas in the store (only the file's own codes are
looked up). Every problem
is collected and raised together as ``InputError``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from epizone.domain.problems import InputError, Problem
from epizone.io import cases as case_file
from epizone.io import counts as count_file
from epizone.io.areas import read_areas
from epizone.io.tables import Table, read_table

KNOWN_AREA = "the code of an area in the store (import the areas first)"
TRUE_TEXT = ("true", "1", "yes", "y", "t")
AREA_DATES = ("valid_from", "valid_to")
ALIAS_COLUMNS = {"name_traditional": "traditional", "name_pinyin": "pinyin", "name_english": "english",
                 "aliases": "other"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


KnownAreas = Callable[[list[str]], Iterable[str]]  # which of these area codes name an area in the store


@dataclass
class Records:
    """Validated records (one row per key) and how many data rows the file had."""

    table: pa.Table
    rows_read: int
    aliases: list[tuple[str, str, str]]  # (area_code, kind, alias); areas files only


def case_records(path: Path, known_areas: KnownAreas) -> Records:
    table = read_table(path, case_file.COLUMNS, case_file.OPTIONAL, case_file.CODED)
    _, problems = case_file.load_cases(table, _areas_of(table, known_areas))
    _raise(problems)
    data = table.data
    rows = data.num_rows
    columns = {
        "case_id": data.column("case_id").cast(pa.string()),
        "report_date": _dates(data.column("report_date")),
        "area_code": _text(data.column("area_code")),
        "classification": _text(data.column("classification")),
        "cluster_id": _empty_is_null(_text(data.column("cluster_id"))),
        "onset_date": _dates(data.column("onset_date")) if table.has("onset_date") else pa.nulls(rows, pa.date32()),
        "imported": _flags(data.column("imported")) if table.has("imported") else pa.nulls(rows, pa.bool_()),
    }
    records = pa.table(columns)
    return Records(_first_per_key(records, records.column("case_id")), rows, [])


def count_records(path: Path, known_areas: KnownAreas) -> Records:
    table = read_table(path, count_file.COLUMNS, (), count_file.CODED)
    counts, problems = count_file.load_counts(table, _areas_of(table, known_areas))
    _raise(problems)
    records = pa.table({  # load_counts keeps one row per (area, date, metric)
        "area_code": pa.array(counts.area_codes, pa.string()).take(pa.array(counts.area)),
        "date": pa.array(counts.day.astype("datetime64[D]")).cast(pa.date32()),
        "metric": pa.array(count_file.METRICS, pa.string()).take(pa.array(counts.metric)),
        "value": pa.array(counts.value, pa.int64()),
    })
    return Records(records, table.data.num_rows, [])


def area_records(path: Path) -> Records:
    try:
        hierarchy, problems = read_areas(path), []
    except InputError as exc:  # every problem of the five columns; the others are checked below
        hierarchy, problems = None, exc.problems
    try:
        extra = read_table(path, ["code"], (*AREA_DATES, *ALIAS_COLUMNS))
    except InputError:
        _raise(problems)
        raise
    rows = extra.data.to_pylist()
    validity, more = _validity(extra, rows)
    _raise(problems + more)
    assert hierarchy is not None
    firsts = {}
    for area in hierarchy.areas:
        firsts.setdefault(area.code, area)
    areas = list(firsts.values())
    records = pa.table({
        "code": [a.code for a in areas],
        "name": [a.name for a in areas],
        "parent_code": [a.parent_code for a in areas],
        "kind": [a.kind for a in areas],
        "population": pa.array([a.population for a in areas], pa.int64()),
        "valid_from": pa.array([validity[a.line - extra.first_line][0] for a in areas], pa.date32()),
        "valid_to": pa.array([validity[a.line - extra.first_line][1] for a in areas], pa.date32()),
    })
    return Records(records, len(rows), _aliases(rows))


def _areas_of(table: Table, known_areas: KnownAreas) -> dict[str, int]:
    """The areas known to the store among the file's distinct area codes (stripped, as validation reads
    them), as validation takes them: so a day's file looks up its own areas, not every area of the store."""
    distinct = pc.unique(table.data.column("area_code"))
    codes = pc.utf8_trim_whitespace(distinct.cast(pa.string())).drop_null().to_pylist()
    return dict.fromkeys(known_areas(codes), 0)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError([_reworded(p) for p in problems])


def _reworded(problem: Problem) -> Problem:
    if problem.expected != case_file.UNKNOWN_AREA:
        return problem
    return Problem(problem.file, problem.line, problem.column, problem.column_number, problem.value,
                   KNOWN_AREA, problem.more)


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(column.cast(pa.string()).fill_null(""))


def _empty_is_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _dates(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Native dates as they are; text (validated YYYY-MM-DD, or empty) parsed, empty as null."""
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return column.cast(pa.date32())
    return _empty_is_null(_text(column)).cast(pa.date32())


def _flags(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_boolean(column.type):
        return column
    text = pc.utf8_lower(_text(column))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.bool_()), pc.is_in(text, pa.array(TRUE_TEXT)))


def _first_per_key(records: pa.Table, key: pa.ChunkedArray) -> pa.Table:
    """One row per key, sorted by key (validation has made sure repeats are identical): the store's key
    indexes then take the rows in order. A file already in key order (the usual export) is only filtered."""
    if records.num_rows == 0:
        return records
    if pc.all(pc.less_equal(key.slice(0, len(key) - 1), key.slice(1))).as_py():
        first = _firsts(key)
        return records if pc.all(first).as_py() else records.filter(first)
    order = pc.sort_indices(key)  # stable: the first of repeats stays first
    return records.take(order.filter(_firsts(key.take(order))))


def _firsts(ordered: pa.ChunkedArray) -> pa.ChunkedArray:
    """Where each run of equal values of ``ordered`` starts."""
    later = pc.not_equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
    return pa.chunked_array([pa.array([True]), *later.chunks], pa.bool_())


def _validity(table: Table, rows: list[dict]) -> tuple[list[tuple[dt.date | None, dt.date | None]], list[Problem]]:
    problems: list[Problem] = []
    result = []
    for index, row in enumerate(rows):
        line = index + table.first_line
        dates = []
        for column in AREA_DATES:
            value = _cell(row.get(column))
            date = _date(value)
            if date is False:
                problems.append(Problem(table.file, line, column, table.number(column), value,
                                        "a date as YYYY-MM-DD, or empty"))
                date = None
            dates.append(date)
        if dates[0] and dates[1] and dates[1] < dates[0]:
            problems.append(Problem(table.file, line, "valid_to", table.number("valid_to"), str(dates[1]),
                                    f"a date on or after valid_from ({dates[0]})"))
        result.append((dates[0], dates[1]))
    return result, problems


def _cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _date(text: str) -> dt.date | None | bool:
    if not text:
        return None
    if not _DATE.fullmatch(text):
        return False
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return False


def _aliases(rows: list[dict]) -> list[tuple[str, str, str]]:
    found: dict[tuple[str, str, str], None] = {}
    for row in rows:
        code = _cell(row.get("code"))
        for column, kind in ALIAS_COLUMNS.items():
            for alias in _cell(row.get(column)).split(";") if column == "aliases" else [_cell(row.get(column))]:
                if alias.strip():
                    found[(code, kind, alias.strip())] = None
    return list(found)
