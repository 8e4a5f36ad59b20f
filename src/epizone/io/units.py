"""Which unit each area code belongs to, for all codes of an input column at once.

``Hierarchy.unit_of`` walks up from every area in Python (46,000 at national scale); here each area's
unit is found by pointer doubling over the parent positions (log2 of the depth in NumPy steps), and a
column's distinct texts are looked up once each. The answers are the same: the index (among the areas of the unit kind, in input order) of
an area's ancestor-or-self of the unit kind, -1 when it has none, ``BAD`` when the text is no area's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from epizone.domain.model import Hierarchy
from epizone.domain.problems import Problem
from epizone.io.columns import BAD, Coded, checked, coded, rejected
from epizone.io.tables import Table

UNKNOWN_AREA = "the code of an area in the areas file"


@dataclass
class UnitIndex:
    position: dict[str, int]  # every area's code -> its position in the hierarchy
    unit: np.ndarray          # int32 per area: the index of its unit, -1 when it has none

    @classmethod
    def of(cls, hierarchy: Hierarchy, kind: str) -> "UnitIndex | None":
        """The index of a checked hierarchy (None when its codes repeat: then ``unit_of`` decides)."""
        areas = hierarchy.areas
        n = len(areas)
        position = dict(zip([a.code for a in areas], range(n)))
        if len(position) != n:
            return None
        parent = np.array([position.get(a.parent_code, n) if a.parent_code else n for a in areas], dtype=np.int64)
        is_unit = np.array([a.kind for a in areas], dtype=object) == kind if n else np.zeros(0, dtype=bool)
        up = np.append(np.where(is_unit, np.arange(n), parent), n)  # n: above the roots; units point at themselves
        for _ in range(max(1, n.bit_length()) + 1):
            following = up[up]
            if np.array_equal(following, up):
                break
            up = following
        found = up[:n]
        reached = found < n
        reached[reached] = is_unit[found[reached]]
        unit = np.full(n, -1, dtype=np.int32)
        unit[reached] = (np.cumsum(is_unit, dtype=np.int64) - 1)[found[reached]]
        return cls(position, unit)

    def lookup(self, texts: pa.Array) -> np.ndarray:
        """The unit index of each text (-1: an area without a unit; ``BAD``: no area has that code)."""
        at = np.array([self.position.get(t, -1) for t in texts.to_pylist()], dtype=np.int64)
        return np.where(at >= 0, self.unit[np.maximum(at, 0)] if self.unit.size else -1, BAD).astype(np.int32)


def area_units(table: Table, column: str, units: "Mapping[str, int] | UnitIndex") -> tuple[Coded, np.ndarray,
                                                                                          list[Problem]]:
    """The column's codes, the unit index of every row (``BAD``: unknown area) and a problem per unknown area;
    ``units``: a UnitIndex, or a mapping of area code -> unit index (-1 for none)."""
    if not isinstance(units, UnitIndex):
        return checked(table, column, lambda v: units.get(v, BAD), UNKNOWN_AREA)
    values = coded(table, column)
    found = units.lookup(values.dictionary)
    result = found[values.codes] if found.size else np.zeros(values.codes.size, dtype=np.int32)
    return values, result, rejected(table, column, values, result == BAD, UNKNOWN_AREA)
