"""Hypothesis: timed transitions on the engine equal the reference, on random series and periods."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings, strategies as st

from epizone.domain.model import Area, Hierarchy
from epizone.domain.reference import CaseRecord, MetricRecord, evaluate
from epizone.domain.rules import load_rule_set
from epizone.services.assess import Request, assess_table

from builders import write_areas

FIRST = dt.date(2021, 4, 1)
incidence = st.one_of(st.none(), st.sampled_from([50.0, 99.9, 100.0, 100.1, 180.0]))
# runs of equal values, so that the brake's 3-day and 5-working-day runs do complete
runs = st.lists(st.tuples(st.sampled_from([180.0, 50.0, 180.0, 50.0, 100.0, None]), st.integers(1, 9)),
                min_size=1, max_size=8).map(
    lambda parts: [v for v, n in parts for _ in range(n)][:40])


def _areas(folder: Path, codes: list[str], kind: str) -> tuple[Path, list[Area]]:
    areas = [Area("R", "Root", None, "province")] + [Area(c, f"Unit {c}", "R", kind) for c in codes]
    return write_areas(folder / "areas.csv", areas), areas


def _compare(rules: str, req: Request, areas: list[Area], unit: str, cases=(), metrics=(),  # noqa: ANN001
             holidays=()) -> None:  # noqa: ANN001
    table, _ = assess_table(req)
    engine = {(r["area_code"], r["date"]): (r["level"], r["reason_code"], (r["event"] or ":").split(":")[0] or None)
              for r in table.to_pylist()}
    reference = {(r.area_code, r.date): (r.level, r.reason_code, r.move) for r in evaluate(
        load_rule_set(rules), Hierarchy(areas), list(cases), [], unit, req.start, req.end,
        data_end=req.data_end, metrics=tuple(metrics), holidays=tuple(holidays))}
    assert engine == reference


def _write_metrics(path: Path, metrics: list[MetricRecord]) -> Path:
    path.write_text("area_code,date,metric,value\n" + "".join(
        f"{m.area_code},{m.date},{m.metric},{m.value!r}\n" for m in metrics), encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None)
@given(series=st.lists(st.lists(incidence, min_size=1, max_size=40), min_size=1, max_size=3),
       offset=st.integers(0, 39), length=st.integers(0, 20))
def test_emergency_brake_engine_equals_reference(series, offset, length):
    metrics = [MetricRecord(f"U{u}", FIRST + dt.timedelta(days=i), "incidence_7d", v)
               for u, values in enumerate(series) for i, v in enumerate(values) if v is not None]
    if not metrics:
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        areas_file, areas = _areas(folder, [f"U{u}" for u in range(len(series))], "county")
        path = folder / "metrics.csv"
        path.write_text("area_code,date,metric,value\n" + "".join(
            f"{m.area_code},{m.date},{m.metric},{m.value!r}\n" for m in metrics), encoding="utf-8")
        start = FIRST + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length)
        req = Request(areas=areas_file, metrics=path, rules="de-ifsg-28b-2021", start=start, end=end,
                      data_end=end)
        _compare("de-ifsg-28b-2021", req, areas, "county", metrics=metrics)


@settings(max_examples=60, deadline=None)
@given(days=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30)), max_size=15),
       offset=st.integers(0, 30), length=st.integers(0, 15))
def test_cn_2022_11_engine_equals_reference(days, offset, length):
    cases = [CaseRecord(f"c{i}", FIRST + dt.timedelta(days=d), f"B{u}", "confirmed") for i, (u, d) in enumerate(days)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        areas_file, areas = _areas(folder, ["B0", "B1", "B2"], "community")
        path = folder / "cases.csv"
        path.write_text("case_id,report_date,area_code,classification,cluster_id\n" + "".join(
            f"{c.case_id},{c.report_date},{c.area_code},{c.classification},\n" for c in cases), encoding="utf-8")
        start = FIRST + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length)
        req = Request(areas=areas_file, cases=path, rules="cn-2022-11", start=start, end=end, data_end=end)
        _compare("cn-2022-11", req, areas, "community", cases=cases)


@settings(max_examples=60, deadline=None)
@given(series=st.lists(runs, min_size=1, max_size=3),
       holidays=st.lists(st.tuples(st.integers(0, 40), st.sampled_from([None, "R", "U0", "U1"])), max_size=12),
       offset=st.integers(0, 10), length=st.integers(10, 40))
def test_emergency_brake_with_public_holidays_engine_equals_reference(series, holidays, offset, length):
    metrics = [MetricRecord(f"U{u}", FIRST + dt.timedelta(days=i), "incidence_7d", v)
               for u, values in enumerate(series) for i, v in enumerate(values) if v is not None]
    if not metrics:
        return
    units = [f"U{u}" for u in range(len(series))]
    days_off = [(FIRST + dt.timedelta(days=d), a) for d, a in holidays if a is None or a == "R" or a in units]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        areas_file, areas = _areas(folder, units, "county")
        off = folder / "holidays.csv"
        off.write_text("date,area_code\n" + "".join(f"{d},{a or ''}\n" for d, a in days_off), encoding="utf-8")
        start = FIRST + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length)
        req = Request(areas=areas_file, metrics=_write_metrics(folder / "metrics.csv", metrics),
                      rules="de-ifsg-28b-2021", start=start, end=end, data_end=end, holidays=off)
        _compare("de-ifsg-28b-2021", req, areas, "county", metrics=metrics, holidays=days_off)


FLAGS = ("high_risk_site", "medium_risk_site", "mass_testing_negative")


@settings(max_examples=80, deadline=None)
@given(infections=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 35)), max_size=6),
       flags=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 35), st.sampled_from(FLAGS)), max_size=20),
       offset=st.integers(0, 30), length=st.integers(0, 20))
def test_cn_2022_06_engine_equals_reference(infections, flags, offset, length):
    cases = [CaseRecord(f"c{i}", FIRST + dt.timedelta(days=d), f"B{u}", "confirmed")
             for i, (u, d) in enumerate(infections)]
    metrics = sorted({MetricRecord(f"B{u}", FIRST + dt.timedelta(days=d), name, 1.0) for u, d, name in flags},
                     key=lambda m: (m.area_code, m.date, m.metric))
    if not cases and not metrics:
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        areas_file, areas = _areas(folder, ["B0", "B1"], "community")
        path = folder / "cases.csv"
        path.write_text("case_id,report_date,area_code,classification,cluster_id\n" + "".join(
            f"{c.case_id},{c.report_date},{c.area_code},{c.classification},\n" for c in cases), encoding="utf-8")
        start = FIRST + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length)
        req = Request(areas=areas_file, cases=path if cases else None,
                      metrics=_write_metrics(folder / "metrics.csv", metrics) if metrics else None,
                      rules="cn-2022-06", start=start, end=end, data_end=end)
        _compare("cn-2022-06", req, areas, "community", cases=cases, metrics=metrics)
