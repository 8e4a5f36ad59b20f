"""Rows of an operations file (CSV or Parquet) or of a JSON request, checked value by value.

Every bad value becomes a ``Problem`` naming file, line, column, value and what was expected, as for the
case and count files; all of them are raised together as ``InputError`` and nothing is written. Line ``N``
of a CSV file is its physical line (the header is line 1); for JSON rows line ``N`` is ``rows[N-1]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from epizone.domain.problems import InputError, Problem
from epizone.domain.values import as_text

TRUE_TEXT = ("true", "1", "yes", "y", "t")
FALSE_TEXT = ("false", "0", "no", "n", "f", "")
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
LATEST_ZONE = dt.timezone(dt.timedelta(hours=14))  # the first time zone to reach a date
MAX_COUNT = 10_000_000


def today() -> dt.date:
    """The latest date that is not in the future anywhere (today at UTC+14): a later date is refused."""
    return dt.datetime.now(LATEST_ZONE).date()


@dataclass
class Sheet:
    """The rows of one file (or JSON body) as text, with where each row is."""

    file: str
    columns: list[str]
    rows: list[dict[str, str]]
    first_line: int  # the line of rows[0]

    def line(self, index: int) -> int:
        return index + self.first_line

    def number(self, column: str) -> int:
        return self.columns.index(column) + 1 if column in self.columns else 0


def read_sheet(path: str | Path, required: Iterable[str], name: str | None = None) -> Sheet:
    """A CSV (UTF-8) or Parquet file; InputError for a missing file, bad encoding or missing columns."""
    path = Path(path)
    label = name or str(path)
    if not path.is_file():
        raise InputError([Problem(label, 0, "", 0, "", "an existing file")])
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq  # only for Parquet files
        try:
            table = pq.read_table(path)
        except Exception as exc:  # noqa: BLE001  (any unreadable file is the same problem)
            raise InputError([Problem(label, 0, "", 0, "", f"a readable Parquet file ({exc})")]) from None
        sheet = Sheet(label, list(table.column_names), [{k: _text(v) for k, v in row.items()}
                                                         for row in table.to_pylist()], 1)
    else:
        sheet = _read_csv(path, label)
    missing = [c for c in required if c not in sheet.columns]
    if missing:
        raise InputError([Problem(label, 1, c, 0, ",".join(sheet.columns),
                                  f"a column named {c!r} (required: {', '.join(required)})") for c in missing])
    return sheet


def _read_csv(path: Path, label: str) -> Sheet:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise InputError([Problem(label, 1, "", 0, "", "a header line naming the columns")])
            columns = [c.strip() for c in header]
            rows, lines = [], []
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                lines.append(reader.line_num)
                rows.append({c: (record[i].strip() if i < len(record) else "") for i, c in enumerate(columns)})
    except UnicodeDecodeError as exc:
        raise InputError([Problem(label, 0, "", 0, "", f"text encoded as UTF-8 ({exc.reason})")]) from None
    except csv.Error as exc:
        raise InputError([Problem(label, 0, "", 0, "", f"a well-formed CSV file ({exc})")]) from None
    sheet = _LinedSheet(label, columns, rows, 2)
    sheet.lines = lines
    return sheet


@dataclass
class _LinedSheet(Sheet):
    lines: list[int] = field(default_factory=list)  # physical line of each row (empty lines are skipped)

    def line(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else index + self.first_line


def sheet_from_rows(name: str, rows: list[Mapping[str, Any]], required: Iterable[str]) -> Sheet:
    """JSON objects as a sheet: line N is rows[N-1]; a missing column is a problem on line 0."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError([Problem(name, 0, c, 0, ",".join(columns),
                                  f"a column named {c!r} (required: {', '.join(required)})") for c in missing])
    return Sheet(name, columns, [{c: as_text(row.get(c)).strip() for c in columns} for row in rows], 1)


class Checker:
    """Reads typed values out of a sheet's rows, collecting a Problem for every bad one."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.problems: list[Problem] = []

    def problem(self, index: int, column: str, value: str, expected: str) -> None:
        self.problems.append(Problem(self.sheet.file, self.sheet.line(index), column, self.sheet.number(column),
                                     value, expected))

    def count(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def text(self, index: int, row: dict[str, str], column: str, required: bool = True,
             max_length: int = 200) -> str | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.problem(index, column, value, "a non-empty value")
            return None
        if len(value) > max_length:
            self.problem(index, column, value[:40] + "...", f"at most {max_length} characters")
            return None
        return value

    def integer(self, index: int, row: dict[str, str], column: str, minimum: int = 0, maximum: int = MAX_COUNT,
                default: int | None = None) -> int | None:
        value = row.get(column, "")
        if not value and default is not None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not minimum <= number <= maximum:
            self.problem(index, column, value, f"a whole number from {minimum} to {maximum}")
            return None
        return number

    def day(self, index: int, row: dict[str, str], column: str, required: bool = True,
            latest: dt.date | None = None) -> dt.date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.problem(index, column, value, "a date as YYYY-MM-DD")
            return None
        try:
            day = dt.date.fromisoformat(value) if DATE_TEXT.fullmatch(value) else None
        except ValueError:
            day = None
        if day is None:
            self.problem(index, column, value, "a date as YYYY-MM-DD")
        elif latest is not None and day > latest:
            self.problem(index, column, value, f"a date that is not in the future (on or before {latest})")
            return None
        return day

    def choice(self, index: int, row: dict[str, str], column: str, choices: Iterable[str],
               default: str | None = None) -> str | None:
        value = row.get(column, "")
        if not value and default is not None:
            return default
        options = list(choices)
        if value not in options:
            self.problem(index, column, value, f"one of {', '.join(options)}")
            return None
        return value

    def flag(self, index: int, row: dict[str, str], column: str, default: bool = False) -> bool | None:
        value = row.get(column, "").lower()
        if column not in row or value == "":
            return default
        if value in TRUE_TEXT:
            return True
        if value in FALSE_TEXT:
            return False
        self.problem(index, column, row[column], "true or false")
        return None

    def places(self, index: int, row: dict[str, str], column: str) -> dict[str, int] | None:
        """``place:count; place:count`` (``湖北:3; 江西:2``): where employees still are, and how many."""
        value = row.get(column, "")
        found: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[;；]", value))):
            place, _, count = part.replace("：", ":").rpartition(":")
            if not place.strip() or not count.strip().isdigit() or place.strip() in found:
                self.problem(index, column, value, "places with counts, as place:count; place:count "
                                                   "(each place once)")
                return None
            found[place.strip()] = int(count)
        return found


def repeated(checker: Checker, keyed: dict[tuple, tuple[int, tuple]], key: tuple, index: int, values: tuple,
             column: str, what: str) -> bool:
    """Whether ``key`` was seen before in the file; a repeat with other values is a problem."""
    seen = keyed.get(key)
    if seen is None:
        keyed[key] = (index, values)
        return False
    if seen[1] != values:
        checker.problem(index, column, str(key[-1]) if key else "",
                        f"one row per {what} (line {checker.sheet.line(seen[0])} has other values)")
    return True
