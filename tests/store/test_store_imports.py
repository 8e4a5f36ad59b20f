"""Imports: areas, cases and counts land in the store; re-imports change nothing; bad files write nothing."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from epizone.domain.problems import InputError
from epizone.store.imports import import_file
from epizone.store.models import AreaAlias, AuditEntry, ImportBatch
from epizone.store.queries import records_as_of

D = dt.date


def rows(store, kind):
    return records_as_of(store.engine, kind).drop_columns(["recorded_at", "batch_id"]).to_pylist()


def test_areas_with_validity_and_aliases(store):
    path = store.areas("""code,name,parent_code,kind,population,valid_from,valid_to,name_traditional,name_pinyin,name_english,aliases
35,福建省,,province,41540086,2000-01-01,,福建省,Fujian Sheng,Fujian,闽;Min
3501,福州市,35,city,8291268,,2030-12-31,,Fuzhou Shi,Fuzhou,
350102,鼓楼区,3501,county,,,,鼓樓區,,,
""")
    result = import_file(store.engine, "areas", path, "ann")
    assert (result.rows_read, result.new, result.revised, result.aliases_new) == (3, 3, 0, 8)
    assert rows(store, "areas") == [
        {"code": "35", "name": "福建省", "parent_code": None, "kind": "province", "population": 41540086,
         "valid_from": D(2000, 1, 1), "valid_to": None, "revision": 1},
        {"code": "3501", "name": "福州市", "parent_code": "35", "kind": "city", "population": 8291268,
         "valid_from": None, "valid_to": D(2030, 12, 31), "revision": 1},
        {"code": "350102", "name": "鼓楼区", "parent_code": "3501", "kind": "county", "population": None,
         "valid_from": None, "valid_to": None, "revision": 1},
    ]
    with store.engine.connect() as connection:
        aliases = set(connection.execute(select(AreaAlias.area_code, AreaAlias.kind, AreaAlias.alias)))
    assert aliases == {("35", "traditional", "福建省"), ("35", "pinyin", "Fujian Sheng"), ("35", "english", "Fujian"),
                       ("35", "other", "闽"), ("35", "other", "Min"), ("3501", "pinyin", "Fuzhou Shi"),
                       ("3501", "english", "Fuzhou"), ("350102", "traditional", "鼓樓區")}


def test_cases_are_stored_as_given_with_identical_repeats_once(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    path = store.cases("c1,2020-02-01,350102001,confirmed,K1,2020-01-28,yes",
                       "c2, 2020-02-02 ,350103,asymptomatic,,,",
                       "c1,2020-02-01,350102001,confirmed,K1,2020-01-28,yes",
                       header="case_id,report_date,area_code,classification,cluster_id,onset_date,imported")
    result = import_file(store.engine, "cases", path, "ann")
    assert (result.rows_read, result.new, result.revised, result.unchanged) == (3, 2, 0, 0)
    assert rows(store, "cases") == [
        {"case_id": "c1", "report_date": D(2020, 2, 1), "area_code": "350102001", "classification": "confirmed",
         "cluster_id": "K1", "onset_date": D(2020, 1, 28), "imported": True, "revision": 1},
        {"case_id": "c2", "report_date": D(2020, 2, 2), "area_code": "350103", "classification": "asymptomatic",
         "cluster_id": None, "onset_date": None, "imported": None, "revision": 1},
    ]


def test_counts(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    path = store.counts("350102,2020-02-01,new_confirmed,3", "350102,2020-02-01,new_clusters,1",
                        "350103,2020-02-02,new_confirmed,2.0", "350102,2020-02-01,new_confirmed,3")
    result = import_file(store.engine, "counts", path, "ann")
    assert (result.rows_read, result.new) == (4, 3)
    assert rows(store, "counts") == [
        {"area_code": "350102", "date": D(2020, 2, 1), "metric": "new_clusters", "value": 1, "revision": 1},
        {"area_code": "350102", "date": D(2020, 2, 1), "metric": "new_confirmed", "value": 3, "revision": 1},
        {"area_code": "350103", "date": D(2020, 2, 2), "metric": "new_confirmed", "value": 2, "revision": 1},
    ]


CASES = ["c1,2020-02-01,350102001,confirmed,K1", "c2,2020-02-02,350103,confirmed,", "c3,2020-02-03,350103,asymptomatic,"]


def test_importing_the_same_file_again_changes_nothing(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    path = store.cases(*CASES)
    first = import_file(store.engine, "cases", path, "ann")
    before = store.snapshot()
    again = import_file(store.engine, "cases", path, "bo")
    assert not again.changed and again.same_file_as == first.batch_id
    assert store.snapshot() == before


def test_the_same_content_in_another_file_changes_nothing(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*CASES), "ann")
    before = store.snapshot()
    reordered = store.cases(CASES[2], " c1 ,2020-02-01, 350102001,confirmed,K1".replace(" c1 ", "c1"), CASES[1],
                            name="re-export.csv")
    result = import_file(store.engine, "cases", reordered, "bo")
    assert (result.changed, result.unchanged, result.same_file_as) == (False, 3, None)
    table = pa.table({"case_id": ["c1", "c2", "c3"], "report_date": [D(2020, 2, 1), D(2020, 2, 2), D(2020, 2, 3)],
                      "area_code": ["350102001", "350103", "350103"],
                      "classification": ["confirmed", "confirmed", "asymptomatic"], "cluster_id": ["K1", "", None]})
    pq.write_table(table, store.root / "cases.parquet")
    result = import_file(store.engine, "cases", store.root / "cases.parquet", "bo")
    assert (result.changed, result.unchanged) == (False, 3)
    assert store.snapshot() == before


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(store):
    import_file(store.engine, "areas", store.areas(), "ann")
    import_file(store.engine, "cases", store.cases(*CASES), "ann")
    before = store.snapshot()
    good = [f"n{i},2020-02-10,350102002,confirmed," for i in range(200)]
    bad = good[:50] + ["b1,2020-02-30,350102002,confirmed,"] + good[50:120] + \
        ["b2,2020-02-10,999999,confirmed,", "b3,2020-02-10,350102002,probable,"] + good[120:]
    with pytest.raises(InputError) as caught:
        import_file(store.engine, "cases", store.cases(*bad, name="bad.csv"), "ann")
    found = {(p.line, p.column, p.value) for p in caught.value.problems}
    assert found == {(52, "report_date", "2020-02-30"), (123, "area_code", "999999"),
                     (124, "classification", "probable")}
    assert "bad.csv:123: column 'area_code' (3): value '999999': the code of an area in the store" in str(caught.value)
    assert store.snapshot() == before


def test_bad_areas_and_counts_files_import_nothing(store):
    before = store.snapshot()
    with pytest.raises(InputError) as caught:
        import_file(store.engine, "areas", store.areas(
            "code,name,parent_code,kind,population,valid_from\n35,F,,province,x,\n3501,Fz,99,city,1,2020-13-01\n"), "a")
    assert {(p.line, p.column) for p in caught.value.problems} == {(2, "population"), (3, "parent_code"),
                                                                    (3, "valid_from")}
    import_file(store.engine, "areas", store.areas(), "ann")
    middle = store.snapshot()
    assert middle != before
    with pytest.raises(InputError) as caught:
        import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,3",
                                                         "350102,2020-02-01,new_confirmed,-1",
                                                         "350102,2020-02-02,new_deaths,1"), "ann")
    assert {(p.line, p.column) for p in caught.value.problems} == {(3, "value"), (4, "metric")}
    assert store.snapshot() == middle


def test_cases_need_their_areas_in_the_store(store):
    with pytest.raises(InputError) as caught:
        import_file(store.engine, "cases", store.cases(*CASES), "ann")
    assert {p.line for p in caught.value.problems} == {2, 3, 4}
    with store.engine.connect() as connection:
        assert connection.scalar(select(ImportBatch.id)) is None


def test_every_import_is_in_the_audit_log(store):
    areas = import_file(store.engine, "areas", store.areas(), "ann")
    cases = import_file(store.engine, "cases", store.cases(*CASES), "bo")
    counts = import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,3"), "cy")
    import_file(store.engine, "counts", store.counts("350102,2020-02-01,new_confirmed,3", name="again.csv"), "dee")
    with store.engine.connect() as connection:
        log = connection.execute(select(AuditEntry).order_by(AuditEntry.id)).mappings().all()
        batches = connection.execute(select(ImportBatch).order_by(ImportBatch.id)).mappings().all()
    assert [(e["user_name"], e["action"], e["entity"], e["entity_id"]) for e in log] == [
        ("ann", "import.areas", "import_batch", str(areas.batch_id)),
        ("bo", "import.cases", "import_batch", str(cases.batch_id)),
        ("cy", "import.counts", "import_batch", str(counts.batch_id)),
    ]
    assert log[1]["before"] is None
    assert log[1]["after"]["file"] == str(store.root / "cases.csv")
    assert (log[1]["after"]["sha256"], log[1]["after"]["new"]) == (cases.sha256, 3)
    assert [(b["kind"], b["user_name"], b["rows_read"], b["rows_new"]) for b in batches] == [
        ("areas", "ann", 7, 7), ("cases", "bo", 3, 3), ("counts", "cy", 1, 1)]
    assert [e["recorded_at"] for e in log] == [b["recorded_at"] for b in batches]
