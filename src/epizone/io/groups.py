"""Area groups of a second hierarchy: ``group_code,area_code`` (e.g. US health service areas and their counties).

A metric reported for a group applies to every member that is a unit of the assessment, unless the unit
reports the same metric for the same date itself.
"""

from __future__ import annotations

import numpy as np

from epizone.domain.problems import InputError, Problem
from epizone.io.columns import BAD, checked, coded
from epizone.io.tables import Source, read_table

COLUMNS = ["group_code", "area_code"]


def read_groups(source: Source, known_areas: set[str]) -> dict[str, list[str]]:
    """Group code -> member area codes, in file order; every problem raised together."""
    table = read_table(source, COLUMNS, (), tuple(COLUMNS), kind="groups")
    area, _, problems = checked(table, "area_code", lambda v: 0 if v in known_areas else BAD,
                                "the code of an area in the areas file")
    group = coded(table, "group_code")
    bad = np.array([(not v) or v in known_areas for v in group.values], dtype=bool)
    rows = np.flatnonzero(bad[group.codes]) if bad.size else np.zeros(0, dtype=np.int64)
    problems += table.problems("group_code", rows[:50], group.value_of(rows[:50]),
                               "a non-empty group code that is not also an area code")
    if problems:
        raise InputError(problems)
    members: dict[str, list[str]] = {}
    for g, a in zip(group.value_of(np.arange(len(group.codes))), area.value_of(np.arange(len(area.codes)))):
        if a not in members.setdefault(g, []):
            members[g].append(a)
    return members
