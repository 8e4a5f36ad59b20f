"""Hypothesis: grading step by step from checkpoints equals one full replay, for every built-in rule set.

Each example draws a history (cases in clusters, some imported; the rule set's metrics; reported clusters),
a data cutoff and steps through its days in random strides, as a daily cycle would: before each step the
data dated up to the step's last day are known, and sometimes corrections to older dates arrive (a case
dropped, moved, reclassified, a metric changed). Each step runs with ``state`` (continuing from the newest
valid checkpoint) and is compared, row by row and column by column, with a full replay of the same inputs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epizone.domain.cutoff import DataThrough
from epizone.domain.rules import Cumulative, DaysSince, Metric, builtin_ids, load_rule_set
from epizone.services.assess import Request, assess_table
from epizone.services.state import StateDir

D0 = dt.date(2021, 3, 29)  # a Monday, before the Easter holidays of the working-day calendars
SPAN = 36
UNITS = ["U0", "U1", "U2"]
VALUES = [0.0, 1.0, 3.0, 9.5, 20.0, 49.9, 50.0, 99.9, 100.0, 100.1, 150.0, 200.0, 1000.0]


def metric_names(rules_id: str) -> list[str]:
    """The reported metrics a rule set reads."""
    names: set[str] = set()
    for ind in load_rule_set(rules_id).indicators.values():
        if isinstance(ind, Metric):
            names |= {s.metric for s in ind.sources} | {s.per for s in ind.sources if s.per}
        elif isinstance(ind, (Cumulative, DaysSince)) and ind.metric:
            names.add(ind.metric)
    return sorted(names)


@st.composite
def histories(draw: st.DrawFn, rules_id: str) -> dict:
    cases = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, SPAN - 1), st.sampled_from(["confirmed",
                          "confirmed", "asymptomatic"]), st.sampled_from(["", "", "k1", "k2", "k3"]), st.booleans()),
                          max_size=40))
    metrics = {}
    for name in metric_names(rules_id):
        for u, d, v in draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, SPAN - 1), st.sampled_from(VALUES)),
                                     max_size=40)):
            metrics[(u, d, name)] = v
    clusters = {(u, d): n for u, d, n in draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, SPAN - 1),
                                                                st.integers(0, 2)), max_size=4))}
    return {"cases": cases, "metrics": metrics, "clusters": clusters}


def corrections(draw: st.DrawFn, history: dict, before: int) -> None:
    """Change rows dated before ``before``: drop or move a case, reclassify one, change a metric value."""
    for _ in range(draw(st.integers(0, 2))):
        older = [i for i, c in enumerate(history["cases"]) if c[1] < before]
        kind = draw(st.sampled_from(["drop", "move", "kind", "metric", "add"]))
        if kind == "add":
            history["cases"].append((draw(st.integers(0, 2)), draw(st.integers(0, max(0, before - 1))), "confirmed",
                                     draw(st.sampled_from(["", "k1", "k4"])), False))
        elif kind == "metric" and history["metrics"]:
            key = draw(st.sampled_from(sorted(history["metrics"])))
            history["metrics"][key] = draw(st.sampled_from(VALUES))
        elif older:
            i = draw(st.sampled_from(older))
            u, d, c, k, imported = history["cases"][i]
            if kind == "drop":
                history["cases"].pop(i)
            elif kind == "move":
                history["cases"][i] = (u, draw(st.integers(0, max(0, before - 1))), c, k, imported)
            else:
                history["cases"][i] = (u, d, "asymptomatic" if c == "confirmed" else "confirmed", k, not imported)


def write(folder: Path, rules_id: str, history: dict, known: int) -> dict:
    """The inputs as files, with the rows dated up to ``known`` (the day's data); the request's sources."""
    unit = load_rule_set(rules_id).unit
    areas = folder / "areas.csv"
    areas.write_text("code,name,parent_code,kind,population\nP,Province,,province,\n" + "".join(
        f"{u},Unit {u},P,{unit},{100000 + 50000 * i}\n" for i, u in enumerate(UNITS)), encoding="utf-8")
    cases = folder / "cases.csv"
    cases.write_text("case_id,report_date,area_code,classification,cluster_id,imported\n" + "".join(
        f"c{i},{D0 + dt.timedelta(days=d)},{UNITS[u]},{c},{k},{str(imp).lower()}\n"
        for i, (u, d, c, k, imp) in enumerate(history["cases"]) if d <= known), encoding="utf-8")
    sources = {"areas": areas, "cases": cases}
    metrics = [(u, d, n, v) for (u, d, n), v in history["metrics"].items() if d <= known]
    if metrics:
        sources["metrics"] = folder / "metrics.csv"
        sources["metrics"].write_text("area_code,date,metric,value\n" + "".join(
            f"{UNITS[u]},{D0 + dt.timedelta(days=d)},{n},{v!r}\n" for u, d, n, v in metrics), encoding="utf-8")
    counts = [(u, d, n) for (u, d), n in history["clusters"].items() if d <= known]
    if counts:
        sources["counts"] = folder / "counts.csv"
        sources["counts"].write_text("area_code,date,metric,value\n" + "".join(
            f"{UNITS[u]},{D0 + dt.timedelta(days=d)},new_clusters,{n}\n" for u, d, n in counts), encoding="utf-8")
    return sources


def rows_by_key(table) -> dict:  # noqa: ANN001
    return {(r["area_code"], r["date"]): r for r in table.to_pylist()}


@pytest.mark.parametrize("rules_id", builtin_ids())
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_steps_from_checkpoints_equal_a_full_replay(rules_id, data):
    history = data.draw(histories(rules_id))
    through = data.draw(st.sampled_from([DataThrough(lag=0), DataThrough(lag=1), DataThrough(lag=3),
                                         DataThrough(date=D0 + dt.timedelta(days=20))]))
    start = data.draw(st.integers(0, 10))
    cells = data.draw(st.sampled_from([1 << 22, 40]))  # one chunk, or a chunk per unit
    with tempfile.TemporaryDirectory() as tmp:
        folder, state = Path(tmp), StateDir(Path(tmp) / "state")
        day = start - 1
        while day < SPAN - 1:
            day = min(SPAN - 1, day + data.draw(st.integers(1, 6)))
            if data.draw(st.booleans()):
                corrections(data.draw, history, day)
            sources = write(folder, rules_id, history, day)
            common = dict(rules=rules_id, start=D0 + dt.timedelta(days=start), end=D0 + dt.timedelta(days=day),
                          data_through=through, chunk_cells=cells, **sources)
            full, _ = assess_table(Request(**common))
            step, summary = assess_table(Request(**common, state=state))
            assert summary.state
            expected = rows_by_key(full)
            got = rows_by_key(step)
            assert got, summary.state
            for key, row in got.items():
                assert row == expected[key], (summary.state, key)
            assert max(k[1] for k in got) == common["end"]
