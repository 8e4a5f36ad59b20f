"""An import that fails or is killed before it commits leaves the database exactly as it was."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap

import pytest

from epizone.store.imports import import_file
from epizone.store.queries import records_as_of

ROWS = 3000

# Imports a file, but stops once its case rows are written (the batch's counts are updated after them; nothing
# committed),
# says how many case rows its transaction sees, and waits to be killed.
CHILD = textwrap.dedent("""
    import sys, tempfile, time
    from sqlalchemy import event
    from epizone.store import bulk, sqlite_stage
    from epizone.store.db import make_engine
    from epizone.store.imports import import_file

    engine = make_engine(sys.argv[1])
    if len(sys.argv) > 3:  # SQLite: the rows through scratch files of 1,000 rows, made in this folder
        bulk.STAGE_ROWS, sqlite_stage.PART_ROWS, tempfile.tempdir = 2, 1000, sys.argv[3]

    @event.listens_for(engine, "after_cursor_execute")
    def wait_to_be_killed(connection, cursor, statement, *args):
        if statement.startswith("UPDATE import_batches"):
            cursor.execute("SELECT count(*) FROM case_reports")
            print("written", cursor.fetchone()[0], flush=True)
            time.sleep(600)

    import_file(engine, "cases", sys.argv[2], "killed")
    print("committed", flush=True)
""")


def prepare(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases("old,2020-02-01,350103,confirmed,"), "ann")
    rows = [f"k{i},2020-02-{1 + i % 28:02d},350102001,confirmed,K{i % 7}" for i in range(ROWS)]
    return store.cases("old,2020-02-01,350102002,confirmed,", *rows, name="big.csv")


@pytest.mark.parametrize("staged", [False, True], ids=["bound", "staged"])
def test_an_import_killed_midway_leaves_the_database_as_it_was(store, staged, tmp_path):
    path = prepare(store)
    before = store.snapshot()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    child = subprocess.Popen([sys.executable, "-c", CHILD, store.url, str(path), *([str(scratch)] if staged else [])],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        line = child.stdout.readline() if ready else ""
        assert line.split() == ["written", str(ROWS + 2)], child.stderr.read() if not line else line
        assert store.snapshot() == before  # the write is not visible to others while it runs...
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert store.snapshot() == before  # ...and after the kill nothing of it is left
    assert list(scratch.iterdir()) == []  # (scratch files are unlinked once attached)
    result = import_file(store.engine, "cases", path, "ann")  # no lock, hash or row left behind: it imports
    assert (result.new, result.revised) == (ROWS, 1)


def test_a_failure_inside_the_transaction_rolls_everything_back(store):
    path = prepare(store)
    before = store.snapshot()
    staged = []

    def fail_after_first_chunk(done: int, total: int) -> None:
        staged.append(done)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        import_file(store.engine, "cases", path, "ann", progress=fail_after_first_chunk)
    assert staged and store.snapshot() == before
    assert len(records_as_of(store.engine, "cases")) == 1
