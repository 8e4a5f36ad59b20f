"""A store run hands the store's records to the engine in memory: no file is written, and its levels are the
levels ``epizone assess`` (``assess_table``) gives on the files that were imported."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from inputs import CASE_LIST
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.demo import SERIES_END, SERIES_START, demo_file
from epizone.services.explain import explain
from epizone.services.runs import RunRequest, explain_run, run_assessment
from epizone.store.db import reading
from epizone.store.imports import import_file
from epizone.store.models import AssessedLevel

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
FILE_EVENTS = ("os.mkdir", "tempfile.mkstemp", "tempfile.mkdtemp")
_watchers: list[list[tuple]] = []


def _audit(event: str, args: tuple) -> None:
    """Record every file opened for writing and every folder or temporary file made, while watched."""
    if not _watchers:
        return
    if event in FILE_EVENTS or (event == "open" and _writes(*args[1:3])):
        for seen in _watchers:
            seen.append((event, args))


def _writes(mode: str | None, flags: int) -> bool:
    return any(c in mode for c in "wax+") if mode else bool(flags & WRITE_FLAGS)


sys.addaudithook(_audit)  # hooks cannot be removed: it records nothing unless a test watches


@contextmanager
def file_writes() -> Iterator[list[tuple]]:
    """The file writes made in the block (in any thread), as audit events."""
    seen: list[tuple] = []
    _watchers.append(seen)
    try:
        yield seen
    finally:
        _watchers.remove(seen)


def test_the_watch_sees_temporary_files(tmp_path: Path):
    import tempfile

    with file_writes() as seen:
        with tempfile.TemporaryDirectory():
            pass
        (tmp_path / "x.txt").write_text("x")
    assert [event for event, _ in seen] == ["tempfile.mkdtemp", "os.mkdir", "open"]


DATASETS = {  # the files to import (given the store) and what to grade
    "fujian demo": (lambda store: {"areas": demo_file("areas.csv"), "counts": demo_file("counts.csv")},
                    dict(start=SERIES_START, end=SERIES_END, data_through=DataThrough(lag=1)), "350102",
                    dt.date(2020, 2, 23)),
    "case list": (lambda store: {"areas": store.areas(), "cases": store.write("cases.csv", CASE_LIST)},
                  dict(start=dt.date(2020, 2, 1), end=dt.date(2020, 2, 20), data_through=DataThrough(lag=0)),
                  "350103", dt.date(2020, 2, 10)),
}


@pytest.mark.parametrize("rules", ["cn-2020-02", "fj-2020-02"])
@pytest.mark.parametrize("name", DATASETS)
def test_a_store_run_writes_no_file_and_grades_as_assess_does(store, name, rules):
    make_files, period, area, day = DATASETS[name]
    files = make_files(store)
    for kind, path in files.items():
        import_file(store.engine, kind, path, "ann")
    with file_writes() as writes:
        run = run_assessment(store.engine, RunRequest(rules, **period), "ann")
        explained = explain_run(store.engine, run.id, area, day)
    assert writes == []
    table, _ = assess_table(Request(**files, rules=rules, **period))
    assert stored_levels(store, run.id) == {
        (r["area_code"], r["date"]): (r["level"], r["reason_code"], r["data_through"]) for r in table.to_pylist()}
    assert explained == explain(Request(**files, rules=rules, **period), area, day)


def stored_levels(store, run_id: int) -> dict[tuple, tuple]:
    levels = AssessedLevel
    with reading(store.engine) as connection:
        rows = connection.execute(select(levels.area_code, levels.date, levels.level, levels.reason_code,
                                         levels.data_through).where(levels.run_id == run_id)).all()
    return {(r.area_code, r.date): (r.level, r.reason_code, r.data_through) for r in rows}
