"""The demo's other names (area_names.csv), which search finds areas by: one row per province, city and county
unit of areas.csv, with the same name, a traditional form, and pinyin and English in plain letters."""

from __future__ import annotations

import csv
import re

from epizone.services.demo import demo_file


def rows(name: str) -> list[dict[str, str]]:
    with demo_file(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_area_above_the_townships_has_its_other_names():
    names = {r["code"]: r for r in rows("area_names.csv")}
    areas = {r["code"]: r["name"] for r in rows("areas.csv") if r["kind"] != "township"}
    assert {code: r["name"] for code, r in names.items()} == areas and len(areas) == 98
    for row in names.values():
        assert row["name_traditional"] and re.fullmatch(r"[A-Za-z' ]+", row["name_pinyin"]), row
        assert re.fullmatch(r"[A-Za-z' ]+", row["name_english"]), row


def test_the_names_people_search_for():
    names = {r["code"]: r for r in rows("area_names.csv")}
    assert (names["350200"]["name_traditional"], names["350200"]["name_english"]) == ("廈門市", "Xiamen")
    assert (names["350105"]["name_pinyin"], names["350105"]["name_english"]) == ("Mawei Qu", "Mawei District")
    assert names["350111"]["name_english"] == "Jin'an District"
    assert names["350206"]["name_traditional"] == "湖里區"  # 里 of a place name stays 里
    assert "台江區" in names["350103"]["aliases"].split(";")
