"""Reported metrics: ``area_code,date,metric,value`` (daily or weekly), e.g. ``cases_7d``, ``test_positivity_7d``.

A metric is read at the area it is reported for: it must be a unit of the assessment (rates do not
add up over sub-areas). Rows reported for other areas are counted as unassigned, never dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from epizone.domain.problems import Problem
from epizone.io.cases import UNKNOWN_AREA
from epizone.io.columns import BAD, checked, coded, days, listed
from epizone.io.tables import Table

COLUMNS = ["area_code", "date", "metric", "value"]
CODED = ("area_code", "date", "metric", "value")
NAME = re.compile(r"[a-z][a-z0-9_]*")
OUTSIDE = -1
GROUP = -2


@dataclass
class MetricArrays:
    """One entry per distinct (area, date, metric); ``metric`` indexes ``names``."""

    unit: np.ndarray    # int32; -1 where the area is not itself a unit
    day: np.ndarray     # int32
    metric: np.ndarray  # int32
    value: np.ndarray   # float64
    area: np.ndarray    # int32, index into area_codes
    area_codes: list[str]
    names: list[str]


def load_metrics(table: Table, known_areas: set[str], unit_index: dict[str, int],
                 groups: dict[str, list[str]] | None = None) -> tuple[MetricArrays, list[Problem]]:
    """``known_areas``: every code of the areas file; ``unit_index``: code -> index for the units only;
    ``groups``: group code -> member area codes (a metric of a group applies to its member units)."""
    groups = groups or {}

    def place(code: str) -> int:
        if code in known_areas:
            return unit_index.get(code, OUTSIDE)
        return GROUP if code in groups else BAD

    area, unit, problems = checked(table, "area_code", place,
                                   UNKNOWN_AREA + (" or of a group in the groups file" if groups else ""))
    day, bad_dates = days(table, "date")
    names = coded(table, "metric")
    metric = names.numbered()
    bad_names = np.array([not NAME.fullmatch(v) for v in names.values], dtype=bool)
    bad_rows = bad_names[names.codes] if bad_names.size else np.zeros(0, dtype=bool)
    numbers = coded(table, "value")
    value = np.array([_number(v) for v in numbers.values], dtype=np.float64)[numbers.codes]
    problems += bad_dates
    problems += listed(table, "metric", np.flatnonzero(bad_rows), names.value_of,
                       "a metric name of lower-case letters, digits and _ (e.g. cases_7d)")
    problems += listed(table, "value", np.flatnonzero(np.isnan(value)), numbers.value_of, "a number >= 0")
    keep, conflicts = _repeats(area.codes, day, metric, value)
    problems += [Problem(table.file, int(row) + table.first_line, "value", table.number("value"),
                         numbers.value_of(np.array([row]))[0],
                         f"one value per area, date and metric (line {int(first) + table.first_line} gives another)")
                 for row, first in conflicts[:50]]
    distinct = names.distinct()
    found = MetricArrays(unit[keep].astype(np.int32), day[keep], metric[keep], value[keep],
                         area.codes[keep], area.values, distinct)
    return (_spread(found, groups, unit_index) if groups else found), problems


def _spread(m: MetricArrays, groups: dict[str, list[str]], unit_index: dict[str, int]) -> MetricArrays:
    """Copy each group row to the group's member units; a unit's own row for the same day and metric wins.

    Group rows that reach no unit stay as they are (unit -1): counted as unassigned.
    """
    own = m.unit != GROUP
    index = {code: i for i, code in enumerate(m.area_codes)}
    parts = [(m.unit[own], m.day[own], m.metric[own], m.value[own], m.area[own], np.zeros(own.sum(), np.int8))]
    for code, members in groups.items():
        units = np.array([unit_index[a] for a in members if a in unit_index], dtype=np.int32)
        rows = np.flatnonzero(~own & (m.area == index.get(code, -1)))
        if len(rows) == 0:
            continue
        if units.size == 0:
            parts.append((np.full(len(rows), -1, np.int32), m.day[rows], m.metric[rows], m.value[rows], m.area[rows],
                          np.ones(len(rows), np.int8)))
            continue
        take = np.repeat(rows, units.size)
        parts.append((np.tile(units, len(rows)), m.day[take], m.metric[take], m.value[take], m.area[take],
                      np.ones(take.size, np.int8)))
    unit, day, metric, value, area, from_group = (np.concatenate(p) for p in zip(*parts))
    order = np.lexsort((from_group, day, metric, unit))
    key = np.stack([unit[order], metric[order], day[order]], axis=1)
    first = np.ones(order.size, dtype=bool)
    first[1:] = np.any(key[1:] != key[:-1], axis=1) | (unit[order][1:] < 0)
    keep = order[first]
    return MetricArrays(unit[keep].astype(np.int32), day[keep], metric[keep], value[keep], area[keep],
                        m.area_codes, m.names)


def _number(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) and number >= 0 else math.nan


def _repeats(area: np.ndarray, day: np.ndarray, metric: np.ndarray, value: np.ndarray):  # noqa: ANN202
    key = np.stack([area.astype(np.int64), day.astype(np.int64), metric.astype(np.int64)], axis=1)
    order = np.lexsort((key[:, 2], key[:, 1], key[:, 0]))
    same = np.zeros(order.size, dtype=bool)
    if order.size > 1:
        same[1:] = np.all(key[order][1:] == key[order][:-1], axis=1)
    starts = np.where(~same, np.arange(order.size), 0)
    first = order[np.maximum.accumulate(starts)] if order.size else order
    keep = np.ones(order.size, dtype=bool)
    keep[order[same]] = False
    differs = same & (value[order] != value[first])
    pairs = sorted(zip(order[differs].tolist(), first[differs].tolist()))
    return keep, pairs
