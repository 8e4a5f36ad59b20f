"""A run keeps its levels as periods split at the days it keeps: its periods are ``epizone assess --output
periods``, every kept day's values are the dense rows of that day, and the level on any day is the dense one."""

from __future__ import annotations

import datetime as dt

import pytest

from inputs import CASE_LIST
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.demo import SERIES_END, SERIES_START, demo_file
from epizone.services.runs import KEEP_ALL_UNIT_DAYS, RunRequest, run_assessment
from epizone.store.db import reading
from epizone.store.imports import import_file
from epizone.store.levels import run_level_on, run_levels, run_periods
from epizone.store.runs import RunError, get_run

START, END = dt.date(2020, 2, 1), dt.date(2020, 2, 20)
INDICATORS = ("cumulative_confirmed", "new_confirmed_14d", "cluster_14d", "days_since_last_confirmed")


@pytest.fixture
def filled(store):
    files = {"areas": store.areas(), "cases": store.write("cases.csv", CASE_LIST)}
    for kind, path in files.items():
        import_file(store.engine, kind, path, "ann")
    store.files = files
    return store


@pytest.mark.parametrize("keep", ["last", "all", (dt.date(2020, 2, 3), dt.date(2020, 2, 11), END)])
def test_a_run_keeps_periods_and_the_values_of_its_kept_days(filled, keep):
    options = dict(start=START, end=END, data_through=DataThrough(lag=0))
    run = run_assessment(filled.engine, RunRequest("cn-2020-02", **options, keep=keep), "ann")
    request = Request(**filled.files, rules="cn-2020-02", **options)
    dense, _ = assess_table(request)
    periods, _ = assess_table(request, output="periods")
    kept = {"last": [END], "all": None}.get(keep, list(keep) if not isinstance(keep, str) else None)
    assert run.summary["kept_days"] == ("all" if kept is None else [d.isoformat() for d in kept])
    with reading(filled.engine) as connection:
        stored = [r._asdict() for r in connection.execute(run_periods(run.id))]
        days = [r._asdict() for r in connection.execute(run_levels(get_run(filled.engine, run.id)))]
        on = {day: {r.area_code: r.level for r in connection.execute(run_level_on(run.id, day))}
              for day in {r["date"] for r in dense.to_pylist()}}
    assert [(r["area_code"], r["start"], r["end"], r["level"], r["reason_code"], r["data_through"],
             tuple(r["indicators"][k] for k in INDICATORS)) for r in stored] == \
        [(r["area_code"], r["start"], r["end"], r["level"], r["reason_code"], r["data_through"],
          tuple(r[k] for k in INDICATORS)) for r in periods.to_pylist()]
    expected = [r for r in dense.to_pylist() if kept is None or r["date"] in kept]
    assert [(r["area_code"], r["date"], r["level"], r["reason_code"], r["reason_en"],
             tuple(r["indicators"][k] for k in INDICATORS)) for r in days] == \
        [(r["area_code"], r["date"], r["level"], r["reason_code"], r["reason"], tuple(r[k] for k in INDICATORS))
         for r in sorted(expected, key=lambda r: (r["date"], r["area_code"]))]
    assert on == {day: {r["area_code"]: r["level"] for r in dense.to_pylist() if r["date"] == day} for day in on}


def test_a_day_the_run_does_not_keep_is_refused_with_where_to_look(filled):
    run = run_assessment(filled.engine, RunRequest("cn-2020-02", START, END, keep="last"), "ann")
    with pytest.raises(RunError, match=r"keeps the values of 2020-02-20 only: the levels of 2020-02-10 are in its "
                                       r"periods"):
        run_levels(run, dt.date(2020, 2, 10))
    with pytest.raises(RunError, match="2020-03-01: expected days from 2020-02-01 to 2020-02-20"):
        run_assessment(filled.engine, RunRequest("cn-2020-02", START, END, keep=[dt.date(2020, 3, 1)]), "ann")
    with pytest.raises(RunError, match="keep 'first': expected all, last or a list of dates"):
        run_assessment(filled.engine, RunRequest("cn-2020-02", START, END, keep="first"), "ann")


def test_a_small_run_keeps_every_day_and_a_large_one_its_last(store):
    for kind, name in (("areas", "areas.csv"), ("counts", "counts.csv")):
        import_file(store.engine, kind, demo_file(name), "ann")
    small = run_assessment(store.engine, RunRequest("cn-2020-02", SERIES_START, SERIES_END), "ann")
    assert small.summary["kept_days"] == "all" and small.units * ((SERIES_END - SERIES_START).days + 1) <= \
        KEEP_ALL_UNIT_DAYS
    start = SERIES_END - dt.timedelta(days=KEEP_ALL_UNIT_DAYS // small.units)  # one unit-day too many
    large = run_assessment(store.engine, RunRequest("cn-2020-02", start, SERIES_END), "ann")
    assert large.summary["kept_days"] == [SERIES_END.isoformat()]
    assert large.rows < large.units * ((SERIES_END - start).days + 1)
