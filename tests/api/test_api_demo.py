"""The "done when" of the service, on the bundled Fujian demo data: a new user sets up a store, starts the
service, imports files, runs and publishes an assessment, and reads the announcement and levels with a token."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from epizone.api.app import create_app
from epizone.api.settings import ApiSettings
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.demo import OFFICIAL_DATE, demo_file
from epizone.cli.db import app as db_app
from pgserver import free_port

runner = CliRunner()


def db(store, *args: str) -> str:
    result = runner.invoke(db_app, [*args, "--db", store.url])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_import_run_publish_and_read_the_demo_through_the_api(empty_store):
    db(empty_store, "init")
    db(empty_store, "users", "add", "lin", "--role", "analyst")
    token = db(empty_store, "tokens", "create", "lin").strip()
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(ApiSettings(empty_store.url))) as client:
        for kind in ("areas", "counts"):
            with demo_file(f"{kind}.csv").open("rb") as handle:
                answer = client.post(f"/api/v1/imports/{kind}", headers=auth, files={"file": (f"{kind}.csv", handle)})
            assert answer.status_code == 201, answer.text
            assert answer.json()["file"] == f"{kind}.csv" and answer.json()["changed"] is True
        run = client.post("/api/v1/runs", headers=auth, json={"rule_set": "cn-2020-02", "start": "2020-02-23",
                                                               "data_through": "lag:1"})
        assert run.status_code == 201, run.text
        assert (run.json()["units"], run.json()["rows"], run.json()["created_by"]) == (88, 88, "lin")
        published = client.post(f"/api/v1/runs/{run.json()['id']}/publish", headers=auth, json={"date": "2020-02-23"})
        assert published.status_code == 201, published.text
        number = published.json()["number"]
        text_zh = client.get(f"/api/v1/announcements/{number}", headers=auth, params={"format": "text", "lang": "zh"})
        assert text_zh.headers["content-type"].startswith("text/plain")
        assert text_zh.text.startswith("第1号公告:自2020年2月23日起执行的风险等级")
        assert "88个地区风险等级调整" in text_zh.text and "- 中风险:实施“外防输入、内防扩散”策略" in text_zh.text
        levels = client.get("/api/v1/levels", headers=auth, params={"date": "2020-02-23", "limit": 1000})
        assert levels.status_code == 200 and levels.json()["total"] == 88
        served = {item["area_code"]: item["level"] for item in levels.json()["items"]}
        history = client.get("/api/v1/areas/350724/levels", headers=auth).json()["items"]
        assert [(h["effective_date"], h["level"], h["announcement"]) for h in history] == [
            ("2020-02-23", "medium", 1)]
        explained = client.get("/api/v1/areas/350724/explanation", headers=auth, params={"date": "2020-02-24"})
        assert explained.status_code == 200 and explained.json()["reason_code"] == "medium.up_to_50"
        assert client.get("/api/v1/levels", params={"date": "2020-02-23"}).status_code == 401  # no token
    direct, _ = assess_table(Request(areas=demo_file("areas.csv"), counts=demo_file("counts.csv"), rules="cn-2020-02",
                                     start=OFFICIAL_DATE, end=OFFICIAL_DATE, data_through=DataThrough(lag=1)))
    assert served == dict(zip(direct.column("area_code").to_pylist(), direct.column("level").to_pylist()))
    assert sorted(served.values()).count("medium") == 23


@pytest.mark.parametrize("workers", ["1", "2"])
def test_epizone_serve_starts_uvicorn_on_the_store(empty_store, tmp_path: Path, workers: str):
    db(empty_store, "init")
    db(empty_store, "users", "add", "vic", "--role", "viewer")
    token = db(empty_store, "tokens", "create", "vic").strip()
    port = free_port()
    command = [sys.executable, "-m", "epizone.cli", "serve", "--db", empty_store.url, "--host", "127.0.0.1",
               "--port", str(port), "--public-read", "--workers", workers]  # 2: the settings reach each process
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                  env={**os.environ, "EPIZONE_DATABASE_URL": "sqlite:////nonexistent/ignored.db"})
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        me = httpx2.get(f"{base}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert me.json() == {"name": "vic", "role": "viewer", "scope_area_code": None, "disabled": False}
        public = httpx2.get(f"{base}/api/v1/levels", params={"format": "csv"}, timeout=5)
        assert public.status_code == 200 and list(csv.reader(io.StringIO(public.text))) == [[]]
        assert httpx2.get(f"{base}/api/v1/areas", timeout=5).status_code == 401
        assert httpx2.get(f"{base}/openapi.json", timeout=5).json()["info"]["title"] == "epizone"
        assert "swagger" in httpx2.get(f"{base}/docs", timeout=5).text.lower()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_refuses_a_store_it_cannot_use(tmp_path: Path):
    from epizone.cli import app as main_app
    missing = tmp_path / "missing.db"
    result = runner.invoke(main_app, ["serve", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1 and "no such database file" in result.output and not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    result = runner.invoke(main_app, ["serve", "--db", f"sqlite:///{empty}"])
    assert result.exit_code == 1 and "no epizone schema: run `epizone db init`" in result.output
    assert runner.invoke(main_app, ["serve", "--db", "nonsense://"]).exit_code == 2
