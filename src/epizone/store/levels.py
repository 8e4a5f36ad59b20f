"""Reading levels: a run's levels and periods, the published levels in force on a date, an area's history, counts by level.

The level of an area in force on date ``d`` is the one of the latest publication (by effective date, then
publication id) that covers the area, took effect on or before ``d`` and was not retracted. ``known_at``
(a moment) reads the same as it was known then: publications and retractions made later are ignored.
A publication holds the areas whose level it changed; the read model ``current_levels`` holds the level in force
after the latest one, so that a date on or after the last change (and no ``known_at``) is read from one table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, select
from sqlalchemy.orm import aliased

from epizone.store.models import Announcement, AssessedLevel, CurrentLevel, Publication, PublishedLevel
from epizone.store.runs import RunError, RunInfo

MAX_DAYS = 3660


def active(known_at: dt.datetime | None = None):  # noqa: ANN201
    """The condition on ``Publication`` that it was published (by ``known_at``) and not retracted (by then)."""
    retraction = aliased(Announcement)
    retracted = exists().where(retraction.kind == "retraction", retraction.publication_id == Publication.id)
    if known_at is None:
        return ~retracted
    retracted = retracted.where(retraction.created_at <= known_at)
    return and_(~retracted, Publication.published_at <= known_at)


def _announcement_number():  # noqa: ANN202
    return (select(Announcement.number).where(Announcement.kind == "publish",
                                              Announcement.publication_id == Publication.id)
            .scalar_subquery())


def in_force(date: dt.date, known_at: dt.datetime | None = None, areas: Collection[str] | None = None,
             level: str | None = None, excluding: int | None = None) -> Select:
    """One row per area: its published level in force on ``date``."""
    ranked = (select(PublishedLevel.area_code, PublishedLevel.area_name, PublishedLevel.level,
                     PublishedLevel.previous_level, PublishedLevel.reason_code, PublishedLevel.reason_en,
                     PublishedLevel.reason_zh, Publication.id.label("publication_id"), Publication.run_id,
                     Publication.date.label("assessed_date"), Publication.effective_date,
                     _announcement_number().label("announcement"),
                     func.row_number().over(partition_by=PublishedLevel.area_code,
                                            order_by=(Publication.effective_date.desc(), Publication.id.desc()))
                     .label("rank"))
              .join(Publication, Publication.id == PublishedLevel.publication_id)
              .where(Publication.effective_date <= date, active(known_at)))
    if areas is not None:
        ranked = ranked.where(PublishedLevel.area_code.in_(sorted(areas)))
    if excluding is not None:  # as if this publication had never been made
        ranked = ranked.where(Publication.id != excluding)
    sub = ranked.subquery()
    query = select(*(c for c in sub.c if c.name != "rank")).where(sub.c.rank == 1)
    if level is not None:
        query = query.where(sub.c.level == level)
    return query.order_by(sub.c.area_code)


def current(areas: Collection[str] | None = None, level: str | None = None) -> Select:
    """One row per area: the read model of the level in force after the latest publication (``in_force``'s
    columns)."""
    c = CurrentLevel
    query = select(c.area_code, c.area_name, c.level, c.previous_level, c.reason_code, c.reason_en, c.reason_zh,
                   c.publication_id, c.run_id, c.assessed_date, c.effective_date, c.announcement)
    if areas is not None:
        query = query.where(c.area_code.in_(sorted(areas)))
    if level is not None:
        query = query.where(c.level == level)
    return query.order_by(c.area_code)


def last_change(connection: Connection) -> dt.date | None:
    """The effective date of the latest change in force (None: nothing published)."""
    return connection.scalar(select(func.max(CurrentLevel.effective_date)))


def reads_current(connection: Connection, date: dt.date, known_at: dt.datetime | None = None) -> bool:
    """Whether the read model holds the levels in force on ``date`` (on or after the last change, no
    ``known_at``)."""
    return known_at is None and (last_change(connection) or dt.date.min) <= date


def levels_on(connection: Connection, date: dt.date, known_at: dt.datetime | None = None,
              areas: Collection[str] | None = None, level: str | None = None) -> Select:
    """``in_force``, read from the read model when it holds the answer (``reads_current``)."""
    if reads_current(connection, date, known_at):
        return current(areas, level)
    return in_force(date, known_at, areas, level)


def levels_in_force(connection: Connection, date: dt.date, known_at: dt.datetime | None = None,
                    areas: Collection[str] | None = None, excluding: int | None = None) -> dict[str, dict[str, Any]]:
    query = in_force(date, known_at, areas, excluding=excluding) if excluding is not None else \
        levels_on(connection, date, known_at, areas)
    return {row.area_code: row._asdict() for row in connection.execute(query)}


def history(area_code: str, known_at: dt.datetime | None = None) -> Select:
    """Every publication of one area that is (or was, as known at ``known_at``) not retracted, oldest first."""
    return (select(Publication.effective_date, Publication.date.label("assessed_date"), PublishedLevel.level,
                   PublishedLevel.previous_level, PublishedLevel.reason_code, PublishedLevel.reason_en,
                   PublishedLevel.reason_zh, Publication.id.label("publication_id"), Publication.run_id,
                   _announcement_number().label("announcement"), Publication.published_at)
            .join(Publication, Publication.id == PublishedLevel.publication_id)
            .where(PublishedLevel.area_code == area_code, active(known_at))
            .order_by(Publication.effective_date, Publication.id))


def kept_days(run: RunInfo) -> list[dt.date] | None:
    """The days whose values run ``run`` keeps for every unit (None: every day it graded)."""
    kept = run.summary.get("kept_days", "all")
    return None if kept == "all" else [dt.date.fromisoformat(day) for day in kept]


def require_kept(run: RunInfo, date: dt.date) -> None:
    """RunError when ``date`` is a day of run ``run`` whose values it does not keep."""
    kept = kept_days(run)
    if kept is not None and date not in kept and run.start_date <= date <= run.end_date:
        raise RunError(f"run {run.id} keeps the values of {', '.join(map(str, kept))} only: the levels of "
                       f"{date} are in its periods (or make a run that keeps that day)")


def run_levels(run: RunInfo, date: dt.date | None = None, areas: Collection[str] | None = None,
               level: str | None = None) -> Select:
    """The units' levels, reasons and indicator values on the days run ``run`` keeps (on ``date`` only, when
    given: RunError when the run does not keep that day)."""
    kept = kept_days(run)
    query = select(AssessedLevel.area_code, AssessedLevel.area_name, AssessedLevel.date, AssessedLevel.level,
                   AssessedLevel.reason_code, AssessedLevel.reason_en, AssessedLevel.reason_zh,
                   AssessedLevel.data_through, AssessedLevel.indicators, AssessedLevel.event) \
        .where(AssessedLevel.run_id == run.id)
    if date is not None:
        require_kept(run, date)
        query = query.where(AssessedLevel.date == date)
    elif kept is not None:
        query = query.where(AssessedLevel.date.in_(kept))
    if areas is not None:
        query = query.where(AssessedLevel.area_code.in_(sorted(areas)))
    if level is not None:
        query = query.where(AssessedLevel.level == level)
    return query.order_by(AssessedLevel.date, AssessedLevel.area_code)


def run_periods(run_id: int, areas: Collection[str] | None = None, level: str | None = None) -> Select:
    """Each unit's periods of one level in run ``run_id`` (``start``, inclusive ``end``) with the reason and
    indicator values of the period's first day, by area then start."""
    query = select(AssessedLevel.area_code, AssessedLevel.area_name, AssessedLevel.date.label("start"),
                   AssessedLevel.period_end.label("end"), AssessedLevel.level, AssessedLevel.reason_code,
                   AssessedLevel.reason_en, AssessedLevel.reason_zh, AssessedLevel.data_through,
                   AssessedLevel.indicators, AssessedLevel.event) \
        .where(AssessedLevel.run_id == run_id, AssessedLevel.period_end.is_not(None))
    if areas is not None:
        query = query.where(AssessedLevel.area_code.in_(sorted(areas)))
    if level is not None:
        query = query.where(AssessedLevel.level == level)
    return query.order_by(AssessedLevel.area_code, AssessedLevel.date)


def run_level_on(run_id: int, date: dt.date, areas: Collection[str] | None = None) -> Select:
    """Each unit's level in run ``run_id`` on ``date``, kept or not (the row covering it)."""
    query = select(AssessedLevel.area_code, AssessedLevel.level).where(
        AssessedLevel.run_id == run_id, AssessedLevel.date <= date, AssessedLevel.end_date >= date)
    if areas is not None:
        query = query.where(AssessedLevel.area_code.in_(sorted(areas)))
    return query.order_by(AssessedLevel.area_code)


def counts_by_level(connection: Connection, start: dt.date, end: dt.date, areas: Collection[str] | None = None,
                    ) -> list[dict[str, Any]]:
    """For each date from ``start`` to ``end``: how many areas are at each published level in force."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"at most {MAX_DAYS} days at a time")
    query = (select(PublishedLevel.area_code, PublishedLevel.level, Publication.effective_date, Publication.id)
             .join(Publication, Publication.id == PublishedLevel.publication_id)
             .where(Publication.effective_date <= end, active())
             .order_by(Publication.effective_date, Publication.id))
    if areas is not None:
        query = query.where(PublishedLevel.area_code.in_(sorted(areas)))
    rows = connection.execute(query).all()
    current: dict[str, str] = {}
    result, i = [], 0
    day = start
    while day <= end:
        while i < len(rows) and rows[i].effective_date <= day:
            current[rows[i].area_code] = rows[i].level
            i += 1
        counted: dict[str, int] = {}
        for level in current.values():
            counted[level] = counted.get(level, 0) + 1
        result.append({"date": day, "levels": dict(sorted(counted.items()))})
        day += dt.timedelta(days=1)
    return result
