"""Shared builders for the golden and property tests: scenarios, CSV writers, and both evaluators."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from epizone.domain.model import Area, Hierarchy
from epizone.domain.reference import CaseRecord, CountRecord, evaluate, unassigned
from epizone.domain.rules import RuleSet, load_rule_set
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table

RULES: RuleSet = load_rule_set("cn-2020-02")
INDICATORS = list(RULES.indicators)

Key = tuple[str, dt.date]
Row = dict[str, Any]


def area(code: str, parent: str | None, kind: str, name: str | None = None) -> Area:
    return Area(code, name or f"name-{code}", parent, kind)


def case(case_id: str, day: dt.date, area_code: str, classification: str = "confirmed",
         cluster_id: str = "") -> CaseRecord:
    return CaseRecord(case_id, day, area_code, classification, cluster_id)


def count(area_code: str, day: dt.date, metric: str, value: int) -> CountRecord:
    return CountRecord(area_code, day, metric, value)


def small_hierarchy() -> list[Area]:
    """P > C > {K1 > {T11, T12}, K2 > {T21}}."""
    return [
        area("P", None, "province"),
        area("C", "P", "city"),
        area("K1", "C", "county"),
        area("K2", "C", "county"),
        area("T11", "K1", "township"),
        area("T12", "K1", "township"),
        area("T21", "K2", "township"),
    ]


@dataclass
class Scenario:
    areas: list[Area]
    cases: list[CaseRecord] = field(default_factory=list)
    counts: list[CountRecord] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    lag: int = 0
    through_date: dt.date | None = None
    data_end: dt.date | None = None
    give_cases: bool | None = None  # None: give the file when there are cases (or no counts)
    give_counts: bool | None = None  # None: give the file when there are counts
    chunk_cells: int | None = None  # engine only: unit-days per chunk (None: the engine's default)

    @property
    def with_cases(self) -> bool:
        return self.give_cases if self.give_cases is not None else bool(self.cases) or not self.counts

    @property
    def with_counts(self) -> bool:
        return self.give_counts if self.give_counts is not None else bool(self.counts)

    def period(self) -> tuple[dt.date, dt.date]:
        dates = [c.report_date for c in self.cases] + [r.date for r in self.counts]
        start = self.start or min(dates)
        end = self.end or max(dates)
        return start, end


@dataclass
class Result:
    rows: dict[Key, Row]
    unassigned: dict[tuple[str, str], int]

    def row(self, code: str, day: dt.date) -> Row:
        return self.rows[(code, day)]

    def days(self, code: str) -> list[dt.date]:
        return sorted(d for c, d in self.rows if c == code)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    return path


def write_areas(path: Path, areas: list[Area]) -> Path:
    return write_csv(path, ["code", "name", "parent_code", "kind", "population"],
                     [[a.code, a.name, a.parent_code, a.kind, a.population] for a in areas])


def write_cases(path: Path, cases: list[CaseRecord]) -> Path:
    return write_csv(path, ["case_id", "report_date", "area_code", "classification", "cluster_id"],
                     [[c.case_id, c.report_date, c.area_code, c.classification, c.cluster_id] for c in cases])


def write_inputs(folder: Path, s: Scenario) -> Request:
    folder.mkdir(parents=True, exist_ok=True)
    areas = write_areas(folder / "areas.csv", s.areas)
    cases = counts = None
    if s.with_cases:
        cases = write_cases(folder / "cases.csv", s.cases)
    if s.with_counts:
        counts = write_csv(folder / "counts.csv", ["area_code", "date", "metric", "value"],
                           [[r.area_code, r.date, r.metric, r.value] for r in s.counts])
    return Request(areas=areas, cases=cases, counts=counts, start=s.start, end=s.end,
                   data_through=DataThrough(lag=s.lag, date=s.through_date), data_end=s.data_end)


def run_engine(folder: Path, s: Scenario, unit: str | None = None) -> Result:
    req = write_inputs(folder, s)
    req.unit = unit
    if s.chunk_cells is not None:
        req.chunk_cells = s.chunk_cells
    table, summary = assess_table(req)
    rows: dict[Key, Row] = {}
    for r in table.to_pylist():
        key = (r["area_code"], r["date"])
        assert key not in rows, f"duplicate output row {key}"
        rows[key] = {"level": r["level"], "reason_code": r["reason_code"], "cutoff": r["data_through"],
                     **{name: r[name] for name in INDICATORS}}
    return Result(rows, {(u.area_code, u.series): u.count for u in summary.unassigned})


def run_reference(s: Scenario, unit: str | None = None) -> Result:
    unit = unit or RULES.unit
    start, end = s.period()
    hierarchy = Hierarchy(s.areas)
    cases = s.cases if s.with_cases else []
    counts = s.counts if s.with_counts else []
    rows = {
        (r.area_code, r.date): {"level": r.level, "reason_code": r.reason_code, "cutoff": r.cutoff, **r.indicators}
        for r in evaluate(RULES, hierarchy, cases, counts, unit, start, end,
                          lag=s.lag, through_date=s.through_date, data_end=s.data_end)
    }
    return Result(rows, unassigned(hierarchy, cases, counts, unit))


def diff(engine: Result, reference: Result, limit: int = 5) -> list[str]:
    """Human-readable differences between two results' rows (empty when they agree)."""
    out: list[str] = []
    missing = sorted(set(reference.rows) - set(engine.rows))
    extra = sorted(set(engine.rows) - set(reference.rows))
    if missing:
        out.append(f"rows missing from the engine: {missing[:limit]}")
    if extra:
        out.append(f"unexpected engine rows: {extra[:limit]}")
    for key in sorted(set(engine.rows) & set(reference.rows)):
        e, r = engine.rows[key], reference.rows[key]
        bad = {k: (e.get(k), r[k]) for k in r if e.get(k) != r[k] or type(e.get(k)) is not type(r[k])}
        if bad:
            out.append(f"{key[0]} {key[1]}: (engine, reference) {bad}")
            if len(out) >= limit:
                break
    return out
