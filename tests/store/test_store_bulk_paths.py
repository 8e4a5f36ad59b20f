"""The fast write paths of bulk imports store exactly what the plain ones do: SQLite's scratch files written by
ADBC and copied with INSERT ... SELECT (forced here on small files), PostgreSQL's binary COPY, ids taken from
the sequence in one call, and re-imports compared a batch of current versions at a time."""

from __future__ import annotations

import datetime as dt
import tempfile

import pyarrow as pa
import pytest
from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Integer, MetaData, SmallInteger, String, Table, \
    Text, text
from sqlalchemy import select as sql_select

from epizone.store import bulk, pgcopy, revisions, sqlite_stage
from epizone.store.db import SCRATCH_PREFIX, writing
from epizone.store.imports import import_file
from epizone.store.matching import Matching
from epizone.store.queries import record_history, records_as_of

N = 2500


def case_rows(n: int = N, changed: dict[int, str] | None = None) -> list[str]:
    """Every optional column, nulls in some rows only, text needing quotes and non-ASCII ids; not in key order."""
    changed = changed or {}
    rows = []
    for i in reversed(range(n)):
        onset = f"2020-01-{1 + i % 28:02d}" if i % 3 else ""
        flag = ("true", "false", "")[i % 3]
        cluster = "" if i % 5 == 0 else f'"K,{i % 11}"'
        rows.append(f"病例{i:05d},2020-02-{1 + i % 28:02d},350102001,{changed.get(i, 'confirmed')},{cluster},"
                    f"{onset},{flag}")
    return rows


HEADER = "case_id,report_date,area_code,classification,cluster_id,onset_date,imported"


def expected(n: int = N, changed: dict[int, str] | None = None) -> list[dict]:
    changed = changed or {}
    return [{"case_id": f"病例{i:05d}", "report_date": dt.date(2020, 2, 1 + i % 28), "area_code": "350102001",
             "classification": changed.get(i, "confirmed"), "cluster_id": None if i % 5 == 0 else f"K,{i % 11}",
             "onset_date": dt.date(2020, 1, 1 + i % 28) if i % 3 else None,
             "imported": (True, False, None)[i % 3]} for i in sorted(range(n), key=lambda i: f"病例{i:05d}")]


def stored(store) -> list[dict]:  # noqa: ANN001
    found = records_as_of(store.engine, "cases").sort_by("case_id")
    return found.select(["case_id", "report_date", "area_code", "classification", "cluster_id", "onset_date",
                         "imported"]).to_pylist()


@pytest.fixture
def staged(monkeypatch, tmp_path):
    """SQLite: every insert of more than one row through scratch files of 700 rows, made in ``tmp_path``."""
    monkeypatch.setattr(bulk, "STAGE_ROWS", 2)
    monkeypatch.setattr(sqlite_stage, "PART_ROWS", 700)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_a_staged_first_load_and_reimport_store_every_value(store, staged):
    import_file(store.engine, "areas", store.areas(), "ann")
    first = import_file(store.engine, "cases", store.cases(*case_rows(), header=HEADER, name="a.csv"), "ann")
    assert (first.new, first.revised) == (N, 0)
    assert stored(store) == expected()
    fixes = {7: "asymptomatic", 1400: "asymptomatic"}
    again = import_file(store.engine, "cases", store.cases(*case_rows(changed=fixes), header=HEADER, name="b.csv"),
                        "ann")
    assert (again.new, again.revised, again.unchanged) == (0, 2, N - 2)
    assert stored(store) == expected(changed=fixes)
    assert [v["revision"] for v in record_history(store.engine, "cases", "病例01400")] == [1, 2]
    assert list(staged.iterdir()) == []  # every scratch file removed
    with store.engine.connect() as connection:
        names = [row[1] for row in connection.exec_driver_sql("PRAGMA database_list")] \
            if store.kind == "sqlite" else []
    assert not [name for name in names if name.startswith(SCRATCH_PREFIX)]  # and detached


def test_the_csv_copy_for_other_column_types_stores_the_same_values(store, monkeypatch):
    monkeypatch.setattr(pgcopy, "binary_kinds", lambda table, names: None)  # PostgreSQL: as for a type it lacks
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*case_rows(), header=HEADER, name="a.csv"), "ann")
    assert stored(store) == expected()


def test_ids_taken_in_one_call_leave_the_sequence_after_them(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*case_rows(), header=HEADER, name="a.csv"), "ann")
    more = import_file(store.engine, "cases", store.cases("new1,2020-03-01,350102001,confirmed,", name="b.csv"), "ann")
    assert more.new == 1
    with store.engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM case_reports ORDER BY id"))]
    assert len(ids) == N + 1 and ids[:N] == list(range(ids[0], ids[0] + N)) and ids[N] > ids[N - 1]


def test_a_failure_while_copying_a_staged_part_leaves_the_store_as_it_was(store, staged, monkeypatch):
    import_file(store.engine, "areas", store.areas(), "ann")
    before = store.snapshot()
    copy = sqlite_stage._copy_part
    calls = []

    def fail_on_the_second_part(*args):  # noqa: ANN002
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        copy(*args)

    monkeypatch.setattr(sqlite_stage, "_copy_part", fail_on_the_second_part)
    path = store.cases(*case_rows(), header=HEADER, name="a.csv")
    if store.kind == "sqlite":
        with pytest.raises(RuntimeError, match="disk full"):
            import_file(store.engine, "cases", path, "ann")
        assert store.snapshot() == before and list(staged.iterdir()) == []
    monkeypatch.setattr(sqlite_stage, "_copy_part", copy)
    assert import_file(store.engine, "cases", path, "ann").new == N


def test_binary_copy_round_trips_every_type_it_takes(store):
    if store.kind != "postgresql":
        assert pgcopy.binary_kinds(Table("t", MetaData(), Column("a", Integer)), ["a"]) == ["int4"]
        return
    table = Table("binary_copy", MetaData(), Column("a", SmallInteger), Column("b", Integer), Column("c", BigInteger),
                  Column("d", Boolean), Column("e", Date), Column("f", DateTime), Column("g", String),
                  Column("h", Text), Column("i", String(5)))
    data = pa.table({
        "a": pa.array([1, -2, None, 32767], pa.int64()),
        "b": pa.array([None, -2 ** 31, 2 ** 31 - 1, 0], pa.int64()),
        "c": pa.array([2 ** 62, None, -1, 5], pa.int64()),
        "d": pa.array([True, False, None, True]),
        "e": pa.array([dt.date(2000, 1, 1), dt.date(1969, 12, 31), None, dt.date(2099, 12, 31)]),
        "f": pa.array([dt.datetime(2024, 5, 6, 7, 8, 9, 123456), None, dt.datetime(1999, 12, 31, 23, 59, 59, 999999),
                       dt.datetime(2000, 1, 1)]),
        "g": pa.array(["", None, "汉字 ok", "x" * 1000]),
        "h": pa.array(["a\tb\nc", "\\N", None, '"q",']),
        "i": pa.array(["abcde", "", None, "é"]),
    })
    assert pgcopy.binary_kinds(table, data.schema.names) == ["int2", "int4", "int8", "bool", "date", "timestamp",
                                                            "text", "text", "text"]
    with writing(store.engine) as connection:
        table.create(connection)
        bulk.insert_arrow(connection, table, data.slice(1))  # a slice: its buffers start elsewhere
        bulk.insert_arrow(connection, table, data.slice(0, 1))
        rows = [tuple(row) for row in connection.execute(table.select())]
    assert sorted(rows, key=repr) == sorted((tuple(row.values()) for row in data.to_pylist()), key=repr)


def test_a_type_binary_copy_does_not_take_falls_back_to_csv():
    table = Table("t", MetaData(), Column("a", Integer), Column("j", DateTime(timezone=True)))
    assert pgcopy.binary_kinds(table, ["a", "j"]) is None


def key_text(table: pa.Table) -> pa.ChunkedArray:
    return revisions._key_text(revisions.COUNTS, table)


def counts(rows: list[tuple[str, dt.date, str, int | None]], revision: list[int] | None = None) -> pa.Table:
    table = pa.table({"area_code": [r[0] for r in rows], "date": pa.array([r[1] for r in rows], pa.date32()),
                      "metric": [r[2] for r in rows], "value": pa.array([r[3] for r in rows], pa.int64())})
    return table if revision is None else table.append_column("revision", pa.array(revision, pa.int64()))


def test_matching_finds_new_and_changed_records_across_batches_in_any_order():
    day = dt.date(2020, 2, 1)
    records = counts([("b", day, "m", 1), ("a", day, "m", None), ("a", day, "n", 3), ("c", day, "m", 4),
                      ("a", dt.date(2020, 1, 9), "m", 5)])  # not in key order
    matching = Matching(records, key_text, ["value"])
    matching.feed(counts([("c", day, "m", 4), ("zzzz-longer-than-any-key", day, "m", 1)], [1, 1]))
    matching.feed(counts([("a", day, "m", None), ("b", day, "m", 2), ("x", day, "m", 1)], [2, 5, 1]))
    matching.feed(counts([("a", dt.date(2020, 1, 9), "m", None)], [1]))  # null -> 5 is a change
    assert matching.new().to_pylist() == [{"area_code": "a", "date": day, "metric": "n", "value": 3, "revision": 1}]
    assert matching.revised().to_pylist() == [  # in the records' order
        {"area_code": "b", "date": day, "metric": "m", "value": 1, "revision": 6},
        {"area_code": "a", "date": dt.date(2020, 1, 9), "metric": "m", "value": 5, "revision": 2}]


def test_a_days_lookup_goes_through_the_key_index_not_the_index_on_superseded_at(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*case_rows(), header=HEADER, name="a.csv"), "ann")
    if store.kind != "sqlite":  # PostgreSQL plans with statistics: see docs/store.md
        return
    table = revisions.CASES.table
    with writing(store.engine) as connection:
        staged = revisions._temporary(connection, revisions.CASES, pa.table({"case_id": ["病例00001"]}), "lookup")
        for statement in (sql_select(table.c.id).where(revisions._current_of(connection, revisions.CASES, staged)),
                          table.update().where(revisions._current_of(connection, revisions.CASES, staged))
                          .values(superseded_at=dt.datetime(2030, 1, 1))):
            compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            plan = " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            assert "SEARCH case_reports USING INDEX sqlite_autoindex_case_reports_1 (case_id=?)" in plan, plan
