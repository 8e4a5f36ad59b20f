"""Golden tests for cn-2020-02 on hand-built scenarios, each at a boundary of the contract.

Every test runs twice: against the engine (CSV files -> assess_table) and against the reference
evaluator, with the same hand-checked expectations, so the two are shown to give the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from builders import Result, Scenario, case, count, run_engine, run_reference, small_hierarchy

T = dt.date(2020, 2, 20)
AREAS = small_hierarchy()


def d(n: int) -> dt.date:
    """The date n days after T (n < 0: before)."""
    return T + dt.timedelta(days=n)


Grade = Callable[..., Result]


@pytest.fixture(params=["engine", "reference"])
def grade(request: pytest.FixtureRequest, tmp_path) -> Grade:
    def _grade(s: Scenario, unit: str | None = None) -> Result:
        if request.param == "engine":
            return run_engine(tmp_path / "in", s, unit)
        return run_reference(s, unit)
    return _grade


def indicators(row: dict) -> tuple:
    return (row["cumulative_confirmed"], row["new_confirmed_14d"], row["cluster_14d"],
            row["days_since_last_confirmed"])


@pytest.mark.parametrize(("before", "new_14d", "code"), [
    (13, 1, "medium.up_to_50"), (14, 0, "low.no_new_14d"), (15, 0, "low.no_new_14d")])
def test_case_at_the_14_day_window_edge(grade: Grade, before: int, new_14d: int, code: str):
    r = grade(Scenario(AREAS, [case("a", d(-before), "K1")], start=T, end=T, data_end=T))
    row = r.row("K1", T)
    assert indicators(row) == (1, new_14d, False, before)
    assert (row["level"], row["reason_code"], row["cutoff"]) == (code.split(".")[0], code, T)
    assert r.row("K2", T)["reason_code"] == "low.no_confirmed"


@pytest.mark.parametrize(("total", "clustered", "level", "code"), [
    (50, True, "medium", "medium.up_to_50"),
    (51, True, "high", "high.over_50_with_cluster"),
    (51, False, "medium", "medium.over_50_no_cluster"),
])
def test_cumulative_50_vs_51_with_a_cluster(grade: Grade, total: int, clustered: bool, level: str, code: str):
    cases = [case(f"old{i}", d(-20), "T11") for i in range(total - 2)]
    cluster = "k" if clustered else ""
    cases += [case("c1", d(-2), "K1", cluster_id=cluster), case("c2", d(-1), "T12", cluster_id=cluster)]
    row = grade(Scenario(AREAS, cases, start=T, end=T, data_end=T)).row("K1", T)
    assert indicators(row) == (total, 2, clustered, 1)
    assert (row["level"], row["reason_code"]) == (level, code)


def test_cluster_of_a_confirmed_and_an_asymptomatic_case(grade: Grade):
    cases = [case("a", d(-3), "K1", "confirmed", "k"), case("b", d(-2), "T11", "asymptomatic", "k")]
    r = grade(Scenario(AREAS, cases, start=d(-3), end=T))
    assert [r.row("K1", day)["cluster_14d"] for day in (d(-3), d(-2))] == [False, True]
    assert indicators(r.row("K1", d(-2))) == (1, 1, True, 1)
    assert r.row("K1", d(-2))["reason_code"] == "medium.up_to_50"
    assert r.row("K1", T)["level"] == "unknown"  # data end on d(-2)


def test_cluster_straddling_the_window_edge(grade: Grade):
    cases = [case("a", d(-14), "K1", cluster_id="k"), case("b", d(-5), "K1", cluster_id="k")]
    r = grade(Scenario(AREAS, cases, start=d(-1), end=T, data_end=T))
    assert r.row("K1", d(-1))["cluster_14d"] is True
    assert indicators(r.row("K1", T)) == (2, 1, False, 5)


def test_cluster_13_days_apart_is_true_on_exactly_one_day(grade: Grade):
    first = d(-20)
    cases = [case("a", first, "T11", cluster_id="k"), case("b", first + dt.timedelta(days=13), "T12", cluster_id="k")]
    r = grade(Scenario(AREAS, cases, start=first - dt.timedelta(days=2), end=T, data_end=T))
    true_days = [day for day in r.days("K1") if r.row("K1", day)["cluster_14d"]]
    assert true_days == [first + dt.timedelta(days=13)]
    # at the township level the two cases are in two units: never a cluster
    town = grade(Scenario(AREAS, cases, start=first - dt.timedelta(days=2), end=T, data_end=T), unit="township")
    assert not any(row["cluster_14d"] for row in town.rows.values())


def test_same_cluster_id_in_two_units_is_no_cluster(grade: Grade):
    cases = [case("a", d(-1), "T11", cluster_id="k"), case("b", T, "T21", cluster_id="k"),
             case("c", T, "K2", "asymptomatic", "other")]
    r = grade(Scenario(AREAS, cases, start=T, end=T))
    assert indicators(r.row("K1", T)) == (1, 1, False, 1)
    assert indicators(r.row("K2", T)) == (1, 1, False, 0)


def test_unit_without_cases_is_low_every_day(grade: Grade):
    cases = [case("a", d(-30), "K1"), case("b", d(-3), "T11", cluster_id="k"), case("c", T, "K1", cluster_id="k")]
    r = grade(Scenario(AREAS, cases, start=d(-31), end=T))
    k2 = [r.row("K2", day) for day in r.days("K2")]
    assert len(k2) == 32
    assert {(row["level"], row["reason_code"], row["days_since_last_confirmed"]) for row in k2} == {
        ("low", "low.no_confirmed", None)}
    assert {indicators(row) for row in k2} == {(0, 0, False, None)}
    assert r.row("K1", d(-31))["reason_code"] == "low.no_confirmed"
    assert r.row("K1", d(-4))["reason_code"] == "low.no_new_14d"
    assert r.row("K1", T)["reason_code"] == "medium.up_to_50"


def test_county_cases_are_unassigned_at_township_unit(grade: Grade):
    cases = [case("a", T, "K1"), case("b", T, "K1", "asymptomatic"), case("c", d(-1), "T21")]
    r = grade(Scenario(AREAS, cases, start=d(-1), end=T), unit="township")
    assert {code for code, _ in r.rows} == {"T11", "T12", "T21"}
    for code in ("T11", "T12"):
        assert {(row["level"], row["reason_code"]) for k, row in r.rows.items() if k[0] == code} == {
            ("low", "low.no_confirmed")}
    assert r.row("T21", T)["reason_code"] == "medium.up_to_50"
    assert {k: v for k, v in r.unassigned.items() if k[1] in ("confirmed", "asymptomatic")} == {
        ("K1", "confirmed"): 1, ("K1", "asymptomatic"): 1}


def test_city_cases_are_unassigned_at_county_unit(grade: Grade):
    r = grade(Scenario(AREAS, [case("a", T, "C"), case("b", T, "P"), case("c", T, "P")], start=T, end=T))
    assert {row["reason_code"] for row in r.rows.values()} == {"low.no_confirmed"}
    assert r.unassigned == {("C", "confirmed"): 1, ("P", "confirmed"): 2}


def test_township_case_counts_for_its_county(grade: Grade):
    r = grade(Scenario(AREAS, [case("a", d(-2), "T12")], start=T, end=T, data_end=T))
    assert indicators(r.row("K1", T)) == (1, 1, False, 2)
    assert r.row("K1", T)["reason_code"] == "medium.up_to_50"
    assert r.unassigned == {}


def test_counts_with_new_clusters(grade: Grade):
    counts = [count("K1", d(-30), "new_confirmed", 48), count("T11", d(-5), "new_confirmed", 3),
              count("T12", d(-5), "new_clusters", 1), count("K2", d(-5), "new_clusters", 0),
              count("K2", d(-5), "new_confirmed", 1)]
    r = grade(Scenario(AREAS, counts=counts, start=T, end=d(9), data_end=d(9)))
    assert indicators(r.row("K1", T)) == (51, 3, True, 5)
    assert r.row("K1", T)["reason_code"] == "high.over_50_with_cluster"
    assert indicators(r.row("K1", d(8))) == (51, 3, True, 13)
    assert indicators(r.row("K1", d(9))) == (51, 0, False, 14)
    assert r.row("K1", d(9))["reason_code"] == "low.no_new_14d"
    assert indicators(r.row("K2", T)) == (1, 1, False, 5)


def test_cases_and_counts_add_up(grade: Grade):
    cases = [case("a", d(-1), "K1"), case("b", d(-1), "T11"), case("c", d(-1), "T11", "asymptomatic")]
    counts = [count("K1", d(-1), "new_confirmed", 3), count("T12", d(-2), "new_confirmed", 4),
              count("K1", d(-1), "new_asymptomatic", 10), count("K1", T, "new_confirmed", 0),
              count("K1", T, "new_clusters", 0)]
    r = grade(Scenario(AREAS, cases, counts, start=T, end=T))
    assert indicators(r.row("K1", T)) == (9, 9, False, 1)
    assert r.row("K1", T)["reason_code"] == "medium.up_to_50"


def test_lag_1(grade: Grade):
    r = grade(Scenario(AREAS, [case("a", T, "K1")], start=T, end=d(2), lag=1))
    assert [(r.row("K1", day)["cutoff"], r.row("K1", day)["reason_code"]) for day in (T, d(1), d(2))] == [
        (d(-1), "low.no_confirmed"), (T, "medium.up_to_50"), (d(1), "unknown.no_data")]
    assert indicators(r.row("K1", d(1))) == (1, 1, False, 0)


def test_fixed_data_through_date(grade: Grade):
    cases = [case("a", d(-3), "K1"), case("b", T, "K2")]
    r = grade(Scenario(AREAS, cases, start=d(-4), end=d(3), through_date=d(-2)))
    assert [r.row("K1", day)["cutoff"] for day in r.days("K1")] == [d(-4), d(-3)] + [d(-2)] * 6
    assert [r.row("K1", day)["days_since_last_confirmed"] for day in r.days("K1")] == [None, 0] + [1] * 6
    assert {r.row("K1", day)["reason_code"] for day in r.days("K1")[1:]} == {"medium.up_to_50"}
    assert {r.row("K2", day)["reason_code"] for day in r.days("K2")} == {"low.no_confirmed"}


def test_days_after_the_data_end_are_unknown(grade: Grade):
    cases = [case("a", T, "K1")]
    r = grade(Scenario(AREAS, cases, start=d(-2), end=d(2)))
    assert [r.row("K2", day)["level"] for day in r.days("K2")] == ["low", "low", "low", "unknown", "unknown"]
    assert [r.row("K1", day)["reason_code"] for day in r.days("K1")] == [
        "low.no_confirmed", "low.no_confirmed", "medium.up_to_50", "unknown.no_data", "unknown.no_data"]
    assert indicators(r.row("K1", d(2))) == (1, 1, False, 2)  # still computed as of the cutoff
    extended = grade(Scenario(AREAS, cases, start=d(-2), end=d(2), data_end=d(1)))
    assert [extended.row("K1", day)["level"] for day in extended.days("K1")] == [
        "low", "low", "medium", "medium", "unknown"]
    shortened = grade(Scenario(AREAS, cases, start=d(-2), end=d(2), data_end=d(-1)))
    assert [shortened.row("K2", day)["level"] for day in shortened.days("K2")] == [
        "low", "low", "unknown", "unknown", "unknown"]


def test_identical_duplicate_case_rows_count_once(grade: Grade):
    cases = [case("a", d(-1), "K1", cluster_id="k"), case("a", d(-1), "K1", cluster_id="k"), case("b", T, "K2")]
    r = grade(Scenario(AREAS, cases, start=T, end=T))
    assert indicators(r.row("K1", T)) == (1, 1, False, 1)


def test_identical_duplicate_count_rows_count_once(grade: Grade):
    counts = [count("K1", T, "new_confirmed", 2), count("K1", T, "new_confirmed", 2),
              count("K1", T, "new_clusters", 1), count("K1", T, "new_clusters", 1)]
    r = grade(Scenario(AREAS, counts=counts, start=T, end=T))
    assert indicators(r.row("K1", T)) == (2, 2, True, 0)
