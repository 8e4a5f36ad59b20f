"""Every figure the API gives is reproduced here by a plain recomputation from the rows the API lists:
resumption rates by area, sector and size over time (with the flagged), open bottlenecks oldest first,
compliance by county and duty, overdue deficiencies, days of supply left and alerts worst first; CSV = JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict

from opsdata import GULOU_MEDIUM, TAIJIANG_HIGH, publish_levels

DAYS = [dt.date(2020, 2, 5) + dt.timedelta(days=i) for i in range(8)]
TOWNS = {"350102001": "350102", "350102002": "350102", "350103001": "350103", "350103": "350103"}
CATEGORIES = ("transport", "labour", "logistics", "market", "protective_supplies")


def build(api, seed: int = 7) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    sectors = ("food", "electronics", "textiles_footwear", "logistics", "services")
    enterprises = [{"code": f"R{i}", "name": f"Firm {i}", "area_code": rng.choice(list(TOWNS)),
                    "sector": rng.choice(sectors), "size_class": rng.choice(("large", "medium", "small", "micro")),
                    "workforce": rng.randint(5, 400),
                    "plan_approved_on": rng.choice(["", "2020-02-04", "2020-02-08"])} for i in range(12)]
    assert api.rows("enterprises", enterprises).status_code == 201
    for day in DAYS:
        rows = []
        for e in enterprises:
            if rng.random() < 0.3:
                continue
            total = e["workforce"] + rng.randint(-3, 3) if e["workforce"] > 3 else e["workforce"]
            status = rng.choice(("closed", "partial", "full"))
            on_site = 0 if status == "closed" else rng.randint(0, total)
            row = {"enterprise_code": e["code"], "date": day.isoformat(), "status": status,
                   "employees_on_site": on_site, "employees_total": total,
                   "capacity_pct": 0 if status == "closed" else rng.randint(1, 100)}
            if rng.random() < 0.3:
                row[rng.choice(CATEGORIES)] = f"problem on {day}"
            rows.append(row)
        assert api.rows("reports", rows).status_code in (200, 201)
        for b in api.items("/ops/bottlenecks"):
            if rng.random() < 0.25:
                resolved = api.post(f"/ops/bottlenecks/{b['id']}/resolve", json={"date": day.isoformat()})
                assert resolved.status_code == 200


def recompute(api, day: dt.date, by: str, levels: dict[str, str], catalogue: dict) -> dict[str, dict]:  # noqa: ANN001
    enterprises = api.items("/ops/enterprises")
    reports = api.items("/ops/reports", end=day.isoformat())
    latest = {}
    for r in sorted(reports, key=lambda r: r["date"]):
        latest[r["enterprise_code"]] = r
    allows = {(p["rule_set"], p["level"]): p["allows"] for p in catalogue["policies"]}
    essential = {s["id"] for s in catalogue["sectors"] if s["essential"]}
    groups: dict[str, dict] = {}
    for e in enterprises:
        key = {"county": TOWNS[e["area_code"]], "total": "", "sector": e["sector"], "size_class": e["size_class"]}[by]
        g = groups.setdefault(key, defaultdict(int))
        g["enterprises"] += 1
        r = latest.get(e["code"])
        g["workforce"] += r["employees_total"] if r else e["workforce"]
        if r is None:
            continue
        g["reporting"] += 1
        g["reported_on_date"] += r["date"] == day.isoformat()
        operating = r["status"] in ("partial", "full")
        g["resumed"] += operating
        g["fully_resumed"] += r["status"] == "full"
        g["on_site"] += r["employees_on_site"]
        allowed = allows.get(("cn-2020-02", levels.get(TOWNS[e["area_code"]])))
        approved = e["plan_approved_on"] is not None and e["plan_approved_on"] <= day.isoformat()
        g["flagged"] += operating and ((allowed == "plan_approved" and not approved)
                                       or (allowed == "essential_only" and e["sector"] not in essential))
    for g in groups.values():
        g["resumption_rate"] = round(g["resumed"] / g["enterprises"], 4)
        g["workforce_rate"] = round(g["on_site"] / g["workforce"], 4) if g["workforce"] else None
    return {k: dict(v) for k, v in groups.items()}


def test_resumption_rates_and_flags_are_reproduced_from_the_rows(api):
    publish_levels(api.store, GULOU_MEDIUM + TAIJIANG_HIGH, DAYS[0])
    build(api)
    catalogue = api.get("/ops/catalogue").json()
    levels = {lv["area_code"]: lv["level"] for lv in api.items("/levels", date=DAYS[0].isoformat())}
    assert levels == {"350102": "medium", "350103": "high"}
    for by in ("county", "sector", "size_class", "total"):
        answer = api.items("/ops/resumption", start=DAYS[0].isoformat(), end=DAYS[-1].isoformat(), by=by)
        assert [r["date"] for r in answer] == sorted(r["date"] for r in answer)
        for day in (DAYS[0], DAYS[3], DAYS[-1]):
            expected = recompute(api, day, by, levels, catalogue)
            got = {r["group"]: {k: r[k] for k in expected[r["group"]]} for r in answer if r["date"] == day.isoformat()}
            assert got == expected, (by, day)
    flagged = sum(r["flagged"] for r in api.items("/ops/resumption", start=DAYS[-1].isoformat(), by="total"))
    assert flagged == len(api.items("/ops/flags", date=DAYS[-1].isoformat())) > 0


def test_open_bottlenecks_are_listed_oldest_first_as_of_any_date(api):
    build(api, seed=11)
    every = api.items("/ops/bottlenecks", state="all")
    assert len(every) >= 5 and any(b["state"] == "resolved" for b in every)
    for day in (DAYS[1], DAYS[4], DAYS[-1]):
        open_then = [b["id"] for b in sorted(every, key=lambda b: (b["opened_on"], b["id"]))
                     if b["opened_on"] <= day.isoformat() and (b["resolved_on"] is None
                                                               or b["resolved_on"] > day.isoformat())]
        assert [b["id"] for b in api.items("/ops/bottlenecks", date=day.isoformat())] == open_then
    now_open = [b for b in every if b["state"] == "open"]
    assert [b["id"] for b in api.items("/ops/bottlenecks")] == [b["id"] for b in sorted(
        now_open, key=lambda b: (b["opened_on"], b["id"]))]
    by_category = api.get("/ops/overview/35", params={"date": DAYS[-1].isoformat()}).json()["bottlenecks"]
    assert by_category["open"] == len(now_open)
    assert by_category["by_category"] == {c: n for c in CATEGORIES
                                          if (n := sum(b["category"] == c for b in now_open))}
    summary = api.items("/ops/bottlenecks/summary", date=DAYS[-1].isoformat())
    assert sum(s["open"] for s in summary) == len(now_open)
    assert {(s["county_code"], s["category"]): (s["open"], s["oldest_opened_on"]) for s in summary} == {
        (TOWNS[b["area_code"]], c): (sum(1 for o in now_open if TOWNS[o["area_code"]] == TOWNS[b["area_code"]]
                                         and o["category"] == c),
                                     min(o["opened_on"] for o in now_open if TOWNS[o["area_code"]] ==
                                         TOWNS[b["area_code"]] and o["category"] == c))
        for b in now_open for c in [b["category"]]}
    per_county = [sum(x["open"] for x in summary if x["county_code"] == s["county_code"]) for s in summary]
    assert per_county == sorted(per_county, reverse=True)
    resolved = next(b for b in every if b["state"] == "resolved")
    again = api.post(f"/ops/bottlenecks/{resolved['id']}/reopen", json={"note": "not solved after all"})
    if any(b["state"] == "open" and b["enterprise_code"] == resolved["enterprise_code"]
           and b["category"] == resolved["category"] for b in every):
        assert again.status_code == 422 and "another open" in again.json()["detail"]
    else:
        assert again.status_code == 200 and again.json()["state"] == "open" and again.json()["resolved_on"] is None
    entry = api.get("/audit", params={"entity": "bottleneck"}).json()["items"]
    assert any(e["action"] == "bottleneck.resolve" and e["before"]["state"] == "open"
               and e["after"]["state"] == "resolved" for e in entry)


def test_a_bottleneck_named_again_extends_the_open_one_and_reopens_only_after_it_was_resolved(api):
    def named(day: str, detail: str) -> None:
        assert api.rows("reports", [{"enterprise_code": "E1", "date": day, "status": "closed",
                                     "employees_on_site": 0, "employees_total": 50, "labour": detail}]).status_code \
            in (200, 201)
    named("2020-02-05", "30 workers in Hubei")
    named("2020-02-07", "20 workers in Hubei")
    named("2020-02-04", "a late report")
    only = api.items("/ops/bottlenecks")
    assert [(b["opened_on"], b["last_reported_on"], b["detail"]) for b in only] == [
        ("2020-02-04", "2020-02-07", "20 workers in Hubei")]
    early = api.post(f"/ops/bottlenecks/{only[0]['id']}/resolve", json={"date": "2020-02-03"})
    assert early.status_code == 422 and "on or after the day the bottleneck was opened" in early.json()["detail"]
    assert api.post(f"/ops/bottlenecks/{only[0]['id']}/resolve", json={"date": "2020-02-08", "note": "bus"}) \
        .json()["resolution"] == "bus"
    named("2020-02-08", "reported the day it was solved")  # covered by the resolved one: nothing new
    assert len(api.items("/ops/bottlenecks", state="all")) == 1
    named("2020-02-10", "10 workers still away")
    assert [(b["state"], b["opened_on"]) for b in api.items("/ops/bottlenecks", state="all")] == [
        ("resolved", "2020-02-04"), ("open", "2020-02-10")]


def inspect(api) -> None:  # noqa: ANN001
    rng = random.Random(3)
    items = [i["code"] for i in api.items("/ops/duties")]
    rows = []
    for area, day in (("350102", "2020-02-05"), ("350102001", "2020-02-07"), ("350103", "2020-02-06")):
        for item in rng.sample(items, 12):
            result = rng.choice(("compliant", "compliant", "deficient", "not_applicable"))
            rows.append({"area_code": area, "date": day, "inspector": "ana", "item": item, "result": result,
                         "deadline": (dt.date.fromisoformat(day) + dt.timedelta(days=rng.randint(1, 4))).isoformat()
                         if result == "deficient" else ""})
    assert api.rows("inspections", rows).json()["new"] == 36


def test_compliance_and_overdue_deficiencies_are_reproduced_from_the_findings(api):
    inspect(api)
    findings = [f for i in api.items("/ops/inspections")
                for f in api.get(f"/ops/inspections/{i['id']}").json()["findings"]]
    assert len(findings) == 36
    counted: dict[tuple, dict] = defaultdict(lambda: {"compliant": 0, "deficient": 0, "not_applicable": 0})
    for f in findings:
        counted[(TOWNS.get(f["area_code"], f["area_code"]), f["duty_code"])][f["result"]] += 1
    expected = {k: {**v, "rate": round(v["compliant"] / (v["compliant"] + v["deficient"]), 4)
                    if v["compliant"] + v["deficient"] else None} for k, v in counted.items()}
    got = {(r["county_code"], r["duty_code"]): {k: r[k] for k in ("compliant", "deficient", "not_applicable", "rate")}
           for r in api.items("/ops/compliance")}
    assert got == expected
    deficient = sorted((f for f in findings if f["result"] == "deficient"), key=lambda f: (f["deadline"], f["id"]))
    first = deficient[0]
    closed = api.post(f"/ops/deficiencies/{first['id']}/close", json={"date": first["deadline"], "note": "fixed"})
    assert closed.status_code == 200 and closed.json()["closed_on"] == first["deadline"]
    assert api.post(f"/ops/deficiencies/{first['id']}/close", json={}).status_code == 422  # closed already
    day = "2020-02-10"
    overdue = [f["id"] for f in deficient if f["deadline"] < day and f["id"] != first["id"]]
    assert [f["id"] for f in api.items("/ops/deficiencies", date=day, state="overdue")] == overdue
    assert [f["id"] for f in api.items("/ops/deficiencies", date=day, state="closed")] == [first["id"]]
    early = api.items("/ops/deficiencies", date="2020-02-05", state="open")
    assert {f["area_code"] for f in early} <= {"350102"}  # found by then: only the first inspection's
    entry = api.get("/audit", params={"entity": "finding"}).json()["items"][0]
    assert entry["action"] == "finding.close" and entry["before"]["closed_on"] is None
    assert entry["after"]["closed_on"] == first["deadline"]


def supply(api) -> None:  # noqa: ANN001
    api.rows("facilities", [{"code": "H1", "name": "Gulou Hospital", "area_code": "350102",
                             "kind": "designated_hospital"},
                            {"code": "H2", "name": "Gulou Clinic", "area_code": "350102001", "kind": "fever_clinic"},
                            {"code": "H3", "name": "Taijiang Hospital", "area_code": "350103",
                             "kind": "general_hospital"}])
    rng = random.Random(5)
    rows = []
    for facility in ("H1", "H2", "H3"):
        for item in ("n95", "gown", "disinfectant"):
            stock = rng.randint(50, 500)
            for day in DAYS:
                if rng.random() < 0.2:
                    continue
                used, got = rng.randint(5, 60), rng.choice((0, 0, rng.randint(20, 200)))
                stock = max(0, stock + got - used)
                rows.append({"facility_code": facility, "date": day.isoformat(), "item": item, "stock": stock,
                             "consumed": used, "received": got})
    assert api.rows("supplies", rows).status_code == 201


def test_days_of_supply_and_alerts_worst_first_are_reproduced_from_the_reports(api):
    supply(api)
    reports = api.items("/ops/supplies")
    facilities = {f["code"]: f for f in api.items("/ops/facilities")}
    day = DAYS[-2]
    first = day - dt.timedelta(days=6)
    stock: dict[tuple, int] = {}
    used: dict[tuple, list[int]] = defaultdict(list)
    for r in sorted(reports, key=lambda r: r["date"]):
        if r["date"] <= day.isoformat():
            stock[(r["facility_code"], r["item"])] = r["stock"]
            if r["date"] >= first.isoformat():
                used[(r["facility_code"], r["item"])].append(r["consumed"])
    per_county: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0])
    for (facility, item), amount in stock.items():
        county = TOWNS.get(facilities[facility]["area_code"], facilities[facility]["area_code"])
        per_county[(county, item)][0] += amount
        uses = used[(facility, item)]
        per_county[(county, item)][1] += sum(uses) / len(uses) if uses else 0
    expected = {k: round(s / u, 2) if u else None for k, (s, u) in per_county.items()}
    got = {(r["code"], r["item"]): r["days_left"] for r in api.items("/ops/supplies/standing", date=day.isoformat())}
    assert got == expected
    threshold = sorted(v for v in expected.values() if v is not None)[3]
    alerts = api.items("/ops/supplies/alerts", date=day.isoformat(), days=threshold)
    assert [(a["code"], a["item"]) for a in alerts] == [k for k, v in sorted(
        ((k, v) for k, v in expected.items() if v is not None and v < threshold), key=lambda kv: (kv[1], kv[0]))]
    assert [a["days_left"] for a in alerts] == sorted(a["days_left"] for a in alerts) and len(alerts) == 3
    assert all(a["threshold_days"] == threshold for a in alerts)


def test_tables_come_as_csv_with_the_same_rows(api):
    build(api)
    json_rows = api.items("/ops/resumption", start=DAYS[0].isoformat(), end=DAYS[2].isoformat(), by="sector")
    answer = api.get("/ops/resumption", params={"start": DAYS[0].isoformat(), "end": DAYS[2].isoformat(),
                                                "by": "sector", "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv") and answer.headers["x-synthetic"] == "false"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["date"], r["group"], int(r["resumed"]), r["synthetic"]) for r in rows] == [
        (r["date"], r["group"], r["resumed"], "false") for r in json_rows]
    listed = api.get("/ops/reports", params={"format": "csv", "limit": 5}, headers={})
    assert listed.headers["x-total-count"] == str(len(api.items("/ops/reports")))
    assert len(list(csv.DictReader(io.StringIO(listed.text)))) == 5
