"""`epizone db` reaches the store from the main command."""

from __future__ import annotations

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
