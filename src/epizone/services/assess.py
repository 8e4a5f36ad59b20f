"""Use case: grade every unit for every day under a rule set, from files or Arrow tables, with a run summary."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from epizone.domain.cutoff import DataThrough, day_number, from_day_number
from epizone.domain.model import Area, Hierarchy
from epizone.domain.problems import InputError, Problem
from epizone.domain.rules import RuleSet, load_rule_set
from epizone.engine.aggregate import Aggregates, Unassigned, aggregate, unassigned_rows
from epizone.engine.carry import Carry
from epizone.engine.checkpoint import merged
from epizone.engine.compile import Kernel
from epizone.engine.plan import CHUNK_CELLS, Plan, continue_plan, keep_from, make_plan
from epizone.engine.run import ahead, check_output, run
from epizone.io.areas import read_areas
from epizone.io.groups import read_groups
from epizone.io.holidays import EVERY_UNIT, read_holidays
from epizone.io import cases as case_file, counts as count_file, metrics as metric_file
from epizone.io.tables import Source, Table, read_table, source_name
from epizone.io.units import UnitIndex
from epizone.io.write import output_format, write_batches
from epizone.services import resume as resuming
from epizone.services.state import StateDir


@dataclass
class Request:
    """What to grade: each input a file (always checked) or an Arrow table with the file's columns.

    ``validated``: the tables hold rows already checked, one per key (the store's records): their cases and
    counts are encoded without being checked again. ``rules``: a built-in id, a YAML file or a parsed RuleSet.
    """

    areas: Source | Hierarchy          # a Hierarchy: areas already read (and checked) by the caller
    cases: Source | None = None
    counts: Source | None = None
    metrics: Source | None = None
    groups: Source | None = None
    rules: str | Path | RuleSet = "cn-2020-02"
    unit: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    data_through: DataThrough = field(default_factory=DataThrough)
    data_end: dt.date | None = None
    lang: str = "en"
    chunk_cells: int = CHUNK_CELLS
    holidays: Source | None = None
    validated: bool = False
    state: StateDir | None = None  # checkpoints to continue from and to keep (``--state``)
    full: bool = False             # with ``state``: replay fully all the same, then keep a checkpoint
    rows_from: dt.date | None = None  # with ``state``: the inputs hold the rows dated from this day only, the
                                      # earlier ones are unchanged since the checkpoints (the store knows)


@dataclass
class Summary:
    rule_set: str
    unit: str
    units: int
    start: dt.date
    end: dt.date
    data_through: str
    data_first: dt.date | None
    data_last: dt.date | None
    rows: int = 0
    unit_days_by_level: dict[str, int] = field(default_factory=dict)
    last_day_by_level: dict[str, int] = field(default_factory=dict)
    unassigned: list[Unassigned] = field(default_factory=list)
    seconds: float = 0.0
    state: str | None = None  # with checkpoints: continued from D / replayed from D / full replay, and why

    @property
    def unassigned_cases(self) -> int:
        return sum(u.count for u in self.unassigned if u.series in ("confirmed", "asymptomatic"))


@dataclass
class Prepared:
    hierarchy: Hierarchy
    rules: RuleSet
    unit: str
    units: list[Area]
    agg: Aggregates
    kernel: Kernel
    plan: Plan
    summary: Summary
    lang: str = "en"
    keeping: resuming.Keeping | None = None  # the checkpoint to keep after the run


def prepare(req: Request) -> Prepared:
    """Read and validate every input, aggregate it and plan the run; raise InputError on bad input."""
    if req.cases is None and req.counts is None and req.metrics is None:
        raise ValueError("give a case line list (--cases), daily counts (--counts) or metrics (--metrics)")
    rules = req.rules if isinstance(req.rules, RuleSet) else load_rule_set(req.rules)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the big tables are read while the areas are parsed
        cases = _read(pool, req.cases, case_file.COLUMNS, case_file.OPTIONAL, case_file.CODED, "cases", req.validated)
        counts = _read(pool, req.counts, count_file.COLUMNS, (), count_file.CODED, "counts", req.validated)
        metrics = _read(pool, req.metrics, metric_file.COLUMNS, (), metric_file.CODED, "metrics")
        hierarchy = req.areas if isinstance(req.areas, Hierarchy) else read_areas(req.areas)
        return _prepare(req, rules, hierarchy, *(None if f is None else f.result() for f in (cases, counts, metrics)))


def _read(pool: ThreadPoolExecutor, source: Source | None, *how: object) -> Future[Table] | None:
    """``read_table(source, *how)`` started in ``pool``; None when there is no such input."""
    return None if source is None else pool.submit(read_table, source, *how)


def _prepare(req: Request, rules: RuleSet, hierarchy: Hierarchy, cases_table: Table | None,
             counts_table: Table | None, metrics_table: Table | None = None) -> Prepared:
    unit = req.unit or rules.unit
    units = hierarchy.units(unit)
    if not units:
        raise InputError([Problem(source_name(req.areas, "areas"), 0, "kind", 0, unit,
                                  f"at least one area of kind {unit!r} to assess (kinds present: "
                                  f"{', '.join(sorted(hierarchy.kinds()))})")])
    unit_of = UnitIndex.of(hierarchy, unit) or _unit_index(hierarchy, unit, units)
    problems: list[Problem] = []
    cases = counts = None
    if cases_table is not None:
        cases, found = case_file.load_cases(cases_table, unit_of)
        problems += found
    if counts_table is not None:
        counts, found = count_file.load_counts(counts_table, unit_of)
        problems += found
    metrics = None
    if metrics_table is not None:
        known = set(hierarchy.by_code)
        groups = read_groups(req.groups, known) if req.groups is not None else None
        metrics, found = metric_file.load_metrics(metrics_table, known, {u.code: i for i, u in enumerate(units)},
                                                  groups)
        problems += found
    holidays: list[tuple[int, int]] = []
    if req.holidays is not None:
        try:
            holidays = read_holidays(req.holidays, hierarchy, unit)
        except InputError as exc:  # reported together with the other inputs' problems
            problems += exc.problems
    if problems:
        raise InputError(problems)
    if req.state is not None:
        return _resumed(req, rules, hierarchy, unit, units, holidays, cases_table,
                        resuming.Inputs(cases, counts, metrics))
    agg = aggregate(rules, cases, counts, metrics)
    start, end = _period(req, agg)
    data_end = day_number(req.data_end) if req.data_end else None
    plan = make_plan(agg, units, day_number(start), day_number(end), req.data_through, data_end, req.chunk_cells,
                     replay=bool(rules.states))
    plan.holidays = _holiday_masks(rules, holidays, plan.days)
    summary = Summary(rules.ref, unit, len(units), start, end, str(req.data_through),
                      _date(agg.first_day), req.data_end or _date(agg.last_day),
                      unassigned=agg.unassigned)
    return Prepared(hierarchy, rules, unit, units, agg, Kernel(rules), plan, summary, req.lang)


def _resumed(req: Request, rules: RuleSet, hierarchy: Hierarchy, unit: str, units: list[Area],
             holidays: list[tuple[int, int]], cases_table: Table | None, inputs: resuming.Inputs) -> Prepared:
    """Grade from the newest valid checkpoint in ``req.state`` (or fully) and keep one at the end."""
    first, last = inputs.span()
    start, end = _period(req, Aggregates({}, {}, first, last))
    covered = day_number(req.data_end) if req.data_end else last
    key = resuming.key_of(rules, unit, units, req.data_through, holidays)
    ids = resuming.cluster_ids(cases_table if inputs.cases is not None else None)
    digests = inputs.digests(ids)
    rows_from = None if req.rows_from is None else day_number(req.rows_from)
    choice = req.state.choose(key, digests, covered, day_number(end), req.full, rows_from)
    kernel = Kernel(rules)
    if choice.checkpoint is None and rows_from is not None:
        raise ValueError(f"no checkpoint fits rows dated from {req.rows_from} ({choice.note}): give every row")
    if choice.checkpoint is not None and rows_from is not None:
        digests = merged(choice.checkpoint.digests, digests, rows_from)
    if choice.checkpoint is None:
        agg = aggregate(rules, inputs.cases, inputs.counts, inputs.metrics)
        plan = make_plan(agg, units, day_number(start), day_number(end), req.data_through,
                         covered if req.data_end else None, req.chunk_cells, replay=bool(rules.states))
        clusters = inputs.cases
    else:
        carry: Carry = choice.checkpoint.carry
        window, clusters, ids = inputs.from_day(carry.since, choice.checkpoint.clusters, ids)
        agg = aggregate(rules, window.cases, window.counts, window.metrics, cluster_cases=clusters)
        plan = continue_plan(carry, units, day_number(start), day_number(end), req.data_through, covered,
                             req.chunk_cells)
    plan.keep = keep_from(kernel, plan, req.data_through)
    plan.holidays = _holiday_masks(rules, holidays, plan.days)
    agg.unassigned = unassigned_rows(inputs.cases, inputs.counts, inputs.metrics)
    shown = from_day_number(int(plan.days[plan.skip]))
    summary = Summary(rules.ref, unit, len(units), shown, end, str(req.data_through), _date(first),
                      req.data_end or _date(last), unassigned=agg.unassigned, state=choice.note)
    keeping = resuming.Keeping(req.state, key, int(plan.days[-1]), int(plan.cutoffs[-1]), covered, digests,
                               clusters, ids)
    return Prepared(hierarchy, rules, unit, units, agg, kernel, plan, summary, req.lang, keeping)



def assess_to_file(req: Request, out: Path, progress: Callable[[int, int], None] | None = None,
                   output: str = "dense") -> Summary:
    """Grade and write ``out`` (.csv, .parquet or .json); nothing is written when the inputs are bad.

    ``output``: ``dense``, one row per unit and day; or ``periods``, one row per unit and run of days at
    the same level (``start``, inclusive ``end``; the other columns as of the first day).
    """
    began = time.perf_counter()
    output_format(out)
    check_output(output)
    prepared = prepare(req)
    batches = ahead(_counted(prepared, progress, output))
    first = next(batches)
    summary = prepared.summary
    summary.rows = write_batches(out, first.schema, _chain(first, batches))
    summary.seconds = time.perf_counter() - began
    return summary


def assess_table(req: Request, output: str = "dense", breaks: Collection[dt.date] | None = None,
                 ) -> tuple[pa.Table, Summary]:
    """Grade in memory and return one Arrow table (for the Python API and tests); ``output`` as above, the
    periods also split at the days ``breaks`` (each with a ``period_end``, see ``engine.periods``)."""
    began = time.perf_counter()
    check_output(output)
    prepared = prepare(req)
    days = None if breaks is None else np.array(sorted(day_number(d) for d in breaks), dtype=np.int32)
    table = pa.Table.from_batches(list(_counted(prepared, None, output, days)))
    prepared.summary.rows = table.num_rows
    prepared.summary.seconds = time.perf_counter() - began
    return table, prepared.summary


def _counted(prepared: Prepared, progress: Callable[[int, int], None] | None,
             output: str = "dense", breaks: np.ndarray | None = None) -> Iterator[pa.RecordBatch]:
    """The output batches, keeping the summary's unit-days and last-day units per level up to date."""
    summary, levels = prepared.summary, prepared.kernel.level_ids
    by_level = np.zeros(len(levels), dtype=np.int64)
    last = np.zeros(len(levels), dtype=np.int64)
    kept: list[Carry] | None = None if prepared.keeping is None else []
    for graded in run(prepared.kernel, prepared.agg, prepared.plan, prepared.lang, output, kept, breaks):
        by_level += graded.unit_days
        last += graded.last_day
        summary.unit_days_by_level = {level: int(n) for level, n in zip(levels, by_level) if n}
        summary.last_day_by_level = {level: int(n) for level, n in zip(levels, last) if n}
        if progress:
            progress(graded.chunk.end_unit, len(prepared.units))
        yield graded.batch
    if prepared.keeping is not None:
        prepared.keeping.save(prepared.rules, kept)


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


def _holiday_masks(rules: RuleSet, pairs: list[tuple[int, int]], days: np.ndarray) -> dict[int, np.ndarray] | None:
    """Day masks of public holidays: the rule set's for every unit (key -1), the file's by unit index."""
    if all(move.calendar == "every_day" for move in rules.moves):
        return None
    masks: dict[int, np.ndarray] = {}
    for day, unit_index in [(day_number(d), EVERY_UNIT) for d in rules.holidays] + pairs:
        if days[0] <= day <= days[-1]:
            masks.setdefault(unit_index, np.zeros(days.size, dtype=bool))[day - days[0]] = True
    return masks or None


def _unit_index(hierarchy: Hierarchy, unit: str, units: list[Area]) -> dict[str, int]:
    """Every area code -> index of its unit (ancestor-or-self of the unit kind), -1 when it has none."""
    index = {a.code: i for i, a in enumerate(units)}
    return {code: (-1 if found is None else index[found]) for code, found in hierarchy.unit_of(unit).items()}


def _period(req: Request, agg: Aggregates) -> tuple[dt.date, dt.date]:
    start = req.start or _date(agg.first_day)
    end = req.end or _date(agg.last_day)
    if start is None or end is None:
        raise ValueError("the inputs hold no dated rows: give --start and --end")
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    return start, end


def _date(day: int | None) -> dt.date | None:
    return None if day is None else from_day_number(day)
