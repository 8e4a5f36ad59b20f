"""Each role is refused exactly what it must be: the role table, a reporter's scope, role escalation, revoked
and expired tokens, anonymous callers with and without public read access."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from epizone.domain.cutoff import DataThrough
from epizone.store.db import writing
from epizone.store.imports import import_file
from epizone.store.models import ApiToken
from epizone.store.publish import publish
from epizone.services.runs import RunRequest, run_assessment

ROLES = ("admin", "analyst", "reporter", "viewer")
EVERYONE = ROLES
# who may do what, written out here (not read from the code): the specification the service is held to
MAY = {"read_data": EVERYONE, "read_levels": EVERYONE, "read_announcements": EVERYONE,
       "submit_reports": ("admin", "analyst", "reporter"), "import_areas": ("admin", "analyst"),
       "assess": ("admin", "analyst"), "publish": ("admin", "analyst"), "edit_measures": ("admin", "analyst"),
       "manage_users": ("admin",), "own_tokens": EVERYONE}
PUBLIC = ("read_levels", "read_announcements")  # what anonymous callers may do when public read is on
DAY = dt.date(2020, 2, 5)
V1 = "/api/v1"
CASE = {"case_id": "c9", "report_date": "2020-02-03", "area_code": "350102001", "classification": "confirmed",
        "cluster_id": None}
COUNT = {"area_code": "350102", "date": "2020-02-03", "metric": "new_confirmed", "value": 1}
TOWNSHIP = {"code": "350102003", "name": "Gulou-3", "parent_code": "350102", "kind": "township", "population": None}

# (action, method, path, json body): every route, with the action it needs
CALLS = [
    ("read_data", "GET", "/areas", None),
    ("read_data", "GET", "/areas/350102", None),
    ("read_data", "GET", "/reports/cases", None),
    ("read_data", "GET", "/reports/counts?area=350102", None),
    ("read_data", "GET", "/runs", None),
    ("read_data", "GET", "/runs/1", None),
    ("read_data", "GET", "/runs/1/levels?format=csv", None),
    ("read_data", "GET", "/runs/1/explanation?area=350102&date=2020-02-05", None),
    ("read_data", "GET", "/areas/350102/explanation?date=2020-02-05", None),
    ("read_levels", "GET", "/levels?date=2020-02-05", None),
    ("read_levels", "GET", "/levels?date=2020-02-05&format=geojson", None),
    ("read_levels", "GET", "/levels?date=2020-02-05&format=csv&all=true", None),
    ("read_levels", "GET", "/levels/counts?start=2020-02-01&end=2020-02-06", None),
    ("read_levels", "GET", "/areas/350102/levels", None),
    ("read_announcements", "GET", "/announcements", None),
    ("read_announcements", "GET", "/announcements/1?format=text&lang=zh", None),
    ("read_announcements", "GET", "/announcements/1/changes?format=csv", None),
    ("read_announcements", "GET", "/measures?rule_set=cn-2020-02", None),
    ("submit_reports", "POST", "/imports/cases/rows", {"rows": [CASE]}),
    ("submit_reports", "POST", "/imports/counts/rows", {"rows": [COUNT]}),
    ("import_areas", "POST", "/imports/areas/rows", {"rows": [TOWNSHIP]}),
    ("assess", "POST", "/runs", {"start": "2020-02-05", "data_end": "2020-02-05"}),
    ("publish", "POST", "/runs/1/publish", {"date": "2020-02-05"}),
    ("publish", "POST", "/announcements/1/retract", {"reason": "test"}),
    ("edit_measures", "POST", "/measures", {"rule_set_id": "cn-2020-02", "level": "high", "text_zh": "封控",
                                           "text_en": "Lockdown"}),
    ("edit_measures", "PATCH", "/measures/1", {"text_en": "Guard against imported cases"}),
    ("edit_measures", "DELETE", "/measures/2", None),
    ("manage_users", "GET", "/users", None),
    ("manage_users", "POST", "/users", {"name": "new", "role": "viewer"}),
    ("manage_users", "PATCH", "/users/ana", {"role": "analyst"}),
    ("manage_users", "GET", "/audit", None),
    ("own_tokens", "GET", "/users/me", None),
    ("own_tokens", "GET", "/tokens", None),
    ("own_tokens", "POST", "/tokens", {"label": "more"}),
]


@pytest.fixture
def published(api):
    import_file(api.store.engine, "cases", api.store.cases("c1,2020-02-01,350102001,confirmed,",
                                                           "c2,2020-02-02,350103001,confirmed,"), "setup")
    run = run_assessment(api.store.engine, RunRequest("cn-2020-02", DAY, DAY, DataThrough(), data_end=DAY), "setup")
    publish(api.store.engine, run.id, DAY, "setup")
    return api


def call(api, role, method, path, body):  # noqa: ANN001, ANN201
    return api.client.request(method, V1 + path, headers=api.auth(role), json=body)


def outcomes(api, public_read: bool) -> list[str]:
    """Every (call, role) whose answer is not what the role table says: refused with 401 (anonymous) or 403."""
    wrong = []
    for role in (None, *reversed(ROLES)):  # the refused calls first, so no allowed call has changed the data yet
        for action, method, path, body in CALLS:
            answer = call(api, role, method, path, body)
            permitted = (action in PUBLIC and public_read) if role is None else role in MAY[action]
            refused = answer.status_code in (401, 403)
            if permitted == refused or (refused and answer.status_code != (401 if role is None else 403)) \
                    or answer.status_code >= 500:
                wrong.append(f"{role or 'anonymous'} {method} {path}: {answer.status_code} {answer.text[:200]}")
    return wrong


def test_each_role_is_refused_exactly_what_the_table_says(published):
    assert outcomes(published, public_read=False) == []


def test_public_read_opens_published_levels_and_announcements_only(public_api):
    api = public_api
    import_file(api.store.engine, "cases", api.store.cases("c1,2020-02-01,350102001,confirmed,"), "setup")
    run = run_assessment(api.store.engine, RunRequest("cn-2020-02", DAY, DAY, data_end=DAY), "setup")
    publish(api.store.engine, run.id, DAY, "setup")
    assert outcomes(api, public_read=True) == []
    levels = api.get(f"{V1}/levels", role=None, params={"date": "2020-02-05"}).json()
    assert {i["area_code"]: i["level"] for i in levels["items"]} == {"350102": "medium", "350103": "low"}


def test_a_reporter_reads_and_writes_only_inside_their_subtree(published):
    api = published
    areas = api.get(f"{V1}/areas", role="reporter").json()
    assert [a["code"] for a in areas["items"]] == ["350102", "350102001", "350102002"]
    for path in ("/areas/350103", "/areas/3501", "/reports/cases?area=350103001", "/areas/350103/levels",
                 "/runs/1/explanation?area=350103&date=2020-02-05", "/areas/350103/explanation?date=2020-02-05"):
        answer = api.get(V1 + path, role="reporter")
        assert answer.status_code == 403 and "outside your scope" in answer.json()["detail"], path
    assert [c["case_id"] for c in api.get(f"{V1}/reports/cases", role="reporter").json()["items"]] == ["c1"]
    assert [r["area_code"] for r in api.get(f"{V1}/runs/1/levels", role="reporter").json()["items"]] == ["350102"]
    assert [r["area_code"] for r in api.get(f"{V1}/levels", role="reporter",
                                            params={"date": "2020-02-05"}).json()["items"]] == ["350102"]
    counts = api.get(f"{V1}/levels/counts", role="reporter", params={"start": "2020-02-05"}).json()
    assert counts == [{"date": "2020-02-05", "levels": {"medium": 1}}]
    before = api.data()
    escape = {"rows": [CASE, {**CASE, "case_id": "c10", "area_code": "350103001"}]}
    answer = api.post(f"{V1}/imports/cases/rows", role="reporter", json=escape)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "rows: 1 area code(s) outside your scope: 350103001; nothing was imported"
    upload = api.post(f"{V1}/imports/counts", role="reporter",
                      files={"file": ("taijiang.csv", "area_code,date,metric,value\n350103,2020-02-03,new_confirmed,1\n")})
    assert upload.status_code == 403 and "taijiang.csv: 1 area code(s) outside your scope: 350103" in upload.text
    assert api.data() == before
    inside = api.post(f"{V1}/imports/cases/rows", role="reporter", json={"rows": [CASE]})
    assert inside.status_code == 201 and inside.json()["new"] == 1


def test_nobody_escalates_their_own_role(published):
    api = published
    assert api.patch(f"{V1}/users/rita", role="reporter", json={"role": "admin"}).status_code == 403
    assert api.patch(f"{V1}/users/ana", role="analyst", json={"role": "admin"}).status_code == 403
    own = api.patch(f"{V1}/users/ada", role="admin", json={"role": "viewer"})
    assert own.status_code == 403 and "their own role" in own.json()["detail"]
    for role in ("analyst", "reporter", "viewer"):
        assert api.post(f"{V1}/tokens", role=role, json={"user": "ada"}).status_code == 403
        assert api.post(f"{V1}/users", role=role, json={"name": role + "2", "role": "admin"}).status_code == 403
        assert api.get(f"{V1}/tokens", role=role, params={"user": "ada"}).status_code == 403
    made = api.post(f"{V1}/tokens", role="reporter", json={"label": "second"})
    assert made.status_code == 201 and made.json()["user"] == "rita"
    second = {"Authorization": f"Bearer {made.json()['token']}"}
    me = api.client.get(f"{V1}/users/me", headers=second).json()
    assert (me["role"], me["scope_area_code"]) == ("reporter", "350102")
    assert api.client.post(f"{V1}/runs", headers=second, json={"start": "2020-02-05"}).status_code == 403
    admin_token = api.get(f"{V1}/tokens", role="admin", params={"user": "ada"}).json()["items"][0]["id"]
    assert api.delete(f"{V1}/tokens/{admin_token}", role="viewer").status_code == 404  # not theirs: not found
    assert api.get(f"{V1}/users/me", role="admin").status_code == 200


def test_a_revoked_or_expired_token_is_refused(published):
    api = published
    mine = api.get(f"{V1}/tokens", role="viewer").json()["items"]
    assert [t["state"] for t in mine] == ["active"]
    revoked = api.delete(f"{V1}/tokens/{mine[0]['id']}", role="viewer")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = api.get(f"{V1}/users/me", role="viewer")
    assert again.status_code == 401 and again.json()["detail"] == "this token was revoked"
    assert again.headers["www-authenticate"] == "Bearer"
    with writing(api.store.engine) as connection:
        connection.execute(update(ApiToken).values(expires_at=dt.datetime(2020, 1, 1)))
    expired = api.get(f"{V1}/levels", role="analyst")
    assert expired.status_code == 401 and expired.json()["detail"] == "this token has expired"
    for header in ("Bearer ezt_0123456789ab_nope", "Bearer nonsense", "Basic YWRhOmFkYQ=="):
        answer = api.client.get(f"{V1}/users/me", headers={"Authorization": header})
        assert answer.status_code == 401, header


def test_a_disabled_user_is_refused(published):
    api = published
    assert api.patch(f"{V1}/users/vic", json={"disabled": True}).json()["disabled"] is True
    assert api.get(f"{V1}/levels", role="viewer").status_code == 401
    assert api.patch(f"{V1}/users/vic", json={"disabled": False}).status_code == 200
    assert api.get(f"{V1}/levels", role="viewer").status_code == 200
