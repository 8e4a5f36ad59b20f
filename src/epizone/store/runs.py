"""Assessment runs as the store keeps them: the rule set's exact YAML (``rule_sets``), the period, the moment
whose data were graded, and the levels as periods: one row per unit per run of days at one level, split at
the days whose values the run keeps (``kept_days`` in its summary: ``"all"``, or a list of dates), each row with
the reason in Chinese and English and the indicator values of its first day (``store.level_rows``). So every
unit's values of a kept day are rows of their own, and a country's full history is a few rows per unit.

Making a run (reading the store as of a moment and grading it) is a use case: ``epizone.services.runs``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, delete, func, insert, select

from epizone.domain.errors import InvalidInput, NotFound
from epizone.domain.rules import RuleSet, parse_rule_set
from epizone.store.audit import record_audit, utc_now
from epizone.store.bulk import insert_arrow
from epizone.store.checkpoints import StoredCheckpoint, delete_checkpoints, save_checkpoint
from epizone.store.db import reading, writing
from epizone.store.level_rows import level_rows
from epizone.store.migrate import require_schema
from epizone.store.models import AssessedLevel, AssessmentRun, ImportBatch, Publication, RuleSetRecord
from epizone.store.queries import as_utc

class RunError(InvalidInput):
    """The run cannot be made (no data, a bad period or moment); nothing was written."""


class RunNotFound(NotFound):
    pass


@dataclass(frozen=True)
class RunInfo:
    id: int
    rule_set: str
    unit: str
    start_date: dt.date
    end_date: dt.date
    data_through: str
    data_as_of: dt.datetime
    last_batch_id: int | None
    created_by: str
    created_at: dt.datetime
    units: int
    rows: int
    summary: dict[str, Any]


@dataclass(frozen=True)
class NewRun:
    """A graded run to store: its rule set (parsed, and its YAML), what was graded and from which data."""

    rules: RuleSet
    text: str
    unit: str
    start: dt.date
    end: dt.date
    data_through: str
    data_as_of: dt.datetime
    last_batch_id: int | None
    units: int
    summary: dict[str, Any]
    checkpoint: tuple[str, StoredCheckpoint, bytes] | None = None  # its key, dates and moment, and state
    windows: dict[str, pa.Table] | None = None  # the records dated in the checkpoint's window, by kind


def data_moment(engine: Engine, as_of: dt.datetime | None) -> tuple[dt.datetime, int | None]:
    """The moment whose data a run uses (default: the latest import), and the last import batch recorded by
    then; RunError when that moment is in the future or the store held no data then."""
    with reading(engine) as connection:
        require_schema(connection)
        return _moment(connection, as_utc(as_of))


def record_run(engine: Engine, run: NewRun, table: pa.Table, by: str) -> RunInfo:
    """Store a graded run (``table``: the periods ``assess_table`` gives, split at the kept days) with its rule
    set; audited."""
    levels = level_rows(table, run.rules)
    digest = hashlib.sha256(run.text.encode()).hexdigest()
    with writing(engine) as connection:
        require_schema(connection)
        at = utc_now()
        rule_set_pk = _rule_set_row(connection, run.rules, run.text, digest, by, at)
        run_id = connection.scalar(insert(AssessmentRun).values(
            rule_set_pk=rule_set_pk, rule_set=run.rules.ref, unit=run.unit, start_date=run.start,
            end_date=run.end, data_through=run.data_through, data_as_of=run.data_as_of,
            last_batch_id=run.last_batch_id, created_by=by, created_at=at, units=run.units, rows=levels.num_rows,
            summary=run.summary).returning(AssessmentRun.id))
        insert_arrow(connection, AssessedLevel.__table__, levels, {"run_id": run_id})
        if run.checkpoint is not None:
            save_checkpoint(connection, run_id, *run.checkpoint, at, run.windows)
        info = run_in(connection, run_id)
        record_audit(connection, by, "run.create", "assessment_run", str(run_id), None, _audited(info), at)
    return info


def get_run(engine: Engine, run_id: int) -> RunInfo:
    with reading(engine) as connection:
        require_schema(connection)
        return run_in(connection, run_id)


def list_runs(engine: Engine, limit: int | None = None, offset: int = 0) -> tuple[int, list[RunInfo]]:
    """(how many runs there are, the newest first from ``offset``)."""
    with reading(engine) as connection:
        require_schema(connection)
        total = connection.scalar(select(func.count()).select_from(AssessmentRun))
        rows = connection.execute(_select().order_by(AssessmentRun.id.desc()).limit(limit).offset(offset))
        return total, [RunInfo(**row._asdict()) for row in rows]


def prune_runs(engine: Engine, older_than: dt.timedelta, by: str) -> list[int]:
    """Delete the draft runs (no publication refers to them) created more than ``older_than`` ago, with their
    levels and checkpoints; the ids deleted, oldest first. Audited."""
    with writing(engine) as connection:
        require_schema(connection)
        at = utc_now()
        published = select(Publication.run_id)
        ids = list(connection.scalars(select(AssessmentRun.id).where(
            AssessmentRun.created_at < at - older_than, AssessmentRun.id.not_in(published))
            .order_by(AssessmentRun.id)))
        if ids:
            delete_checkpoints(connection, ids)
            connection.execute(delete(AssessedLevel).where(AssessedLevel.run_id.in_(ids)))
            connection.execute(delete(AssessmentRun).where(AssessmentRun.id.in_(ids)))
        record_audit(connection, by, "run.prune", "assessment_run", ",".join(map(str, ids)) or "none", None,
                     {"older_than_days": older_than.days, "runs": ids}, at)
    return ids


def run_rule_set(connection: Connection, run_id: int) -> RuleSet:
    """The rule set run ``run_id`` used, parsed from the exact YAML kept with it; RunNotFound when there is none."""
    text = connection.scalar(select(RuleSetRecord.yaml).join(AssessmentRun, AssessmentRun.rule_set_pk == RuleSetRecord.id)
                             .where(AssessmentRun.id == run_id))
    if text is None:
        raise RunNotFound(f"no assessment run with id {run_id}")
    return parse_rule_set(text)


def run_with_rule_set(engine: Engine, run_id: int) -> tuple[RunInfo, RuleSet]:
    """Run ``run_id`` and the rule set it used; RunNotFound when there is none."""
    with reading(engine) as connection:
        require_schema(connection)
        return run_in(connection, run_id), run_rule_set(connection, run_id)


def _moment(connection: Connection, as_of: dt.datetime | None) -> tuple[dt.datetime, int | None]:
    """The moment whose data a run uses, and the last import batch recorded by then."""
    now = utc_now()
    if as_of is not None and as_of > now:
        raise RunError(f"as_of {as_of:%Y-%m-%d %H:%M:%S} UTC is in the future")
    last = connection.execute(select(ImportBatch.id, ImportBatch.recorded_at)
                              .where(ImportBatch.recorded_at <= (as_of or now))
                              .order_by(ImportBatch.recorded_at.desc()).limit(1)).first()
    if last is None:
        raise RunError("the store held no data at that moment: import areas and cases or counts first")
    return (as_of or last.recorded_at), last.id


def _rule_set_row(connection: Connection, rules: RuleSet, text: str, digest: str, by: str, at: dt.datetime) -> int:
    found = connection.scalar(select(RuleSetRecord.id).where(
        RuleSetRecord.rule_set_id == rules.id, RuleSetRecord.version == rules.version, RuleSetRecord.sha256 == digest))
    if found is not None:
        return found
    new_id = connection.scalar(insert(RuleSetRecord).values(
        rule_set_id=rules.id, version=rules.version, sha256=digest, yaml=text, recorded_at=at,
        recorded_by=by).returning(RuleSetRecord.id))
    record_audit(connection, by, "rule_set.register", "rule_set", str(new_id), None,
                 {"rule_set": rules.ref, "sha256": digest}, at)
    return new_id


def _select():  # noqa: ANN202
    r = AssessmentRun
    return select(r.id, r.rule_set, r.unit, r.start_date, r.end_date, r.data_through, r.data_as_of, r.last_batch_id,
                  r.created_by, r.created_at, r.units, r.rows, r.summary)


def run_in(connection: Connection, run_id: int) -> RunInfo:
    """One run, read in an open transaction; RunNotFound when there is none."""
    row = connection.execute(_select().where(AssessmentRun.id == run_id)).first()
    if row is None:
        raise RunNotFound(f"no assessment run with id {run_id}")
    return RunInfo(**row._asdict())


def _audited(info: RunInfo) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in info.__dict__.items()}
