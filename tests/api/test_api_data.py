"""Submission (files and JSON rows) with clear errors and nothing half-written; paging, CSV, GeoJSON, search;
runs as of a moment, publication, retraction and measures through the API, every write audited."""

from __future__ import annotations

import csv
import io

V1 = "/api/v1"
CASES = "case_id,report_date,area_code,classification,cluster_id\n"
ALIASED = """code,name,parent_code,kind,population,name_traditional,name_pinyin,name_english
35,Fujian,,province,41540086,,,
3501,Fuzhou,35,city,8291268,,,
350102,鼓楼区,3501,county,669090,鼓樓區,Gulou Qu,Gulou District
350103,Taijiang,3501,county,411819,,,
350102001,Gulou-1,350102,township,,,,
350102002,Gulou-2,350102,township,,,,
350103001,Taijiang-1,350103,township,,,,
"""


def test_a_bad_file_is_refused_with_every_problem_and_nothing_is_written(api):
    before = api.data()
    bad = CASES + "c1,2020-02-01,350102001,confirmed,\nc2,2020-02-31,350102001,confirmed,\nc3,2020-02-01,nowhere,x,\n"
    answer = api.post(f"{V1}/imports/cases", role="analyst", files={"file": ("feb.csv", bad)})
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "3 problem(s); nothing was written"
    assert [(p["file"], p["line"], p["column"], p["value"]) for p in body["problems"]] == [
        ("feb.csv", 3, "report_date", "2020-02-31"), ("feb.csv", 4, "area_code", "nowhere"),
        ("feb.csv", 4, "classification", "x")]
    assert body["problems"][0]["expected"].startswith("a date as YYYY-MM-DD")
    rows = {"rows": [{"case_id": "c1", "report_date": "2020-02-01", "area_code": "350102001",
                      "classification": "confirmed", "cluster_id": None},
                     {"case_id": "c2", "report_date": "soon", "area_code": "350103", "classification": "confirmed",
                      "cluster_id": "K1"}]}
    answer = api.post(f"{V1}/imports/cases/rows", json=rows)
    assert answer.status_code == 422
    assert [(p["file"], p["line"], p["column"]) for p in answer.json()["problems"]] == [("rows", 2, "report_date")]
    for row in rows["rows"]:
        del row["cluster_id"]
    answer = api.post(f"{V1}/imports/cases/rows", json=rows)
    assert [(p["line"], p["column"]) for p in answer.json()["problems"]] == [(0, "cluster_id")]
    missing = api.post(f"{V1}/imports/counts", files={"file": ("c.csv", "area_code,date,value\n")})
    assert missing.status_code == 422 and missing.json()["problems"][0]["column"] == "metric"
    assert api.post(f"{V1}/imports/cases/rows", json={"rows": []}).status_code == 422
    assert api.post(f"{V1}/imports/nothing/rows", json={"rows": [{"a": 1}]}).status_code == 422
    assert api.data() == before


def test_imports_are_idempotent_and_corrections_are_revisions(api):
    upload = {"file": ("feb.csv", CASES + "c1,2020-02-01,350102001,confirmed,\n")}
    first = api.post(f"{V1}/imports/cases", role="reporter", files=upload)
    assert first.status_code == 201 and first.json()["new"] == 1
    again = api.post(f"{V1}/imports/cases", role="reporter", files=upload)
    assert again.status_code == 200 and again.json()["same_file_as"] == first.json()["batch_id"]
    assert again.json()["changed"] is False
    fixed = api.post(f"{V1}/imports/cases/rows", role="reporter", json={"rows": [
        {"case_id": "c1", "report_date": "2020-02-01", "area_code": "350102002", "classification": "confirmed",
         "cluster_id": ""}]})
    assert fixed.status_code == 201 and fixed.json()["revised"] == 1
    now = api.get(f"{V1}/reports/cases").json()["items"]
    assert [(c["case_id"], c["area_code"], c["revision"]) for c in now] == [("c1", "350102002", 2)]
    at_first = api.get(f"{V1}/reports/cases", params={"as_of": now[0]["recorded_at"][:-1] + "0"})
    audit = api.get(f"{V1}/audit", params={"entity": "import_batch"}).json()
    assert [(e["user_name"], e["action"]) for e in audit["items"]] == [("rita", "import.cases"), ("rita", "import.cases"),
                                                                        ("setup", "import.areas")]
    assert at_first.status_code == 200


def test_paging_csv_geojson_and_search(api):
    page = api.get(f"{V1}/areas", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (7, 2, 1)
    assert [a["code"] for a in page["items"]] == ["3501", "350102"]
    assert api.get(f"{V1}/areas", params={"limit": 0}).status_code == 422
    as_csv = api.get(f"{V1}/areas", params={"format": "csv", "kind": "county"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8" and as_csv.headers["x-total-count"] == "2"
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["code"], r["name"], r["parent_code"], r["population"]) for r in table] == [
        ("350102", "Gulou", "3501", "669090"), ("350103", "Taijiang", "3501", "411819")]
    by_accept = api.get(f"{V1}/areas", params={"parent": "350102"}, headers={"Accept": "text/csv"})
    assert by_accept.text.splitlines()[1:] == ["350102001,Gulou-1,350102,township,,,,[]",
                                               "350102002,Gulou-2,350102,township,,,,[]"]
    aliased = api.post(f"{V1}/imports/areas", files={"file": ("aliases.csv", ALIASED)})
    assert aliased.status_code == 201, aliased.text
    for q in ("鼓樓", "gulou qu", "DISTRICT", "3501", "鼓楼"):
        found = [a["code"] for a in api.get(f"{V1}/areas", params={"q": q, "kind": "county"}).json()["items"]]
        assert "350102" in found, q
    assert api.get(f"{V1}/areas", params={"q": "%"}).json()["total"] == 0
    assert api.get(f"{V1}/areas/350102").json()["aliases"] == [
        {"kind": "traditional", "alias": "鼓樓區"}, {"kind": "pinyin", "alias": "Gulou Qu"},
        {"kind": "english", "alias": "Gulou District"}]
    assert api.get(f"{V1}/areas/nowhere").status_code == 404


def test_run_publish_retract_and_read_through_the_api(api):
    api.post(f"{V1}/imports/cases/rows", json={"rows": [
        {"case_id": "c1", "report_date": "2020-02-01", "area_code": "350102001", "classification": "confirmed",
         "cluster_id": None}]})
    first = api.post(f"{V1}/runs", role="analyst", json={"start": "2020-02-04", "end": "2020-02-05",
                                                         "data_end": "2020-02-05"}).json()
    assert (first["id"], first["rows"], first["data_through"]) == (1, 4, "lag:0")
    api.post(f"{V1}/imports/cases/rows", json={"rows": [
        {"case_id": "c1", "report_date": "2020-02-01", "area_code": "350103001", "classification": "confirmed",
         "cluster_id": None}]})
    second = api.post(f"{V1}/runs", json={"start": "2020-02-05", "data_end": "2020-02-05"}).json()
    replay = api.post(f"{V1}/runs", json={"start": "2020-02-05", "data_end": "2020-02-05",
                                          "as_of": first["data_as_of"]}).json()
    levels = {r: {i["area_code"]: i["level"] for i in api.get(f"{V1}/runs/{r}/levels",
                                                              params={"date": "2020-02-05"}).json()["items"]}
              for r in (1, 2, 3)}
    assert levels == {1: {"350102": "medium", "350103": "low"}, 2: {"350102": "low", "350103": "medium"},
                      3: {"350102": "medium", "350103": "low"}}
    assert second["data_as_of"] > first["data_as_of"] == replay["data_as_of"]
    one = api.post(f"{V1}/runs/1/publish", role="analyst", json={"date": "2020-02-04"})
    assert one.status_code == 201 and one.json()["number"] == 1
    assert api.post(f"{V1}/runs/1/publish", json={"date": "2020-02-04"}).status_code == 200
    two = api.post(f"{V1}/runs/2/publish", json={"date": "2020-02-05"}).json()
    assert "- Gulou (350102): Medium risk -> Low risk. Reason: No confirmed case." in two["text_en"]
    assert "- Taijiang(350103):由低风险调整为中风险。" in two["text_zh"]
    assert api.post(f"{V1}/runs/1/publish", json={"date": "2020-02-04"}).status_code == 409
    assert api.post(f"{V1}/runs/1/publish", json={"date": "2020-03-01"}).status_code == 422
    assert api.post(f"{V1}/runs/9/publish", json={"date": "2020-02-04"}).status_code == 404
    geo = api.get(f"{V1}/levels", params={"date": "2020-02-05", "format": "geojson"})
    assert geo.headers["content-type"] == "application/geo+json"
    assert [(f["id"], f["properties"]["level"], f["geometry"]) for f in geo.json()["features"]] == [
        ("350102", "low", None), ("350103", "medium", None)]
    counts = api.get(f"{V1}/levels/counts", params={"start": "2020-02-03", "end": "2020-02-05"}).json()
    assert counts == [{"date": "2020-02-03", "levels": {}}, {"date": "2020-02-04", "levels": {"low": 1, "medium": 1}},
                      {"date": "2020-02-05", "levels": {"low": 1, "medium": 1}}]
    retraction = api.post(f"{V1}/announcements/2/retract", role="analyst", json={"reason": "wrong area"})
    assert retraction.status_code == 201 and retraction.json()["retracts"] == 2
    assert api.get(f"{V1}/announcements/2").json()["retracted_by"] == 3
    history = api.get(f"{V1}/areas/350102/levels").json()
    assert [(h["effective_date"], h["level"], h["announcement"]) for h in history["items"]] == [
        ("2020-02-04", "medium", 1)]
    listed = api.get(f"{V1}/announcements", params={"kind": "publish"}).json()
    assert (listed["total"], [a["number"] for a in listed["items"]]) == (2, [2, 1])
    assert api.post(f"{V1}/announcements/2/retract", json={"reason": "again"}).status_code == 409
    assert api.post(f"{V1}/announcements/1/retract", json={"reason": " "}).status_code == 422
    assert api.client.put(f"{V1}/announcements/1", headers=api.auth("admin"), json={}).status_code == 405
    assert api.delete(f"{V1}/announcements/1").status_code == 405
    explained = api.get(f"{V1}/runs/2/explanation", params={"area": "350103", "date": "2020-02-05", "lang": "zh"})
    body = explained.json()
    assert (body["level"], body["level_label"], body["reason_code"]) == ("medium", "中风险", "medium.up_to_50")
    assert [c["held"] for c in body["clauses"]] == [False, False, False, True, True]
    assert api.get(f"{V1}/runs/2/explanation", params={"area": "350103", "date": "2020-03-05"}).status_code == 404


def test_measures_through_the_api_are_audited(api):
    listed = api.get(f"{V1}/measures", params={"rule_set": "cn-2020-02", "level": "low"}).json()
    assert [m["text_en"] for m in listed["items"]] == ["Guard against imported cases (strategy: prevent import from "
                                                       "outside)", "Fully restore production and normal life"]
    made = api.post(f"{V1}/measures", role="analyst", json={"rule_set_id": "cn-2020-02", "level": "high",
                                                            "text_zh": "停课", "text_en": "Close schools"})
    assert made.status_code == 201 and made.json()["position"] == 3
    changed = api.patch(f"{V1}/measures/{made.json()['id']}", role="analyst", json={"text_en": "Schools closed"})
    assert changed.json()["text_en"] == "Schools closed" and changed.json()["updated_by"] == "ana"
    assert api.post(f"{V1}/measures", json={"rule_set_id": "cn-2020-02", "level": "purple", "text_zh": "a",
                                            "text_en": "b"}).status_code == 422
    assert api.delete(f"{V1}/measures/{made.json()['id']}").status_code == 200
    assert api.delete(f"{V1}/measures/{made.json()['id']}").status_code == 404
    entries = api.get(f"{V1}/audit", params={"entity": "measure"}).json()["items"]
    assert [(e["user_name"], e["action"]) for e in entries] == [("ada", "measure.remove"), ("ana", "measure.edit"),
                                                                ("ana", "measure.add")]
    assert (entries[1]["before"]["text_en"], entries[1]["after"]["text_en"]) == ("Close schools", "Schools closed")


def test_a_run_kept_as_periods_through_the_api(api):
    api.post(f"{V1}/imports/cases/rows", json={"rows": [
        {"case_id": "c1", "report_date": "2020-02-03", "area_code": "350102001", "classification": "confirmed",
         "cluster_id": None}]})
    run = api.post(f"{V1}/runs", json={"start": "2020-02-01", "end": "2020-02-10", "data_end": "2020-02-10",
                                       "keep": "last"}).json()
    assert run["summary"]["kept_days"] == ["2020-02-10"]
    periods = api.get(f"{V1}/runs/{run['id']}/periods").json()
    assert [(p["area_code"], p["start"], p["end"], p["level"]) for p in periods["items"]] == [
        ("350102", "2020-02-01", "2020-02-02", "low"), ("350102", "2020-02-03", "2020-02-10", "medium"),
        ("350103", "2020-02-01", "2020-02-10", "low")]
    assert periods["items"][1]["indicators"]["cumulative_confirmed"] == 1
    one = api.get(f"{V1}/runs/{run['id']}/periods", params={"area": "350103", "format": "csv"})
    assert one.text.splitlines()[1].startswith("350103,Taijiang,2020-02-01,2020-02-10,low,")
    kept = api.get(f"{V1}/runs/{run['id']}/levels", params={"date": "2020-02-10"}).json()["items"]
    assert [(r["area_code"], r["level"]) for r in kept] == [("350102", "medium"), ("350103", "low")]
    other = api.get(f"{V1}/runs/{run['id']}/levels", params={"date": "2020-02-05"})
    assert other.status_code == 422 and "in its periods" in other.json()["detail"]
    why = api.get(f"{V1}/runs/{run['id']}/explanation", params={"area": "350102", "date": "2020-02-05"})
    assert why.status_code == 200 and why.json()["level"] == "medium"
    bad = api.post(f"{V1}/runs", json={"start": "2020-02-01", "keep": ["2020-03-01"]})
    assert bad.status_code == 422
