"""Bad input is refused whole, with every problem named (file, line, column, value, expected), and nothing stored:
through the API (JSON rows and uploaded files), the command line and the Python function."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from opsdata import report
from epizone.domain.problems import InputError
from epizone.ops.access import operator
from epizone.cli.ops import app as ops_app
from epizone.ops.imports import import_ops

FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
REPORTS = "enterprise_code,date,status,employees_on_site,employees_total,capacity_pct\n"


def shape(problems: list[dict]) -> list[tuple]:
    return [(p["file"], p["line"], p["column"], p["value"]) for p in problems]


def test_a_report_for_an_unknown_enterprise_too_many_on_site_or_a_future_date_is_refused(api):
    before = api.data()
    rows = [report("E1"), report("E404"), report("E2", on_site=201, total=200), report("E3", date=FUTURE)]
    answer = api.rows("reports", rows, name="feb.json")
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "3 problem(s); nothing was written"
    assert shape(body["problems"]) == [("feb.json", 2, "enterprise_code", "E404"),
                                       ("feb.json", 3, "employees_on_site", "201"), ("feb.json", 4, "date", FUTURE)]
    expected = [p["expected"] for p in body["problems"]]
    assert expected[0] == "the code of an enterprise in the store (import the enterprises first)"
    assert expected[1] == "at most employees_total (200)"
    assert expected[2].startswith("a date that is not in the future (on or before ")
    assert api.data() == before
    upload = api.post("/ops/imports/reports", files={"file": ("feb.csv", REPORTS + "E1,2020-02-05,partial,10,50,40\n"
                                                              "E404,2020-02-05,full,1,1,90\n\n"
                                                              "E2,2020-02-31,open,300,200,101\n")})
    assert upload.status_code == 422
    assert shape(upload.json()["problems"]) == [
        ("feb.csv", 3, "enterprise_code", "E404"), ("feb.csv", 5, "capacity_pct", "101"),
        ("feb.csv", 5, "date", "2020-02-31"), ("feb.csv", 5, "employees_on_site", "300"),
        ("feb.csv", 5, "status", "open")]
    assert api.data() == before


def test_the_same_problems_from_the_command_line_and_from_python(api, tmp_path):
    before = api.data()
    bad = tmp_path / "bad.csv"
    bad.write_text(REPORTS + "E404,2020-02-05,partial,1,2,10\nE1,2020-02-05,partial,60,50,10\n"
                   f"E1,{FUTURE},full,1,2,90\n", encoding="utf-8")
    result = CliRunner().invoke(ops_app, ["import", "reports", str(bad), "--db", api.store.url])
    assert result.exit_code == 2
    assert "3 problem(s); " in result.stderr and "nothing was imported" in result.stderr
    assert ("bad.csv:2: column 'enterprise_code' (1): value 'E404': the code of an enterprise in the store "
            "(import the enterprises first)") in result.stderr
    assert "bad.csv:3: column 'employees_on_site' (4): value '60': at most employees_total (50)" in result.stderr
    assert f"bad.csv:4: column 'date' (2): value '{FUTURE}': a date that is not in the future" in result.stderr
    with pytest.raises(InputError) as raised:
        import_ops(api.store.engine, "reports", [report("E1", on_site=99)], operator("ana"))
    assert [str(p) for p in raised.value.problems] == [
        "rows:1: column 'employees_on_site' (4): value '99': at most employees_total (50)"]
    assert api.data() == before


def test_bad_registry_inspection_and_supply_rows_are_named(api):
    before = api.data()
    answer = api.rows("enterprises", [{"code": "E5", "name": "", "area_code": "nowhere", "sector": "mining",
                                       "size_class": "huge", "workforce": -1, "plan_approved_on": FUTURE}])
    assert answer.status_code == 422
    assert sorted((p["column"], p["expected"].split(" (")[0]) for p in answer.json()["problems"]) == [
        ("area_code", "the code of an area in the store"), ("name", "a non-empty value"),
        ("plan_approved_on", "a date that is not in the future"),
        ("sector", "one of medical_supplies, utilities, food, daily_necessities, logistics, energy_materials, "
                   "manufacturing, electronics, textiles_footwear, construction, hospitality, services"),
        ("size_class", "one of large, medium, small, micro"), ("workforce", "a whole number from 0 to 10000000")]
    missing = api.post("/ops/imports/enterprises", files={"file": ("e.csv", "code,name\nE5,x\n")})
    assert missing.status_code == 422
    assert [(p["line"], p["column"]) for p in missing.json()["problems"]] == [
        (1, "area_code"), (1, "sector"), (1, "size_class"), (1, "workforce")]
    finding = {"area_code": "350102", "date": "2020-02-05", "inspector": "ana", "item": "D04.1"}
    answer = api.rows("inspections", [{**finding, "result": "deficient"},
                                      {**finding, "item": "D02.1", "result": "compliant", "deadline": "2020-02-09"},
                                      {**finding, "item": "D99.9", "result": "fine"},
                                      {**finding, "item": "D03.1", "result": "deficient", "deadline": "2020-02-01"}])
    assert answer.status_code == 422
    assert [(p["line"], p["column"], p["expected"].split(" (")[0]) for p in answer.json()["problems"]] == [
        (1, "deadline", "a date"), (2, "deadline", "empty: only a deficient finding has a deadline"),
        (3, "item", "the code of an active checklist item"),
        (3, "result", "one of compliant, deficient, not_applicable"),
        (4, "deadline", "a date on or after the inspection")]
    answer = api.rows("supplies", [{"facility_code": "H9", "date": "2020-02-05", "item": "n95", "stock": 1,
                                    "consumed": 1}, {"facility_code": "H9", "date": "2020-02-05", "item": "caviar",
                                                     "stock": -5, "consumed": "many"}])
    assert answer.status_code == 422
    assert [(p["line"], p["column"]) for p in answer.json()["problems"]] == [
        (1, "facility_code"), (2, "consumed"), (2, "facility_code"), (2, "item"), (2, "stock")]
    assert api.data() == before


def test_repeats_in_one_file_must_agree_and_a_resent_report_is_a_correction(api):
    before = api.data()
    answer = api.rows("reports", [report("E1"), report("E1", on_site=11)])
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["expected"] == "one row per enterprise and date (line 1 has other values)"
    assert api.data() == before
    assert api.rows("reports", [report("E1"), report("E1")]).json()["new"] == 1  # identical repeats count once
    same = api.rows("reports", [report("E1")])
    assert same.status_code == 200 and same.json()["unchanged"] == 1 and same.json()["wrote"] is False
    fixed = api.rows("reports", [report("E1", on_site=12)])
    assert fixed.status_code == 201 and fixed.json()["changed"] == 1
    row = api.items("/ops/reports")[0]
    assert (row["employees_on_site"], row["revision"]) == (12, 2)
    entry = api.get("/audit", params={"entity": "resumption_report"}).json()["items"][0]
    assert entry["action"] == "resumption_report.correct" and entry["entity_id"] == "E1/2020-02-05"
    assert (entry["before"]["employees_on_site"], entry["after"]["employees_on_site"]) == (10, 12)


def test_bad_requests_to_the_other_endpoints_are_clear(api):
    answer = api.get("/ops/resumption", params={"start": "2020-02-10", "end": "2020-02-01"})
    assert answer.status_code == 422 and "end must be on or after start" in answer.json()["detail"]
    assert api.get("/ops/enterprises/NOPE").status_code == 404
    assert api.get("/ops/overview/999999").status_code == 404
    assert api.get("/ops/reports", params={"area": "999999"}).status_code == 404
    assert api.call("PATCH", "/ops/enterprises/E1", json={"sector": "mining"}).status_code == 422
    assert api.call("PATCH", "/ops/enterprises/E1", json={"plan_approved_on": FUTURE}).status_code == 422
    assert api.call("PATCH", "/ops/enterprises/E1", json={}).status_code == 422
    assert api.post("/ops/bottlenecks/7/resolve", json={}).status_code == 404
    assert api.post("/ops/deficiencies/7/close", json={}).status_code == 404
    bad = api.post("/ops/imports/nothing/rows", json={"rows": [{"a": 1}]})
    assert bad.status_code == 422 and bad.json()["problems"][0]["file"] == "request"
