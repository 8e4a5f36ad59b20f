"""Problems found in input data, each naming where it is and what was expected."""

from __future__ import annotations

from dataclasses import dataclass

from epizone.domain.errors import InvalidInput

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
    more: int = 0   # further rows with the same problem in this column, not listed one by one

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f"column {self.column!r} ({self.column_number})" if self.column_number else f"column {self.column!r}"
        tail = f" (and {self.more} more row(s) with this problem in this column)" if self.more else ""
        return f"{where}: {col}: value {self.value!r}: {self.expected}{tail}"


class InputError(InvalidInput):
    """Raised with every problem found in the inputs, sorted by file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(self.describe())

    @property
    def count(self) -> int:
        """Every problem, including rows summarised by ``Problem.more``."""
        return sum(1 + p.more for p in self.problems)

    def describe(self, limit: int = MAX_SHOWN) -> str:
        shown = [str(p) for p in self.problems[:limit]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s)")
        return "\n".join(shown)
