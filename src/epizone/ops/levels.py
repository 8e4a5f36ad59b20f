"""The published level in force for an area on a date, with the rule set it was published under.

Levels are published for the graded units (counties under the 2020 rule sets); an area below a unit (a
township) takes its unit's level, found by walking up the tree to the nearest area with a published level.
The level of a unit on a date is the one of the latest publication (by effective date, then publication id)
covering it that took effect on or before the date and was not retracted: the rule of
``epizone.store.levels.in_force``, read here once for a whole period so that a series costs one query.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from epizone.ops.areas import Areas
from epizone.ops.policy import Policy, policy_for
from epizone.store.levels import active
from epizone.store.models import Announcement, AssessmentRun, Publication, PublishedLevel


@dataclass(frozen=True)
class LevelInForce:
    area_code: str          # the area the level was published for (the unit)
    area_name: str
    level: str
    rule_set: str           # id@version of the run published
    reason_code: str
    reason_zh: str
    reason_en: str
    effective_date: dt.date
    assessed_date: dt.date
    announcement: int | None

    @property
    def rule_set_id(self) -> str:
        return self.rule_set.split("@")[0]

    @property
    def policy(self) -> Policy | None:
        return policy_for(self.rule_set, self.level)


class Levels:
    """Every publication in force by ``end`` (not retracted), per area, for looking up any date up to ``end``."""

    def __init__(self, connection: Connection, areas: Areas, end: dt.date):
        self.areas = areas
        number = (select(Announcement.number).where(Announcement.kind == "publish",
                                                    Announcement.publication_id == Publication.id)
                  .scalar_subquery())
        rows = connection.execute(
            select(PublishedLevel.area_code, PublishedLevel.area_name, PublishedLevel.level, AssessmentRun.rule_set,
                   PublishedLevel.reason_code, PublishedLevel.reason_zh, PublishedLevel.reason_en,
                   Publication.effective_date, Publication.date, number.label("announcement"))
            .join(Publication, Publication.id == PublishedLevel.publication_id)
            .join(AssessmentRun, AssessmentRun.id == Publication.run_id)
            .where(Publication.effective_date <= end, active())
            .order_by(Publication.effective_date, Publication.id))
        self._series: dict[str, list[LevelInForce]] = defaultdict(list)
        for row in rows:
            self._series[row.area_code].append(LevelInForce(*row))
        self._dates = {code: [lv.effective_date for lv in series] for code, series in self._series.items()}

    def at(self, day: dt.date) -> "LevelMap":
        return LevelMap(self, day)

    def unit_level(self, code: str, day: dt.date) -> LevelInForce | None:
        dates = self._dates.get(code)
        if not dates:
            return None
        index = bisect.bisect_right(dates, day)
        return self._series[code][index - 1] if index else None

    def units(self) -> list[str]:
        return list(self._series)


class LevelMap:
    """The levels in force on one date."""

    def __init__(self, levels: Levels, day: dt.date):
        self._levels, self.date = levels, day

    @classmethod
    def read(cls, connection: Connection, areas: Areas, day: dt.date) -> "LevelMap":
        return Levels(connection, areas, day).at(day)

    @property
    def levels(self) -> dict[str, LevelInForce]:
        found = {code: self._levels.unit_level(code, self.date) for code in self._levels.units()}
        return {code: level for code, level in found.items() if level is not None}

    def of(self, code: str) -> LevelInForce | None:
        for ancestor in self._levels.areas.ancestors(code) or [code]:
            found = self._levels.unit_level(ancestor, self.date)
            if found is not None:
                return found
        return None
