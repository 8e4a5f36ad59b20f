"""Public holidays for working-day calendars: ``date`` (+ optional ``area_code``).

A row without an area code is a holiday of every unit; a row with one is a holiday of the units at or
below that area (e.g. a German Land's own holidays for its counties). Holidays only matter to timed
moves counted in working days or weekdays; they add to the rule set's own ``holidays``.
"""

from __future__ import annotations

import numpy as np

from epizone.domain.model import Hierarchy
from epizone.domain.problems import InputError
from epizone.io.columns import BAD, checked, days
from epizone.io.tables import Source, read_table

COLUMNS = ["date"]
OPTIONAL = ("area_code",)
EVERY_UNIT = -1


def read_holidays(source: Source, hierarchy: Hierarchy, unit: str) -> list[tuple[int, int]]:
    """``(day number, unit index or EVERY_UNIT)`` pairs; every problem raised together."""
    table = read_table(source, COLUMNS, OPTIONAL, ("date", "area_code"), kind="holidays")
    day, problems = days(table, "date")
    units = {a.code: i for i, a in enumerate(hierarchy.units(unit))}
    below = _units_below(hierarchy, unit, units)
    position = {code: i for i, code in enumerate(below)}
    if table.has("area_code"):
        _, place, found = checked(table, "area_code", lambda v: EVERY_UNIT if v == "" else position.get(v, BAD),
                                  f"empty, or the code of an area at or above the unit kind {unit!r}")
        problems += found
    else:
        place = np.full(day.size, EVERY_UNIT)
    if problems:
        raise InputError(problems)
    areas = list(below)
    pairs: set[tuple[int, int]] = set()
    for d, p in zip(day.tolist(), place.tolist()):
        pairs.update([(d, EVERY_UNIT)] if p == EVERY_UNIT else ((d, u) for u in below[areas[p]]))
    return sorted(pairs)


def _units_below(hierarchy: Hierarchy, unit: str, units: dict[str, int]) -> dict[str, list[int]]:
    """Every area that is a unit or an ancestor of one -> the indexes of the units at or below it."""
    result: dict[str, list[int]] = {}
    for code, index in units.items():
        node = hierarchy.by_code.get(code)
        while node is not None:
            result.setdefault(node.code, []).append(index)
            node = hierarchy.by_code.get(node.parent_code) if node.parent_code else None
    return result
