"""Assessment runs from the store's data as known at a moment: the engine of ``epizone assess``, frozen.

A run reads the areas, cases and counts as of a moment (``records_as_of``; by default the moment of the
latest import, so a run says exactly which data it used), writes them to a temporary folder, grades them
with ``epizone.services.assess`` under the rule set's exact YAML (kept in ``rule_sets``), and stores every
unit-day with its reason in Chinese and English and its indicator values. A correction imported later
never changes a run; running again as of the same moment gives the same levels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Engine, func, insert, select

from epizone.domain.errors import InvalidInput, NotFound
from epizone.domain.rules import RuleSet, builtin_ids, parse_rule_set
from epizone.engine.compile import Kernel
from epizone.engine.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.explain import Explanation, explain
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import AssessedLevel, AssessmentRun, ImportBatch, RuleSetRecord
from epizone.store.queries import as_utc, records_as_of

LEVEL_COLUMNS = ("area_code", "area_name", "date", "level", "reason_code", "reason", "data_through", "rule_set",
                 "event")
INSERT_ROWS = 10_000


class RunError(InvalidInput):
    """The run cannot be made (no data, a bad period or moment); nothing was written."""


class RunNotFound(NotFound):
    pass


@dataclass(frozen=True)
class RunRequest:
    rules: str = "cn-2020-02"          # a built-in rule set id
    start: dt.date | None = None
    end: dt.date | None = None
    data_through: DataThrough = field(default_factory=DataThrough)
    unit: str | None = None
    as_of: dt.datetime | None = None   # the store as known at this moment (default: the latest import)
    data_end: dt.date | None = None    # the last date the data are complete for (default: the last date in them)


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


def rule_set_text(rule_set_id: str) -> str:
    if rule_set_id not in builtin_ids():
        raise RunError(f"rule set {rule_set_id!r}: expected a built-in rule set ({', '.join(builtin_ids())})")
    return resources.files("epizone.rulesets").joinpath(f"{rule_set_id}.yaml").read_text(encoding="utf-8")


def run_assessment(engine: Engine, req: RunRequest, by: str) -> RunInfo:
    """Grade the store's data as of ``req.as_of`` and store the run; RunError / InputError when it cannot."""
    text = rule_set_text(req.rules)
    rules = parse_rule_set(text)
    if req.start is None or req.end is None:
        raise RunError("a run needs a first and a last date to grade (start, end)")
    if req.end < req.start:
        raise RunError(f"end {req.end} is before start {req.start}")
    with reading(engine) as connection:
        require_schema(connection)
        as_of, last_batch = _moment(connection, as_utc(req.as_of))
    with _inputs(engine, as_of, text) as inputs:
        table, summary = assess_table(Request(
            areas=inputs.areas, cases=inputs.cases, counts=inputs.counts, rules=str(inputs.rules), unit=req.unit,
            start=req.start, end=req.end, data_through=req.data_through, data_end=req.data_end))
    levels = _level_rows(table, rules)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with writing(engine) as connection:
        require_schema(connection)
        at = utc_now()
        rule_set_pk = _rule_set_row(connection, rules, text, digest, by, at)
        run_id = connection.scalar(insert(AssessmentRun).values(
            rule_set_pk=rule_set_pk, rule_set=rules.ref, unit=summary.unit, start_date=summary.start,
            end_date=summary.end, data_through=str(req.data_through), data_as_of=as_of, last_batch_id=last_batch,
            created_by=by, created_at=at, units=summary.units, rows=len(levels),
            summary=_summary(summary)).returning(AssessmentRun.id))
        for first in range(0, len(levels), INSERT_ROWS):
            connection.execute(insert(AssessedLevel), [{"run_id": run_id, **row}
                                                       for row in levels[first:first + INSERT_ROWS]])
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


def run_rule_set_text(connection: Connection, run_id: int) -> str:
    """The exact YAML of the rule set run ``run_id`` used."""
    text = connection.scalar(select(RuleSetRecord.yaml).join(AssessmentRun, AssessmentRun.rule_set_pk == RuleSetRecord.id)
                             .where(AssessmentRun.id == run_id))
    if text is None:
        raise RunNotFound(f"no assessment run with id {run_id}")
    return text


def run_rule_set(connection: Connection, run_id: int) -> RuleSet:
    return parse_rule_set(run_rule_set_text(connection, run_id))


def explain_run(engine: Engine, run_id: int, area: str, date: dt.date, lang: str = "en") -> Explanation:
    """Why ``area`` got its level on ``date`` in run ``run_id``: the run's inputs and rule set, replayed."""
    with reading(engine) as connection:
        require_schema(connection)
        run = run_in(connection, run_id)
        text = run_rule_set_text(connection, run_id)
    if not run.start_date <= date <= run.end_date:
        raise RunError(f"date {date}: run {run_id} graded {run.start_date} to {run.end_date}")
    with _inputs(engine, run.data_as_of, text) as inputs:
        data_end = run.summary.get("data_last")
        return explain(Request(areas=inputs.areas, cases=inputs.cases, counts=inputs.counts, rules=str(inputs.rules),
                               unit=run.unit, data_through=DataThrough.parse(run.data_through), lang=lang,
                               data_end=dt.date.fromisoformat(data_end) if data_end else None), area, date)


@dataclass(frozen=True)
class _Inputs:
    areas: Path
    cases: Path | None
    counts: Path | None
    rules: Path


@contextmanager
def _inputs(engine: Engine, as_of: dt.datetime, rules_text: str) -> Iterator[_Inputs]:
    """The store as of ``as_of`` as the files ``epizone assess`` reads, in a temporary folder."""
    areas = records_as_of(engine, "areas", as_of)
    if areas.num_rows == 0:
        raise RunError(f"the store held no areas at {as_of:%Y-%m-%d %H:%M:%S} UTC: import areas first")
    cases = records_as_of(engine, "cases", as_of)
    counts = records_as_of(engine, "counts", as_of)
    if cases.num_rows == 0 and counts.num_rows == 0:
        raise RunError(f"the store held no cases or counts at {as_of:%Y-%m-%d %H:%M:%S} UTC: import some first")
    with tempfile.TemporaryDirectory(prefix="epizone-run-") as folder:
        root = Path(folder)
        rules = root / "rules.yaml"
        rules.write_text(rules_text, encoding="utf-8")
        yield _Inputs(
            _write(root / "areas.csv", areas, ("code", "name", "parent_code", "kind", "population")),
            _write(root / "cases.csv", cases, ("case_id", "report_date", "area_code", "classification", "cluster_id",
                                               "onset_date", "imported")) if cases.num_rows else None,
            _write(root / "counts.csv", counts, ("area_code", "date", "metric", "value")) if counts.num_rows else None,
            rules)


def _write(path: Path, table: pa.Table, columns: tuple[str, ...]) -> Path:
    selected = table.select(list(columns))
    if "imported" in columns:  # written as the readers expect a flag: true, false or empty
        flags = selected.column("imported")
        text = pa.array(["" if v is None else ("true" if v else "false") for v in flags.to_pylist()], pa.string())
        selected = selected.set_column(columns.index("imported"), "imported", text)
    pacsv.write_csv(selected, path)
    return path


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


def _level_rows(table: pa.Table, rules: RuleSet) -> list[dict[str, Any]]:
    kernel = Kernel(rules)
    zh = dict(zip(kernel.clause_codes, kernel.reasons("zh")))
    indicators = list(rules.indicators)
    rows = []
    for row in table.to_pylist():
        rows.append({
            "area_code": row["area_code"], "area_name": row["area_name"], "date": row["date"],
            "level": row["level"], "reason_code": row["reason_code"], "reason_en": row["reason"],
            "reason_zh": zh.get(row["reason_code"], row["reason"]), "data_through": row["data_through"],
            "indicators": {name: _json_value(row[name]) for name in indicators}, "event": row.get("event"),
        })
    return rows


def _json_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


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


def _summary(summary) -> dict[str, Any]:  # noqa: ANN001
    return {"unit_days_by_level": summary.unit_days_by_level, "last_day_by_level": summary.last_day_by_level,
            "data_first": summary.data_first and summary.data_first.isoformat(),
            "data_last": summary.data_last and summary.data_last.isoformat(),
            "unassigned_cases": summary.unassigned_cases, "seconds": round(summary.seconds, 3)}


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
