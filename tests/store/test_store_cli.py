"""``epizone db ...`` (the store's Typer sub-app): init, imports, status, users; exit codes (their docs: tests/test_docs.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from epizone.cli.db import app
from epizone.store.queries import records_as_of

runner = CliRunner()


def db(empty_store, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, [*args, "--db", empty_store.url], env=env)


def test_init_import_status(empty_store):
    result = db(empty_store, "init")
    assert result.exit_code == 0, result.output
    assert "schema at revision 0007_level_periods" in result.stdout
    result = db(empty_store, "import", "areas", str(empty_store.areas()), "--user", "ann")
    assert result.exit_code == 0, result.output
    assert "imported as batch 1 (7 rows read: 7 new, 0 revised, 0 unchanged)" in result.stdout
    cases = empty_store.cases("c1,2020-02-01,350102001,confirmed,")
    assert db(empty_store, "import", "cases", str(cases)).exit_code == 0
    result = db(empty_store, "import", "cases", str(cases))
    assert "nothing to do, the same content was imported as batch 2" in result.stdout
    counts = empty_store.counts("350102,2020-02-01,new_confirmed,3")
    assert db(empty_store, "import", "counts", str(counts), "--user", "bo").exit_code == 0
    result = db(empty_store, "status")
    assert result.exit_code == 0, result.output
    for text in ("areas: 7 current, 7 versions", "cases: 1 current", "counts: 1 current", "audit log: 3 entries",
                 "ann", "bo"):
        assert text in result.stdout


def test_bad_input_exits_2_names_every_problem_and_writes_nothing(empty_store):
    store = empty_store.upgrade()
    assert db(store, "import", "areas", str(store.areas())).exit_code == 0
    before = store.snapshot()
    bad = store.cases("c1,2020-02-01,350102001,confirmed,", "c2,2020-02-31,350102001,confirmed,",
                      "c3,2020-02-01,nowhere,confirmed,", name="bad.csv")
    result = db(store, "import", "cases", str(bad))
    assert result.exit_code == 2
    assert "2 problem(s) in" in result.stderr and "nothing was imported" in result.stderr
    assert "bad.csv:3: column 'report_date' (2): value '2020-02-31': a date as YYYY-MM-DD" in result.stderr
    assert "bad.csv:4: column 'area_code' (3): value 'nowhere': the code of an area in the store" in result.stderr
    result = db(store, "import", "counts", str(store.root / "missing.csv"))
    assert result.exit_code == 2 and "missing.csv: column '': value '': an existing file" in result.stderr
    assert store.snapshot() == before


def test_a_database_without_the_schema_is_refused(empty_store):
    with empty_store.engine.connect():  # the database exists (a SQLite file is created), empty
        pass
    result = db(empty_store, "import", "areas", str(empty_store.areas()))
    assert result.exit_code == 1
    assert "the database has no epizone schema: run `epizone db init`" in result.stderr


def test_a_missing_sqlite_file_is_not_created_except_by_init(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = runner.invoke(app, ["status", "--db", url])
    assert result.exit_code == 1 and "no such database file" in result.stderr
    assert not (tmp_path / "new.db").exists()
    assert runner.invoke(app, ["init", "--db", url]).exit_code == 0
    assert (tmp_path / "new.db").exists()
    assert runner.invoke(app, ["status", "--db", "nonsense://"]).exit_code == 2


def test_the_database_url_comes_from_the_environment(empty_store):
    env = {"EPIZONE_DATABASE_URL": empty_store.url, "EPIZONE_USER": "cy"}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    assert runner.invoke(app, ["import", "areas", str(empty_store.areas())], env=env).exit_code == 0
    assert records_as_of(empty_store.engine, "areas").num_rows == 7
    assert "│ cy " in runner.invoke(app, ["status"], env=env).stdout


def test_users(empty_store):
    store = empty_store.upgrade()
    db(store, "import", "areas", str(store.areas()))
    result = db(store, "users", "add", "rita", "--role", "reporter", "--scope", "350102", "--user", "admin")
    assert result.exit_code == 0 and "added rita (reporter, scope 350102)" in result.stdout
    assert db(store, "users", "add", "rita", "--role", "viewer").exit_code == 2
    assert db(store, "users", "add", "x", "--role", "emperor").exit_code == 2
    assert db(store, "users", "add", "y", "--role", "reporter", "--scope", "nowhere").exit_code == 2
    assert db(store, "users", "list").stdout.split() == ["rita", "reporter", "350102"]
    assert "audit log: 2 entries" in db(store, "status").stdout


def test_runs_publish_announcements_retract_measures_tokens(empty_store):
    store = empty_store.upgrade()
    db(store, "import", "areas", str(store.areas()))
    db(store, "import", "cases", str(store.cases("c1,2020-02-01,350102001,confirmed,")))
    result = db(store, "runs", "create", "--date", "2020-02-05", "--data-end", "2020-02-05", "--user", "ann")
    assert result.exit_code == 0, result.output
    assert "run 1: cn-2020-02@1, 2 county units, 2020-02-05 to 2020-02-05" in result.stdout
    assert "low 1, medium 1" in result.stdout
    assert db(store, "runs", "list").stdout.split()[:2] == ["1", "cn-2020-02@1"]
    bad = db(store, "runs", "create", "--start", "2020-02-05", "--end", "2020-02-01")
    assert bad.exit_code == 2 and "no run was made" in bad.stderr
    result = db(store, "publish", "1", "--date", "2020-02-05", "--user", "ann")
    assert result.exit_code == 0 and "Announcement No. 1: risk levels in force from 2020-02-05" in result.stdout
    again = db(store, "publish", "1", "--date", "2020-02-05")
    assert "already published as announcement No. 1" in again.stdout
    zh = db(store, "announcements", "show", "1", "--lang", "zh").stdout
    assert zh.startswith("第1号公告:自2020年2月5日起执行的风险等级")
    assert '"kind": "publish"' in db(store, "announcements", "show", "1", "--lang", "json").stdout
    result = db(store, "retract", "1", "--reason", "test")
    assert result.exit_code == 0 and "retraction of announcement No. 1" in result.stdout
    assert db(store, "announcements", "list").stdout.splitlines()[0].split()[:3] == ["2", "retraction", "2020-02-05"]
    assert db(store, "retract", "1", "--reason", "again").exit_code == 2
    result = db(store, "measures", "add", "--rules", "cn-2020-02", "--level", "high", "--zh", "封控", "--en", "Lockdown")
    assert result.exit_code == 0 and "(cn-2020-02 high #3)" in result.stdout
    assert db(store, "measures", "list", "--rules", "cn-2020-02", "--level", "high").stdout.count("\n") == 3
    assert db(store, "measures", "add", "--rules", "cn-2020-02", "--level", "x", "--zh", "a", "--en", "b").exit_code == 2
    db(store, "users", "add", "vic", "--role", "viewer")
    result = db(store, "tokens", "create", "vic", "--label", "laptop", "--expires-days", "30")
    token = result.stdout.strip()
    assert result.exit_code == 0 and token.startswith("ezt_") and "\n" not in token
    assert db(store, "tokens", "list", "--for", "vic").stdout.split() == ["1", "vic", token.split("_")[1], "laptop",
                                                                          "active"]
    assert "token 1 of vic revoked" in db(store, "tokens", "revoke", "1").stdout
    assert db(store, "tokens", "create", "nobody").exit_code == 2
    result = db(store, "users", "update", "vic", "--disable")
    assert result.exit_code == 0 and db(store, "users", "list").stdout.split() == ["vic", "viewer", "disabled"]
