"""Read an input table (CSV, or Parquet when the name ends in .parquet) into Arrow, keeping line numbers.

Every CSV column is read as text so that validation, not the reader, decides what a bad value is.
A ``_line`` column is added: the physical line in the CSV file (header = line 1), or the 1-based row
number in a Parquet file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from epizone.domain.problems import InputError, Problem

LINE = "_line"


@dataclass
class Table:
    """An input table as read: its file name, columns in file order, and the data."""

    file: str
    columns: list[str]
    data: pa.Table

    def number(self, column: str) -> int:
        """1-based position of a column in the file (0 when absent)."""
        return self.columns.index(column) + 1 if column in self.columns else 0


def read_table(path: str | Path, required: list[str], optional: tuple[str, ...] = ()) -> Table:
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError([Problem(name, 0, "", 0, "", "an existing file")])
    data = _read_parquet(path) if path.suffix.lower() == ".parquet" else _read_csv(path)
    columns = [c for c in data.column_names]
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError([
            Problem(name, 1, c, 0, ",".join(columns), f"a column named {c!r} (required: {', '.join(required)})")
            for c in missing
        ])
    first = 2 if path.suffix.lower() != ".parquet" else 1
    lines = pa.array(np.arange(first, first + data.num_rows, dtype=np.int64))
    keep = [c for c in columns if c in required or c in optional]
    return Table(name, columns, data.select(keep).append_column(LINE, lines))


def _read_csv(path: Path) -> pa.Table:
    header = _header(path)
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
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


def _read_parquet(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError([Problem(str(path), 0, "", 0, "", f"a readable Parquet file ({exc})")]) from None
