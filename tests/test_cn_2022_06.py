"""cn-2022-06 (9th-edition protocol): designations and the timed downgrades, day by day, at every boundary,
on the engine and on the reference evaluator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from epizone.domain.model import Area, Hierarchy
from epizone.domain.reference import CaseRecord, MetricRecord, evaluate
from epizone.domain.rules import load_rule_set
from epizone.services.assess import Request, assess_table

from builders import write_areas, write_cases

RULES = "cn-2022-06"
D = dt.date(2022, 7, 1)
AREAS = [Area("350102", "Gulou", None, "county"),
         Area("C1", "Compound 1", "350102", "community"), Area("C2", "Compound 2", "350102", "community")]


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def _run(tmp: Path, infections: list[int], metrics: list[tuple[int, str]], end: int = 20,
         area: str = "C1") -> dict[dt.date, tuple[str, str, str | None]]:
    """Levels of ``area`` by day from ``D``: infections on the given day offsets, metric flags (offset, name) = 1."""
    cases = [CaseRecord(f"c{i}", day(n), area, "confirmed") for i, n in enumerate(infections)]
    flags = [MetricRecord(area, day(n), name, 1.0) for n, name in metrics]
    areas = write_areas(tmp / "areas.csv", AREAS)
    case_file = write_cases(tmp / "cases.csv", cases)
    metric_file = tmp / "metrics.csv"
    metric_file.write_text("area_code,date,metric,value\n" + "".join(
        f"{m.area_code},{m.date},{m.metric},1\n" for m in flags), encoding="utf-8")
    req = Request(areas=areas, cases=case_file if cases else None, metrics=metric_file if flags else None,
                  rules=RULES, start=D, end=day(end), data_end=day(end))
    table, _ = assess_table(req)
    engine = {(r["area_code"], r["date"]): (r["level"], r["reason_code"], r["event"]) for r in table.to_pylist()}
    reference = evaluate(load_rule_set(RULES), Hierarchy(AREAS), cases, [], "community", D, day(end),
                         data_end=day(end), metrics=tuple(flags))
    assert {k: v[:2] for k, v in engine.items()} == {(r.area_code, r.date): (r.level, r.reason_code)
                                                      for r in reference}
    assert {k: (v[2] or "").split(":")[0] or None for k, v in engine.items()} == {
        (r.area_code, r.date): r.move for r in reference}
    return {d: v for (a, d), v in engine.items() if a == area}


def _levels(rows: dict) -> list[str]:
    return [rows[d][0] for d in sorted(rows)]


def test_high_to_medium_after_seven_clean_days_and_negative_testing_then_low_after_three(tmp_path):
    rows = _run(tmp_path, [0], [(7, "mass_testing_negative")], end=12)
    # infection on day 0: high 0..7; clean 1..7 with negative testing on 7 -> medium 8..10; clean 8..10 -> low 11
    assert _levels(rows) == ["high"] * 8 + ["medium"] * 3 + ["low"] * 2
    assert rows[day(0)][1:] == ("high.in_force", "high.designated: 1 consecutive days with new_infections_1d > 0 "
                                "or high_risk_site >= 1 to 2022-07-01; high in force from 2022-07-01")
    assert rows[day(8)][1] == "medium_after_high.in_force"
    assert rows[day(8)][2].startswith("high.to_medium: 7 consecutive days with new_infections_1d == 0, the last "
                                      "with mass_testing_negative == 1, to 2022-07-08;")
    assert rows[day(11)][1:] == ("low.other_area", "medium_after_high.to_low: 3 consecutive days with "
                                 "new_infections_1d == 0 to 2022-07-11; lifted from 2022-07-12")


def test_without_negative_testing_on_day_seven_the_area_stays_high_until_a_negative_round(tmp_path):
    rows = _run(tmp_path, [0], [(6, "mass_testing_negative"), (9, "mass_testing_negative")], end=14)
    # testing on day 6 is too early (6 clean days); none on day 7 or 8; negative on day 9 completes the move
    assert _levels(rows) == ["high"] * 10 + ["medium"] * 3 + ["low"] * 2


def test_six_clean_days_are_not_enough_and_a_new_infection_restarts_the_count(tmp_path):
    rows = _run(tmp_path, [0, 6], [(7, "mass_testing_negative"), (13, "mass_testing_negative")], end=18)
    # infection again on day 6: clean 7..13, negative on 13 -> medium 14..16, low from 17
    assert _levels(rows) == ["high"] * 14 + ["medium"] * 3 + ["low"] * 2


def test_medium_site_is_lowered_after_seven_clean_days_with_negative_testing(tmp_path):
    rows = _run(tmp_path, [], [(2, "medium_risk_site"), (9, "mass_testing_negative")], end=12)
    assert _levels(rows) == ["low"] * 2 + ["medium"] * 8 + ["low"] * 3
    assert rows[day(2)][1] == "medium.in_force"
    assert rows[day(10)][2].startswith("medium.to_low: 7 consecutive days")


def test_an_infection_in_a_medium_area_makes_it_high(tmp_path):
    rows = _run(tmp_path, [4], [(2, "medium_risk_site"), (11, "mass_testing_negative")], end=15)
    assert _levels(rows) == ["low"] * 2 + ["medium"] * 2 + ["high"] * 8 + ["medium"] * 3 + ["low"]


def test_a_high_risk_site_is_high_without_a_resident_infection(tmp_path):
    rows = _run(tmp_path, [], [(1, "high_risk_site"), (8, "mass_testing_negative")], end=12)
    assert _levels(rows) == ["low"] + ["high"] * 8 + ["medium"] * 3 + ["low"]


def test_a_new_medium_designation_while_stepping_down_restarts_the_seven_day_clock(tmp_path):
    rows = _run(tmp_path, [0], [(7, "mass_testing_negative"), (9, "medium_risk_site"),
                                (16, "mass_testing_negative")], end=18)
    # medium_after_high 8..; re-designated medium on 9: clean 10..16, negative 16 -> low from 17
    assert _levels(rows) == ["high"] * 8 + ["medium"] * 9 + ["low"] * 2
    assert rows[day(9)][1] == "medium.in_force"


def test_other_compounds_stay_low(tmp_path):
    _run(tmp_path, [0], [(7, "mass_testing_negative")], end=12)
    table, _ = assess_table(Request(areas=tmp_path / "areas.csv", cases=tmp_path / "cases.csv",
                                    metrics=tmp_path / "metrics.csv", rules=RULES, start=D, end=day(12),
                                    data_end=day(12)))
    assert {r["level"] for r in table.to_pylist() if r["area_code"] == "C2"} == {"low"}


def test_explain_names_the_move_that_set_the_timed_state(tmp_path):
    from epizone.services.explain import explain

    _run(tmp_path, [0], [(7, "mass_testing_negative")], end=12)
    req = Request(areas=tmp_path / "areas.csv", cases=tmp_path / "cases.csv", metrics=tmp_path / "metrics.csv",
                  rules=RULES, data_end=day(12))
    result = explain(req, "C1", day(9))
    assert (result.level, result.reason_code) == ("medium", "medium_after_high.in_force")
    assert result.last_move.startswith("high.to_medium: 7 consecutive days with new_infections_1d == 0")
    assert result.last_move.endswith("to 2022-07-08; medium_after_high in force from 2022-07-09")
    assert explain(req, "C2", day(9)).last_move is None
