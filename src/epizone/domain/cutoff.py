"""The data cutoff: which data an assessment of day ``t`` may use.

``lag:N`` assesses day ``t`` on data dated up to ``t - N`` (an announcement on 23 Feb made with
data to the 22nd is ``lag:1``); a date ``D`` uses data up to ``min(t, D)``. Every indicator is then
read as of the cutoff: the 14-day window is the 14 data dates ending at the cutoff.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


def from_day_number(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


@dataclass(frozen=True)
class DataThrough:
    lag: int = 0
    date: dt.date | None = None

    @classmethod
    def parse(cls, text: str | None) -> "DataThrough":
        """``lag:N`` (N >= 0 days), or a date YYYY-MM-DD; empty means ``lag:0``."""
        if not text:
            return cls()
        match = re.fullmatch(r"lag:(\d+)", text.strip())
        if match:
            return cls(lag=int(match.group(1)))
        try:
            return cls(date=dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise ValueError(f"--data-through {text!r}: expected lag:N (N >= 0) or a date YYYY-MM-DD") from None

    def cutoffs(self, days: np.ndarray) -> np.ndarray:
        """The cutoff day number of each assessed day number."""
        if self.date is not None:
            return np.minimum(days, day_number(self.date))
        return days - self.lag

    def __str__(self) -> str:
        return self.date.isoformat() if self.date is not None else f"lag:{self.lag}"
