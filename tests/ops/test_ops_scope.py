"""Who may do what in operations: the role table on every /ops route, an enterprise account kept to its own
enterprise (here and on the rest of the service), reporters kept to their area subtree."""

from __future__ import annotations

import re

from opsdata import ENTERPRISES, ROLES, report

# who may do what (written out here, not read from the code): the specification the service is held to
EVERYONE = ROLES
OFFICERS = ("admin", "analyst", "reporter")
MAY = {"read": EVERYONE, "area_read": ("admin", "analyst", "reporter", "viewer"), "register": OFFICERS,
       "report": (*OFFICERS, "enterprise"), "resolve": OFFICERS, "inspect": ("admin", "analyst"),
       "supplies": OFFICERS, "accounts": ("admin",)}
E1_REPORT = report("E1", labour="5 workers in Jiangxi")
# (action, method, path, json body): every /ops route, with what it needs; bodies stay inside the reporter's
# scope (Gulou) and the enterprise account's enterprise (E1), so that only the role decides
CALLS = [
    ("read", "GET", "/ops/catalogue", None),
    ("read", "GET", "/ops/enterprises", None),
    ("read", "GET", "/ops/enterprises/E1", None),
    ("read", "GET", "/ops/enterprises/E1/status?date=2020-02-05", None),
    ("read", "GET", "/ops/reports", None),
    ("read", "GET", "/ops/bottlenecks?state=all", None),
    ("read", "GET", "/ops/bottlenecks/summary?format=csv", None),
    ("read", "GET", "/ops/resumption?start=2020-02-05&format=csv", None),
    ("read", "GET", "/ops/flags?date=2020-02-05", None),
    ("read", "GET", "/ops/duties", None),
    ("area_read", "GET", "/ops/inspections", None),
    ("area_read", "GET", "/ops/inspections/1", None),
    ("area_read", "GET", "/ops/deficiencies?date=2020-02-06", None),
    ("area_read", "GET", "/ops/compliance", None),
    ("area_read", "GET", "/ops/dues?date=2020-02-06", None),
    ("area_read", "GET", "/ops/facilities", None),
    ("area_read", "GET", "/ops/supplies", None),
    ("area_read", "GET", "/ops/supplies/standing?date=2020-02-05", None),
    ("area_read", "GET", "/ops/supplies/alerts?date=2020-02-05", None),
    ("area_read", "GET", "/ops/overview/350102?date=2020-02-05", None),
    ("register", "POST", "/ops/imports/enterprises/rows", {"rows": [{**{"code": "E9", "name": "New", "area_code":
                                                            "350102001", "sector": "food", "size_class": "micro",
                                                            "workforce": 5}}]}),
    ("register", "POST", "/ops/imports/enterprises", ("e.csv", "code,name,area_code,sector,size_class,workforce\n"
                                                                "E9,New,350102001,food,micro,5\n")),
    ("register", "PATCH", "/ops/enterprises/E1", {"workforce": 55}),
    ("register", "POST", "/ops/imports/facilities/rows", {"rows": [{"code": "H2", "name": "Clinic", "area_code":
                                                          "350102001", "kind": "fever_clinic"}]}),
    ("report", "POST", "/ops/imports/reports/rows", {"rows": [E1_REPORT]}),
    ("resolve", "POST", "/ops/bottlenecks/1/resolve", {"date": "2020-02-06"}),
    ("resolve", "POST", "/ops/bottlenecks/1/reopen", {}),
    ("inspect", "POST", "/ops/imports/inspections/rows", {"rows": [{"area_code": "350102", "date": "2020-02-05",
                                                          "inspector": "ana", "item": "D02.2",
                                                          "result": "compliant"}]}),
    ("inspect", "POST", "/ops/deficiencies/1/close", {"date": "2020-02-06"}),
    ("inspect", "POST", "/ops/duties/items", {"duty_code": "D04", "text_zh": "复工企业设立防疫专员",
                                              "text_en": "Resumed enterprises name an epidemic officer"}),
    ("inspect", "PATCH", "/ops/duties/items/D04.1", {"text_en": "Resumed enterprises apply their plan"}),
    ("supplies", "POST", "/ops/imports/supplies/rows", {"rows": [{"facility_code": "H1", "date": "2020-02-05",
                                                        "item": "n95", "stock": 90, "consumed": 10}]}),
    ("accounts", "GET", "/ops/accounts", None),
    ("accounts", "POST", "/ops/accounts", {"user": "eve", "enterprise_code": "E1"}),
    ("accounts", "DELETE", "/ops/accounts/nobody", None),
]


def _setup(api) -> None:  # noqa: ANN001
    assert api.rows("reports", [E1_REPORT]).status_code == 201
    assert api.rows("inspections", [{"area_code": "350102", "date": "2020-02-05", "inspector": "ana", "item": "D04.1",
                                     "result": "deficient", "deadline": "2020-02-08"}]).status_code == 201
    assert api.rows("facilities", [{"code": "H1", "name": "Gulou Hospital", "area_code": "350102",
                                    "kind": "designated_hospital"}]).status_code == 201


def test_each_role_is_refused_exactly_what_the_table_says(api):
    _setup(api)
    wrong = []
    for role in (None, *reversed(ROLES)):  # refused calls first, so that no allowed call has changed the data yet
        for action, method, path, body in CALLS:
            sent = {"files": {"file": body}} if isinstance(body, tuple) else {"json": body}
            answer = api.call(method, path, role, **sent)
            permitted = role is not None and role in MAY[action]
            refused = answer.status_code in (401, 403)
            if permitted == refused or (refused and answer.status_code != (401 if role is None else 403)) \
                    or answer.status_code >= 500:
                wrong.append(f"{role or 'anonymous'} {method} {path}: {answer.status_code} {answer.text[:200]}")
    assert wrong == []


def test_every_ops_route_is_in_the_role_table(api):
    routes = {(method.upper(), path) for path, item in api.client.get("/openapi.json").json()["paths"].items()
              for method in item if path.startswith("/api/v1/ops")}
    called = set()
    for _, method, path, _ in CALLS:
        for route_method, template in routes:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            if method == route_method and re.fullmatch(pattern, "/api/v1" + path.split("?")[0]):
                called.add((route_method, template))
    assert routes - called == set()
    assert len(routes) == 31


def test_an_enterprise_account_sees_and_reports_for_its_own_enterprise_only(api):
    assert api.rows("reports", [report("E1"), report("E2", on_site=100, total=200),
                                report("E3", on_site=0, total=500, status="closed")]).status_code == 201
    assert [e["code"] for e in api.items("/ops/enterprises", "enterprise")] == ["E1"]
    assert [r["enterprise_code"] for r in api.items("/ops/reports", "enterprise")] == ["E1"]
    assert api.items("/ops/reports", "enterprise", enterprise="E2") == []
    for path in ("/ops/enterprises/E2", "/ops/enterprises/E3/status?date=2020-02-05"):
        answer = api.get(path, "enterprise")
        assert answer.status_code == 403 and "not yours" in answer.json()["detail"], path
    before = api.data()
    answer = api.rows("reports", [report("E1", date="2020-02-06"), report("E2", date="2020-02-06", total=200)],
                      "enterprise", name="mine.csv")
    assert answer.status_code == 403
    assert answer.json()["detail"] == ("mine.csv: 1 report(s) of enterprises other than yours outside your scope: E2; "
                                       "nothing was written")
    assert api.data() == before
    upload = api.post("/ops/imports/reports", "enterprise", files={"file": (
        "e3.csv", "enterprise_code,date,status,employees_on_site,employees_total\nE3,2020-02-06,full,400,500\n")})
    assert upload.status_code == 403 and "E3" in upload.json()["detail"]
    assert api.data() == before
    mine = api.rows("reports", [report("E1", date="2020-02-06", status="full", on_site=45)], "enterprise")
    assert mine.status_code == 201 and mine.json()["new"] == 1
    assert api.get("/ops/enterprises/E1/status", "enterprise", params={"date": "2020-02-06"}).json()[
        "latest_report"]["status"] == "full"


def test_an_enterprise_account_cannot_use_the_reporter_rights_of_its_township(api):
    case = {"case_id": "x1", "report_date": "2020-02-03", "area_code": "350102001", "classification": "confirmed",
            "cluster_id": None}
    before = api.data()
    for method, path, body in (("GET", "/areas", None), ("GET", "/reports/cases", None),
                               ("POST", "/imports/cases/rows", {"rows": [case]}), ("GET", "/runs", None)):
        answer = api.call(method, path, "enterprise", json=body)
        assert answer.status_code == 403 and "enterprise account (enterprise E1)" in answer.json()["detail"], path
    assert api.data() == before
    for path in ("/users/me", "/levels?date=2020-02-05", "/announcements", "/measures"):
        assert api.get(path, "enterprise").status_code == 200, path
    # the same user's rights come back when the link is removed
    assert api.call("DELETE", "/ops/accounts/eve").status_code == 200
    assert api.get("/areas", "enterprise").status_code == 200


def test_a_reporter_reads_and_writes_only_inside_their_subtree(api):
    assert api.rows("reports", [report("E1", labour="away"), report("E3", status="closed", on_site=0, total=500,
                                                                    labour="away")]).status_code == 201
    assert [e["code"] for e in api.items("/ops/enterprises", "reporter")] == ["E1", "E2"]
    assert [b["enterprise_code"] for b in api.items("/ops/bottlenecks", "reporter")] == ["E1"]
    for path in ("/ops/enterprises/E3", "/ops/overview/350103?date=2020-02-05", "/ops/reports?area=350103",
                 "/ops/resumption?start=2020-02-05&area=3501"):
        answer = api.get(path, "reporter")
        assert answer.status_code == 403 and "outside your scope" in answer.json()["detail"], path
    before = api.data()
    outside = api.rows("enterprises", [{"code": "E8", "name": "Elsewhere", "area_code": "350103001",
                                        "sector": "food", "size_class": "micro", "workforce": 3}], "reporter")
    assert outside.status_code == 403 and "350103001" in outside.json()["detail"]
    e3 = next(e for e in ENTERPRISES if e["code"] == "E3")
    moved = api.rows("enterprises", [{**e3, "area_code": "350102001"}], "reporter")
    assert moved.status_code == 403 and "350103001" in moved.json()["detail"]  # E3 is not theirs to move in
    assert api.rows("reports", [report("E3", status="closed", on_site=0, total=500)], "reporter").status_code == 403
    e3_bottleneck = [b for b in api.items("/ops/bottlenecks") if b["enterprise_code"] == "E3"][0]["id"]
    assert api.post(f"/ops/bottlenecks/{e3_bottleneck}/resolve", "reporter", json={}).status_code == 403
    assert api.data() == before
    inside = api.rows("enterprises", [{"code": "E7", "name": "Gulou Bakery", "area_code": "350102002",
                                       "sector": "food", "size_class": "micro", "workforce": 6}], "reporter")
    assert inside.status_code == 201 and inside.json()["new"] == 1


def test_only_an_admin_links_accounts_and_only_a_reporter_of_the_area_can_be_linked(api):
    assert api.post("/ops/accounts", json={"user": "vic", "enterprise_code": "E1"}).status_code == 422
    answer = api.post("/ops/accounts", json={"user": "rita", "enterprise_code": "E3"})
    assert answer.status_code == 422 and "outside the scope 350102" in answer.json()["detail"]
    assert api.post("/ops/accounts", json={"user": "nobody", "enterprise_code": "E1"}).status_code == 404
    linked = api.post("/ops/accounts", json={"user": "rita", "enterprise_code": "E2"})
    assert linked.status_code == 201 and linked.json()["enterprise_code"] == "E2"
    assert [e["code"] for e in api.items("/ops/enterprises", "reporter")] == ["E2"]
    audit = api.get("/audit", params={"entity": "enterprise_account"}).json()["items"]
    assert [(a["action"], a["entity_id"]) for a in audit][:1] == [("enterprise_account.link", "rita")]
