"""Build the other names of the demo's province, cities and county units (src/epizone/data/fujian2020/area_names.csv).

For each area of ``areas.csv`` that is not a township: the name in traditional characters (OpenCC ``s2t``; where
Taiwan's standard ``s2tw`` differs, e.g. 臺/台, that form goes into ``aliases`` too), in pinyin without tones, one
word per place name and one per generic part (``Gulou Qu``), and in English (``Gulou District``). Both converters
are build-time tools only, not dependencies of epizone; the output is committed and read by the dashboard demo.

    pip install pypinyin opencc   # in any throw-away environment
    python scripts/build_fujian_names.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import opencc
from pypinyin import Style, lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "epizone" / "data" / "fujian2020"
# Suffixes: (Chinese, pinyin word, English word); the longest match wins.
SUFFIXES = [("经济技术开发区", "Jingji Jishu Kaifaqu", "Economic and Technological Development Zone"),
            ("经济开发区", "Jingji Kaifaqu", "Economic Development Zone"),
            ("综合实验区", "Zonghe Shiyanqu", "Comprehensive Experimental Zone"),
            ("台商投资区", "Taishang Touziqu", "Taiwanese Investment Zone"),
            ("省", "Sheng", "Province"), ("市", "Shi", "City"), ("区", "Qu", "District"), ("县", "Xian", "County"),
            ("岛", "Dao", "Island")]
# pypinyin's reading is wrong or ambiguous for these place-name characters
READINGS = {"将乐": "jiang le", "长乐": "chang le", "长汀": "chang ting", "长泰": "chang tai",
            "厦门": "xia men",
            "蕉城": "jiao cheng", "柘荣": "zhe rong", "芗城": "xiang cheng", "马尾": "ma wei",
            "湄洲湾北岸": "mei zhou wan bei'an"}
PLACES = {"湄洲湾北岸": "Meizhou Bay North Shore"}  # English place names that are not the pinyin
# OpenCC writes 里 (a place-name character that stays 里) as 裏; other forms in common use go into aliases
TRADITIONAL = {"湖里区": "湖里區"}
OTHER_FORMS = {"台江区": ["台江區"], "泉州台商投资区": ["泉州台商投資區"], "龙岩市": ["龍岩市"],
               "湖里区": ["湖裡區"]}


def syllables(text: str) -> list[str]:
    if text in READINGS:
        return READINGS[text].replace("'", " ").split()
    return lazy_pinyin(text, style=Style.NORMAL, errors="ignore")


def joined(parts: list[str]) -> str:
    """Syllables as one word, with an apostrophe before a/e/o after the first (Xi'an)."""
    word = parts[0]
    for part in parts[1:]:
        word += ("'" if part[0] in "aeo" else "") + part
    return word.capitalize()


def names(name: str, kind: str) -> tuple[str, str]:
    """(pinyin, English) of one area name."""
    for suffix, pinyin_word, english_word in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            place = joined(syllables(stem))
            english = place if kind in ("city", "province") else f"{PLACES.get(stem, place)} {english_word}"
            return f"{place} {pinyin_word}", english
    place = joined(syllables(name))
    return place, place


def main() -> None:
    s2t, s2tw = opencc.OpenCC("s2t"), opencc.OpenCC("s2tw")
    with (DATA / "areas.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] != "township"]
    with (DATA / "area_names.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "name_traditional", "name_pinyin", "name_english", "aliases"])
        for r in rows:
            name = r["name"]
            traditional = TRADITIONAL.get(name, s2t.convert(name))
            others = [form for form in [s2tw.convert(name), *OTHER_FORMS.get(name, [])] if form != traditional]
            pinyin, english = names(name, r["kind"])
            writer.writerow([r["code"], name, traditional, pinyin, english, ";".join(dict.fromkeys(others))])
    print(f"{len(rows)} areas -> {DATA / 'area_names.csv'}")


if __name__ == "__main__":
    main()
