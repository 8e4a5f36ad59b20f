"""Daily counts from bulletins: ``area_code,date,metric,value``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from epizone.domain.problems import Problem
from epizone.io.columns import BAD, Coded, checked, days, listed, one_of
from epizone.io.tables import Table
from epizone.io.units import UnitIndex, area_units

COLUMNS = ["area_code", "date", "metric", "value"]
CODED = ("area_code", "date", "metric", "value")
METRICS = ("new_confirmed", "new_asymptomatic", "new_clusters")


@dataclass
class CountArrays:
    """One entry per distinct (area, date, metric); ``metric`` indexes METRICS."""

    unit: np.ndarray    # int32, -1 where the area has no ancestor-or-self of the unit kind
    day: np.ndarray     # int32
    metric: np.ndarray  # int8
    value: np.ndarray   # int64
    area: np.ndarray    # int64, index into area_codes
    area_codes: list[str]


def load_counts(table: Table, unit_of: Mapping[str, int] | UnitIndex) -> tuple[CountArrays, list[Problem]]:
    """Validate the counts against the areas (code -> unit index, -1 for none) and encode them.

    A validated table (one row per area, date and metric, as the store keeps them) is encoded without
    looking for repeats; its area codes, dates, metrics and values are still mapped."""
    area, unit, problems = area_units(table, "area_code", unit_of)
    day, bad_dates = days(table, "date")
    _, metric, bad_metrics = one_of(table, "metric", METRICS)
    numbers, value, bad_values = _values(table)
    problems += bad_dates + bad_metrics + bad_values
    keep = np.ones(day.size, dtype=bool)
    if not table.validated:
        keep, conflicts = _repeats(area.codes, day, metric, value)
        problems += listed(table, "value", conflicts[:, 0], numbers.value_of, "")
        problems = [_conflict(p, conflicts, table) if not p.expected else p for p in problems]
    counts = CountArrays(unit[keep].astype(np.int32), day[keep], metric[keep].astype(np.int8), value[keep],
                         area.codes[keep], area.values)
    return counts, problems


def _values(table: Table) -> tuple[Coded | None, np.ndarray, list[Problem]]:
    """The value column as whole numbers: a validated integer column as it is, text checked value by value."""
    column = table.data.column("value")
    if table.validated and pa.types.is_integer(column.type) and column.null_count == 0:
        return None, column.to_numpy().astype(np.int64), []
    return checked(table, "value", _whole, "a whole number >= 0")


def _whole(text: str) -> int:
    try:
        number = float(text)
    except ValueError:
        return BAD
    if not math.isfinite(number) or number < 0 or number != int(number):
        return BAD
    return int(number)


def _repeats(area: np.ndarray, day: np.ndarray, metric: np.ndarray, value: np.ndarray):  # noqa: ANN202
    """Rows repeating an earlier (area, date, metric): identical ones are dropped, others are conflicts.

    Returns the keep mask and an array of (row, first row of its key) for the conflicting rows.
    """
    key = (area.astype(np.int64) * (1 << 24) + (day.astype(np.int64) & 0xFFFFF)) * 4 + metric
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    repeat = np.zeros(order.size, dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    starts = np.where(~repeat, np.arange(order.size), 0)
    first = order[np.maximum.accumulate(starts)] if order.size else order
    keep = np.ones(order.size, dtype=bool)
    keep[order[repeat]] = False
    differs = repeat & (value[order] != value[first])
    pairs = np.stack([order[differs], first[differs]], axis=1) if order.size else np.zeros((0, 2), dtype=np.int64)
    return keep, pairs[np.argsort(pairs[:, 0])] if pairs.size else pairs


def _conflict(problem: Problem, pairs: np.ndarray, table: Table) -> Problem:
    row = problem.line - table.first_line
    first = int(pairs[pairs[:, 0] == row, 1][0]) + table.first_line
    return Problem(problem.file, problem.line, problem.column, problem.column_number, problem.value,
                   f"one value per area, date and metric (line {first} gives another value)", problem.more)
