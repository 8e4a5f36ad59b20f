"""The dashboard's levels by area of the hierarchy (``store.drilldown``): the counts of every child equal the levels
in force (``levels.levels_in_force``) grouped by hand, on the latest day and on earlier days, the day's changes
equal a comparison with the day before, retractions and scopes are respected."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from epizone.domain.cutoff import DataThrough
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.db import reading
from epizone.store.areatree import Trees
from epizone.store.drilldown import AreaNotFound, grid, named_areas
from epizone.store.imports import import_file
from epizone.store.levels import levels_in_force
from epizone.store.publish import publish, retract
from epizone.store.state import store_state

D1, D2, D3 = dt.date(2020, 2, 1), dt.date(2020, 2, 2), dt.date(2020, 2, 3)
AREAS = """code,name,parent_code,kind,population,name_english
P1,甲省,,province,,Jia
P2,乙省,,province,,Yi
C11,甲一市,P1,city,,
C12,甲二市,P1,city,,
C21,乙一市,P2,city,,
K111,甲一一县,C11,county,,
K112,甲一二县,C11,county,,
K121,甲二一县,C12,county,,
K211,乙一一县,C21,county,,
K999,空县,C21,county,,
""" + "".join(f"{county}{n},{county}-{n}镇,{county},township,,\n"
              for county in ("K111", "K112", "K121", "K211") for n in range(1, 4))
# day 1: K1111 medium; day 2: K1122 high (60 cases, one cluster); day 3: K2113 medium
CASES = ["a1,2020-02-01,K1111,confirmed,", "a2,2020-02-01,K1111,confirmed,"] + [
    f"b{i},2020-02-02,K1122,confirmed,{'X' if i < 2 else ''}" for i in range(60)] + [
    "c1,2020-02-03,K2113,confirmed,"]


def township_parents() -> dict[str, str]:
    rows = [line.split(",") for line in AREAS.splitlines()[1:]]
    return {row[0]: row[2] for row in rows}


def ancestors(code: str) -> list[str]:
    up, found = township_parents(), []
    while code in up and up[code]:
        code = up[code]
        found.append(code)
    return found


@pytest.fixture
def published(store):
    import_file(store.engine, "areas", store.areas(AREAS), "ann")
    import_file(store.engine, "cases", store.cases(*CASES), "ann")
    run = run_assessment(store.engine, RunRequest("cn-2020-02", D1, D3, DataThrough(lag=0), unit="township",
                                                  data_end=D3), "ann")
    numbers = [publish(store.engine, run.id, day, "ann").announcement.number for day in (D1, D2, D3)]
    store.numbers = numbers
    return store


def drill(store, date, area=None, scope=None, trees=None):
    with reading(store.engine) as connection:
        return grid(connection, trees or Trees(), store_state(connection), date, area, scope)


def in_force(store, date):
    with reading(store.engine) as connection:
        return {code: row["level"] for code, row in levels_in_force(connection, date).items()}


def by_child(levels: dict[str, str], focus: str | None) -> dict[str, Counter]:
    """The levels grouped by the child of ``focus`` each unit is in (by hand, from the parents)."""
    grouped: dict[str, Counter] = {}
    for code, level in levels.items():
        chain = [code, *ancestors(code)][::-1]  # from the root down to the unit
        if focus is None:
            child = chain[0]
        elif focus in chain[:-1]:
            child = chain[chain.index(focus) + 1]
        else:
            continue
        grouped.setdefault(child, Counter())[level] += 1
    return grouped


@pytest.mark.parametrize("focus", [None, "P1", "C11", "K112", "P2"])
def test_every_child_counts_the_levels_in_force_below_it_on_every_day(published, focus):
    trees = Trees()  # one cache across the days, as a server keeps it
    for day in (D3, D1, D2):  # the latest day from the read model, the earlier ones from the publications
        levels = in_force(published, day)
        assert len(levels) == 12
        answer = drill(published, day, focus, trees=trees)
        expected = by_child(levels, focus)
        tiles = {tile["code"]: tile for tile in answer["tiles"]}
        assert list(tiles) == sorted(expected), day
        for code, tile in tiles.items():
            if code in levels:  # a township: its own level
                assert (tile["level"], "levels" in tile) == (levels[code], False)
            else:
                assert tile["levels"] == dict(expected[code]) and tile["units"] == sum(expected[code].values())
        assert answer["units"] == sum(sum(c.values()) for c in expected.values())
        assert answer["levels"] == dict(sum(expected.values(), Counter()))
        assert [a["code"] for a in answer["path"]] == ([] if focus is None else [*ancestors(focus)[::-1], focus])


def test_the_levels_move_with_the_days(published):
    assert set(in_force(published, D1).values()) == {"low", "medium"}
    assert drill(published, D2, "K112")["tiles"][1] == {
        "code": "K1122", "name": "K112-2镇", "kind": "township", "level": "high", "announcement": published.numbers[1]}
    assert drill(published, D1, "K112")["tiles"][1]["level"] == "low"


def test_the_changes_of_a_day_are_the_units_whose_level_differs_from_the_day_before(published):
    for day in (D2, D3):
        before, now = in_force(published, day - dt.timedelta(days=1)), in_force(published, day)
        expected = sorted(code for code in now if code in before and before[code] != now[code])
        answer = drill(published, day)["changes"]
        assert [item["code"] for item in answer["items"]] == expected and answer["total"] == len(expected)
        assert all((item["from"], item["to"]) == (before[item["code"]], now[item["code"]]) for item in answer["items"])
    assert drill(published, D2)["changes"]["items"][0]["code"] == "K1122"
    assert drill(published, D2, "P2")["changes"] == {"total": 0, "items": []}  # only the units below the focus
    assert drill(published, D1)["changes"] == {"total": 0, "items": []}  # a first publication changes nothing


def test_a_retraction_is_seen_at_once(published):
    trees = Trees()
    assert drill(published, D3, "K211", trees=trees)["tiles"][2]["level"] == "medium"
    retract(published.engine, published.numbers[2], "ann", "wrong data")
    assert drill(published, D3, "K211", trees=trees)["tiles"][2]["level"] == "low"
    assert drill(published, D3, trees=trees)["levels"] == dict(Counter(in_force(published, D3).values()))


def test_the_top_goes_down_while_there_is_one_area_and_unknown_areas_are_refused(published):
    answer = drill(published, D3, scope={"P2", "C21", "K211", "K2111", "K2112", "K2113"})
    assert answer["focus"]["code"] == "K211"  # one province, one city, one county with units
    assert [tile["code"] for tile in answer["tiles"]] == ["K2111", "K2112", "K2113"]
    assert drill(published, D3, scope={"K1111", "K2113"})["units"] == 2
    tiles = drill(published, D3, "P1", scope={"K1111", "K1211"})["tiles"]
    assert [(t["code"], t["units"]) for t in tiles] == [("C11", 1), ("C12", 1)]  # C11's other units are unseen
    with pytest.raises(AreaNotFound):
        drill(published, D3, "nowhere")


def test_the_list_of_areas_holds_the_units_and_the_areas_above_them(published):
    with reading(published.engine) as connection:
        found = named_areas(connection, Trees(), store_state(connection))
        scoped = named_areas(connection, Trees(), store_state(connection), {"C21", "K211", "K2111"})
    rows = {row[0]: dict(zip(found["columns"], row)) for row in found["rows"]}
    assert "K999" not in rows and len(rows) == 2 + 3 + 4 + 12  # an empty county is left out
    assert [code for code, row in rows.items() if row["published"]] == sorted(in_force(published, D3))
    assert rows["K1111"]["parent_code"] == "K111" and found["aliases"]["P1"] == [["english", "Jia"]]
    assert [row[0] for row in scoped["rows"]] == ["C21", "K211", "K2111"]
