"""``epizone db runs create --full``, ``epizone db runs prune`` and ``POST /api/v1/runs`` with ``full``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.cli.db import app
from epizone.services.demo import demo_file

runner = CliRunner()


def db(store, *args: str):
    result = runner.invoke(app, [*args, "--db", store.url])
    assert result.exit_code == 0, result.output
    return result.stdout


def demo_store(store):
    db(store, "init")
    for kind in ("areas", "counts"):
        db(store, "import", kind, str(demo_file(f"{kind}.csv")))
    return store


def test_runs_continue_replay_with_full_and_prune_drafts(empty_store):
    store = demo_store(empty_store)
    day = ("--data-through", "lag:1", "--user", "ann")
    assert "full replay: no checkpoint" in db(store, "runs", "create", "--date", "2020-02-22", *day)
    assert db(store, "runs", "create", "--date", "2020-02-23", *day).rstrip().endswith("; continued from 2020-02-22")
    assert "full replay: asked for (--full)" in db(store, "runs", "create", "--date", "2020-02-23", "--full", *day)
    db(store, "publish", "2", "--date", "2020-02-23")
    assert db(store, "runs", "prune", "--older-than", "1").strip() == "0 draft runs dropped"
    assert db(store, "runs", "prune", "--older-than", "0", "--user", "ann").strip() == "2 draft runs dropped: 1, 3"
    assert [line.split()[0] for line in db(store, "runs", "list").splitlines()] == ["2"]


def test_the_api_makes_a_full_run_when_asked(empty_store):
    store = demo_store(empty_store)
    db(store, "users", "add", "lin", "--role", "analyst")
    auth = {"Authorization": f"Bearer {db(store, 'tokens', 'create', 'lin').strip()}"}
    with TestClient(create_app(ApiSettings(store.url))) as client:
        body = {"rule_set": "cn-2020-02", "start": "2020-02-22", "data_through": "lag:1"}
        client.post("/api/v1/runs", headers=auth, json=body)
        continued = client.post("/api/v1/runs", headers=auth, json=body | {"start": "2020-02-23"})
        full = client.post("/api/v1/runs", headers=auth, json=body | {"start": "2020-02-23", "full": True})
    assert continued.status_code == full.status_code == 201, full.text
    assert continued.json()["summary"]["state"] == "continued from 2020-02-22"
    assert full.json()["summary"]["state"] == "full replay: asked for (--full)"


def test_runs_keep_days_and_show_their_periods(empty_store):
    store = demo_store(empty_store)
    made = db(store, "runs", "create", "--start", "2020-02-10", "--end", "2020-02-23", "--data-through", "lag:1",
              "--keep", "2020-02-16,2020-02-23")
    assert made.startswith("run 1:")
    lines = [line.split("\t") for line in db(store, "runs", "periods", "1", "--area", "350102").splitlines()]
    assert lines and all(line[0] == "350102" for line in lines)
    assert lines[0][2] == "2020-02-10" and lines[-1][3] == "2020-02-23"
    assert all(a[3] < b[2] for a, b in zip(lines, lines[1:]))  # one after the other, no overlap
    result = runner.invoke(app, ["runs", "create", "--date", "2020-02-23", "--keep", "2020-02-30", "--db", store.url])
    assert result.exit_code == 2 and "2020-02-30" in result.output
    result = runner.invoke(app, ["runs", "periods", "9", "--db", store.url])
    assert result.exit_code == 2 and "no assessment run with id 9" in result.output
