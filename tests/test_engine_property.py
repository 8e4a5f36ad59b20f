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

from hypothesis import HealthCheck, Phase, find, given, settings
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
def heavy_cases(draw: st.DrawFn, areas: list[Area]) -> tuple[list[CaseRecord], int]:
    """50-75 cases in one county (and its townships) or one township over 25 days, many in clusters.

    Returns the cases and the offset of their first possible date.
    """
    target = draw(st.sampled_from([a.code for a in areas if a.kind in ("county", "township")]))
    inside = [target] + [a.code for a in areas if a.parent_code == target]
    first = draw(st.integers(0, SPAN - 25))
    cases = [
        case(f"h{i}", day(first + draw(st.integers(0, 24))), draw(st.sampled_from(inside)),
             draw(st.sampled_from(["confirmed"] * 5 + ["asymptomatic"])),
             draw(st.sampled_from(["", "k1", "k2", "h1"])))
        for i in range(draw(st.integers(50, 75)))
    ]
    return cases, first


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
    if draw(st.booleans()):  # the areas file need not list parents first
        areas = draw(st.permutations(areas))
    codes = [a.code for a in areas]
    cases = draw(case_lists(codes, max_size=15 if heavy else 60))
    start = draw(st.integers(-5, SPAN + 5))
    if heavy:
        bulk, first = draw(heavy_cases(areas))
        cases += bulk
        start = first + draw(st.integers(5, 30))  # mostly within or after the bulk of the cases
    counts = draw(count_tables(codes, heavy))
    given_ = draw(st.sampled_from(["cases", "counts", "both"] if not heavy else ["cases", "both"]))
    if given_ == "cases":
        counts = []
    elif given_ == "counts":
        cases = []
    end = start + draw(st.integers(0, 25))
    lag, through = 0, None
    if draw(st.booleans()):
        lag = draw(st.integers(0, 3))
    else:
        through = day(draw(st.integers(-5, SPAN + 10)))
    data_end = draw(st.none() | st.integers(-3, SPAN + 10).map(day))
    return Scenario(areas, with_repeats(draw, cases), with_repeats(draw, counts), start=day(start), end=day(end),
                    lag=lag, through_date=through, data_end=data_end,
                    give_cases=given_ != "counts", give_counts=given_ != "cases",
                    chunk_cells=draw(st.none() | st.integers(1, 120)))


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


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_engine_matches_reference(s: Scenario) -> None:
    check(s)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(heavy=True))
def test_engine_matches_reference_over_50(s: Scenario) -> None:
    check(s)


def test_heavy_scenarios_reach_high() -> None:
    """The heavy strategy does produce `high` days at both units (so the properties cover that clause)."""
    for unit in ("county", "township"):
        s = find(scenarios(heavy=True), lambda s: reaches_high(s, unit),
                 settings=settings(max_examples=200, database=None, phases=[Phase.generate]))
        check(s)


def reaches_high(s: Scenario, unit: str) -> bool:
    return any(row["level"] == "high" for row in run_reference(s, unit).rows.values())
