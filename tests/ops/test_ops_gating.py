"""Gating by level: what each level allows is data per rule set, and an enterprise operating beyond what its
area's published level allows on a date is flagged (and told so)."""

from __future__ import annotations

import datetime as dt

import yaml

from opsdata import report
from epizone.domain.rules import builtin_ids, load_rule_set
from epizone.ops import policy
from epizone.ops.policy import policy_for, verdict

MORE = [{"code": "E4", "name": "Taijiang Garments", "area_code": "350103001", "sector": "textiles_footwear",
         "size_class": "medium", "workforce": 300, "plan_approved_on": "2020-02-01"},
        {"code": "E5", "name": "Taijiang Chips", "area_code": "350103", "sector": "electronics",
         "size_class": "small", "workforce": 40}]


def test_a_non_essential_enterprise_fully_resumed_in_a_high_risk_county_is_flagged(leveled):
    api = leveled
    assert api.rows("enterprises", MORE).status_code == 201
    assert api.rows("reports", [report("E3", status="full", on_site=480, total=500),
                                report("E4", status="full", on_site=290, total=300),
                                report("E5", status="closed", on_site=0, total=40)]).status_code == 201
    flagged = api.items("/ops/flags", date="2020-02-05", area="350103")
    assert [(f["enterprise_code"], f["level"], f["allows"], f["flag"]) for f in flagged] == [
        ("E4", "high", "essential_only", "not_essential")]
    assert flagged[0]["county_code"] == "350103" and flagged[0]["rule_set"] == "cn-2020-02@1"
    status = api.get("/ops/enterprises/E4/status", params={"date": "2020-02-05"}).json()
    assert status["level"]["level"] == "high" and status["level"]["area_code"] == "350103"  # from its county
    assert status["policy"]["allows"] == "essential_only" and status["may_operate"] is False
    assert status["flag"]["code"] == "not_essential" and "essential" in status["flag"]["en"]
    essential = api.get("/ops/enterprises/E3/status", params={"date": "2020-02-05"}).json()
    assert essential["may_operate"] is True and essential["flag"] is None
    closed = api.get("/ops/enterprises/E5/status", params={"date": "2020-02-05"}).json()
    assert closed["may_operate"] is False and closed["flag"] is None  # not allowed to, and not doing it
    rates = api.items("/ops/resumption", start="2020-02-05", by="county")
    assert {r["group"]: r["flagged"] for r in rates} == {"350102": 0, "350103": 1}


def test_in_a_medium_risk_county_operating_needs_an_approved_prevention_plan(leveled):
    api = leveled
    api.rows("reports", [report("E1", status="partial"), report("E2", status="full", on_site=190, total=200)])
    assert [(f["enterprise_code"], f["flag"]) for f in api.items("/ops/flags", date="2020-02-05")] == [
        ("E1", "plan_not_approved")]
    assert api.call("PATCH", "/ops/enterprises/E1", json={"plan_approved_on": "2020-02-06"}).status_code == 200
    assert [f["enterprise_code"] for f in api.items("/ops/flags", date="2020-02-05")] == ["E1"]  # approved later
    assert api.items("/ops/flags", date="2020-02-06") == []
    changed = api.call("PATCH", "/ops/enterprises/E1", json={"plan_approved_on": None}, role="reporter")
    assert changed.status_code == 200 and changed.json()["plan_approved_on"] is None
    assert [f["enterprise_code"] for f in api.items("/ops/flags", date="2020-02-06")] == ["E1"]
    entry = api.get("/audit", params={"entity": "enterprise"}).json()["items"][0]
    assert (entry["before"]["plan_approved_on"], entry["after"]["plan_approved_on"]) == ("2020-02-06", None)


def test_without_a_published_level_nothing_is_flagged(api):
    api.rows("reports", [report("E1", status="full")])
    assert api.items("/ops/flags", date="2020-02-05") == []
    status = api.get("/ops/enterprises/E1/status", params={"date": "2020-02-05"}).json()
    assert status["level"] is None and status["policy"] is None and status["may_operate"] is None


def test_the_policies_are_data_and_cover_every_level_of_their_rule_sets():
    shipped = yaml.safe_load((policy.resources.files("epizone.ops") / "resumption.yaml").read_text(encoding="utf-8"))
    for rule_set, entry in shipped["rule_sets"].items():
        assert rule_set in builtin_ids()
        assert list(entry["levels"]) == [lvl.id for lvl in load_rule_set(rule_set).levels], rule_set
        assert set(entry["levels"].values()) <= set(policy.ALLOWS)
        assert "http" in entry["source"]
    assert [(p.level, p.allows) for p in policy.policies("cn-2020-02")] == [
        ("low", "all"), ("medium", "plan_approved"), ("high", "essential_only")]
    assert [(p.level, p.allows) for p in policy.policies("fj-2020-02")] == [
        ("none", "all"), ("sporadic", "plan_approved"), ("general", "plan_approved"), ("many_cases", "plan_approved")]
    assert policy_for("cn-2020-02@1", "unknown") is None and policy_for("eu-2020-1475@1", "red") is None
    day = dt.date(2020, 2, 20)
    low, high = policy_for("cn-2020-02", "low"), policy_for("cn-2020-02", "high")
    assert verdict(low, "full", "hospitality", None, day) is None
    assert verdict(high, "partial", "hospitality", None, day).code == "not_essential"
    assert verdict(high, "full", "utilities", None, day) is None
    fj = policy_for("fj-2020-02@1", "many_cases")
    assert verdict(fj, "full", "food", day, day) is None and verdict(fj, "full", "food", None, day).code == \
        "plan_not_approved"
    essential = {s.id for s in policy.sectors().values() if s.essential}
    assert essential == {"medical_supplies", "utilities", "food", "daily_necessities", "logistics", "energy_materials"}
