"""Hypothesis: metric and per-100k indicators on the engine equal the reference (CDC and Harvard rules)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings, strategies as st

from epizone.domain.model import Area, Hierarchy
from epizone.domain.reference import CaseRecord, MetricRecord, evaluate
from epizone.domain.rules import load_rule_set
from epizone.services.assess import Request, assess_table

from builders import write_areas, write_cases

FIRST = dt.date(2021, 11, 1)
POPULATIONS = [None, 1000, 25000, 100000]
value = st.sampled_from([0.0, 4.99, 5.0, 9.99, 10.0, 49.99, 50.0, 99.99, 100.0, 250.5])
metric_rows = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 20),  # area 3 is the group G
                                 st.sampled_from(["case_rate_7d", "cases_7d", "test_positivity_7d", "positives_7d",
                                                  "tests_7d"]), value),
                       max_size=25)


def _code(u: int) -> str:
    return "G" if u == 3 else f"U{u}"


def _write(folder: Path, populations: list[int | None], metrics: list[MetricRecord],
           cases: list[CaseRecord]) -> tuple[Path, Path, Path, list[Area]]:
    areas = [Area("R", "Root", None, "province")] + [Area(f"U{i}", f"Unit {i}", "R", "county", p)
                                                     for i, p in enumerate(populations)]
    areas_file = write_areas(folder / "areas.csv", areas)
    metrics_file = folder / "metrics.csv"
    metrics_file.write_text("area_code,date,metric,value\n" + "".join(
        f"{m.area_code},{m.date},{m.metric},{m.value!r}\n" for m in metrics), encoding="utf-8")
    cases_file = write_cases(folder / "cases.csv", cases)
    return areas_file, metrics_file, cases_file, areas


@settings(max_examples=80, deadline=None)
@given(populations=st.lists(st.sampled_from(POPULATIONS), min_size=3, max_size=3), rows=metric_rows,
       case_days=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), max_size=30),
       offset=st.integers(0, 20), length=st.integers(0, 10), rules=st.sampled_from(
           ["us-cdc-transmission-2021", "harvard-ghi-2020"]), members=st.sets(st.integers(0, 2), min_size=1))
def test_engine_equals_reference(populations, rows, case_days, offset, length, rules, members):
    unique = {(u, d, m): v for u, d, m, v in rows}  # one value per area, date and metric
    metrics = [MetricRecord(_code(u), FIRST + dt.timedelta(days=d), m, v) for (u, d, m), v in unique.items()]
    groups = {"G": [f"U{u}" for u in sorted(members)]}
    cases = [CaseRecord(f"c{i}", FIRST + dt.timedelta(days=d), f"U{u}", "confirmed")
             for i, (u, d) in enumerate(case_days)]
    start = FIRST + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=length)
    with tempfile.TemporaryDirectory() as tmp:
        areas_file, metrics_file, cases_file, areas = _write(Path(tmp), populations, metrics, cases)
        groups_file = Path(tmp) / "groups.csv"
        groups_file.write_text("group_code,area_code\n" + "".join(f"G,{a}\n" for a in groups["G"]), encoding="utf-8")
        req = Request(areas=areas_file, metrics=metrics_file, cases=cases_file, rules=rules, start=start, end=end,
                      data_end=end, groups=groups_file)
        table, _ = assess_table(req)
    ruleset = load_rule_set(rules)
    names = list(ruleset.indicators)
    engine = {(r["area_code"], r["date"]): (r["level"], r["reason_code"], *[r[n] for n in names])
              for r in table.to_pylist()}
    reference = {(r.area_code, r.date): (r.level, r.reason_code, *[r.indicators[n] for n in names])
                 for r in evaluate(ruleset, Hierarchy(areas), cases, [], "county", start, end, data_end=end,
                                   metrics=tuple(metrics), groups=groups)}
    assert engine == reference


@settings(max_examples=60, deadline=None)
@given(case_rows=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), st.sampled_from(["", "K1", "K2", "K3"]),
                                    st.sampled_from(["confirmed", "asymptomatic"])), max_size=30),
       discharges=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), st.integers(0, 3)), max_size=10),
       offset=st.integers(0, 25), length=st.integers(0, 10))
def test_fujian_classes_engine_equals_reference(case_rows, discharges, offset, length):
    cases = [CaseRecord(f"c{i}", FIRST + dt.timedelta(days=d), f"U{u}", kind, k)
             for i, (u, d, k, kind) in enumerate(case_rows)]
    unique = {(u, d): float(n) for u, d, n in discharges}
    metrics = [MetricRecord(f"U{u}", FIRST + dt.timedelta(days=d), "new_discharged", n) for (u, d), n in unique.items()]
    start = FIRST + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=length)
    with tempfile.TemporaryDirectory() as tmp:
        areas_file, metrics_file, cases_file, areas = _write(Path(tmp), [None, None, None], metrics, [])
        cases_file.write_text("case_id,report_date,area_code,classification,cluster_id\n" + "".join(
            f"{c.case_id},{c.report_date},{c.area_code},{c.classification},{c.cluster_id}\n" for c in cases),
            encoding="utf-8")
        req = Request(areas=areas_file, metrics=metrics_file, cases=cases_file, rules="fj-2020-02", start=start,
                      end=end, data_end=end)
        table, _ = assess_table(req)
    ruleset = load_rule_set("fj-2020-02")
    names = list(ruleset.indicators)
    engine = {(r["area_code"], r["date"]): (r["level"], r["reason_code"], *[r[n] for n in names])
              for r in table.to_pylist()}
    reference = {(r.area_code, r.date): (r.level, r.reason_code, *[r.indicators[n] for n in names])
                 for r in evaluate(ruleset, Hierarchy(areas), cases, [], "county", start, end, data_end=end,
                                   metrics=tuple(metrics))}
    assert engine == reference
