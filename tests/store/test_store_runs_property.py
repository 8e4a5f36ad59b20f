"""Hypothesis: a store's daily runs, each continuing from the newest checkpoint the imports left valid (and
reading the records of the checkpoint's window from it), give the levels of full replays of the same days, for
every built-in rule set, with corrections to older dates (a case moved, reclassified, given or taken out of a
cluster) imported between the days. SQLite: the mechanism is the store's Python, the same on both databases
(PostgreSQL runs the example-based tests of test_store_runs_incremental.py)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inputs import AREAS
from epizone.domain.cutoff import DataThrough
from epizone.domain.rules import builtin_ids
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.db import make_engine, reading
from epizone.store.imports import import_file
from epizone.store.migrate import upgrade
from epizone.store.models import AssessedLevel

D0 = dt.date(2021, 3, 29)
SPAN = 14      # days of data
GRADED = 7     # the last days, graded one run a day
TOWNSHIPS = ["350102001", "350102002", "350103001"]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple], dict[int, list[tuple]]]:
    """Cases (id, day, township, classification, cluster) and, per graded day, corrections of older cases."""
    cases = [(f"c{i}", day, area, kind, cluster) for i, (day, area, kind, cluster) in enumerate(draw(st.lists(
        st.tuples(st.integers(0, SPAN - 1), st.sampled_from(TOWNSHIPS),
                  st.sampled_from(["confirmed", "confirmed", "asymptomatic"]), st.sampled_from(["", "k1", "k2"])),
        min_size=1, max_size=30)))]
    fixes: dict[int, list[tuple]] = {}
    for step in range(1, GRADED):
        today = SPAN - GRADED + step
        older = [c for c in cases if c[1] < today]
        for case in draw(st.lists(st.sampled_from(older), max_size=2, unique_by=lambda c: c[0])) if older else []:
            fixes.setdefault(step, []).append((case[0], case[1], draw(st.sampled_from(TOWNSHIPS)),
                                               draw(st.sampled_from(["confirmed", "asymptomatic"])),
                                               draw(st.sampled_from(["", "k1", "k3"]))))
    return cases, fixes


def write(folder: Path, name: str, rows: list[tuple]) -> Path:
    path = folder / name
    path.write_text("case_id,report_date,area_code,classification,cluster_id\n" + "".join(
        f"{i},{D0 + dt.timedelta(days=d)},{a},{k},{c}\n" for i, d, a, k, c in rows), encoding="utf-8")
    return path


def levels(engine, run_id: int) -> dict:  # noqa: ANN001
    a = AssessedLevel
    with reading(engine) as connection:
        rows = connection.execute(select(a.area_code, a.date, a.end_date, a.period_end, a.level, a.reason_code,
                                         a.data_through, a.indicators, a.event).where(a.run_id == run_id)).all()
    return {(r.area_code, r.date): tuple(r)[2:] for r in rows}


@pytest.mark.parametrize("rules", builtin_ids())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(), lag=st.integers(0, 2), unit=st.sampled_from(["county", "township"]))
def test_daily_store_runs_equal_full_replays(rules, history, lag, unit):
    cases, fixes = history
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        engine = make_engine(f"sqlite:///{folder / 'store.db'}")
        try:
            upgrade(engine)
            (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
            import_file(engine, "areas", folder / "areas.csv", "ann")
            for step in range(GRADED):
                today = SPAN - GRADED + step
                known = [c for c in cases if c[1] <= today]
                if known:
                    import_file(engine, "cases", write(folder, f"day-{step}.csv", known), "ann")
                if fixes.get(step):
                    import_file(engine, "cases", write(folder, f"fix-{step}.csv", fixes[step]), "ann")
                    fixed = {f[0]: f for f in fixes[step]}
                    cases = [fixed.get(c[0], c) for c in cases]
                if not known and not fixes.get(step):
                    continue
                day = D0 + dt.timedelta(days=today)
                request = dict(start=day, end=day, data_through=DataThrough(lag=lag), unit=unit)
                daily = run_assessment(engine, RunRequest(rules, **request), "ann")
                full = run_assessment(engine, RunRequest(rules, **request, full=True), "ann")
                assert levels(engine, daily.id) == levels(engine, full.id), (step, daily.summary["state"])
        finally:
            engine.dispose()
