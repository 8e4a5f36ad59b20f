"""Run checkpoints as the store keeps them: one per run, the state to grade on from the run's last day.

A checkpoint made from the data as of moment ``m`` holds what the data dated up to its cutoff gave. Data
recorded after ``m`` (a new version of a case or count, or one superseded) dated ``d`` makes it unusable
when ``d`` is on or before its cutoff: ``changed_since`` finds the earliest such date with one query per
revisioned table and moment column (through the indexes on ``recorded_at`` and ``superseded_at``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select

from epizone.store.db import reading
from epizone.store.models import CaseReport, CountReport, RunCheckpoint

DATED = ((CaseReport, CaseReport.report_date), (CountReport, CountReport.date))


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint's row: which run made it, its day, first data date read, cutoff, data end and moment."""

    id: int
    run_id: int
    day: dt.date
    since: dt.date
    cutoff: dt.date
    covered: dt.date | None
    data_as_of: dt.datetime


def save_checkpoint(connection: Connection, run_id: int, key: str, point: StoredCheckpoint | None,
                    state: bytes, at: dt.datetime) -> None:
    """Keep run ``run_id``'s checkpoint (``point``'s dates and moment; its id and run are not used)."""
    connection.execute(insert(RunCheckpoint).values(
        run_id=run_id, key=key, day=point.day, since=point.since, cutoff=point.cutoff, covered=point.covered,
        data_as_of=point.data_as_of, state=state, created_at=at))


def checkpoints_before(engine: Engine, key: str, before: dt.date, as_of: dt.datetime) -> list[StoredCheckpoint]:
    """The checkpoints with ``key`` of a day before ``before`` made from data as of ``as_of`` or earlier,
    the latest day first (the newest data first among those of one day)."""
    c = RunCheckpoint
    query = (select(c.id, c.run_id, c.day, c.since, c.cutoff, c.covered, c.data_as_of)
             .where(c.key == key, c.day < before, c.data_as_of <= as_of)
             .order_by(c.day.desc(), c.data_as_of.desc(), c.id.desc()))
    with reading(engine) as connection:
        return [StoredCheckpoint(**row._asdict()) for row in connection.execute(query)]


def checkpoint_state(engine: Engine, checkpoint_id: int) -> bytes:
    """The ``.npz`` bytes of one checkpoint."""
    with reading(engine) as connection:
        return connection.scalar(select(RunCheckpoint.state).where(RunCheckpoint.id == checkpoint_id))


def changed_since(engine: Engine, moment: dt.datetime, as_of: dt.datetime) -> dt.date | None:
    """The earliest date of the cases and counts recorded or superseded after ``moment`` and by ``as_of``
    (None: nothing changed)."""
    found = []
    with reading(engine) as connection:
        for model, date in DATED:
            for at in (model.recorded_at, model.superseded_at):  # one indexed range each
                found.append(connection.scalar(select(func.min(date)).where(at > moment, at <= as_of)))
    found = [d for d in found if d is not None]
    return min(found) if found else None


def delete_checkpoints(connection: Connection, run_ids: list[int]) -> int:
    """Delete the checkpoints of runs ``run_ids``; how many there were."""
    return connection.execute(delete(RunCheckpoint).where(RunCheckpoint.run_id.in_(run_ids))).rowcount
