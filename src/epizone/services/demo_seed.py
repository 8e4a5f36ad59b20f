"""The one demo seeder: the bundled Fujian 2020 data put into a store, for ``epizone ops demo``, the dashboard's
demo store (``epizone.services.demo_store``) and anyone seeding a store from Python.

``seed_levels(engine)``: the areas with their other names (traditional characters, pinyin, English:
``area_names.csv``, so search finds 廈門, xiamen or Xiamen), the bulletin counts, a ``cn-2020-02`` run over the
demo series 2020-01-20 .. 2020-03-10 with data to the day before (``lag:1``, the announcement practice) published
for every day of the series, then any unpublished runs of other rule sets over the same days, for comparison.
``load_demo(engine)``: the SYNTHETIC operations data (``epizone.ops.demo``), after seeding the levels when the
store has no areas yet, so that each county has a level on each February date.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, func, select

from epizone.domain.cutoff import DataThrough
from epizone.ops.demo import DEMO_USER, DemoLoad, load_operations
from epizone.services.demo import SERIES_END, SERIES_START, demo_file
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.db import reading
from epizone.store.imports import import_file
from epizone.store.models import AreaRecord
from epizone.store.publish import publish

PUBLISHED_RULES = "cn-2020-02"
ALIAS_COLUMNS = ("name_traditional", "name_pinyin", "name_english", "aliases")


def load_demo(engine: Engine, by: str = DEMO_USER, levels: bool = True) -> DemoLoad:
    """The synthetic operations demo, on the levels seeded first when ``levels`` and the store has no areas;
    idempotent."""
    seeded = levels and not _has_areas(engine)
    if seeded:
        seed_levels(engine, by)
    return replace(load_operations(engine, by), levels_seeded=seeded)


def seed_levels(engine: Engine, by: str = DEMO_USER, compared: Sequence[str] = ()) -> int:
    """Areas (with their other names), counts, a cn-2020-02 run over the demo series (lag:1) published every day,
    then a run of each rule set in ``compared``; the published run's id."""
    with tempfile.TemporaryDirectory(prefix="epizone-demo-") as scratch:
        import_file(engine, "areas", named_areas(Path(scratch) / "areas.csv"), by, name="areas.csv")
    import_file(engine, "counts", demo_file("counts.csv"), by, name="counts.csv")
    period = dict(start=SERIES_START, end=SERIES_END, data_through=DataThrough(lag=1))
    run = run_assessment(engine, RunRequest(PUBLISHED_RULES, **period), by)
    day = SERIES_START
    while day <= SERIES_END:
        publish(engine, run.id, day, by)
        day += dt.timedelta(days=1)
    for rules in compared:
        run_assessment(engine, RunRequest(rules, **period), by)
    return run.id


def named_areas(path: Path) -> Path:
    """``areas.csv`` with the other names of ``area_names.csv`` as alias columns, written to ``path``."""
    with demo_file("area_names.csv").open(encoding="utf-8") as handle:
        names = {r["code"]: r for r in csv.DictReader(handle)}
    with demo_file("areas.csv").open(encoding="utf-8") as source, path.open("w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, [*(reader.fieldnames or []), *ALIAS_COLUMNS], lineterminator="\n")
        writer.writeheader()
        for row in reader:
            other = names.get(row["code"], {})
            writer.writerow({**row, **{column: other.get(column, "") for column in ALIAS_COLUMNS}})
    return path


def _has_areas(engine: Engine) -> bool:
    with reading(engine) as connection:
        return connection.scalar(select(func.count()).select_from(AreaRecord)) > 0
