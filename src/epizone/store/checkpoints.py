"""Run checkpoints as the store keeps them: one per run, the state to grade on from the run's last day.

A checkpoint made from the data as of moment ``m`` holds what the data dated up to its cutoff gave, and the
records dated in its window (from its first data date to its cutoff, as compressed Arrow IPC), which the next
run would otherwise read from the tables again. Data
recorded after ``m`` (a new version of a case or count, or one superseded) dated ``d`` makes it unusable
when ``d`` is on or before its cutoff: ``changed_since`` finds the earliest such date with one query per
revisioned table and moment column (through the indexes on ``recorded_at`` and ``superseded_at``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.ipc  # noqa: F401  (pa.ipc)
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
                    state: bytes, at: dt.datetime, windows: dict[str, pa.Table] | None = None) -> None:
    """Keep run ``run_id``'s checkpoint (``point``'s dates and moment; its id and run are not used) and the
    records of its window (``windows``: the cases and counts dated from ``since`` to ``cutoff``)."""
    kept = {f"{kind}_window": _ipc(table) for kind, table in (windows or {}).items() if table is not None}
    connection.execute(insert(RunCheckpoint).values(
        run_id=run_id, key=key, day=point.day, since=point.since, cutoff=point.cutoff, covered=point.covered,
        data_as_of=point.data_as_of, state=state, created_at=at, **kept))


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


def checkpoint_windows(engine: Engine, checkpoint_id: int) -> dict[str, pa.Table] | None:
    """The records a checkpoint kept of its window, by kind (None: it kept none, or not of every kind)."""
    c = RunCheckpoint
    with reading(engine) as connection:
        row = connection.execute(select(c.cases_window, c.counts_window).where(c.id == checkpoint_id)).one()
    if row.cases_window is None and row.counts_window is None:
        return None
    return {kind: None if data is None else pa.ipc.open_stream(data).read_all()
            for kind, data in (("cases", row.cases_window), ("counts", row.counts_window))}


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


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
