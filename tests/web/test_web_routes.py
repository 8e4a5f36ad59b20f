"""What the dashboard reads, in-process (Starlette's TestClient) on the demo store that `epizone serve --demo`
built: boundaries that fit the store, GeoJSON levels with geometry, reasons with indicators, access rules."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.services.demo_store import demo_store
from epizone.store.db import make_engine, reading
from epizone.store.imports import import_file
from epizone.store.levels import run_levels
from epizone.store.runs import get_run

DAY = "2020-02-23"


def client(url: str, public_read: bool = True) -> TestClient:
    return TestClient(create_app(ApiSettings(url, public_read)))


def test_the_dashboard_and_its_assets_are_served_with_a_same_origin_policy(demo_server):
    with client(demo_server.database_url) as web:
        page = web.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert '<script src="/static/vendor/d3/d3.min.js"' in page.text
        assert web.get("/static/vendor/d3/d3.min.js").text.startswith("// https://d3js.org v7.9.2")
        assert not [path for path in web.app.openapi()["paths"] if "dashboard" in path or "geometry" in path]


def test_boundaries_fit_the_demo_units_and_levels_come_with_geometry(demo_server):
    with client(demo_server.database_url) as web:
        features = web.get("/api/v1/geometry").json()["features"]
        shapes = [(f["properties"]["kind"], f["geometry"]["type"], f["properties"]["assessed"]) for f in features]
        assert sorted(set(shapes)) == [("city", "MultiPolygon", False), ("county", "MultiPolygon", False),
                                       ("county", "MultiPolygon", True), ("county", "Point", True)]
        assert len(features) == 84 + 4 + 1 + 9  # units, zones, Kinmen (context), cities
        levels = web.get("/api/v1/levels", params={"date": DAY, "format": "geojson", "limit": 1000}).json()
        kinds = [f["geometry"]["type"] for f in levels["features"]]
        assert len(kinds) == 88 and kinds.count("MultiPolygon") == 84 and kinds.count("Point") == 4


def test_no_boundary_goes_to_an_area_whose_name_differs(store):
    import_file(store.engine, "areas", store.areas(), "test")  # 350102 is "Gulou" there, 鼓楼区 in the map
    with client(store.url) as web:
        assert web.get("/api/v1/geometry").json() == {"type": "FeatureCollection", "features": []}
        assert web.app.state.geometry.get("350102") is None


def test_reasons_carry_the_indicators_of_the_published_run(demo_server):
    with client(demo_server.database_url) as web:
        reasons = web.get("/api/v1/dashboard/areas/350724/reasons", params={"date": DAY}).json()
        engine = make_engine(demo_server.database_url)
        try:
            with reading(engine) as connection:
                row = connection.execute(run_levels(get_run(engine, reasons["run_id"]), dt.date(2020, 2, 23), ["350724"])).one()
        finally:
            engine.dispose()
        assert (reasons["level"], reasons["reason_code"], reasons["indicators"]) == (row.level, row.reason_code,
                                                                                      row.indicators)
        assert reasons["rule_set"] == "cn-2020-02@1" and reasons["data_through"] == "2020-02-22"
        assert reasons["level_since"] == "2020-01-27"
        assert web.get("/api/v1/dashboard/areas/350724/reasons", params={"date": "2020-01-01"}).status_code == 404
        period = web.get("/api/v1/dashboard/period").json()
        assert (period["first"], period["last"], len(period["publications"])) == ("2020-01-20", "2020-03-10", 51)
        answer = web.get("/api/v1/dashboard/areas").json()
        assert answer["columns"] == ["code", "name", "parent_code", "kind", "published"]
        areas = {row[0]: dict(zip(answer["columns"], row)) for row in answer["rows"]}
        assert len([a for a in areas.values() if a["published"]]) == 88 and areas["350000"]["published"] is False
        assert ["traditional", "廈門市"] in answer["aliases"]["350200"]
        assert period["units"] == 88
        shipped = web.get("/api/v1/geometry").json()["features"]
        assert {f["properties"]["code"] for f in shipped if f["properties"]["published"]} == {
            code for code, a in areas.items() if a["published"]}


def test_published_levels_need_a_token_unless_public_read_is_on(demo_server):
    with client(demo_server.database_url, public_read=False) as web:
        for path in ("/api/v1/geometry", "/api/v1/dashboard/period", "/api/v1/dashboard/areas",
                     f"/api/v1/dashboard/areas/350724/reasons?date={DAY}", f"/api/v1/dashboard/grid?date={DAY}"):
            assert web.get(path).status_code == 401, path
        assert web.get("/api/v1/dashboard/rulesets").status_code == 200  # package data, not the store's
        assert web.get("/").status_code == 200


def test_the_demo_store_is_reused_while_nothing_it_is_made_from_changed(demo_server):
    folder = demo_server.folder / "out" / "demo-store"
    again = demo_store(folder)
    assert (again.built, again.days, again.url) == (False, 51, demo_server.database_url)


def test_serve_demo_refuses_another_database():
    from epizone.cli import app
    result = CliRunner().invoke(app, ["serve", "--demo", "--db", "sqlite:///other.db"])
    assert result.exit_code == 2 and "--demo serves its own store" in result.output


def test_serve_demo_says_where_the_dashboard_is(demo_server):
    log = demo_server.log.read_text()
    assert f"dashboard {demo_server.url}/#/map?date=2020-02-23" in log and "(public read on)" in log


def test_the_pages_own_files_name_no_other_origin():
    static = resources.files("epizone.web").joinpath("static")
    own = [static / "index.html", static / "app.css", *(static / "js").iterdir()]
    assert len(own) >= 10
    for path in own:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text(encoding="utf-8")), path.name
