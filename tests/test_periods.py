"""Level periods (``output="periods"``) against the dense output of the same request.

Expanding the periods back to days must give the level of every dense day, and each period's row must be
the dense row of its first day (level, reason, cutoff, event and every indicator); periods are maximal,
the last one of a unit ends on the request's end date, and the summaries agree.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from builders import write_csv
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table, assess_to_file
from test_engine_property import SPAN, case_lists, day, hierarchies

DEMO = Path(__file__).resolve().parents[1] / "src" / "epizone" / "data" / "fujian2020"
FLAGS = ("high_risk_site", "medium_risk_site", "mass_testing_negative")
RULE_SETS = ("cn-2020-02", "cn-2020-09", "cn-2022-06", "cn-2022-06", "cn-2022-11")  # timed: more often


def expand(dense: pa.Table, periods: pa.Table, end: dt.date) -> None:
    """Assert that ``periods`` is the dense table cut into maximal runs of one level."""
    days = {(r["area_code"], r["date"]): r for r in dense.to_pylist()}
    covered: dict[tuple[str, dt.date], str] = {}
    last: dict[str, dict] = {}
    for row in periods.to_pylist():
        code, start = row["area_code"], row["start"]
        first = days[(code, start)]
        assert {k: v for k, v in row.items() if k not in ("start", "end")} == \
            {k: v for k, v in first.items() if k != "date"}, (code, start)
        assert row["start"] <= row["end"] <= end
        previous = last.get(code)
        if previous is None:
            assert start == min(d for c, d in days if c == code), code
        else:
            assert start == previous["end"] + dt.timedelta(days=1) and row["level"] != previous["level"], (code, start)
        last[code] = row
        for n in range((row["end"] - start).days + 1):
            covered[(code, start + dt.timedelta(days=n))] = row["level"]
    assert covered == {key: r["level"] for key, r in days.items()}
    assert all(row["end"] == end for row in last.values())


def both(req: Request) -> tuple[pa.Table, pa.Table]:
    dense, summary = assess_table(req)
    periods, by_periods = assess_table(req, output="periods")
    assert periods.schema.names == [n for n in dense.schema.names if n != "date"][:2] + ["start", "end"] + \
        [n for n in dense.schema.names if n not in ("area_code", "area_name", "date")]
    assert (by_periods.unit_days_by_level, by_periods.last_day_by_level) == \
        (summary.unit_days_by_level, summary.last_day_by_level)
    assert by_periods.rows == periods.num_rows and summary.rows == dense.num_rows
    return dense, periods


@st.composite
def requests(draw: st.DrawFn, folder: Path) -> Request:
    """Random areas, cases and (for cn-2022-06) designation and testing flags; a rule set, unit, period,
    cutoff, data end (days past it are unknown) and chunk size."""
    areas = draw(hierarchies())
    codes = [a.code for a in areas]
    rules = draw(st.sampled_from(RULE_SETS))
    cases = draw(case_lists(codes, max_size=40))
    areas_file = write_csv(folder / "areas.csv", ["code", "name", "parent_code", "kind", "population"],
                           [[a.code, a.name, a.parent_code, a.kind, draw(st.sampled_from([None, 900, 150000]))]
                            for a in areas])
    cases_file = write_csv(folder / "cases.csv", ["case_id", "report_date", "area_code", "classification",
                                                  "cluster_id"],
                           [[c.case_id, c.report_date, c.area_code, c.classification, c.cluster_id] for c in cases])
    unit = draw(st.sampled_from(["county", "township"]))
    metrics = None
    if rules == "cn-2022-06":  # flags at units (metrics above the unit do not count)
        units = [a.code for a in areas if a.kind == unit]
        flags = draw(st.sets(st.tuples(st.sampled_from(units), st.integers(0, SPAN - 1), st.sampled_from(FLAGS)),
                             max_size=40))
        metrics = write_csv(folder / "metrics.csv", ["area_code", "date", "metric", "value"],
                            [[code, day(n), name, 1] for code, n, name in sorted(flags)])
    start = draw(st.integers(-5, SPAN))
    return Request(areas=areas_file, cases=cases_file, metrics=metrics, rules=rules,
                   unit=unit, start=day(start),
                   end=day(start + draw(st.integers(0, 40))), data_through=DataThrough(lag=draw(st.integers(0, 2))),
                   data_end=draw(st.none() | st.integers(SPAN - 20, SPAN + 10).map(day)),
                   chunk_cells=draw(st.sampled_from([1, 7, 50, 1 << 22])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_periods_expand_to_the_dense_output(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        req = data.draw(requests(Path(folder)))
        dense, periods = both(req)
        expand(dense, periods, req.end)
        changed = periods.num_rows > len(set(dense["area_code"].to_pylist()))
        event(f"{req.rules}: {'levels change' if changed else 'flat'}")  # --hypothesis-show-statistics
        if "event" in periods.schema.names:
            event(f"{req.rules}: a move on a period's first day: {periods['event'].null_count < periods.num_rows}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_periods_split_at_breaks(data: st.DataObject) -> None:
    """Split at random days (as a store run keeps the values of some days): each row is the dense row of its
    first day; rows start exactly at level changes and at the break days; a row beginning a level period
    says where the unsplit period ends, a row continuing one says nothing."""
    with tempfile.TemporaryDirectory() as folder:
        req = data.draw(requests(Path(folder)))
        breaks = data.draw(st.sets(st.integers(-10, 50).map(lambda n: req.start + dt.timedelta(days=n)), max_size=6))
        dense, periods = both(req)
        split, summary = assess_table(req, output="periods", breaks=breaks)
        assert split.schema.names == [*periods.schema.names[:4], "period_end", *periods.schema.names[4:]]
        ends = {(r["area_code"], r["start"]): r["end"] for r in periods.to_pylist()}
        days = {(r["area_code"], r["date"]): r for r in dense.to_pylist()}
        previous: dict[str, dict] = {}
        for row in split.to_pylist():
            code, start = row["area_code"], row["start"]
            first = days[(code, start)]
            assert {k: v for k, v in row.items() if k not in ("start", "end", "period_end")} == \
                {k: v for k, v in first.items() if k != "date"}, (code, start)
            before = previous.get(code)
            opens = before is None or before["level"] != row["level"]
            assert opens or start in breaks, (code, start)
            if before is not None:
                assert start == before["end"] + dt.timedelta(days=1)
            assert row["period_end"] == (ends[(code, start)] if opens else None), (code, start)
            assert (code, start) in ends or not opens
            previous[code] = row
        shown = {d for _, d in days}
        assert {(c, d) for c, d in days if d in breaks} <= {(r["area_code"], r["start"]) for r in split.to_pylist()}
        assert split.num_rows == periods.num_rows + sum(
            1 for (c, d) in days if d in breaks and d in shown and (c, d) not in ends)
        assert summary.unit_days_by_level == assess_table(req)[1].unit_days_by_level


AREAS = [["P", "Province", None, "province", None], ["K1", "County 1", "P", "county", None],
         ["K2", "County 2", "P", "county", None], ["K3", "County 3", "P", "county", None]]
D = dt.date(2020, 2, 1)


def _request(folder: Path, cases: list[tuple[str, int]], end: int = 9, **options) -> Request:  # noqa: ANN003
    """Counties K1..K3 graded D .. D + end (the data cover it unless ``data_end`` says otherwise); ``cases``:
    (county, day offset) of confirmed cases in one cluster."""
    areas = write_csv(folder / "areas.csv", ["code", "name", "parent_code", "kind", "population"], AREAS)
    rows = [[f"c{i}", D + dt.timedelta(days=n), code, "confirmed", "k"] for i, (code, n) in enumerate(cases)]
    path = write_csv(folder / "cases.csv", ["case_id", "report_date", "area_code", "classification", "cluster_id"],
                     rows)
    options.setdefault("data_end", D + dt.timedelta(days=end))
    return Request(areas=areas, cases=path, start=D, end=D + dt.timedelta(days=end), **options)


def _periods(req: Request) -> dict[str, list[tuple[dt.date, dt.date, str]]]:
    dense, periods = both(req)
    expand(dense, periods, req.end)
    found: dict[str, list[tuple[dt.date, dt.date, str]]] = {}
    for row in periods.to_pylist():
        found.setdefault(row["area_code"], []).append((row["start"], row["end"], row["level"]))
    return found


def test_a_unit_that_never_changes_has_one_period(tmp_path):
    found = _periods(_request(tmp_path, [("K1", 3)]))
    end = D + dt.timedelta(days=9)
    assert found["K2"] == found["K3"] == [(D, end, "low")]


def test_changes_on_the_first_and_on_the_last_day(tmp_path):
    # K1: medium since the day before the period; K2: its first case on the last day; K3: on the first day
    found = _periods(_request(tmp_path, [("K1", -1), ("K2", 9), ("K3", 0)]))
    end = D + dt.timedelta(days=9)
    assert found["K1"] == found["K3"] == [(D, end, "medium")]
    assert found["K2"] == [(D, end - dt.timedelta(days=1), "low"), (end, end, "medium")]


def test_unknown_days_form_periods(tmp_path):
    req = _request(tmp_path, [("K1", 2)], data_end=D + dt.timedelta(days=5), data_through=DataThrough(lag=1))
    found = _periods(req)
    assert found["K1"] == [(D, D + dt.timedelta(days=2), "low"), (D + dt.timedelta(days=3), D + dt.timedelta(days=6),
                                                                   "medium"),
                           (D + dt.timedelta(days=7), D + dt.timedelta(days=9), "unknown")]
    assert found["K2"] == [(D, D + dt.timedelta(days=6), "low"), (D + dt.timedelta(days=7), D + dt.timedelta(days=9),
                                                                  "unknown")]


def test_the_fujian_demo_to_periods_and_files(tmp_path):
    req = Request(areas=DEMO / "areas.csv", counts=DEMO / "counts.csv")
    dense, periods = both(req)
    expand(dense, periods, dense.column("date").to_pylist()[-1])
    assert periods.num_rows < dense.num_rows / 10
    for suffix in ("csv", "parquet", "json"):
        summary = assess_to_file(req, tmp_path / f"periods.{suffix}", output="periods")
        assert summary.rows == periods.num_rows
    written = pq.read_table(tmp_path / "periods.parquet")
    assert written.schema == periods.schema and written.equals(periods)
    assert (tmp_path / "periods.csv").read_text(encoding="utf-8").splitlines()[0].startswith(
        "\"area_code\",\"area_name\",\"start\",\"end\",\"level\",\"rule_set\"")


def test_an_unknown_output_is_refused_before_reading(tmp_path):
    with pytest.raises(ValueError, match="--output weekly: expected one of dense, periods"):
        assess_to_file(Request(areas=tmp_path / "missing.csv", cases=tmp_path / "missing.csv"),
                       tmp_path / "out.csv", output="weekly")
    assert not list(tmp_path.iterdir())
