"""Use case: assessment runs from the store's data as known at a moment: the engine of ``epizone assess``, frozen.

A run reads the areas, cases and counts as of a moment (``records_as_of``; by default the moment of the
latest import, so a run says exactly which data it used), grades them with ``epizone.services.assess`` as
Arrow tables under the parsed rule set (no file is written, and rows checked when imported are not checked
again), and stores its levels as periods split at the days it keeps (``keep``: by default every day of a
small run, the last day of a large one), with the reasons in Chinese and English and the indicator values of
each row's first day (``epizone.store.runs``). A correction imported later never changes a run; running again as of the same
moment gives the same levels. An explanation replays one unit-day of a run from the same inputs.

Each run keeps a checkpoint (``epizone.store.checkpoints``): the state its rule set needs to grade on from
its last day. A later run with the same key (rule set text, unit kind and areas, data cutoff) continues from
the newest checkpoint of a day before its first day whose data are unchanged: it reads only the records
dated from the checkpoint's first data date. Data recorded after a checkpoint's moment and dated on or
before its cutoff (a correction) make that checkpoint unusable: the run takes an older one, or replays
fully. ``full`` forces a full replay. The run's summary says what was done (``state``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

from epizone.domain.cutoff import DataThrough, from_day_number
from epizone.domain.model import Hierarchy
from epizone.domain.rules import RuleSet, builtin_ids, parse_rule_set
from epizone.engine.checkpoint import Checkpoint
from epizone.io import cases as case_file, counts as count_file
from epizone.io.areas import COLUMNS as AREA_COLUMNS, read_areas
from epizone.services.assess import Request, Summary, assess_table
from epizone.services.explain import Explanation, explain
from epizone.services.resume import key_of
from epizone.services.state import Choice, StateDir
from epizone.store.checkpoints import (StoredCheckpoint, changed_since, checkpoint_state, checkpoint_windows,
                                       checkpoints_before)
from epizone.store.queries import DATES, records_as_of
from epizone.store.runs import NewRun, RunError, RunInfo, data_moment, record_run, run_with_rule_set

KEEP_ALL_UNIT_DAYS = 200_000  # a run this small keeps every day's values by default
GRADED = {"cases": tuple(case_file.COLUMNS) + tuple(case_file.OPTIONAL),  # the columns a run reads (not the
          "counts": tuple(count_file.COLUMNS)}                           # revisions' moments and batches)


@dataclass(frozen=True)
class RunRequest:
    rules: str = "cn-2020-02"          # a built-in rule set id
    start: dt.date | None = None
    end: dt.date | None = None
    data_through: DataThrough = field(default_factory=DataThrough)
    unit: str | None = None
    as_of: dt.datetime | None = None   # the store as known at this moment (default: the latest import)
    data_end: dt.date | None = None    # the last date the data are complete for (default: the last date in them)
    full: bool = False                 # replay from the first data date even when a checkpoint fits
    keep: str | tuple[dt.date, ...] | list[dt.date] | None = None  # "all", "last" or dates (default: see kept)


def run_assessment(engine: Engine, req: RunRequest, by: str) -> RunInfo:
    """Grade the store's data as of ``req.as_of`` and store the run with its checkpoint; RunError / InputError
    when it cannot."""
    text = _builtin_text(req.rules)
    rules = parse_rule_set(text)
    if req.start is None or req.end is None:
        raise RunError("a run needs a first and a last date to grade (start, end)")
    if req.end < req.start:
        raise RunError(f"end {req.end} is before start {req.start}")
    as_of, last_batch = data_moment(engine, req.as_of)
    areas = _areas(engine, as_of)
    key = _key(rules, req, areas)
    kept = kept_days(req, len(areas.units(req.unit or rules.unit)))
    state = StoreState(_start(engine, key, req, as_of))
    try:
        table, summary, inputs = _graded(engine, as_of, rules, areas, req, state, kept)
    except ValueError:
        if state.start.checkpoint is None or state.choice.checkpoint is not None:
            raise
        state = StoreState(Start(None, None, state.choice.note))  # the engine found the checkpoint unfit
        table, summary, inputs = _graded(engine, as_of, rules, areas, req, state, kept)
    run = NewRun(rules, text, summary.unit, summary.start, summary.end, str(req.data_through), as_of, last_batch,
                 summary.units, _summary(summary, kept), state.kept_row(key, as_of), state.windows(inputs))
    return record_run(engine, run, table, by)


@dataclass(frozen=True)
class Start:
    """Where a run starts: the checkpoint's row and state (None: from the first data date), and why; the
    records the checkpoint kept of its window, by kind (None: it kept none)."""

    row: StoredCheckpoint | None
    checkpoint: Checkpoint | None
    note: str
    windows: dict[str, pa.Table | None] | None = None


class StoreState(StateDir):
    """The checkpoint a run continues from (none: a full replay), chosen from the store beforehand, and the
    checkpoint the run keeps, in memory until the run is stored with it."""

    def __init__(self, start: Start):
        super().__init__(None)  # no folder: the store holds the checkpoints
        self.start = start
        self.choice = Choice(None, start.note)
        self.kept: Checkpoint | None = None

    def choose(self, key: str, digests: dict, covered: int | None, end: int, full: bool = False,
               rows_from: int | None = None) -> Choice:
        if self.start.checkpoint is None:
            return self.choice
        self.choice = super().choose(key, digests, covered, end, full, rows_from)
        if self.choice.checkpoint is not None:
            self.choice = Choice(self.choice.checkpoint, self.start.note)
        return self.choice

    def _paths(self, key: str) -> list[Checkpoint]:
        return [self.start.checkpoint]

    @staticmethod
    def _load(path: Checkpoint) -> Checkpoint:
        return path

    def save(self, checkpoint: Checkpoint) -> None:
        self.kept = checkpoint

    def windows(self, inputs: dict[str, pa.Table | None]) -> dict[str, pa.Table | None] | None:
        """The records of the kept checkpoint's window: the run's inputs dated from its first data date to
        its cutoff (what the next run would read again)."""
        if self.kept is None:
            return None
        since, cutoff = from_day_number(self.kept.carry.since), from_day_number(self.kept.cutoff)
        return {kind: None if table is None else _dated(table, kind, since, cutoff) for kind, table in inputs.items()}

    def kept_row(self, key: str, as_of: dt.datetime) -> tuple[str, StoredCheckpoint, bytes] | None:
        """The checkpoint to store with the run: its key, its row's dates and moment, and its state."""
        if self.kept is None:
            return None
        c = self.kept
        row = StoredCheckpoint(0, 0, from_day_number(c.day), from_day_number(c.carry.since),
                               from_day_number(c.cutoff), None if c.covered is None else from_day_number(c.covered),
                               as_of)
        return key, row, c.to_bytes()


def _start(engine: Engine, key: str, req: RunRequest, as_of: dt.datetime) -> Start:
    """The newest checkpoint of a day before ``req.start`` whose data are unchanged since it was made."""
    if req.full:
        return Start(None, None, "full replay: asked for (--full)")
    found = checkpoints_before(engine, key, req.start, as_of)
    if not found:
        return Start(None, None, "full replay: no checkpoint for this rule set, unit, areas and cutoff "
                                 f"before {req.start}")
    changed = None
    for row in found:
        on = changed_since(engine, row.data_as_of, as_of)
        if on is not None and on <= row.cutoff:
            changed = on if changed is None else min(changed, on)
            continue
        checkpoint = Checkpoint.load(io.BytesIO(checkpoint_state(engine, row.id)))
        windows = checkpoint_windows(engine, row.id)
        if changed is None:
            return Start(row, checkpoint, f"continued from {row.day}", windows)
        return Start(row, checkpoint, f"replayed from {row.day + dt.timedelta(days=1)}: data changed on {changed}",
                     windows)
    return Start(None, None, f"full replay: data changed on {changed}, before every checkpoint")


def kept_days(req: RunRequest, units: int) -> list[dt.date] | None:
    """The days whose values a run keeps for every unit (None: every day): ``req.keep``, by default every day
    when the run has at most KEEP_ALL_UNIT_DAYS unit-days, else its last day; RunError for a day outside the
    run or a word it does not know."""
    assert req.start is not None and req.end is not None
    keep = req.keep
    if keep is None:
        keep = "all" if units * ((req.end - req.start).days + 1) <= KEEP_ALL_UNIT_DAYS else "last"
    if keep == "all":
        return None
    if keep == "last":
        return [req.end]
    if isinstance(keep, str):
        raise RunError(f"keep {keep!r}: expected all, last or a list of dates")
    outside = sorted(d for d in keep if not req.start <= d <= req.end)
    if outside or not keep:
        raise RunError(f"keep: {', '.join(map(str, outside)) or 'no day'}: expected days from {req.start} to "
                       f"{req.end}")
    return sorted(set(keep))


def _graded(engine: Engine, as_of: dt.datetime, rules: RuleSet, areas: Hierarchy, req: RunRequest,
            state: StoreState, kept: list[dt.date] | None) -> tuple[pa.Table, Summary, dict[str, pa.Table | None]]:
    """Grade from ``state.start`` (the records dated from its checkpoint's first data date: those it kept of
    its window, and those dated after its cutoff read from the tables), to periods split at the kept days;
    with the records graded, by kind."""
    start = state.start
    since = None if start.row is None else start.row.since
    kinds = None if start.checkpoint is None else set(start.checkpoint.digests)
    request = _request(engine, as_of, rules, areas, since, kinds, start.windows, start.row, unit=req.unit,
                       start=req.start, end=req.end, data_through=req.data_through, data_end=req.data_end,
                       state=state, full=start.row is None, rows_from=since)
    table, summary = assess_table(request, output="periods", breaks=_every_day(req) if kept is None else kept)
    return table, summary, {"cases": request.cases, "counts": request.counts}


def _every_day(req: RunRequest) -> list[dt.date]:
    assert req.start is not None and req.end is not None
    return [req.start + dt.timedelta(days=n) for n in range((req.end - req.start).days + 1)]


def _areas(engine: Engine, as_of: dt.datetime) -> Hierarchy:
    """The store's areas as of ``as_of``, read once for the checkpoint key and the engine."""
    areas = records_as_of(engine, "areas", as_of, columns=AREA_COLUMNS)
    if areas.num_rows == 0:
        raise RunError(f"the store held no areas at {as_of:%Y-%m-%d %H:%M:%S} UTC: import areas first")
    return read_areas(areas)


def _key(rules: RuleSet, req: RunRequest, areas: Hierarchy) -> str:
    """The checkpoint key of a run (no public holidays: store runs take none)."""
    unit = req.unit or rules.unit
    return key_of(rules, unit, areas.units(unit), req.data_through, [])


def explain_run(engine: Engine, run_id: int, area: str, date: dt.date, lang: str = "en") -> Explanation:
    """Why ``area`` got its level on ``date`` in run ``run_id``: the run's inputs and rule set, replayed."""
    run, rules = run_with_rule_set(engine, run_id)
    if not run.start_date <= date <= run.end_date:
        raise RunError(f"date {date}: run {run_id} graded {run.start_date} to {run.end_date}")
    data_end = run.summary.get("data_last")
    return explain(_request(engine, run.data_as_of, rules, unit=run.unit, lang=lang,
                            data_through=DataThrough.parse(run.data_through),
                            data_end=dt.date.fromisoformat(data_end) if data_end else None), area, date)


def _request(engine: Engine, as_of: dt.datetime, rules: RuleSet, areas: Hierarchy | None = None,
             since: dt.date | None = None, kinds: set[str] | None = None,
             windows: dict[str, pa.Table | None] | None = None, row: StoredCheckpoint | None = None,
             **options: Any) -> Request:
    """The store as of ``as_of`` as the engine's input: Arrow tables of records validated when imported (the
    cases and counts dated from ``since`` only, when given: then an input ``kinds`` names is given even when
    none of its rows is that recent; with the ``windows`` checkpoint ``row`` kept, only those dated after its
    cutoff are read from the tables)."""
    areas = _areas(engine, as_of) if areas is None else areas
    cases, counts = (_recent(engine, kind, as_of, since, windows, row) for kind in ("cases", "counts"))
    if since is None and cases.num_rows == 0 and counts.num_rows == 0:
        raise RunError(f"the store held no cases or counts at {as_of:%Y-%m-%d %H:%M:%S} UTC: import some first")
    kinds = kinds or set()
    return Request(areas=areas, cases=cases if cases.num_rows or "cases" in kinds else None,
                   counts=counts if counts.num_rows or "counts" in kinds else None, rules=rules,
                   validated=True, **options)


def _recent(engine: Engine, kind: str, as_of: dt.datetime, since: dt.date | None,
            windows: dict[str, pa.Table | None] | None, row: StoredCheckpoint | None) -> pa.Table:
    """The ``kind`` records as of ``as_of`` dated from ``since``: the checkpoint's window and the records dated
    after its cutoff (in no particular order: the engine grades files in any order)."""
    if windows is None or row is None or windows.get(kind) is None:
        return records_as_of(engine, kind, as_of, since, columns=GRADED[kind])
    fresh = records_as_of(engine, kind, as_of, row.cutoff + dt.timedelta(days=1), columns=GRADED[kind])
    return pa.concat_tables([_dated(windows[kind], kind, since, row.cutoff), fresh])


def _dated(table: pa.Table, kind: str, since: dt.date | None, through: dt.date) -> pa.Table:
    """The rows of ``table`` dated from ``since`` (any, when None) to ``through``."""
    dates = table.column(DATES[kind])
    keep = pc.less_equal(dates, pa.scalar(through, pa.date32()))
    if since is not None:
        keep = pc.and_(keep, pc.greater_equal(dates, pa.scalar(since, pa.date32())))
    return table.filter(keep)


def _builtin_text(rule_set_id: str) -> str:
    """The YAML of a built-in rule set (a run keeps it); RunError for any other id."""
    if rule_set_id not in builtin_ids():
        raise RunError(f"rule set {rule_set_id!r}: expected a built-in rule set ({', '.join(builtin_ids())})")
    return resources.files("epizone.rulesets").joinpath(f"{rule_set_id}.yaml").read_text(encoding="utf-8")


def _summary(summary: Summary, kept: list[dt.date] | None) -> dict[str, Any]:
    return {"kept_days": "all" if kept is None else [day.isoformat() for day in kept],"unit_days_by_level": summary.unit_days_by_level, "last_day_by_level": summary.last_day_by_level,
            "data_first": summary.data_first and summary.data_first.isoformat(),
            "data_last": summary.data_last and summary.data_last.isoformat(),
            "unassigned_cases": summary.unassigned_cases, "seconds": round(summary.seconds, 3),
            "state": summary.state}
