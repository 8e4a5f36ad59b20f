"""Use case: assessment runs from the store's data as known at a moment: the engine of ``epizone assess``, frozen.

A run reads the areas, cases and counts as of a moment (``records_as_of``; by default the moment of the
latest import, so a run says exactly which data it used), grades them with ``epizone.services.assess`` as
Arrow tables under the parsed rule set (no file is written, and rows checked when imported are not checked
again), and stores every unit-day with its reason in Chinese and English and its indicator values
(``epizone.store.runs``). A correction imported later never changes a run; running again as of the same
moment gives the same levels. An explanation replays one unit-day of a run from the same inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import Engine

from epizone.domain.cutoff import DataThrough
from epizone.domain.rules import RuleSet, builtin_ids, parse_rule_set
from epizone.services.assess import Request, Summary, assess_table
from epizone.services.explain import Explanation, explain
from epizone.store.queries import records_as_of
from epizone.store.runs import NewRun, RunError, RunInfo, data_moment, record_run, run_with_rule_set


@dataclass(frozen=True)
class RunRequest:
    rules: str = "cn-2020-02"          # a built-in rule set id
    start: dt.date | None = None
    end: dt.date | None = None
    data_through: DataThrough = field(default_factory=DataThrough)
    unit: str | None = None
    as_of: dt.datetime | None = None   # the store as known at this moment (default: the latest import)
    data_end: dt.date | None = None    # the last date the data are complete for (default: the last date in them)


def run_assessment(engine: Engine, req: RunRequest, by: str) -> RunInfo:
    """Grade the store's data as of ``req.as_of`` and store the run; RunError / InputError when it cannot."""
    text = _builtin_text(req.rules)
    rules = parse_rule_set(text)
    if req.start is None or req.end is None:
        raise RunError("a run needs a first and a last date to grade (start, end)")
    if req.end < req.start:
        raise RunError(f"end {req.end} is before start {req.start}")
    as_of, last_batch = data_moment(engine, req.as_of)
    table, summary = assess_table(_request(engine, as_of, rules, unit=req.unit, start=req.start, end=req.end,
                                           data_through=req.data_through, data_end=req.data_end))
    run = NewRun(rules, text, summary.unit, summary.start, summary.end, str(req.data_through), as_of, last_batch,
                 summary.units, _summary(summary))
    return record_run(engine, run, table, by)


def explain_run(engine: Engine, run_id: int, area: str, date: dt.date, lang: str = "en") -> Explanation:
    """Why ``area`` got its level on ``date`` in run ``run_id``: the run's inputs and rule set, replayed."""
    run, rules = run_with_rule_set(engine, run_id)
    if not run.start_date <= date <= run.end_date:
        raise RunError(f"date {date}: run {run_id} graded {run.start_date} to {run.end_date}")
    data_end = run.summary.get("data_last")
    return explain(_request(engine, run.data_as_of, rules, unit=run.unit, lang=lang,
                            data_through=DataThrough.parse(run.data_through),
                            data_end=dt.date.fromisoformat(data_end) if data_end else None), area, date)


def _request(engine: Engine, as_of: dt.datetime, rules: RuleSet, **options: Any) -> Request:
    """The store as of ``as_of`` as the engine's input: Arrow tables of records validated when imported."""
    areas = records_as_of(engine, "areas", as_of)
    if areas.num_rows == 0:
        raise RunError(f"the store held no areas at {as_of:%Y-%m-%d %H:%M:%S} UTC: import areas first")
    cases = records_as_of(engine, "cases", as_of)
    counts = records_as_of(engine, "counts", as_of)
    if cases.num_rows == 0 and counts.num_rows == 0:
        raise RunError(f"the store held no cases or counts at {as_of:%Y-%m-%d %H:%M:%S} UTC: import some first")
    return Request(areas=areas, cases=cases if cases.num_rows else None, counts=counts if counts.num_rows else None,
                   rules=rules, validated=True, **options)


def _builtin_text(rule_set_id: str) -> str:
    """The YAML of a built-in rule set (a run keeps it); RunError for any other id."""
    if rule_set_id not in builtin_ids():
        raise RunError(f"rule set {rule_set_id!r}: expected a built-in rule set ({', '.join(builtin_ids())})")
    return resources.files("epizone.rulesets").joinpath(f"{rule_set_id}.yaml").read_text(encoding="utf-8")


def _summary(summary: Summary) -> dict[str, Any]:
    return {"unit_days_by_level": summary.unit_days_by_level, "last_day_by_level": summary.last_day_by_level,
            "data_first": summary.data_first and summary.data_first.isoformat(),
            "data_last": summary.data_last and summary.data_last.isoformat(),
            "unassigned_cases": summary.unassigned_cases, "seconds": round(summary.seconds, 3)}
