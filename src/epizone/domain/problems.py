"""Problems found in input data, each naming where it is and what was expected."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 50


@dataclass(frozen=True, order=True)
class Problem:
    """One bad value: ``file:line: column 'name' (n): value 'x': expected ...``.

    ``line`` counts physical lines of a CSV file with the header as line 1; for Parquet it is the
    1-based row number. ``column`` is the column name; ``column_number`` is 1-based.
    """

    file: str
    line: int
    column: str
    column_number: int
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f"column {self.column!r} ({self.column_number})" if self.column_number else f"column {self.column!r}"
        return f"{where}: {col}: value {self.value!r}: {self.expected}"


class InputError(Exception):
    """Raised with every problem found in the inputs, sorted by file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(self.describe())

    def describe(self, limit: int = MAX_SHOWN) -> str:
        shown = [str(p) for p in self.problems[:limit]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s)")
        return "\n".join(shown)
