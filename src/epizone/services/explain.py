"""Use case: why is this unit at this level on this day? Indicators, every clause tried, the one that fired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from epizone.domain.cutoff import from_day_number
from epizone.domain.problems import InputError, Problem
from epizone.engine.compile import NO_DATA_CODE, Chunk
from epizone.io.tables import source_name
from epizone.services.assess import Request, prepare


@dataclass
class ClauseCheck:
    code: str
    level: str
    when: str
    held: bool
    reason: str


@dataclass
class Explanation:
    area_code: str
    area_name: str
    unit: str
    date: dt.date
    data_through: dt.date
    rule_set: str
    rule_title: str
    level: str
    level_label: str
    reason_code: str
    reason: str
    indicators: dict[str, tuple[object, str]]   # name -> (value, description)
    windows: dict[str, tuple[dt.date, dt.date]]  # windowed indicator -> first and last data date
    clauses: list[ClauseCheck]
    stale: bool
    last_move: str | None = None  # the timed move that last took effect up to the day, in words


def explain(req: Request, area: str, date: dt.date) -> Explanation:
    """Grade one unit on one day and keep every step; ``area`` is a unit's code or exact name."""
    prepared = prepare(replace(req, start=date, end=date))
    index = _find_unit(prepared.units, area, source_name(req.areas, "areas"), prepared.unit)
    chunk = Chunk(index, index + 1, prepared.plan.grid_start, prepared.plan.grid_days)
    plan = prepared.plan  # the assessed day is its last day (earlier ones replay timed transitions)
    result = prepared.kernel.run(prepared.agg, chunk, plan.positions, plan.stale,
                                 plan.population[index:index + 1], plan.days, plan.holidays_of(chunk))
    values = {name: _scalar(v) for name, v in result.indicators.items()}
    rules, lang = prepared.rules, req.lang
    stale = bool(plan.stale[-1])
    checks = [ClauseCheck(c.code, c.level, c.when, bool(c.condition.evaluate(_for_condition(values))),
                          c.reason(lang)) for c in rules.clauses]
    clause_index = int(result.clause[0, -1])
    level = prepared.kernel.level_ids[int(result.level[0, -1])]
    labels = {lvl.id: (lvl.zh if lang == "zh" else lvl.en) for lvl in rules.levels}
    unit = prepared.units[index]
    through = from_day_number(int(plan.cutoffs[-1]))
    windows = {name: (through - dt.timedelta(days=ind.days - 1), through)
               for name, ind in rules.indicators.items() if hasattr(ind, "days")}
    return Explanation(
        unit.code, unit.name, prepared.unit, date, through, rules.ref,
        rules.title.zh if lang == "zh" else rules.title.en, level,
        labels.get(level, "未知" if lang == "zh" else "Unknown"),
        prepared.kernel.clause_codes[clause_index], prepared.kernel.reasons(lang)[clause_index],
        {name: (values[name], (ind.zh if lang == "zh" else ind.en)) for name, ind in rules.indicators.items()},
        windows, checks, stale, _last_move(prepared, result),
    )


def _last_move(prepared, result) -> str | None:  # noqa: ANN001
    """The move that put the unit in its timed state (or took it out), with its run and dates."""
    if result.event is None or not result.event[0].any():
        return None
    day = int(np.flatnonzero(result.event[0])[-1])
    days = prepared.plan.days
    return prepared.kernel.event_text(int(result.event[0, day]), int(days[int(result.completed[0, day])]),
                                      int(days[day]))


def _find_unit(units, area: str, file: str, kind: str) -> int:  # noqa: ANN001
    for i, unit in enumerate(units):
        if unit.code == area:
            return i
    matches = [i for i, unit in enumerate(units) if unit.name == area]
    if len(matches) == 1:
        return matches[0]
    expected = (f"the code or name of one area of kind {kind!r}"
                + (f" ({len(matches)} areas share this name: use the code)" if matches else ""))
    raise InputError([Problem(file, 0, "--area", 0, area, expected)])


def _scalar(values: np.ndarray) -> object:
    value = values[0, -1]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    number = int(value)
    return None if number < 0 else number


def _for_condition(values: dict[str, object]) -> dict[str, object]:
    return {k: (float("nan") if v is None else v) for k, v in values.items()}


__all__ = ["Explanation", "ClauseCheck", "explain", "NO_DATA_CODE"]
