"""``epizone assess --state DIR``: checkpoints kept between invocations, and what each run says it did."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
from typer.testing import CliRunner

from epizone.cli import app

runner = CliRunner()
CASES = ["c1,2020-02-01,350102001,confirmed,k1", "c2,2020-02-02,350102002,asymptomatic,k1",
         "c3,2020-02-03,350102,confirmed,k2", "c4,2020-02-05,350102,confirmed,k2", "c5,2020-02-08,350102,confirmed,"]


def assess(files, out: Path, end: str, *extra: str):  # noqa: ANN001
    args = ["assess", "--areas", str(files.areas()), "--cases", str(files.root / "cases.csv"), "--start", "2020-02-01",
            "--end", end, "--data-through", "lag:1", "--out", str(out), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output, pacsv.read_csv(out).to_pylist()


def test_state_continues_replays_after_a_correction_and_equals_a_full_run(files):
    state = str(files.root / "state")
    files.cases(*CASES[:3])
    said, rows = assess(files, files.root / "a.csv", "2020-02-04", "--state", state)
    assert "full replay" in said and "no checkpoint" in said
    files.cases(*CASES)
    said, rows = assess(files, files.root / "b.csv", "2020-02-10", "--state", state)
    assert "continued from 2020-02-04" in said
    assert {r["date"].isoformat() for r in rows} == {f"2020-02-{d:02d}" for d in range(5, 11)}
    _, full = assess(files, files.root / "full.csv", "2020-02-10")
    assert rows == [r for r in full if r["date"].isoformat() >= "2020-02-05"]
    files.cases(*CASES[:3], "c4,2020-02-06,350102,confirmed,k2", CASES[4])  # a correction dated the 5th
    said, rows = assess(files, files.root / "c.csv", "2020-02-11", "--state", state)
    assert "replayed from 2020-02-05: inputs changed on 2020-02-05" in " ".join(said.split())
    _, full = assess(files, files.root / "full.csv", "2020-02-11")
    assert rows == [r for r in full if r["date"].isoformat() >= "2020-02-05"]


def test_rows_from_a_checkpoints_grid_give_the_same_day_as_every_row(files):
    import datetime as dt

    import pyarrow.csv as csv

    from epizone.domain.cutoff import DataThrough
    from epizone.engine.checkpoint import Checkpoint
    from epizone.services.assess import Request, assess_table
    from epizone.services.state import StateDir

    state = StateDir(files.root / "state")
    options = csv.ConvertOptions(strings_can_be_null=False, column_types={"report_date": "string"})
    cases = csv.read_csv(files.cases(*CASES), convert_options=options)
    common = dict(areas=files.areas(), data_through=DataThrough(lag=1), start=dt.date(2020, 2, 1),
                  data_end=dt.date(2020, 2, 28))
    assess_table(Request(cases=cases, end=dt.date(2020, 2, 20), state=state, **common))
    since = Checkpoint.load(next((files.root / "state").glob("*.npz"))).carry.since
    first = dt.date(1970, 1, 1) + dt.timedelta(days=since)
    recent = cases.filter([d >= first.isoformat() for d in cases.column("report_date").to_pylist()])
    assert 0 < recent.num_rows < cases.num_rows
    step, summary = assess_table(Request(cases=recent, end=dt.date(2020, 2, 25), rows_from=first, state=state,
                                         **common))
    assert summary.state == "continued from 2020-02-20"
    full, _ = assess_table(Request(cases=cases, end=dt.date(2020, 2, 25), **common))
    assert step.to_pylist() == [r for r in full.to_pylist() if r["date"] >= dt.date(2020, 2, 21)]


def test_full_replays_all_the_same_and_needs_state(files):
    files.cases(*CASES)
    state = str(files.root / "state")
    assess(files, files.root / "a.csv", "2020-02-04", "--state", state)
    said, _ = assess(files, files.root / "b.csv", "2020-02-06", "--state", state, "--full")
    assert "full replay: asked for (--full)" in said
    result = runner.invoke(app, ["assess", "--areas", str(files.areas()), "--cases", str(files.root / "cases.csv"),
                                 "--start", "2020-02-01", "--end", "2020-02-06", "--out", str(files.root / "c.csv"),
                                 "--full"])
    assert result.exit_code == 2 and "--full goes with --state" in result.output


def test_a_checkpoint_file_that_cannot_be_read_is_ignored(files):
    files.cases(*CASES)
    state = files.root / "state"
    assess(files, files.root / "a.csv", "2020-02-04", "--state", str(state))
    for path in state.glob("*.npz"):
        path.write_bytes(b"not a checkpoint")
    said, _ = assess(files, files.root / "b.csv", "2020-02-06", "--state", str(state))
    assert "full replay" in said
