"""Hand-checked tests of the reference evaluator itself (epizone.domain.reference)."""

from __future__ import annotations

import datetime as dt

import yaml

from builders import RULES, area, case, count, small_hierarchy
from epizone.domain.model import Hierarchy
from epizone.domain.reference import cutoff, evaluate, unassigned
from epizone.domain.rules import RuleSet, load_rule_set

T = dt.date(2020, 2, 20)
H = Hierarchy(small_hierarchy())


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def one(cases=(), counts=(), unit="county", code="K1", day=T, **kw):
    rows = evaluate(RULES, H, list(cases), list(counts), unit, day, day, **kw)
    (row,) = [r for r in rows if r.area_code == code]
    return row


def test_cutoff_lag_and_date():
    assert cutoff(T) == T
    assert cutoff(T, lag=3) == T - days(3)
    assert cutoff(T, through_date=T - days(2)) == T - days(2)
    assert cutoff(T, lag=5, through_date=T + days(2)) == T  # a date wins over a lag, min(t, D)


def test_window_edges_and_days_since():
    edge_in = one([case("a", T - days(13), "T11")], data_end=T)
    assert (edge_in.indicators["new_confirmed_14d"], edge_in.indicators["days_since_last_confirmed"]) == (1, 13)
    assert edge_in.reason_code == "medium.up_to_50"
    edge_out = one([case("a", T - days(14), "T11")], data_end=T)
    assert edge_out.indicators == {"cumulative_confirmed": 1, "new_confirmed_14d": 0, "cluster_14d": False,
                                   "days_since_last_confirmed": 14}
    assert (edge_out.level, edge_out.reason_code) == ("low", "low.no_new_14d")
    future = one([case("a", T + days(1), "K1")])
    assert future.indicators["cumulative_confirmed"] == 0
    assert future.indicators["days_since_last_confirmed"] is None
    assert future.reason_code == "low.no_confirmed"


def test_lag_shifts_the_window():
    cases = [case("a", T - days(14), "K1")]
    assert one(cases, lag=1, data_end=T).indicators["new_confirmed_14d"] == 1
    assert one(cases, lag=1, data_end=T).indicators["days_since_last_confirmed"] == 13
    assert one(cases, lag=0, data_end=T).indicators["new_confirmed_14d"] == 0


def test_asymptomatic_cases_do_not_count_as_confirmed_but_join_clusters():
    row = one([case("a", T, "K1", "asymptomatic", "x"), case("b", T - days(1), "T12", "confirmed", "x")])
    assert row.indicators == {"cumulative_confirmed": 1, "new_confirmed_14d": 1, "cluster_14d": True,
                              "days_since_last_confirmed": 1}


def test_cluster_needs_two_cases_of_the_same_unit():
    two_units = [case("a", T, "K1", cluster_id="x"), case("b", T, "K2", cluster_id="x")]
    assert one(two_units).indicators["cluster_14d"] is False
    assert one(two_units, code="K2").indicators["cluster_14d"] is False
    two_ids = [case("a", T, "K1", cluster_id="x"), case("b", T, "K1", cluster_id="y")]
    assert one(two_ids).indicators["cluster_14d"] is False
    no_id = [case("a", T, "K1"), case("b", T, "K1")]
    assert one(no_id).indicators["cluster_14d"] is False


def test_counts_add_to_cases_and_report_clusters():
    cases = [case("a", T - days(2), "K1"), case("a", T - days(2), "K1")]  # identical repeat: once
    counts = [count("T11", T - days(1), "new_confirmed", 4), count("T11", T - days(1), "new_confirmed", 4),
              count("K1", T - days(20), "new_confirmed", 47), count("K1", T, "new_asymptomatic", 9),
              count("T12", T - days(13), "new_clusters", 1)]
    row = one(cases, counts)
    assert row.indicators == {"cumulative_confirmed": 52, "new_confirmed_14d": 5, "cluster_14d": True,
                              "days_since_last_confirmed": 1}
    assert (row.level, row.reason_code) == ("high", "high.over_50_with_cluster")
    later = one(cases, counts, day=T + days(1), data_end=T + days(1))
    assert later.indicators["cluster_14d"] is False
    assert later.reason_code == "medium.over_50_no_cluster"


def test_zero_counts_are_not_a_last_case():
    row = one(counts=[count("K1", T - days(3), "new_confirmed", 2), count("K1", T, "new_confirmed", 0),
                      count("K1", T - days(1), "new_clusters", 0)])
    assert row.indicators["days_since_last_confirmed"] == 3
    assert row.indicators["cluster_14d"] is False


def test_coverage_unknown_after_the_data_and_covered_before():
    cases = [case("a", T, "K1")]
    rows = evaluate(RULES, H, cases, [], "county", T - days(2), T + days(1))
    k1 = [(r.date, r.level, r.reason_code) for r in rows if r.area_code == "K1"]
    assert k1 == [(T - days(2), "low", "low.no_confirmed"), (T - days(1), "low", "low.no_confirmed"),
                  (T, "medium", "medium.up_to_50"), (T + days(1), "unknown", "unknown.no_data")]
    extended = evaluate(RULES, H, cases, [], "county", T + days(1), T + days(1), data_end=T + days(1))
    assert {r.level for r in extended} == {"medium", "low"}
    shortened = evaluate(RULES, H, cases, [], "county", T, T, data_end=T - days(1))
    assert {r.level for r in shortened} == {"unknown"}
    lagged = evaluate(RULES, H, cases, [], "county", T + days(1), T + days(1), lag=1)
    assert [r.reason_code for r in lagged] == ["medium.up_to_50", "low.no_confirmed"]
    fixed = evaluate(RULES, H, cases, [], "county", T + days(5), T + days(5), through_date=T)
    assert fixed[0].cutoff == T and fixed[0].indicators["days_since_last_confirmed"] == 0
    nothing = evaluate(RULES, H, [], [], "county", T, T)
    assert {r.level for r in nothing} == {"unknown"}


def test_rows_for_every_unit_in_order():
    rows = evaluate(RULES, H, [case("a", T, "T21")], [], "township", T - days(1), T)
    assert [(r.area_code, r.date) for r in rows] == [
        ("T11", T - days(1)), ("T11", T), ("T12", T - days(1)), ("T12", T), ("T21", T - days(1)), ("T21", T)]
    assert rows[-1].indicators["cumulative_confirmed"] == 1


def test_unassigned_records():
    cases = [case("a", T, "K1"), case("b", T, "K1", "asymptomatic"), case("c", T, "T11"), case("d", T, "P")]
    counts = [count("C", T, "new_confirmed", 3), count("K2", T, "new_clusters", 1), count("T21", T, "new_confirmed", 2)]
    assert unassigned(H, cases, counts, "township") == {
        ("K1", "confirmed"): 1, ("K1", "asymptomatic"): 1, ("P", "confirmed"): 1,
        ("C", "confirmed"): 3, ("K2", "clusters"): 1}
    assert unassigned(H, cases, counts, "county") == {("P", "confirmed"): 1, ("C", "confirmed"): 3}
    rows = evaluate(RULES, H, cases, counts, "township", T, T)
    assert {r.area_code: r.indicators["cumulative_confirmed"] for r in rows} == {"T11": 1, "T12": 0, "T21": 2}


def test_other_rule_set_shapes():
    data = yaml.safe_load(load_rule_set("cn-2020-02").model_dump_json(by_alias=True))
    data["indicators"] = {
        "cum_asym": {"kind": "cumulative", "series": "asymptomatic", "zh": "x", "en": "x"},
        "asym_7d": {"kind": "window_sum", "series": "asymptomatic", "days": 7, "zh": "x", "en": "x"},
        "since_asym": {"kind": "days_since", "series": "asymptomatic", "zh": "x", "en": "x"},
        "big_cluster_3d": {"kind": "cluster_window", "days": 3, "min_cases": 3,
                           "classifications": ["confirmed"], "zh": "x", "en": "x"},
    }
    data["clauses"] = [
        {"code": "high.cluster", "level": "high", "when": "big_cluster_3d", "zh": "x", "en": "x"},
        {"code": "medium.asym", "level": "medium", "when": "asym_7d >= 2 or not cum_asym < 5",
         "zh": "x", "en": "x"},
        {"code": "low.rest", "level": "low", "when": "true", "zh": "x", "en": "x"},
    ]
    rules = RuleSet.model_validate(data)
    h = Hierarchy([area("K", None, "county")])
    cases = [case("a", T, "K", cluster_id="x"), case("b", T - days(2), "K", cluster_id="x"),
             case("c", T - days(2), "K", "asymptomatic", "x"), case("d", T - days(7), "K", "asymptomatic")]
    rows = evaluate(rules, h, cases, [count("K", T - days(3), "new_confirmed", 5)], "county",
                    T - days(1), T + days(2), data_end=T + days(2))
    got = [(r.date, r.reason_code, r.indicators["asym_7d"], r.indicators["since_asym"]) for r in rows]
    assert got == [(T - days(1), "medium.asym", 2, 1), (T, "low.rest", 1, 2),
                   (T + days(1), "low.rest", 1, 3), (T + days(2), "low.rest", 1, 4)]
    three = cases + [case("e", T - days(1), "K", cluster_id="x")]
    rows = evaluate(rules, h, three, [], "county", T - days(1), T + days(1), data_end=T + days(1))
    assert [r.reason_code for r in rows] == ["medium.asym", "high.cluster", "low.rest"]
    assert rows[0].indicators["cum_asym"] == 2
