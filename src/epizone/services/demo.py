"""The bundled demo: Fujian counties in February 2020 against the official list of 23 Feb 2020."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pyarrow as pa

from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, Summary, assess_table, assess_to_file
from epizone.services.compare import Comparison, Official, compare

OFFICIAL_DATE = dt.date(2020, 2, 23)
SERIES_START, SERIES_END = dt.date(2020, 1, 20), dt.date(2020, 3, 10)


def demo_file(name: str) -> Path:
    return Path(str(resources.files("epizone.data").joinpath("fujian2020", name)))


@dataclass
class DemoReport:
    table: pa.Table                    # the 88 units on 23 Feb (data to the 22nd)
    cities: dict[str, tuple[str, str]]  # unit code -> (city code, city name); the unit itself for 平潭
    summary: Summary
    comparison: Comparison             # lag:1, the announcement practice
    same_day: Comparison               # lag:0, for contrast: the window ends on the 23rd
    series_files: list[Path]
    series_summary: Summary
    notes: dict[str, str]              # unit code -> what the bundled data's caveats say about it


def official_levels(date: dt.date = OFFICIAL_DATE) -> list[Official]:
    with demo_file("official_levels.csv").open(encoding="utf-8") as handle:
        return [Official(r["area_code"], date, r["official_level"]) for r in csv.DictReader(handle)
                if r["as_of"] == date.isoformat()]


def run_demo(out_dir: Path, lang: str = "en") -> DemoReport:
    base = Request(areas=demo_file("areas.csv"), counts=demo_file("counts.csv"), rules="cn-2020-02", lang=lang)
    day = dict(start=OFFICIAL_DATE, end=OFFICIAL_DATE)
    table, summary = assess_table(_with(base, data_through=DataThrough(lag=1), **day))
    same_day, _ = assess_table(_with(base, data_through=DataThrough(lag=0), **day))
    official = official_levels()
    files = []
    series_summary = None
    for suffix in ("csv", "parquet"):
        path = out_dir / f"fujian_2020_county_levels.{suffix}"
        series_summary = assess_to_file(
            _with(base, start=SERIES_START, end=SERIES_END, data_through=DataThrough(lag=1)), path)
        files.append(path)
    return DemoReport(table, _cities(), summary, compare(table, official), compare(same_day, official),
                      files, series_summary, data_notes(lang))


def data_notes(lang: str) -> dict[str, str]:
    """Documented caveats of the reconstructed data, shown next to any disagreement they explain."""
    with demo_file("notes.csv").open(encoding="utf-8") as handle:
        return {r["area_code"]: r["note_zh" if lang == "zh" else "note_en"] for r in csv.DictReader(handle)}


def _with(base: Request, **changes: object) -> Request:
    return replace(base, **changes)


def _cities() -> dict[str, tuple[str, str]]:
    with demo_file("areas.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cities = {r["code"]: (r["code"], r["name"]) for r in rows if r["kind"] == "city"}
    return {r["code"]: cities.get(r["parent_code"], (r["code"], r["name"])) for r in rows if r["kind"] == "county"}
