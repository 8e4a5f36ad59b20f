"""Timed transitions: the German emergency brake (s. 28b IfSG), day by day, on the engine and the reference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from epizone.domain.model import Area, Hierarchy
from epizone.domain.problems import InputError
from epizone.domain.reference import CaseRecord, MetricRecord, evaluate
from epizone.domain.rules import load_rule_set
from epizone.services.assess import Request, assess_table
from epizone.services.explain import explain

RULES = "de-ifsg-28b-2021"
AREAS = [Area("DE", "Deutschland", None, "province", None, 1), Area("09162", "München", "DE", "county", 1488202, 2)]
START = dt.date(2021, 4, 19)  # a Monday


def _series(values: list[float | None]) -> list[MetricRecord]:
    return [MetricRecord("09162", START + dt.timedelta(days=i), "incidence_7d", v)
            for i, v in enumerate(values) if v is not None]


def _files(tmp: Path, metrics: list[MetricRecord]) -> tuple[Path, Path]:
    areas = tmp / "areas.csv"
    areas.write_text("code,name,parent_code,kind,population\nDE,Deutschland,,province,\n"
                     "09162,München,DE,county,1488202\n", encoding="utf-8")
    path = tmp / "metrics.csv"
    path.write_text("area_code,date,metric,value\n" + "".join(f"{m.area_code},{m.date},{m.metric},{m.value!r}\n"
                                                               for m in metrics), encoding="utf-8")
    return areas, path


def _run(tmp: Path, metrics: list[MetricRecord], start: dt.date = START, end: dt.date | None = None):
    end = end or max(m.date for m in metrics)
    areas, path = _files(tmp, metrics)
    table, _ = assess_table(Request(areas=areas, metrics=path, rules=RULES, start=start, end=end))
    engine = {r["date"]: (r["level"], r["reason_code"], r["event"]) for r in table.to_pylist()}
    reference = {r.date: (r.level, r.reason_code) for r in evaluate(
        load_rule_set(RULES), Hierarchy(AREAS), [], [], "county", start, end, metrics=tuple(metrics))}
    assert {d: v[:2] for d, v in engine.items()} == reference
    return engine


def _in_force(rows: dict) -> list[dt.date]:
    return sorted(d for d, (level, _, _) in rows.items() if level == "brake")


def test_brake_applies_after_three_days_and_lifts_after_five_working_days(tmp_path):
    # Tue-Thu above 100, then below 100 from Sunday 25 Apr: Sunday does not count, Mon-Fri do.
    values = [90, 120, 130, 101] + [150, 150] + [80] * 10
    rows = _run(tmp_path, _series(values))
    assert _in_force(rows) == [dt.date(2021, 4, 24) + dt.timedelta(days=i) for i in range(8)]  # 24 Apr - 1 May
    assert rows[dt.date(2021, 4, 24)][2] == ("brake.on: 3 consecutive days with incidence_7d > 100 to 2021-04-22; "
                                             "brake in force from 2021-04-24")
    assert rows[dt.date(2021, 5, 2)][2] == ("brake.off: 5 consecutive working days with incidence_7d < 100 to "
                                            "2021-04-30; lifted from 2021-05-02")
    assert rows[dt.date(2021, 4, 23)][:2] == ("no_brake", "no_brake.above_100")
    assert rows[dt.date(2021, 4, 26)][:2] == ("brake", "brake.in_force")


def test_exactly_100_breaks_both_runs(tmp_path):
    up = _run(tmp_path, _series([120, 100, 120, 120, 90]))      # 100 is not above 100: no 3-day run
    assert _in_force(up) == []
    # brake from 24 Apr; below 100 Mon 26 - Tue 27, exactly 100 on Wed 28 (run broken), then below again
    values = [90, 120, 130, 101, 150, 150, 80, 80, 80, 100, 80, 80, 80, 80, 80, 80, 80]
    rows = _run(tmp_path, _series(values))
    # restart Thu 29: Thu, Fri, Sat 1 May, (Sun 2 skipped), Mon 3, Tue 4 -> lifted from Thu 6 May
    assert _in_force(rows)[-1] == dt.date(2021, 5, 5)


def test_state_is_replayed_from_the_data_before_the_first_assessed_day(tmp_path):
    values = [90, 120, 130, 101] + [150, 150] + [80] * 10
    rows = _run(tmp_path, _series(values), start=dt.date(2021, 4, 27))
    assert min(rows) == dt.date(2021, 4, 27)
    assert rows[dt.date(2021, 4, 27)][:2] == ("brake", "brake.in_force")
    assert _in_force(rows)[-1] == dt.date(2021, 5, 1)


def test_a_day_without_a_published_incidence(tmp_path):
    values = [120, 120, None, 120, 120, 120]   # the gap breaks the run (no value is not above 100)
    rows = _run(tmp_path, _series(values))
    assert rows[dt.date(2021, 4, 21)][:2] == ("unknown", "unknown.no_incidence")
    assert _in_force(rows) == []                # completed on Sat 24 Apr, in force from Mon 26: after the end


def test_explain_shows_the_transition(tmp_path):
    areas, path = _files(tmp_path, _series([90, 120, 130, 101, 150, 150, 80, 80]))
    result = explain(Request(areas=areas, metrics=path, rules=RULES), "09162", dt.date(2021, 4, 26))
    assert (result.level, result.reason_code) == ("brake", "brake.in_force")


def test_cn_2022_11_high_until_five_clean_days(tmp_path):
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name,parent_code,kind,population\n350102,Gulou,,county,\n"
                     "350102001001,Building 1,350102,community,\n350102001002,Building 2,350102,community,\n",
                     encoding="utf-8")
    day = dt.date(2022, 11, 20)
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,report_date,area_code,classification,cluster_id\n"
                     f"a,{day},350102001001,asymptomatic,\n"
                     f"b,{day + dt.timedelta(days=3)},350102001001,confirmed,\n", encoding="utf-8")
    end = day + dt.timedelta(days=12)
    table, _ = assess_table(Request(areas=areas, cases=cases, rules="cn-2022-11", start=day, end=end, data_end=end))
    rows = {(r["area_code"], r["date"]): r["level"] for r in table.to_pylist()}
    high = sorted(d for (a, d), level in rows.items() if a == "350102001001" and level == "high")
    # found on the 20th; the case of the 23rd restarts the count: clean 24th-28th, low from the 29th
    assert high == [day + dt.timedelta(days=i) for i in range(9)]
    assert {level for (a, _), level in rows.items() if a == "350102001002"} == {"low"}
    hierarchy = Hierarchy([Area("350102", "Gulou", None, "county"),
                           Area("350102001001", "Building 1", "350102", "community"),
                           Area("350102001002", "Building 2", "350102", "community")])
    reference = evaluate(load_rule_set("cn-2022-11"), hierarchy,
                         [CaseRecord("a", day, "350102001001", "asymptomatic"),
                          CaseRecord("b", day + dt.timedelta(days=3), "350102001001", "confirmed")],
                         [], "community", day, end, data_end=end)
    assert {(r.area_code, r.date): r.level for r in reference} == rows


def test_a_public_holiday_neither_counts_nor_breaks_the_working_day_run(tmp_path):
    # brake from Sat 8 May; below 100 from Sun 9: Mon 10, Tue 11, Wed 12, (Thu 13 Ascension), Fri 14, Sat 15
    start = dt.date(2021, 5, 3)
    values = [150] * 5 + [80] * 12
    rows = _run(tmp_path, [MetricRecord("09162", start + dt.timedelta(days=i), "incidence_7d", v)
                           for i, v in enumerate(values)], start=start)
    assert _in_force(rows)[0] == dt.date(2021, 5, 7)   # Mon-Wed above 100 -> from Fri 7
    # counted from Sat 8: Sat 8, Mon 10, Tue 11, Wed 12, Fri 14 (Sun 9 and Thu 13 skipped) -> lifted Sun 16
    assert _in_force(rows)[-1] == dt.date(2021, 5, 15)
    assert rows[dt.date(2021, 5, 16)][2] == ("brake.off: 5 consecutive working days with incidence_7d < 100 to "
                                             "2021-05-14; lifted from 2021-05-16")


def test_a_regional_holiday_from_a_file_applies_to_the_units_below_its_area(tmp_path):
    # Corpus Christi, Thu 3 Jun 2021: a holiday in Bavaria (09), not in Berlin (11)
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name,parent_code,kind,population\n09,Bayern,,province,\n"
                     "11,Berlin,,province,\n09162,München,09,county,1488202\n11000,Berlin,11,county,3664088\n",
                     encoding="utf-8")
    start = dt.date(2021, 5, 24)
    values = [150, 150, 150, 150, 150] + [80] * 14
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("area_code,date,metric,value\n" + "".join(
        f"{code},{start + dt.timedelta(days=i)},incidence_7d,{v}\n" for code in ("09162", "11000")
        for i, v in enumerate(values)), encoding="utf-8")
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,area_code\n2021-06-03,09\n", encoding="utf-8")
    table, _ = assess_table(Request(areas=areas, metrics=metrics, rules=RULES, start=start,
                                    end=start + dt.timedelta(days=18), holidays=holidays))
    last = {code: max(r["date"] for r in table.to_pylist() if r["area_code"] == code and r["level"] == "brake")
            for code in ("09162", "11000")}
    # brake from Thu 27 May (Tue 25 - Wed 26 ... completed Wed 26); counted from Fri 28: Fri 28, Sat 29,
    # Tue 1, Wed 2, Thu 3 in Berlin -> lifted Sat 5; in Munich Thu 3 is skipped: Fri 4 -> lifted Sun 6
    assert last == {"11000": dt.date(2021, 6, 4), "09162": dt.date(2021, 6, 5)}


def test_a_bad_holidays_file_is_reported_with_line_and_column(tmp_path):
    areas, metrics = _files(tmp_path, _series([150, 150, 150, 80]))
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,area_code\n2021-02-30,\n2021-05-13,XX\n", encoding="utf-8")
    try:
        assess_table(Request(areas=areas, metrics=metrics, rules=RULES, holidays=holidays))
    except InputError as exc:
        text = str(exc)
    else:
        raise AssertionError("a bad holidays file was accepted")
    assert f"{holidays}:2: column 'date' (1): value '2021-02-30': a date as YYYY-MM-DD" in text
    assert f"{holidays}:3: column 'area_code' (2): value 'XX'" in text
    bad_metrics = tmp_path / "bad.csv"
    bad_metrics.write_text("area_code,date,metric,value\n09162,2021-04-19,incidence_7d,high\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:  # reported together with the other inputs' problems
        assess_table(Request(areas=areas, metrics=bad_metrics, rules=RULES, holidays=holidays))
    assert caught.value.count == 3 and f"{bad_metrics}:2: column 'value'" in str(caught.value)
