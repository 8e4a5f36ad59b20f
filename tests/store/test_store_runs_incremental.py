"""A store run continues from the checkpoint of an earlier run: the levels of a daily sequence of runs, with
corrections imported between them, are the levels of full replays of the same days; a correction to an old
date replays from a checkpoint before it (the summary says so); pruning drops draft runs only."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from epizone.domain.cutoff import DataThrough
from epizone.services.demo import demo_file
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.db import reading
from epizone.store.imports import import_file
from epizone.store.models import AssessedLevel, AuditEntry, RunCheckpoint
from epizone.store.publish import publish
from epizone.store.runs import list_runs, prune_runs

FIRST = dt.date(2020, 2, 1)
DAYS = 6
LAG = DataThrough(lag=1)


def demo_counts() -> list[dict]:
    with open(demo_file("counts.csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_counts(store, name: str, rows: list[dict]):
    text = "area_code,date,metric,value\n" + "".join(
        f"{r['area_code']},{r['date']},{r['metric']},{r['value']}\n" for r in rows)
    return store.write(name, text)


def levels(store, run_id: int) -> dict[tuple, tuple]:
    a = AssessedLevel
    with reading(store.engine) as connection:
        rows = connection.execute(select(a.area_code, a.date, a.level, a.reason_code, a.data_through,
                                         a.indicators, a.event).where(a.run_id == run_id)).all()
    return {(r.area_code, r.date): (r.level, r.reason_code, r.data_through, r.indicators, r.event) for r in rows}


def run_day(store, rules: str, day: dt.date, full: bool = False):
    return run_assessment(store.engine, RunRequest(rules, day, day, LAG, full=full), "ann")


def corrected(rows: list[dict], day: dt.date, area: str = "350102") -> list[dict]:
    """The count of ``area`` on ``day`` raised by 3 in ``rows`` (a correction, kept in later files); the row."""
    fixed = [r for r in rows if r["date"] == day.isoformat() and r["area_code"] == area]
    for r in fixed:
        r["value"] = str(int(r["value"]) + 3)
    return fixed


@pytest.mark.parametrize("rules", ["cn-2020-02", "fj-2020-02", "de-ifsg-28b-2021"])
def test_daily_runs_with_corrections_give_the_levels_of_full_replays(store, rules):
    rows = demo_counts()
    import_file(store.engine, "areas", demo_file("areas.csv"), "ann")
    notes = []
    for n in range(DAYS):
        day = FIRST + dt.timedelta(days=n)
        import_file(store.engine, "counts", write_counts(store, f"counts-{day}.csv",
                                                         [r for r in rows if r["date"] <= day.isoformat()]), "ann")
        fixed = {3: day - dt.timedelta(2), 5: dt.date(2020, 1, 25)}  # a correction to a recent date, to an early one
        if n in fixed:
            import_file(store.engine, "counts", write_counts(store, f"fix-{n}.csv", corrected(rows, fixed[n])), "ann")
        run = run_day(store, rules, day)
        notes.append(run.summary["state"])
        full = run_day(store, rules, day, full=True)
        assert full.summary["state"] == "full replay: asked for (--full)"
        assert levels(store, run.id) == levels(store, full.id) != {}
    assert notes[0].startswith("full replay: no checkpoint")
    assert notes[1:3] == ["continued from 2020-02-01", "continued from 2020-02-02"]
    # 2020-02-02 corrected: the checkpoint of 2020-02-03 (data through 2020-02-02) no longer fits
    assert notes[3] == "replayed from 2020-02-03: data changed on 2020-02-02"
    assert notes[4] == "continued from 2020-02-04"
    assert notes[5] == "full replay: data changed on 2020-01-25, before every checkpoint"


def test_a_run_continues_from_the_previous_day_and_reads_only_recent_records(store):
    import_file(store.engine, "areas", demo_file("areas.csv"), "ann")
    import_file(store.engine, "counts", demo_file("counts.csv"), "ann")
    day = dt.date(2020, 3, 1)
    first = run_day(store, "cn-2020-02", day)
    second = run_day(store, "cn-2020-02", day + dt.timedelta(days=1))
    assert second.summary["state"] == f"continued from {day}"
    assert second.summary["data_first"] > first.summary["data_first"]  # the records read start later
    other_cutoff = run_assessment(store.engine, RunRequest("cn-2020-02", day + dt.timedelta(days=2),
                                                           day + dt.timedelta(days=2), DataThrough(lag=0)), "ann")
    assert other_cutoff.summary["state"].startswith("full replay: no checkpoint")


def test_pruning_drops_old_draft_runs_with_their_levels_and_checkpoints_and_keeps_published_ones(store):
    import_file(store.engine, "areas", demo_file("areas.csv"), "ann")
    import_file(store.engine, "counts", demo_file("counts.csv"), "ann")
    published, draft = run_day(store, "cn-2020-02", FIRST), run_day(store, "cn-2020-02", FIRST + dt.timedelta(1))
    publish(store.engine, published.id, FIRST, "ann")
    assert prune_runs(store.engine, dt.timedelta(days=1), "ann") == []  # none that old
    assert prune_runs(store.engine, dt.timedelta(0), "ann") == [draft.id]
    assert [r.id for r in list_runs(store.engine)[1]] == [published.id]
    with reading(store.engine) as connection:
        assert connection.scalar(select(func.count()).select_from(AssessedLevel)
                                 .where(AssessedLevel.run_id == draft.id)) == 0
        assert connection.scalar(select(RunCheckpoint.run_id)) == published.id
        assert connection.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "run.prune")) == 2
    assert levels(store, published.id)


def test_a_published_run_still_cannot_be_deleted(store):
    import_file(store.engine, "areas", demo_file("areas.csv"), "ann")
    import_file(store.engine, "counts", demo_file("counts.csv"), "ann")
    run = run_day(store, "cn-2020-02", FIRST)
    publish(store.engine, run.id, FIRST, "ann")
    with pytest.raises(Exception, match="frozen"):
        with store.engine.begin() as connection:
            connection.execute(AssessedLevel.__table__.delete().where(AssessedLevel.run_id == run.id))


def line_list(days: int = 24) -> list[tuple]:
    """Cases over ``days`` days from 2020-02-01 in three townships, some in clusters that span many days."""
    towns = ("350102001", "350102002", "350103001")
    rows = []
    for n in range(days * 2):
        if n % 5 == 3:
            continue
        rows.append((f"c{n}", (FIRST + dt.timedelta(days=n // 2)).isoformat(), towns[n % 3],
                     "asymptomatic" if n % 7 == 0 else "confirmed", f"k{n // 9}" if n % 4 else ""))
    return rows


def write_cases(store, name: str, rows: list[tuple]):
    return store.write(name, "case_id,report_date,area_code,classification,cluster_id\n"
                       + "".join(",".join(r) + "\n" for r in rows))


@pytest.mark.parametrize("rules", ["cn-2020-02", "fj-2020-02"])
def test_daily_runs_on_a_line_list_with_a_moved_case_give_the_levels_of_full_replays(store, rules):
    rows = line_list()
    import_file(store.engine, "areas", store.areas(), "ann")
    notes = []
    for n in range(4, 22, 2):
        day = FIRST + dt.timedelta(days=n)
        if n == 16:  # case c1 was reported on 2020-02-01, in fact on 2020-02-05
            rows = [(r[0], "2020-02-05", *r[2:]) if r[0] == "c1" else r for r in rows]
        import_file(store.engine, "cases", write_cases(store, f"cases-{day}.csv",
                                                       [r for r in rows if r[1] <= day.isoformat()]), "ann")
        run = run_assessment(store.engine, RunRequest(rules, day - dt.timedelta(1), day, DataThrough(lag=0)), "ann")
        full = run_assessment(store.engine, RunRequest(rules, day - dt.timedelta(1), day, DataThrough(lag=0),
                                                       full=True), "ann")
        notes.append(run.summary["state"])
        assert levels(store, run.id) == levels(store, full.id) != {}
    assert notes[1] == "continued from 2020-02-05"
    assert notes[6] == "full replay: data changed on 2020-02-01, before every checkpoint"


def test_a_checkpoint_the_engine_finds_unfit_gives_a_full_replay(store):
    import_file(store.engine, "areas", demo_file("areas.csv"), "ann")
    import_file(store.engine, "counts", demo_file("counts.csv"), "ann")
    day = dt.date(2020, 2, 22)
    run_assessment(store.engine, RunRequest("cn-2020-02", day, day, LAG, data_end=dt.date(2020, 2, 10)), "ann")
    run = run_day(store, "cn-2020-02", day + dt.timedelta(days=1))  # data complete to their last date this time
    assert run.summary["state"] == "full replay: no checkpoint before the end date fits the inputs' data end"
    assert levels(store, run.id) == levels(store, run_day(store, "cn-2020-02", run.start_date, full=True).id)
