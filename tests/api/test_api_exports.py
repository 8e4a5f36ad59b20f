"""Reads at scale: every level in one streamed, compressed response; ETags on answers keyed by a date (304, and a
new tag after a publication or retraction); keyset paging; an announcement's full list cached as immutable."""

from __future__ import annotations

import csv
import gzip
import io

import brotli
from sqlalchemy import text

V1 = "/api/v1"
DAY = {"date": "2020-02-05"}


def published(api):  # noqa: ANN001, ANN201
    api.post(f"{V1}/imports/cases/rows", json={"rows": [
        {"case_id": "c1", "report_date": "2020-02-01", "area_code": "350102001", "classification": "confirmed",
         "cluster_id": None}]})
    api.post(f"{V1}/runs", json={"start": "2020-02-05", "data_end": "2020-02-05"})
    assert api.post(f"{V1}/runs/1/publish", json=DAY).status_code == 201
    return api


def raw(api, path, params, encoding):  # noqa: ANN001, ANN201
    """The body as sent (not decoded by the client) and the answer."""
    with api.client.stream("GET", path, params=params, headers={**api.auth("admin"), "Accept-Encoding": encoding}) \
            as answer:
        return b"".join(answer.iter_raw()), answer


def test_every_level_in_one_response_compressed_as_asked(api):
    published(api)
    params = {**DAY, "format": "csv", "all": "true"}
    plain = api.get(f"{V1}/levels", params=params, headers={"Accept-Encoding": "identity"})
    assert plain.headers["x-total-count"] == "2" and "content-encoding" not in plain.headers
    rows = list(csv.DictReader(io.StringIO(plain.text)))
    assert [(r["area_code"], r["level"], r["announcement"]) for r in rows] == [("350102", "medium", "1"),
                                                                              ("350103", "low", "1")]
    body, answer = raw(api, f"{V1}/levels", params, "gzip")
    assert answer.headers["content-encoding"] == "gzip" and gzip.decompress(body).decode() == plain.text
    body, answer = raw(api, f"{V1}/levels", params, "gzip, br")
    assert answer.headers["content-encoding"] == "br" and brotli.decompress(body).decode() == plain.text
    body, answer = raw(api, f"{V1}/levels", params, "br;q=0, gzip")
    assert answer.headers["content-encoding"] == "gzip"
    geo = api.get(f"{V1}/levels", params={**DAY, "format": "geojson", "all": "true"}).json()
    assert [f["properties"]["level"] for f in geo["features"]] == ["medium", "low"]
    assert api.get(f"{V1}/levels", params={**DAY, "all": "true"}).status_code == 422


def test_answers_keyed_by_a_date_have_an_etag_that_a_publication_or_retraction_changes(api):
    published(api)
    first = api.get(f"{V1}/levels", params=DAY)
    tag = first.headers["etag"]
    assert (first.headers["cache-control"], first.headers["vary"]) == ("no-cache",
                                                                       "Authorization, Accept, Accept-Encoding")
    again = api.get(f"{V1}/levels", params=DAY, headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    assert api.get(f"{V1}/levels", params=DAY, role="viewer").headers["etag"] == tag  # the same scope: all
    assert api.get(f"{V1}/levels", params={**DAY, "format": "csv"}).headers["etag"] != tag
    history = api.get(f"{V1}/areas/350102/levels")
    assert api.get(f"{V1}/areas/350102/levels", headers={"If-None-Match": history.headers["etag"]}).status_code == 304
    api.post(f"{V1}/announcements/1/retract", json={"reason": "too early"})
    after = api.get(f"{V1}/levels", params=DAY, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag and after.json()["items"] == []


def test_keyset_paging_gives_the_areas_after_a_code(api):
    published(api)
    page = api.get(f"{V1}/levels", params={**DAY, "limit": 1}).json()
    assert (page["total"], [i["area_code"] for i in page["items"]]) == (2, ["350102"])
    rest = api.get(f"{V1}/levels", params={**DAY, "limit": 1, "after": "350102"}).json()
    assert (rest["total"], [i["area_code"] for i in rest["items"]]) == (2, ["350103"])
    past = api.get(f"{V1}/levels", params={"date": "2020-02-05", "known_at": "2999-01-01", "after": "350102"}).json()
    assert [i["area_code"] for i in past["items"]] == ["350103"]  # ranked from the publications, not the read model


def test_an_announcements_full_list_is_immutable_json_or_csv(api):
    published(api)
    answer = api.get(f"{V1}/announcements/1/changes")
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert [(c["area_code"], c["from"], c["to"], c["reason_code"]) for c in answer.json()] == [
        ("350102", None, "medium", "medium.up_to_50"), ("350103", None, "low", "low.no_confirmed")]
    rows = list(csv.DictReader(io.StringIO(api.get(f"{V1}/announcements/1/changes", params={"format": "csv"}).text)))
    assert [(r["area_code"], r["from"], r["to"], r["reason.en"][:3]) for r in rows] == [
        ("350102", "", "medium", "New"), ("350103", "", "low", "No ")]
    assert api.get(f"{V1}/announcements/9/changes").status_code == 404


def test_the_whole_export_is_made_once_per_state_and_kept_in_the_store_for_every_worker(api):
    published(api)
    params = {**DAY, "format": "csv", "all": "true"}

    def kept():  # noqa: ANN202
        with api.store.engine.connect() as connection:
            return sorted(connection.execute(text("SELECT state, shape, encoding, rows FROM level_exports")))

    gzip_only = {"Accept-Encoding": "gzip"}
    first = api.get(f"{V1}/levels", params=params, headers=gzip_only).text
    assert [row[1:] for row in kept()] == [("csv", "gzip", 2)]
    assert api.get(f"{V1}/levels", params=params, headers={"Accept-Encoding": "identity"}).text == first
    api.get(f"{V1}/levels", params=params, headers={"Accept-Encoding": "br"})
    assert [row[1:] for row in kept()] == [("csv", "br", 2), ("csv", "gzip", 2)]
    api.get(f"{V1}/levels", params={**params, "level": "low"})  # a part of the levels is never kept
    assert len(kept()) == 2
    api.post(f"{V1}/announcements/1/retract", json={"reason": "too early"})
    assert api.get(f"{V1}/levels", params=params, headers=gzip_only).text.count("\n") == 1
    assert [row[1:] for row in kept()] == [("csv", "gzip", 0)]
