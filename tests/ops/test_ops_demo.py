"""The issue's "done when", on the synthetic Fujian demo loaded into a store of each kind: for a county on a
February 2020 date, its level, what the level allows, the resumption rate and open bottlenecks of its
enterprises, its inspection record and its supplies, in the command line and the API; labelled synthetic
everywhere; the shipped files are what the seeded generator makes."""

from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.cli.ops import app as ops_app
from epizone.ops.demo import FILES, ops_file
from epizone.store import tokens
from epizone.cli.db import app as db_app
from epizone.store.db import make_engine
from epizone.store.users import add_user

ROOT = Path(__file__).parents[2]
COUNTIES = ("350582", "350102", "350203", "350128", "350305-MZD", "350725")  # 晋江 鼓楼 思明 平潭 湄洲岛 政和
DATE = "2020-02-23"
runner = CliRunner()


def _postgres_database(base: str, name: str, drop_only: bool = False) -> str:
    engine = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            if not drop_only:
                connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store holding the whole demo, loaded once per database kind through `epizone db init` and `epizone ops demo`
    (PostgreSQL: a database of its own, so the other tests' resets do not touch it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    else:
        url = _postgres_database(request.getfixturevalue("postgres_url"), "epizone_ops_demo")
    for app, args in ((db_app, ["init"]), (ops_app, ["demo"])):
        result = runner.invoke(app, [*args, "--db", url])
        assert result.exit_code == 0, result.output
    assert "SYNTHETIC DATA" in result.stdout and "330 enterprises" in result.stdout
    yield url
    if request.param == "postgresql":
        _postgres_database(request.getfixturevalue("postgres_url"), "epizone_ops_demo", drop_only=True)


@pytest.fixture
def client(demo: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, dict[str, str]]]:
    monkeypatch.setattr(tokens, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    engine = make_engine(demo)
    try:
        name = f"officer-{uuid.uuid4().hex[:12]}"  # the demo store is shared by the tests of a module
        add_user(engine, name, "analyst", None, "test")
        token = tokens.create_token(engine, name, "test").token
    finally:
        engine.dispose()
    with TestClient(create_app(ApiSettings(demo))) as test_client:
        yield test_client, {"Authorization": f"Bearer {token}"}


def test_an_officer_sees_a_county_on_a_february_date_in_the_api(client):
    api, auth = client
    levels = {lv["area_code"]: lv["level"] for lv in api.get("/api/v1/levels", headers=auth, params={
        "date": DATE, "limit": 200}).json()["items"]}
    assert len(levels) == 88
    for county in COUNTIES:
        answer = api.get(f"/api/v1/ops/overview/{county}", headers=auth, params={"date": DATE})
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert found["synthetic"] is True and found["notice"].startswith("SYNTHETIC DATA")
        assert found["level"]["level"] == levels[county] and found["level"]["rule_set"] == "cn-2020-02@1"
        assert found["policy"]["allows"] == {"low": "all", "medium": "plan_approved"}[levels[county]]
        assert found["measures"] and all(m["zh"] and m["en"] for m in found["measures"])
        total = found["resumption"]["total"]
        assert total["enterprises"] >= 2 and 0 <= total["resumption_rate"] <= 1
        enterprises = api.get("/api/v1/ops/enterprises", headers=auth, params={"area": county}).json()
        assert total["enterprises"] == enterprises["total"] and enterprises["synthetic"] is True
        open_now = api.get("/api/v1/ops/bottlenecks", headers=auth, params={"area": county, "date": DATE}).json()
        assert found["bottlenecks"]["open"] == open_now["total"]
        assert [b["id"] for b in found["bottlenecks"]["oldest"]] == [b["id"] for b in open_now["items"]][:10]
        assert found["inspections"]["recent"] and found["inspections"]["compliance"]
        assert {row["duty_code"] for row in found["inspections"]["compliance"]} <= {f"D{n:02d}" for n in range(1, 11)}
        supplies = found["supplies"]
        assert supplies["facilities"] == 1 and {i["item"] for i in supplies["items"]} == {
            "n95", "surgical_mask", "gown", "goggles", "gloves", "disinfectant"}
        assert [a["days_left"] for a in supplies["alerts"]] == sorted(a["days_left"] for a in supplies["alerts"])
    province = api.get("/api/v1/ops/overview/350000", headers=auth, params={"date": DATE}).json()
    assert province["level"] is None and sum(province["levels_below"].values()) == 88
    assert province["resumption"]["total"]["enterprises"] == 330


def test_the_demo_figures_over_february(client):
    api, auth = client
    series = api.get("/api/v1/ops/resumption", headers=auth, params={"start": "2020-02-01", "end": "2020-02-29",
                                                                      "by": "total"}).json()["items"]
    rates = [r["resumption_rate"] for r in series]
    assert len(rates) == 29 and rates[0] < 0.2 < 0.8 < rates[-1]  # closed for the holiday, mostly back by March
    assert series[9]["date"] == "2020-02-10" and series[9]["resumed"] > series[8]["resumed"]  # Fujian's resumption
    flagged = api.get("/api/v1/ops/flags", headers=auth, params={"date": DATE}).json()
    assert flagged["synthetic"] is True and {f["flag"] for f in flagged["items"]} == {"plan_not_approved"}
    assert len(flagged["items"]) == series[22]["flagged"] > 0 and series[22]["date"] == DATE
    alerts = api.get("/api/v1/ops/supplies/alerts", headers=auth, params={"date": "2020-02-08"}).json()["items"]
    later = api.get("/api/v1/ops/supplies/alerts", headers=auth, params={"date": "2020-02-26"}).json()["items"]
    assert len(alerts) > len(later)  # the early-February shortage
    dues = api.get("/api/v1/ops/dues", headers=auth, params={"date": "2020-02-29"}).json()["items"]
    assert dues and {d["state"] for d in dues} <= {"done", "overdue"} and any(d["state"] == "done" for d in dues)
    csv_answer = api.get("/api/v1/ops/bottlenecks", headers=auth, params={"format": "csv", "state": "all"})
    assert csv_answer.headers["x-synthetic"] == "true" and "not real" in csv_answer.headers["x-synthetic-notice"]
    assert {row["synthetic"] for row in csv.DictReader(csv_answer.text.splitlines())} == {"true"}


def test_an_officer_sees_a_county_on_a_february_date_in_the_command_line(demo):
    result = runner.invoke(ops_app, ["overview", "350582", "--date", DATE, "--db", demo])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("SYNTHETIC DATA") and lines[1] == f"晋江市 (350582, county) on {DATE}"
    for start in ("level: medium under cn-2020-02@1", "allows: Orderly resumption", "resumption: ",
                  "open bottlenecks: ", "inspections: ", "supplies: 1 facilities; alert below 3 days"):
        assert any(line.startswith(start) for line in lines), start
    listed = runner.invoke(ops_app, ["bottlenecks", "list", "--area", "350582", "--date", DATE, "--db", demo])
    assert listed.exit_code == 0 and listed.stdout.startswith("SYNTHETIC DATA")
    again = runner.invoke(ops_app, ["demo", "--db", demo])  # loading again changes nothing
    assert again.exit_code == 0 and "areas, counts" not in again.stdout and "330 enterprises" in again.stdout


def test_the_demo_files_are_synthetic_and_exactly_what_the_seeded_generator_makes(tmp_path):
    for name in FILES:
        with ops_file(name).open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and {r["synthetic"] for r in rows} == {"true"}, name
    for name in ("enterprises.csv", "facilities.csv"):
        with ops_file(name).open(encoding="utf-8") as handle:
            assert all(r["name"].startswith("[合成]") for r in csv.DictReader(handle))
    source = (ops_file("SOURCE.md")).read_text(encoding="utf-8")
    assert "SYNTHETIC" in source and "scripts/build_ops_demo.py" in source
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_ops_demo.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    match, mismatch, errors = filecmp.cmpfiles(tmp_path, ops_file("enterprises.csv").parent, FILES, shallow=False)
    assert (mismatch, errors) == ([], []) and len(match) == len(FILES)
