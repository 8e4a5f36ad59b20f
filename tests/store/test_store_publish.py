"""Runs from the store as of a moment, publication with announcements (zh and en), retraction, frozen rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from epizone.cli.db import app as db_app
from epizone.domain.cutoff import DataThrough
from epizone.store.db import reading
from epizone.store.imports import import_file
from epizone.store import changes
from epizone.store.changes import changes_of
from epizone.store.levels import current, in_force as ranked_in_force, levels_in_force, run_levels
from epizone.store.migrate import downgrade, upgrade
from epizone.store.publish import PublishConflict, PublishError, get_announcement, publish, retract
from epizone.services.runs import RunRequest, explain_run, run_assessment
from epizone.store.runs import RunError, get_run

D = dt.date
DAY = D(2020, 2, 5)
AREAS_EN = """code,name,parent_code,kind,population,name_english
35,福建省,,province,41540086,Fujian
3501,福州市,35,city,8291268,Fuzhou
350102,鼓楼区,3501,county,669090,Gulou District
350103,台江区,3501,county,411819,
350102001,鼓楼一街,350102,township,,
350103001,台江一街,350103,township,,
"""


def levels(store, run_id, date=DAY):
    with reading(store.engine) as connection:
        return {r.area_code: r.level for r in connection.execute(run_levels(get_run(store.engine, run_id), date))}


def in_force(store, date=DAY, known_at=None):
    with reading(store.engine) as connection:
        return {code: row["level"] for code, row in levels_in_force(connection, date, known_at).items()}


def one_day(**changes):
    return RunRequest("cn-2020-02", DAY, DAY, DataThrough(lag=0), data_end=DAY, **changes)


@pytest.fixture
def filled(store):
    import_file(store.engine, "areas", store.areas(AREAS_EN), "ann")
    import_file(store.engine, "cases", store.cases("c1,2020-02-01,350102001,confirmed,"), "ann")
    return store


def test_a_run_keeps_its_levels_and_a_later_correction_only_changes_later_runs(filled):
    first = run_assessment(filled.engine, one_day(), "ann")
    assert (first.rule_set, first.unit, first.units, first.rows, first.created_by) == ("cn-2020-02@1", "county", 2, 2,
                                                                                        "ann")
    assert levels(filled, first.id) == {"350102": "medium", "350103": "low"}
    moved = filled.cases("c1,2020-02-01,350103001,confirmed,", name="corrected.csv")
    assert import_file(filled.engine, "cases", moved, "bo").revised == 1
    assert levels(filled, first.id) == {"350102": "medium", "350103": "low"}  # frozen
    second = run_assessment(filled.engine, one_day(), "bo")
    assert second.data_as_of > first.data_as_of and second.last_batch_id == first.last_batch_id + 1
    assert levels(filled, second.id) == {"350102": "low", "350103": "medium"}
    replay = run_assessment(filled.engine, one_day(as_of=first.data_as_of), "cy")
    assert levels(filled, replay.id) == levels(filled, first.id)
    assert replay.last_batch_id == first.last_batch_id


def test_a_run_stores_reasons_in_both_languages_and_the_indicators(filled):
    run = run_assessment(filled.engine, one_day(), "ann")
    with reading(filled.engine) as connection:
        row = connection.execute(run_levels(run, DAY, areas=["350102"])).one()
    assert (row.reason_code, row.reason_zh) == ("medium.up_to_50", "14天内有新增确诊病例,累计确诊病例不超过50例")
    assert row.reason_en.startswith("New confirmed cases within 14 days")
    assert row.indicators == {"cumulative_confirmed": 1, "new_confirmed_14d": 1, "cluster_14d": False,
                              "days_since_last_confirmed": 4}
    explained = explain_run(filled.engine, run.id, "350102", DAY, "zh")
    assert (explained.level, explained.reason_code) == ("medium", "medium.up_to_50")


def test_runs_refuse_what_they_cannot_do(store):
    with pytest.raises(RunError, match="no data"):
        run_assessment(store.engine, one_day(), "ann")
    import_file(store.engine, "areas", store.areas(AREAS_EN), "ann")
    with pytest.raises(RunError, match="no cases or counts"):
        run_assessment(store.engine, one_day(), "ann")
    with pytest.raises(RunError, match="built-in rule set"):
        run_assessment(store.engine, RunRequest("nope", DAY, DAY), "ann")
    with pytest.raises(RunError, match="before start"):
        run_assessment(store.engine, RunRequest("cn-2020-02", DAY, DAY - dt.timedelta(days=1)), "ann")
    with pytest.raises(RunError, match="in the future"):
        run_assessment(store.engine, one_day(as_of=dt.datetime(2999, 1, 1)), "ann")


def test_publish_announces_the_changes_in_both_languages_and_retraction_reverts_them(filled):
    first = run_assessment(filled.engine, one_day(), "ann")
    one = publish(filled.engine, first.id, DAY, "ann")
    assert one.created and one.announcement.number == 1
    assert [(c["area_code"], c["from"], c["to"]) for c in one.announcement.body["changes"]] == [
        ("350102", None, "medium"), ("350103", None, "low")]
    assert "- Gulou District (鼓楼区, 350102): first published as Medium risk." in one.announcement.text_en
    assert "- 鼓楼区(350102):首次公布为中风险。" in one.announcement.text_zh
    assert publish(filled.engine, first.id, DAY, "ann").created is False  # the same again: nothing new

    import_file(filled.engine, "cases", filled.cases("c1,2020-02-01,350103001,confirmed,", name="moved.csv"), "bo")
    second = run_assessment(filled.engine, one_day(), "bo")
    two = publish(filled.engine, second.id, DAY, "bo", effective_date=D(2020, 2, 6))
    a = two.announcement
    assert (a.number, a.kind, a.effective_date, a.rule_set) == (2, "publish", D(2020, 2, 6), "cn-2020-02@1")
    assert [(c["area_code"], c["from"], c["to"]) for c in a.body["changes"]] == [
        ("350102", "medium", "low"), ("350103", "low", "medium")]
    assert a.text_en.splitlines()[:5] == [
        "Announcement No. 2: risk levels in force from 2020-02-06",
        "Under China State Council: county risk levels for zoned, graded, precise control (Feb 2020) (cn-2020-02@1); "
        "assessment run 2 for 2020-02-05, data through 2020-02-05.",
        "2 area(s) change level:",
        "- Gulou District (鼓楼区, 350102): Medium risk -> Low risk. Reason: No confirmed case.",
        "- 台江区 (350103): Low risk -> Medium risk. Reason: New confirmed cases within 14 days, no more than 50 "
        "cumulative.",
    ]
    assert "- 台江区(350103):由低风险调整为中风险。依据:14天内有新增确诊病例,累计确诊病例不超过50例。" in a.text_zh
    assert "现行风险等级:低风险1个,中风险1个。" in a.text_zh
    assert "- 中风险:实施“外防输入、内防扩散”策略;尽快有序恢复生产生活秩序。" in a.text_zh
    assert "- Low risk: Guard against imported cases" in a.text_en
    assert [m["level"] for m in a.body["measures"]] == ["low", "medium"]
    assert in_force(filled, D(2020, 2, 5)) == {"350102": "medium", "350103": "low"}
    assert in_force(filled, D(2020, 2, 6)) == {"350102": "low", "350103": "medium"}

    with pytest.raises(PublishConflict, match="in force from 2020-02-06"):
        publish(filled.engine, first.id, DAY, "ann")  # effective 02-05, before the latest
    with pytest.raises(PublishConflict, match="retract it before"):
        retract(filled.engine, 1, "ann", "typo")
    with pytest.raises(PublishError, match="needs a reason"):
        retract(filled.engine, 2, "ann", "  ")
    before_retraction = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    three = retract(filled.engine, 2, "cy", "the case was moved by mistake")
    assert (three.kind, three.retracts, three.number) == ("retraction", 2, 3)
    assert get_announcement(filled.engine, 2).retracted_by == 3
    assert [(c["area_code"], c["from"], c["to"]) for c in three.body["reverts"]] == [
        ("350102", "low", "medium"), ("350103", "medium", "low")]
    assert "From 2020-02-06 the levels of announcement No. 1 apply again; 2 area(s) revert:" in three.text_en
    assert "撤回第2号公告(自2020年2月6日起执行的风险等级),原因:the case was moved by mistake。" in three.text_zh
    assert in_force(filled, D(2020, 2, 6)) == {"350102": "medium", "350103": "low"}
    assert in_force(filled, D(2020, 2, 6), known_at=before_retraction) == {"350102": "low", "350103": "medium"}
    with pytest.raises(PublishConflict, match="was retracted by announcement No. 3"):
        retract(filled.engine, 2, "cy", "again")
    with pytest.raises(PublishConflict, match="is a retraction"):
        retract(filled.engine, 3, "cy", "no")
    with pytest.raises(PublishError, match="graded 2020-02-05 to 2020-02-05"):
        publish(filled.engine, first.id, D(2020, 2, 7), "ann")


@pytest.mark.parametrize("statement", [
    "UPDATE announcements SET text_en = 'changed'",
    "DELETE FROM announcements",
    "UPDATE published_levels SET level = 'high'",
    "DELETE FROM assessed_levels",
    "UPDATE assessment_runs SET created_by = 'someone else'",
])
def test_published_rows_are_frozen_by_the_database(filled, statement):
    run = run_assessment(filled.engine, one_day(), "ann")
    publish(filled.engine, run.id, DAY, "ann")
    before = filled.snapshot()
    with pytest.raises(DBAPIError, match="frozen"):
        with filled.engine.begin() as connection:
            connection.execute(text(statement))
    assert filled.snapshot() == before


def read_model(store):
    with reading(store.engine) as connection:
        return {r.area_code: r._asdict() for r in connection.execute(current())}


def ranked(store):
    """What the read model must hold: the latest row in force of each area, ranked from the publications."""
    with reading(store.engine) as connection:
        return {r.area_code: r._asdict() for r in connection.execute(ranked_in_force(D.max))}


def test_publication_keeps_the_changes_and_the_read_model_and_retraction_restores_it(filled):
    assert read_model(filled) == {}
    first = run_assessment(filled.engine, one_day(), "ann")
    publish(filled.engine, first.id, DAY, "ann")
    after_first = read_model(filled)
    assert {code: (r["level"], r["announcement"]) for code, r in after_first.items()} == {
        "350102": ("medium", 1), "350103": ("low", 1)}
    assert after_first == ranked(filled)
    unchanged = publish(filled.engine, first.id, DAY, "ann", effective_date=D(2020, 2, 6)).announcement
    assert (unchanged.body["changes"], unchanged.body["changes_count"], unchanged.body["unchanged"]) == ([], 0, 2)
    assert read_model(filled) == after_first  # nothing changed: the read model keeps the levels' first publication
    with reading(filled.engine) as connection:
        assert connection.scalar(text("SELECT count(*) FROM published_levels WHERE publication_id = 2")) == 0
    retract(filled.engine, 2, "cy", "published twice")
    assert read_model(filled) == after_first

    import_file(filled.engine, "cases", filled.cases("c1,2020-02-01,350103001,confirmed,", name="moved.csv"), "bo")
    second = run_assessment(filled.engine, one_day(), "bo")
    publish(filled.engine, second.id, DAY, "bo", effective_date=D(2020, 2, 7))
    assert {code: r["level"] for code, r in read_model(filled).items()} == {"350102": "low", "350103": "medium"}
    assert read_model(filled) == ranked(filled)
    assert in_force(filled, D(2020, 2, 6)) == {"350102": "medium", "350103": "low"}  # before the change: ranked
    retract(filled.engine, 4, "cy", "the case was moved by mistake")
    assert read_model(filled) == after_first == ranked(filled)


def test_large_announcements_are_summarised_by_parent_area_with_the_full_list_attached(filled, monkeypatch):
    monkeypatch.setattr(changes, "LIST_ALL", 1)
    monkeypatch.setattr(changes, "FIRST", 1)
    run = run_assessment(filled.engine, one_day(), "ann")
    body = publish(filled.engine, run.id, DAY, "ann").announcement.body
    assert (len(body["changes"]), body["changes_count"], body["attachment"]) == (1, 2, "/api/v1/announcements/1/changes")
    assert body["by_area"] == [{"area_code": "3501", "area_name": "福州市", "area_name_en": "Fuzhou", "areas": 2,
                                "to": {"low": 1, "medium": 1}}]
    text_en = get_announcement(filled.engine, 1).text_en
    assert "2 area(s) change level:\nBy area:\n- Fuzhou (福州市, 3501): 2 (Low risk 1, Medium risk 1).\n" \
           "The first 1:\n- Gulou District" in text_en
    assert "The full list (2 areas) is attached: /api/v1/announcements/1/changes?format=csv (CSV)" in text_en
    assert "按上级地区统计:\n- 福州市(3501):2个(低风险1个,中风险1个)。\n前1个:" in get_announcement(filled.engine, 1).text_zh
    full = changes_of(filled.engine, get_announcement(filled.engine, 1))
    assert [(c["area_code"], c["area_name_en"], c["from"], c["to"]) for c in full] == [
        ("350102", "Gulou District", None, "medium"), ("350103", None, None, "low")]
    retraction = retract(filled.engine, 1, "cy", "too early")
    assert (retraction.body["reverts_count"], len(retraction.body["reverts"])) == (2, 1)
    assert [(c["area_code"], c["from"], c["to"]) for c in changes_of(filled.engine, retraction)] == [
        ("350102", "medium", None), ("350103", "low", None)]
    assert read_model(filled) == {}


def test_the_migration_builds_the_read_model_from_the_publications_a_store_holds(filled):
    run = run_assessment(filled.engine, one_day(), "ann")
    publish(filled.engine, run.id, DAY, "ann")
    built = read_model(filled)
    downgrade(filled.engine, "0004")
    upgrade(filled.engine)
    assert read_model(filled) == built != {}


def test_the_command_line_prints_an_announcements_full_list(filled):
    run = run_assessment(filled.engine, one_day(), "ann")
    publish(filled.engine, run.id, DAY, "ann")
    listed = CliRunner().invoke(db_app, ["announcements", "changes", "1", "--db", filled.url])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[:2] == [
        "area_code,area_name,area_name_en,from,to,reason_code,reason.zh,reason.en",
        "350102,鼓楼区,Gulou District,,medium,medium.up_to_50,\"14天内有新增确诊病例,累计确诊病例不超过50例\","
        "\"New confirmed cases within 14 days, no more than 50 cumulative\""]
    as_json = CliRunner().invoke(db_app, ["announcements", "changes", "1", "--format", "json", "--db", filled.url])
    assert [c["to"] for c in json.loads(as_json.stdout)] == ["medium", "low"]
    assert CliRunner().invoke(db_app, ["announcements", "changes", "1", "--format", "xml", "--db", filled.url]
                              ).exit_code == 2
    assert CliRunner().invoke(db_app, ["announcements", "changes", "7", "--db", filled.url]).exit_code == 2
