"""Supervision of the ten standing duties: the shipped checklist, its audited edits, and the inspection that
falls due when a county's published level rises (pending, overdue, done; gone with a retraction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from opsdata import DAY
from epizone.domain.cutoff import DataThrough
from epizone.ops.checklist import settings, shipped_checklist
from epizone.ops.models import DutyItem
from epizone.store.imports import import_file
from epizone.store.publish import publish, retract
from epizone.services.runs import RunRequest, run_assessment


def test_the_ten_duties_are_seeded_with_their_items_in_both_languages(api):
    items = api.items("/ops/duties")
    duties = list(dict.fromkeys((i["duty_code"], i["duty_zh"]) for i in items))
    assert len(duties) == 10 and duties[0] == ("D01", "党委政府属地责任不放松") and duties[-1][1] == "居家观察不放松"
    assert len(items) == len(shipped_checklist()[1]) and all(i["text_zh"] and i["text_en"] for i in items)
    assert settings()["due_days"] == 3


def test_checklist_items_are_added_reworded_and_switched_off_with_audit(api):
    added = api.post("/ops/duties/items", role="analyst", json={"duty_code": "D04", "text_zh": "设立防疫专员",
                                                                "text_en": "An epidemic officer is named"})
    assert added.status_code == 201 and added.json()["code"] == "D04.5"
    assert api.post("/ops/duties/items", json={"duty_code": "D11", "text_zh": "x", "text_en": "y"}).status_code == 422
    off = api.call("PATCH", "/ops/duties/items/D04.5", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert "D04.5" not in [i["code"] for i in api.items("/ops/duties", active=True)]
    refused = api.rows("inspections", [{"area_code": "350102", "date": "2020-02-05", "inspector": "ana",
                                        "item": "D04.5", "result": "compliant"}])
    assert refused.status_code == 422 and refused.json()["problems"][0]["column"] == "item"
    audit = api.get("/audit", params={"entity": "duty_item"}).json()["items"]
    assert [(a["action"], a["before"] and a["before"]["active"], a["after"]["active"]) for a in audit] == [
        ("duty_item.edit", True, False), ("duty_item.add", None, True)]
    with api.store.engine.connect() as connection:
        assert connection.scalar(select(DutyItem.active).where(DutyItem.code == "D04.5")) is False


def _rise(store) -> int:  # noqa: ANN001
    """Published: 3 Feb both counties low; 5 Feb Gulou medium (a rise). The second publication's number."""
    import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,0",
                                                     "350103,2020-02-01,new_confirmed,0"), "setup")
    low = dt.date(2020, 2, 3)
    run = run_assessment(store.engine, RunRequest("cn-2020-02", low, low, DataThrough(), data_end=low), "setup")
    publish(store.engine, run.id, low, "setup")
    import_file(store.engine, "cases", store.cases("c1,2020-02-04,350102001,confirmed,"), "setup")
    run = run_assessment(store.engine, RunRequest("cn-2020-02", DAY, DAY, DataThrough(), data_end=DAY), "setup")
    return publish(store.engine, run.id, DAY, "setup").announcement.number


def test_a_rise_of_the_published_level_makes_an_inspection_due(api):
    number = _rise(api.store)
    assert api.items("/ops/dues", date="2020-02-04") == []
    pending = api.items("/ops/dues", date="2020-02-06")
    assert [(d["area_code"], d["from_level"], d["to_level"], d["effective_date"], d["due_date"], d["state"],
             d["announcement"]) for d in pending] == [
        ("350102", "low", "medium", "2020-02-05", "2020-02-08", "pending", number)]
    assert [d["state"] for d in api.items("/ops/dues", date="2020-02-09")] == ["overdue"]
    assert [d["area_code"] for d in api.items("/ops/dues", date="2020-02-09", state="overdue")] == ["350102"]
    visit = api.rows("inspections", [{"area_code": "350102001", "date": "2020-02-09", "inspector": "ana",
                                      "item": "D02.1", "result": "compliant"}])
    assert visit.status_code == 201
    done = api.items("/ops/dues", date="2020-02-10")
    assert [(d["state"], d["inspected_on"], d["on_time"]) for d in done] == [("done", "2020-02-09", False)]
    assert [d["on_time"] for d in api.items("/ops/dues", date="2020-02-10", due_days=5)] == [True]
    overview = api.get("/ops/overview/350102", params={"date": "2020-02-10"}).json()
    assert [d["state"] for d in overview["inspections"]["due"]] == ["done"]
    assert api.items("/ops/dues", date="2020-02-10", area="350103") == []
    assert api.get("/ops/dues", "reporter", params={"area": "350103"}).status_code == 403
    retract(api.store.engine, number, "setup", "a data error")
    assert api.items("/ops/dues", date="2020-02-10") == []  # the rise was never in force
