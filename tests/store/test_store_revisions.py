"""Corrections become revisions; every record can be read as known at any moment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from epizone.store.imports import import_file
from epizone.store.models import ImportBatch
from epizone.store.queries import record_history, records_as_of

D = dt.date
US = dt.timedelta(microseconds=1)
CASES = ["c1,2020-02-01,350102001,confirmed,K1", "c2,2020-02-02,350103,confirmed,"]


def known(store, kind, at, *columns):
    table = records_as_of(store.engine, kind, at)
    return [tuple(row[c] for c in columns) for row in table.to_pylist()]


def batch_times(store):
    with store.engine.connect() as connection:
        return connection.scalars(select(ImportBatch.recorded_at).order_by(ImportBatch.id)).all()


def test_a_changed_case_becomes_a_new_revision_and_the_old_one_is_kept(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*CASES), "ann")
    corrected = store.cases("c1,2020-02-01,350102002,confirmed,K1", CASES[1], "c3,2020-02-03,350103,confirmed,",
                            name="corrected.csv")
    result = import_file(store.engine, "cases", corrected, "bo")
    assert (result.new, result.revised, result.unchanged) == (1, 1, 1)
    history = record_history(store.engine, "cases", "c1")
    assert [(h["revision"], h["area_code"], h["batch_id"]) for h in history] == [
        (1, "350102001", result.batch_id - 1), (2, "350102002", result.batch_id)]
    assert history[0]["superseded_at"] == history[1]["recorded_at"]
    assert history[1]["superseded_at"] is None
    assert known(store, "cases", None, "case_id", "revision") == [("c1", 2), ("c2", 1), ("c3", 1)]


def test_as_of_gives_what_was_known_at_each_moment(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*CASES, name="v1.csv"), "ann")
    import_file(store.engine, "cases", store.cases("c1,2020-02-01,350102001,asymptomatic,K1", CASES[1],
                                                   name="v2.csv"), "ann")
    import_file(store.engine, "cases", store.cases("c1,2020-02-01,350102001,confirmed,K1",
                                                   "c2,2020-02-05,350103,confirmed,", name="v3.csv"), "ann")
    _, t1, t2, t3 = batch_times(store)
    columns = ("case_id", "classification", "report_date", "revision")
    v1 = [("c1", "confirmed", D(2020, 2, 1), 1), ("c2", "confirmed", D(2020, 2, 2), 1)]
    v2 = [("c1", "asymptomatic", D(2020, 2, 1), 2), ("c2", "confirmed", D(2020, 2, 2), 1)]
    v3 = [("c1", "confirmed", D(2020, 2, 1), 3), ("c2", "confirmed", D(2020, 2, 5), 2)]
    assert known(store, "cases", t1 - US, *columns) == []
    assert known(store, "cases", t1, *columns) == v1
    assert known(store, "cases", t2 - US, *columns) == v1
    assert known(store, "cases", t2, *columns) == v2
    assert known(store, "cases", t3 - US, *columns) == v2
    assert known(store, "cases", t3, *columns) == v3
    assert known(store, "cases", None, *columns) == v3
    assert known(store, "cases", dt.datetime(2100, 1, 1), *columns) == v3
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert known(store, "cases", (t2 + dt.timedelta(hours=8)).replace(tzinfo=beijing), *columns) == v2


def test_counts_and_areas_are_revisioned_too(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,3",
                                                     "350103,2020-02-01,new_confirmed,1"), "ann")
    result = import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,4",
                                                              name="late.csv"), "ann")
    assert (result.new, result.revised, result.unchanged) == (0, 1, 0)
    t_areas, t_first, t_late = batch_times(store)
    assert known(store, "counts", t_first, "area_code", "value", "revision") == [("350102", 3, 1), ("350103", 1, 1)]
    assert known(store, "counts", t_late, "area_code", "value", "revision") == [("350102", 4, 2), ("350103", 1, 1)]
    renamed = store.areas(store.areas().read_text().replace("350103,Taijiang,3501,county,411819",
                                                            "350103,台江区,3501,county,412000"), name="areas2.csv")
    result = import_file(store.engine, "areas", renamed, "ann")
    assert (result.new, result.revised, result.unchanged) == (0, 1, 6)
    before = {r["code"]: r for r in records_as_of(store.engine, "areas", t_late).to_pylist()}
    now = {r["code"]: r for r in records_as_of(store.engine, "areas").to_pylist()}
    assert (before["350103"]["name"], before["350103"]["population"]) == ("Taijiang", 411819)
    assert (now["350103"]["name"], now["350103"]["population"], now["350103"]["revision"]) == ("台江区", 412000, 2)
    assert len(now) == len(before) == 7
