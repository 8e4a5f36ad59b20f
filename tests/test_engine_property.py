"""Property tests: the engine agrees with the reference evaluator on random small inputs.

Each example builds a hierarchy (province > 1-3 cities > 1-4 counties > 0-4 townships), a line list
and/or a count table, a period, a data cutoff and maybe a data end; it is graded by both at the
county and at the township unit and every row is compared: level, reason code, cutoff and every
indicator (a null days_since is None on both sides).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import Result, Scenario, area, case, count, diff, run_engine, run_reference
from epizone.domain.model import Area
from epizone.domain.reference import CaseRecord, CountRecord

D0 = dt.date(2020, 1, 10)
SPAN = 60  # data dates D0 .. D0 + 59
CLUSTERS = ["", "", "", "k1", "k2", "k3"]
METRICS = ["new_confirmed", "new_asymptomatic", "new_clusters"]


def day(offset: int) -> dt.date:
    return D0 + dt.timedelta(days=offset)


@st.composite
def hierarchies(draw: st.DrawFn) -> list[Area]:
    areas = [area("P", None, "province")]
    for i in range(draw(st.integers(1, 3))):
        city = f"C{i}"
        areas.append(area(city, "P", "city"))
        for j in range(draw(st.integers(1, 4))):
            county = f"{city}K{j}"
            areas.append(area(county, city, "county"))
            low = 1 if (i, j) == (0, 0) else 0  # at least one township, so the township unit exists
            for k in range(draw(st.integers(low, 4))):
                areas.append(area(f"{county}T{k}", county, "township"))
    return areas


@st.composite
def case_lists(draw: st.DrawFn, codes: list[str], max_size: int = 60) -> list[CaseRecord]:
    n = draw(st.integers(0, max_size))
    return [
        case(f"c{i}", day(draw(st.integers(0, SPAN - 1))), draw(st.sampled_from(codes)),
             draw(st.sampled_from(["confirmed", "confirmed", "asymptomatic"])), draw(st.sampled_from(CLUSTERS)))
        for i in range(n)
    ]


@st.composite
def heavy_cases(draw: st.DrawFn, areas: list[Area]) -> list[CaseRecord]:
    """45-70 confirmed cases in one county (or its townships) over a few weeks, many in clusters."""
    county = draw(st.sampled_from([a.code for a in areas if a.kind == "county"]))
    inside = [county] + [a.code for a in areas if a.parent_code == county]
    first = draw(st.integers(0, SPAN - 25))
    return [
        case(f"h{i}", day(first + draw(st.integers(0, 24))), draw(st.sampled_from(inside)),
             draw(st.sampled_from(["confirmed"] * 5 + ["asymptomatic"])),
             draw(st.sampled_from(["", "k1", "k2", "h1"])))
        for i in range(draw(st.integers(45, 70)))
    ]


@st.composite
def count_tables(draw: st.DrawFn, codes: list[str], heavy: bool) -> list[CountRecord]:
    rows: dict[tuple[str, dt.date, str], CountRecord] = {}
    for _ in range(draw(st.integers(0, 15))):
        metric = draw(st.sampled_from(METRICS))
        top = 60 if heavy and metric == "new_confirmed" else (2 if metric == "new_clusters" else 8)
        row = count(draw(st.sampled_from(codes)), day(draw(st.integers(0, SPAN - 1))), metric,
                    draw(st.integers(0, top)))
        rows.setdefault((row.area_code, row.date, row.metric), row)
    return list(rows.values())


def with_repeats(draw: st.DrawFn, rows: list) -> list:
    """The rows plus a few identical repeats (which must count once), in a shuffled order."""
    if rows and draw(st.booleans()):
        rows = rows + draw(st.lists(st.sampled_from(rows), max_size=3))
    return draw(st.permutations(rows))


@st.composite
def scenarios(draw: st.DrawFn, heavy: bool = False) -> Scenario:
    areas = draw(hierarchies())
    codes = [a.code for a in areas]
    cases = draw(case_lists(codes, max_size=15 if heavy else 60))
    if heavy:
        cases += draw(heavy_cases(areas))
    counts = draw(count_tables(codes, heavy))
    given_ = draw(st.sampled_from(["cases", "counts", "both"] if not heavy else ["cases", "both"]))
    if given_ == "cases":
        counts = []
    elif given_ == "counts":
        cases = []
    start = draw(st.integers(-5, SPAN + 5))
    end = start + draw(st.integers(0, 25))
    lag, through = 0, None
    if draw(st.booleans()):
        lag = draw(st.integers(0, 3))
    else:
        through = day(draw(st.integers(-5, SPAN + 10)))
    data_end = draw(st.none() | st.integers(-3, SPAN + 10).map(day))
    return Scenario(areas, with_repeats(draw, cases), with_repeats(draw, counts), start=day(start), end=day(end),
                    lag=lag, through_date=through, data_end=data_end,
                    give_cases=given_ != "counts", give_counts=given_ != "cases")


def case_series(result: Result) -> dict[tuple[str, str], int]:
    return {k: n for k, n in result.unassigned.items() if k[1] in ("confirmed", "asymptomatic") and n}


def check(s: Scenario) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for unit in ("county", "township"):
            engine = run_engine(Path(folder) / unit, s, unit)
            reference = run_reference(s, unit)
            problems = diff(engine, reference)
            assert not problems, f"unit {unit}:\n" + "\n".join(problems)
            assert case_series(engine) == case_series(reference), unit


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_engine_matches_reference(s: Scenario) -> None:
    check(s)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(heavy=True))
def test_engine_matches_reference_over_50(s: Scenario) -> None:
    check(s)


def test_heavy_scenarios_reach_high() -> None:
    """The heavy strategy does reach `high` (so the property above covers that clause)."""
    cases = [case(f"h{i}", day(10), "C0K0T0") for i in range(50)]
    cases += [case("x", day(12), "C0K0", cluster_id="k1"), case("y", day(13), "C0K0T0", "asymptomatic", "k1")]
    areas = [area("P", None, "province"), area("C0", "P", "city"), area("C0K0", "C0", "county"),
             area("C0K0T0", "C0K0", "township")]
    s = Scenario(areas, cases, start=day(13), end=day(13))
    check(s)
    assert run_reference(s).row("C0K0", day(13))["reason_code"] == "high.over_50_with_cluster"
