"""`epizone db` reaches the store from the main command."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from epizone.cli import app


def test_db_commands_through_the_main_cli(files):
    url = f"sqlite:///{files.root / 'store.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["db", "init", "--db", url]).exit_code == 0
    imported = runner.invoke(app, ["db", "import", "areas", str(files.areas()), "--db", url, "--user", "tester"])
    assert imported.exit_code == 0, imported.output
    status = runner.invoke(app, ["db", "status", "--db", url])
    assert status.exit_code == 0 and "areas: 7 current" in " ".join(status.output.split())
    bad = runner.invoke(app, ["db", "import", "cases", str(files.cases("c1,2020-02-30,350102,confirmed,")),
                              "--db", url])
    assert bad.exit_code == 2 and "nothing was imported" in bad.output


def test_the_engine_commands_start_without_the_store_libraries():
    code = ("import sys, epizone.cli; "
            "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'epizone.cli.db') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_db_help_loads_the_store_commands():
    shown = CliRunner().invoke(app, ["db", "--help"])
    assert shown.exit_code == 0 and "Usage: epizone db" in shown.output
    assert all(name in shown.output for name in ("init", "publish", "import", "runs", "tokens"))


def test_an_unavailable_store_exits_1_and_a_bad_url_2(files):
    missing = CliRunner().invoke(app, ["db", "status", "--db", f"sqlite:///{files.root / 'none.db'}"])
    assert missing.exit_code == 1 and "no such database file" in missing.output
    empty = files.root / "empty.db"
    empty.touch()
    no_schema = CliRunner().invoke(app, ["ops", "flags", "--db", f"sqlite:///{empty}"])
    assert no_schema.exit_code == 1 and f"sqlite:///{empty}: the database has no epizone schema" in no_schema.output
    bad = CliRunner().invoke(app, ["db", "runs", "list", "--db", "nonsense://x"])
    assert bad.exit_code == 2 and "--db 'nonsense://x': not a usable database URL" in bad.output
