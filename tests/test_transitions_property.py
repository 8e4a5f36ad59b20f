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

FIRST = dt.date(2021, 4, 1)
incidence = st.one_of(st.none(), st.sampled_from([50.0, 99.9, 100.0, 100.1, 180.0]))


def _areas(folder: Path, codes: list[str], kind: str) -> tuple[Path, list[Area]]:
    areas = [Area("R", "Root", None, "province")] + [Area(c, f"Unit {c}", "R", kind) for c in codes]
    path = folder / "areas.csv"
    path.write_text("code,name,parent_code,kind,population\n" + "".join(
        f"{a.code},{a.name},{a.parent_code or ''},{a.kind},\n" for a in areas), encoding="utf-8")
    return path, areas


def _compare(rules: str, req: Request, areas: list[Area], unit: str, cases=(), metrics=()) -> None:  # noqa: ANN001
    table, _ = assess_table(req)
    engine = {(r["area_code"], r["date"]): (r["level"], r["reason_code"]) for r in table.to_pylist()}
    reference = {(r.area_code, r.date): (r.level, r.reason_code) for r in evaluate(
        load_rule_set(rules), Hierarchy(areas), list(cases), [], unit, req.start, req.end,
        data_end=req.data_end, metrics=tuple(metrics))}
    assert engine == reference


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
