"""Compare computed levels with levels an authority published, explaining every disagreement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True)
class Official:
    area_code: str
    date: dt.date
    level: str


@dataclass(frozen=True)
class Disagreement:
    area_code: str
    area_name: str
    date: dt.date
    official: str
    computed: str
    reason_code: str
    explanation: str


@dataclass
class Comparison:
    compared: int = 0
    agree: int = 0
    missing: list[Official] = field(default_factory=list)   # official rows with no computed row
    disagreements: list[Disagreement] = field(default_factory=list)


def compare(computed: pa.Table, official: list[Official], window_days: int = 14) -> Comparison:
    rows = {(r["area_code"], r["date"]): r for r in computed.to_pylist()}
    result = Comparison()
    for item in official:
        row = rows.get((item.area_code, item.date))
        if row is None:
            result.missing.append(item)
            continue
        result.compared += 1
        if row["level"] == item.level:
            result.agree += 1
        else:
            result.disagreements.append(Disagreement(
                item.area_code, row["area_name"], item.date, item.level, row["level"], row["reason_code"],
                explain_row(row, window_days)))
    return result


def explain_row(row: dict, window_days: int = 14) -> str:
    """What the data say for this row, with the boundary it sits on when there is one."""
    through = row.get("data_through")
    first = through - dt.timedelta(days=window_days - 1) if through else None
    parts = [f"computed {row['level']} by {row['reason_code']} ({row['reason']})"]
    facts = [f"{k}={row[k]}" for k in ("cumulative_confirmed", "new_confirmed_14d", "cluster_14d",
                                         "days_since_last_confirmed") if k in row]
    if first:
        facts.append(f"window {first} .. {through}")
    parts.append("; ".join(facts))
    since = row.get("days_since_last_confirmed")
    if since is not None and through is not None and since == window_days:
        last = through - dt.timedelta(days=since)
        parts.append(f"the last confirmed case was reported on {last}, one day before the window: "
                     f"counting that day in (a window of {window_days + 1} days, or data one day older) "
                     f"would give medium")
    elif since is not None and through is not None and 0 < since < window_days and row["level"] == "medium":
        parts.append(f"the last confirmed case was reported {since} days before the cutoff, inside the window")
    return "; ".join(parts)
