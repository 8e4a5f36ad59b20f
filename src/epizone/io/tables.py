"""Read an input table (CSV, or Parquet when the name ends in .parquet) into Arrow, or take one already in memory.

Columns with few distinct values (area codes, dates, classifications, cluster ids) are read
dictionary-encoded, so validating and mapping them costs one look-up per distinct value, not per row.
Every CSV column is read as text, so that validation, not the reader, decides what a bad value is.
Row ``i`` of a CSV file is physical line ``i + 2`` (the header is line 1; empty lines are kept as
rows so the count stays exact); in a Parquet file or an Arrow table it is row ``i + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from epizone.domain.problems import InputError, Problem

CODED = pa.dictionary(pa.int32(), pa.string())
Source = str | Path | pa.Table  # a file to read, or an Arrow table already in memory


@dataclass
class Table:
    """An input table as read: its file name, columns in file order, the data and the first line number."""

    file: str
    columns: list[str]
    data: pa.Table
    first_line: int
    validated: bool = False  # rows already checked (e.g. the store's records): loaders skip the file checks
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # columns decoded once (io.columns)

    def number(self, column: str) -> int:
        """1-based position of a column in the file (0 when absent)."""
        return self.columns.index(column) + 1 if column in self.columns else 0

    def has(self, column: str) -> bool:
        return column in self.data.column_names

    def problems(self, column: str, rows: np.ndarray, values: list[str], expected: str) -> list[Problem]:
        """One Problem per bad row (row indexes into the table), naming the line and value."""
        return [Problem(self.file, int(row) + self.first_line, column, self.number(column), value, expected)
                for row, value in zip(rows.tolist(), values)]


def read_table(source: Source, required: list[str], optional: tuple[str, ...] = (), coded: tuple[str, ...] = (),
               kind: str = "table", validated: bool = False) -> Table:
    """Read the required and optional columns; ``coded`` ones come back as dictionary arrays from a file.

    An Arrow ``source`` is taken as it is (named after ``kind`` in problems); ``validated`` says its rows
    were already checked. A file is always checked."""
    if isinstance(source, pa.Table):
        return _in_memory(source, required, optional, kind, validated)
    path = Path(source)
    name = str(path)
    if not path.is_file():
        raise InputError([Problem(name, 0, "", 0, "", "an existing file")])
    parquet = path.suffix.lower() == ".parquet"
    columns = _parquet_columns(path) if parquet else _header(path)
    _require(name, columns, required)
    keep = [c for c in columns if c in required or c in optional]
    data = _read_parquet(path, keep, coded) if parquet else _read_csv(path, columns, keep, coded)
    return Table(name, columns, data, 1 if parquet else 2)


def source_name(source: object, kind: str) -> str:
    """What problems call an input: its path, or the kind of an input held in memory (a table, parsed areas)."""
    return str(source) if isinstance(source, (str, Path)) else f"{kind} (in memory)"


def _in_memory(data: pa.Table, required: list[str], optional: tuple[str, ...], kind: str,
               validated: bool) -> Table:
    name = source_name(data, kind)
    columns = data.column_names
    _require(name, columns, required)
    keep = [c for c in columns if c in required or c in optional]
    return Table(name, columns, data.select(keep), 1, validated)


def _require(name: str, columns: list[str], required: list[str]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError([
            Problem(name, 1, c, 0, ",".join(columns), f"a column named {c!r} (required: {', '.join(required)})")
            for c in missing
        ])


def _read_csv(path: Path, header: list[str], keep: list[str], coded: tuple[str, ...]) -> pa.Table:
    types = {c: (CODED if c in coded else pa.string()) for c in header}
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types, include_columns=keep,
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        raise InputError([Problem(str(path), 0, "", 0, "", f"a well-formed CSV file ({exc})")]) from None


def _header(path: Path) -> list[str]:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            first = handle.readline().rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), 1, "", 0, "", f"text encoded as UTF-8 ({exc.reason})")]) from None
    if not first:
        raise InputError([Problem(str(path), 1, "", 0, "", "a header line naming the columns")])
    return [c.strip().strip('"') for c in first.split(",")]


def _parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError([Problem(str(path), 0, "", 0, "", f"a readable Parquet file ({exc})")]) from None


def _read_parquet(path: Path, keep: list[str], coded: tuple[str, ...]) -> pa.Table:
    """One chunk per row group (``ParquetFile``, not the dataset reader: fewer chunks to unify, and no
    import of the dataset module)."""
    schema = pq.read_schema(path)
    strings = [c for c in keep if c in coded and pa.types.is_string(schema.field(c).type)]
    try:
        return pq.ParquetFile(path, read_dictionary=strings).read(columns=keep, use_threads=True)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError([Problem(str(path), 0, "", 0, "", f"a readable Parquet file ({exc})")]) from None
