"""The bundled Fujian Feb 2020 demo data (src/epizone/data/fujian2020/).

These tests read only the bundled files; they are built by scripts/build_fujian_demo.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from importlib.resources import files

import pytest

DATA = files("epizone.data") / "fujian2020"

FIRST, LAST = dt.date(2020, 1, 20), dt.date(2020, 3, 9)
DAYS = [(FIRST + dt.timedelta(days=i)).isoformat() for i in range((LAST - FIRST).days + 1)]
ZONES = {"350305-BA": "350300", "350305-MZD": "350300", "350502-JK": "350500", "350521-TS": "350500"}

# Snapshot cells that differ on purpose (see SOURCE.md, "Re-attributions"): 集美区's cumulative
# falls from 5 (02-09) to 4 (02-12). The case is counted from its report date in the unit of its
# final attribution, 思明区, so the reconstructed 02-09 cumulative is 4 for 集美区 and 12 for 思明区.
REATTRIBUTED = {("350211", "2020-02-09"): -1, ("350203", "2020-02-09"): +1}


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = raw(name).decode("utf-8")
    rd = csv.DictReader(io.StringIO(text, newline=""))
    return list(rd.fieldnames or []), list(rd)


@pytest.fixture(scope="module")
def areas():
    header, rs = rows("areas.csv")
    assert header == ["code", "name", "parent_code", "kind", "population"]
    return rs


@pytest.fixture(scope="module")
def counties(areas):
    return [r["code"] for r in areas if r["kind"] == "county"]


@pytest.fixture(scope="module")
def series(counties):
    header, rs = rows("counts.csv")
    assert header == ["area_code", "date", "metric", "value"]
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rs:
        out[r["area_code"]][r["date"]] = int(r["value"])
    return out


@pytest.mark.parametrize("name", ["areas.csv", "counts.csv", "snapshots.csv", "official_levels.csv"])
def test_encoding_utf8_no_bom_lf(name):
    data = raw(name)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.endswith(b"\n")
    data.decode("utf-8")


def test_areas_kinds_and_tree(areas):
    kinds = Counter(r["kind"] for r in areas)
    assert kinds == {"province": 1, "city": 9, "county": 88, "township": 1165}
    codes = [r["code"] for r in areas]
    assert len(codes) == len(set(codes))
    by_code = {r["code"]: r for r in areas}
    parent_kind = {"city": {"province"}, "county": {"city", "province"}, "township": {"county"}}
    for r in areas:
        if r["kind"] == "province":
            assert (r["code"], r["parent_code"]) == ("350000", "")
            continue
        assert r["parent_code"] in by_code, r
        assert by_code[r["parent_code"]]["kind"] in parent_kind[r["kind"]], r
    cities = [r["code"] for r in areas if r["kind"] == "city"]
    assert cities == [f"350{i}00" for i in range(1, 10)]
    # only Pingtan hangs directly under the province
    assert [r["code"] for r in areas if r["kind"] == "county" and r["parent_code"] == "350000"] == ["350128"]
    assert by_code["350128"]["name"] == "平潭综合实验区"


def test_areas_populations(areas):
    by_code = {r["code"]: r for r in areas}
    assert by_code["350000"]["population"] == "41540086"
    cities = [r for r in areas if r["kind"] == "city"]
    assert sum(int(r["population"]) for r in cities) == 41540086
    for r in areas:
        if r["kind"] == "county":
            assert (r["population"] == "") == (r["code"] in ZONES), r
        if r["kind"] == "township":
            assert r["population"] == ""
    # zones are inside their host's census figure, so the counties still add up to the cities
    per_city = Counter()
    for r in areas:
        if r["kind"] == "county" and r["population"]:
            city = "350100" if r["code"] == "350128" else r["parent_code"]
            per_city[city] += int(r["population"])
    assert per_city == {r["code"]: int(r["population"]) for r in cities}


def test_economic_zones_and_townships(areas):
    by_code = {r["code"]: r for r in areas}
    for code, city in ZONES.items():
        assert by_code[code]["kind"] == "county" and by_code[code]["parent_code"] == city
        assert by_code[code[:6]]["kind"] == "county"  # the host exists
    assert by_code["350305108"]["parent_code"] == "350305-MZD"
    assert by_code["350502400"]["parent_code"] == "350502-JK"
    assert "350527000" not in by_code and "350122400" not in by_code
    assert "350527" not in by_code  # 金门县 is not a bulletin unit
    towns = [r for r in areas if r["kind"] == "township"]
    assert all(len(r["code"]) == 9 and r["code"].isdigit() for r in towns)
    pingtan = [r for r in towns if r["parent_code"] == "350128"]
    assert len(pingtan) == 15
    for r in towns:
        if r["code"] not in ("350305108", "350502400") and r["parent_code"] != "350128":
            assert r["code"][:6] == r["parent_code"], r


def test_counts_cover_every_unit_and_day_once(counties):
    _, rs = rows("counts.csv")
    assert len(rs) == 88 * len(DAYS) == 88 * 50
    keys = [(r["area_code"], r["date"]) for r in rs]
    assert len(set(keys)) == len(keys)
    assert set(keys) == {(c, d) for c in counties for d in DAYS}
    assert {r["metric"] for r in rs} == {"new_confirmed"}
    for r in rs:
        assert r["value"].isdigit(), r  # non-negative integer
    order = {c: i for i, c in enumerate(counties)}
    assert keys == sorted(keys, key=lambda k: (k[1], order[k[0]]))


def test_reconstruction_matches_snapshots(series, counties):
    header, rs = rows("snapshots.csv")
    assert header == ["area_code", "as_of", "cumulative_confirmed"]
    as_of = sorted({r["as_of"] for r in rs})
    assert as_of == ["2020-02-09", "2020-02-12", "2020-02-14", "2020-02-17",
                     "2020-02-22", "2020-02-23", "2020-03-09"]
    assert len(rs) == 88 * len(as_of)
    snap = {(r["area_code"], r["as_of"]): int(r["cumulative_confirmed"]) for r in rs}
    assert {c for c, _ in snap} == set(counties)
    diffs = {}
    for (code, s), published in snap.items():
        cum = sum(n for d, n in series[code].items() if d <= s)
        if cum != published:
            diffs[(code, s)] = cum - published
    assert diffs == REATTRIBUTED
    # the reason: 集美区 falls from 5 to 4 in the published snapshots
    assert (snap[("350211", "2020-02-09")], snap[("350211", "2020-02-12")]) == (5, 4)
    # province totals (bulletin total minus the 12 out-of-province residents)
    totals = {s: sum(snap[(c, s)] for c in counties) for s in as_of}
    assert totals == {"2020-02-09": 249, "2020-02-12": 267, "2020-02-14": 273, "2020-02-17": 280,
                      "2020-02-22": 281, "2020-02-23": 281, "2020-03-09": 284}


def test_selected_days_and_known_facts(series, areas):
    code = {r["name"]: r["code"] for r in areas if r["kind"] == "county"}

    def day(d):
        return {c: s[d] for c, s in series.items() if s[d]}

    # bulletin county breakdowns (2 Feb: labelled 2020-02-03 in the raw file, see SOURCE.md)
    assert sum(day("2020-02-02").values()) == 20
    assert day("2020-02-06") == {code[n]: k for n, k in [
        ("闽侯县", 1), ("思明区", 1), ("集美区", 1), ("城厢区", 2), ("沙县", 1), ("永春县", 1), ("永定区", 2)]}
    assert day("2020-02-17") == {code["仓山区"]: 2}
    assert day("2020-02-22") == day("2020-02-23") == day("2020-03-09") == {}
    assert day("2020-02-18") == {code["古田县"]: 1}
    assert day("2020-02-24") == {code["晋江市"]: 1}
    assert day("2020-02-26") == {code["闽侯县"]: 1, code["荔城区"]: 1}
    songxi = series[code["松溪县"]]
    assert max(d for d, n in songxi.items() if n) == "2020-02-09"
    assert all(n == 0 for c, s in series.items() for d, n in s.items() if d > "2020-02-26")
    assert all(n == 0 for d, n in series[code["平潭综合实验区"]].items())


EXPECTED_LISTS = {
    "2020-02-13": ("fujian_4class", {"none": 28, "sporadic": 35, "general": 19, "many_cases": 6}),
    "2020-02-16": ("fujian_4class", {"none": 27, "sporadic": 41, "general": 16, "many_cases": 4}),
    "2020-02-23": ("national_3class", {"low": 66, "medium": 22}),
}


def test_official_levels(counties):
    header, rs = rows("official_levels.csv")
    assert header == ["area_code", "area_name", "city", "as_of", "scheme", "official_level",
                      "official_category_zh", "derivation", "source_url"]
    assert len(rs) == 3 * 88
    by_date = defaultdict(list)
    for r in rs:
        by_date[r["as_of"]].append(r)
    assert set(by_date) == set(EXPECTED_LISTS)
    for d, (scheme, per_level) in EXPECTED_LISTS.items():
        lst = by_date[d]
        assert sorted(r["area_code"] for r in lst) == sorted(counties)
        assert {r["scheme"] for r in lst} == {scheme}
        assert Counter(r["official_level"] for r in lst) == per_level
        assert all(r["source_url"] for r in lst)
    high = [r for r in by_date["2020-02-23"] if r["official_level"] == "high"]
    assert high == []
    derived = sorted(r["area_name"] for r in by_date["2020-02-13"]
                     if r["derivation"] == "complement_of_other_categories")
    assert derived == sorted(["福清市", "思明区", "城厢区", "晋江市", "南安市", "古田县"])
