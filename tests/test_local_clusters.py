"""Clusters "involving local infection" (``involving_local``): a cluster counts from the day it has a case
not marked imported. Engine against the reference evaluator, on examples and on random line lists."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings, strategies as st

from epizone.domain.model import Area, Hierarchy
from epizone.domain.reference import CaseRecord, evaluate
from epizone.domain.rules import load_rule_set
from epizone.services.assess import Request, assess_table

from builders import write_areas

D = dt.date(2020, 2, 1)
AREAS = [Area("35", "Fujian", None, "province"), Area("A", "County A", "35", "county"),
         Area("B", "County B", "35", "county")]
RULES = """
id: local-clusters-test
version: 1
title: {zh: 测试, en: test}
authority: {zh: 测试, en: test}
document: {zh: 测试, en: test, date: 2020-02-01, urls: [http://example.org]}
effective: {from: 2020-01-01}
unit: county
levels: [{id: low, zh: 低, en: low, color: "#1a9850"}]
indicators:
  local_clusters: {kind: cluster_count, min_cases: 2, classifications: [confirmed], involving_local: true,
                   zh: 本地, en: local}
  all_clusters: {kind: cluster_count, min_cases: 2, classifications: [confirmed], zh: 全部, en: all}
  local_cluster_7d: {kind: cluster_window, days: 7, min_cases: 2, classifications: [confirmed],
                     involving_local: true, zh: 本地7天, en: local 7 days}
  cluster_7d: {kind: cluster_window, days: 7, min_cases: 2, classifications: [confirmed], zh: 7天, en: 7 days}
clauses: [{code: low.all, level: low, when: "true", zh: 低, en: low}]
"""
NAMES = ("local_clusters", "all_clusters", "local_cluster_7d", "cluster_7d")


def _compare(folder: Path, cases: list[CaseRecord], end: int = 20) -> dict:
    rules = folder / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    areas = write_areas(folder / "areas.csv", AREAS)
    path = folder / "cases.csv"
    path.write_text("case_id,report_date,area_code,classification,cluster_id,imported\n" + "".join(
        f"{c.case_id},{c.report_date},{c.area_code},{c.classification},{c.cluster_id},{str(c.imported).lower()}\n"
        for c in cases), encoding="utf-8")
    last = D + dt.timedelta(days=end)
    table, _ = assess_table(Request(areas=areas, cases=path, rules=str(rules), start=D, end=last, data_end=last))
    engine = {(r["area_code"], r["date"]): tuple(r[n] for n in NAMES) for r in table.to_pylist()}
    reference = {(r.area_code, r.date): tuple(r.indicators[n] for n in NAMES) for r in evaluate(
        load_rule_set(rules), Hierarchy(AREAS), cases, [], "county", D, last, data_end=last)}
    assert engine == reference
    return engine


def test_an_imported_cluster_counts_from_its_first_local_case(tmp_path):
    day = lambda n: D + dt.timedelta(days=n)  # noqa: E731
    cases = [CaseRecord("i1", day(1), "A", "confirmed", "k", imported=True),
             CaseRecord("i2", day(2), "A", "confirmed", "k", imported=True),
             CaseRecord("l1", day(5), "A", "confirmed", "k", imported=False),
             CaseRecord("j1", day(3), "B", "confirmed", "m", imported=True),
             CaseRecord("j2", day(3), "B", "confirmed", "m", imported=True)]
    rows = _compare(tmp_path, cases, end=12)
    assert rows[("A", day(4))] == (0, 1, False, True)
    assert rows[("A", day(5))] == (1, 1, True, True)
    assert rows[("A", day(8))] == (1, 1, True, True)    # cases of days 2 and 5 in the window 2..8
    assert rows[("A", day(11))] == (1, 1, False, False)  # the window 5..11 holds l1 alone
    assert rows[("B", day(12))] == (0, 1, False, False)  # imported only: never a local cluster


def test_an_empty_imported_flag_is_local(tmp_path):
    folder = tmp_path
    cases = [CaseRecord("a", D, "A", "confirmed", "k"), CaseRecord("b", D, "A", "confirmed", "k")]
    rows = _compare(folder, cases, end=2)
    text = (folder / "cases.csv").read_text(encoding="utf-8").replace(",false\n", ",\n")
    (folder / "cases.csv").write_text(text, encoding="utf-8")
    table, _ = assess_table(Request(areas=folder / "areas.csv", cases=folder / "cases.csv",
                                    rules=str(folder / "rules.yaml"), start=D, end=D, data_end=D))
    assert [r["local_clusters"] for r in table.to_pylist() if r["area_code"] == "A"] == [1]
    assert rows[("A", D)][0] == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from("AB"), st.sampled_from(["confirmed", "asymptomatic"]),
                          st.sampled_from(["", "k1", "k2", "k3"]), st.booleans()), max_size=25))
def test_engine_equals_reference_on_random_line_lists(rows):
    cases = [CaseRecord(f"c{i}", D + dt.timedelta(days=d), a, kind, cluster, imported)
             for i, (d, a, kind, cluster, imported) in enumerate(rows)]
    if not cases:
        return
    with tempfile.TemporaryDirectory() as tmp:
        _compare(Path(tmp), cases)
