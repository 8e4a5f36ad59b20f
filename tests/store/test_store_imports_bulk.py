"""Revision detection in bulk: only changed records become revisions, whether the file is small or as large as
the store (a day's file reads only its own keys' current versions; a large one reads them all in one scan)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from epizone.store import revisions
from epizone.store.imports import import_file
from epizone.store.queries import record_history, records_as_of

N = 3000


def case_rows(changed: dict[int, str] | None = None) -> list[str]:
    changed = changed or {}
    return [f"k{i:05d},2020-02-{1 + i % 28:02d},350102001,{changed.get(i, 'confirmed')},K{i % 7}" for i in range(N)]


@pytest.mark.parametrize("scan_ratio", [revisions.SCAN_RATIO, 0], ids=["scan", "lookup"])
def test_one_correction_among_thousands_of_unchanged_rows_is_one_revision(store, monkeypatch, scan_ratio):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*case_rows(), name="all.csv"), "ann")
    before = records_as_of(store.engine, "cases")
    monkeypatch.setattr(revisions, "SCAN_RATIO", scan_ratio)  # 0: always look the file's keys up
    result = import_file(store.engine, "cases", store.cases(*case_rows({1234: "asymptomatic"}), name="fix.csv"), "bob")
    assert (result.new, result.revised, result.unchanged) == (0, 1, N - 1)
    history = record_history(store.engine, "cases", "k01234")
    assert [(v["revision"], v["classification"]) for v in history] == [(1, "confirmed"), (2, "asymptomatic")]
    assert history[0]["superseded_at"] == history[1]["recorded_at"]
    assert records_as_of(store.engine, "cases", before.column("recorded_at")[0].as_py()).equals(before)


def test_a_days_file_adds_new_cases_and_corrects_older_days(store, monkeypatch):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*case_rows(), name="all.csv"), "ann")
    monkeypatch.setattr(revisions, "SCAN_RATIO", 0)
    day = ["new1,2020-03-01,350102001,confirmed,", "k00007,2020-02-08,350102001,confirmed,K0",  # unchanged
           "k00010,2020-02-11,350102002,confirmed,K3"]  # moved to another township
    result = import_file(store.engine, "cases", store.cases(*day, name="day.csv"), "ann")
    assert (result.new, result.revised, result.unchanged) == (1, 1, 1)
    current = {row["case_id"]: row for row in records_as_of(store.engine, "cases").to_pylist()}
    assert len(current) == N + 1
    assert current["k00010"]["area_code"] == "350102002" and current["k00010"]["revision"] == 2
    assert current["new1"]["cluster_id"] is None and current["new1"]["report_date"] == dt.date(2020, 3, 1)


def test_a_null_changed_to_a_value_and_back_is_a_revision_each_time(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    for n, cluster in enumerate(("", "K1", "", "")):  # another case each time: never the same file twice
        rows = (f"c1,2020-02-01,350102001,confirmed,{cluster}", f"other{n},2020-02-01,350102001,confirmed,")
        import_file(store.engine, "cases", store.cases(*rows, name=f"{n}.csv"), "ann")
    history = record_history(store.engine, "cases", "c1")
    assert [v["cluster_id"] for v in history] == [None, "K1", None]


def test_counts_are_compared_on_their_three_column_key(store, monkeypatch):
    import_file(store.engine, "areas", store.areas(), "ann")
    rows = [f"350102001,2020-02-{d:02d},{m},{d}" for d in range(1, 29) for m in ("new_confirmed", "new_clusters")]
    import_file(store.engine, "counts", store.counts(*rows, name="a.csv"), "ann")
    monkeypatch.setattr(revisions, "SCAN_RATIO", 0)
    result = import_file(store.engine, "counts", store.counts("350102001,2020-02-03,new_confirmed,30",
                                                              "350102001,2020-02-04,new_confirmed,4", name="b.csv"), "ann")
    assert (result.new, result.revised, result.unchanged) == (0, 1, 1)
    assert [v["value"] for v in record_history(store.engine, "counts", "350102001", dt.date(2020, 2, 3), "new_confirmed")] \
        == [3, 30]


def _case_table_schema(engine) -> tuple:  # noqa: ANN001
    found = inspect(engine)
    parts = (found.get_indexes("case_reports"), found.get_unique_constraints("case_reports"),
             found.get_foreign_keys("case_reports"))
    return tuple(sorted(json.dumps(item, default=str, sort_keys=True) for item in part)  # str: a WHERE's text
                 for part in parts)


def test_a_first_load_leaves_the_tables_indexes_and_constraints_as_they_were(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    before = _case_table_schema(store.engine)
    assert all(before)
    import_file(store.engine, "cases", store.cases(*case_rows(), name="all.csv"), "ann")  # into an empty table
    assert _case_table_schema(store.engine) == before
    second_current = text("INSERT INTO case_reports (case_id, report_date, area_code, classification, revision, "
                          "recorded_at, batch_id) SELECT case_id, report_date, area_code, classification, 2, "
                          "recorded_at, batch_id FROM case_reports WHERE case_id = 'k00001'")
    with store.engine.begin() as connection, pytest.raises(IntegrityError):  # one current version per key again
        connection.execute(second_current)
