"""The areas reader: its vectorised checks agree with the row-by-row reading on any table, good or bad."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from epizone.domain.model import Area, Hierarchy
from epizone.domain.problems import InputError
from epizone.io.areas import WHITESPACE, _row_by_row, read_areas
from epizone.io.columns import BAD
from epizone.io.tables import read_table
from epizone.io.units import UnitIndex

CODES = ["1", "11", "111", "112", "12", "2", "21"]
PADDED = st.sampled_from(["", " ", "\u3000", "\t"])


def test_whitespace_is_what_str_strip_removes() -> None:
    assert set(WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def _outcome(reader, table: pa.Table):  # noqa: ANN001, ANN202
    try:
        return reader(table).areas
    except InputError as exc:
        return exc.problems


def _text(draw, values: list[str]) -> str | None:  # noqa: ANN001
    value = draw(st.one_of(st.sampled_from(values), st.none() if draw(st.booleans()) else st.just(values[0])))
    return None if value is None else draw(PADDED) + value + draw(PADDED)


@st.composite
def area_tables(draw) -> pa.Table:  # noqa: ANN001
    n = draw(st.integers(0, 12))
    rows = []
    for i in range(n):
        code = draw(st.sampled_from(CODES + [f"x{i}", f"y{i}", f"z{i}"] * 3 + [""]))
        parent = draw(st.sampled_from(["", "", "missing"] + CODES + [f"x{j}" for j in range(n)]))
        kind = draw(st.sampled_from(["province", "city", "county", "township", "community", "district", ""]))
        rows.append({"code": draw(PADDED) + code + draw(PADDED), "name": _text(draw, ["a", "名", ""]),
                     "parent_code": None if parent == "" and draw(st.booleans()) else parent + draw(PADDED),
                     "kind": kind + draw(PADDED)})
    kind = draw(st.sampled_from(["text", "int", "dictionary"]))
    if kind == "int":
        population = pa.array([draw(st.one_of(st.none(), st.integers(-3, 10**6), st.just(2**60))) for _ in rows],
                              pa.int64())
    else:
        population = pa.array([draw(st.sampled_from(["", " 12 ", "1e3", "12.0", "12.5", "-1", "nan", "inf",
                                                      "007", "x", "99999999999999999999", "1_000"]))
                               for _ in rows], pa.string())
    table = pa.table({"code": pa.array([r["code"] for r in rows], pa.string()),
                      "name": pa.array([r["name"] for r in rows], pa.string()),
                      "parent_code": pa.array([r["parent_code"] for r in rows], pa.string()),
                      "kind": pa.array([r["kind"] for r in rows], pa.string()), "population": population})
    if kind == "dictionary":
        table = table.set_column(3, "kind", table.column("kind").dictionary_encode())
    return table


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(area_tables())
def test_vectorised_checks_agree_with_row_by_row(table: pa.Table) -> None:
    fast = _outcome(read_areas, table)
    slow = _outcome(lambda t: _row_by_row(read_table(t, ["code", "name", "parent_code", "kind", "population"],
                                                     kind="areas")), table)
    assert fast == slow


def test_good_table_gives_areas_with_lines_and_numbers() -> None:
    table = pa.table({"code": [" 35", "3501", "350102"], "name": ["F", " A ", None],
                      "parent_code": [None, "35", "3501 "], "kind": ["province", "city", "county"],
                      "population": pa.array([10, None, 3], pa.int64())})
    hierarchy = read_areas(table)
    assert hierarchy.areas == [Area("35", "F", None, "province", 10, 1), Area("3501", "A", "35", "city", None, 2),
                               Area("350102", "", "3501", "county", 3, 3)]
    assert hierarchy.unit_of("city") == {"35": None, "3501": "3501", "350102": "3501"}
    assert hierarchy.by_code["3501"].name == "A"


@pytest.mark.parametrize("parents, wording", [
    (["", "3", "2"], "cycle"),               # 2 -> 3 -> 2
    (["", "2", ""], "cycle"),                # 2 -> 2
    (["", "9", "1"], "missing parent"),
])
def test_bad_parents_are_reported_with_their_line(parents: list[str], wording: str) -> None:
    table = pa.table({"code": ["1", "2", "3"], "name": ["a", "b", "c"], "parent_code": parents,
                      "kind": ["province", "city", "county"], "population": ["", "", ""]})
    with pytest.raises(InputError) as caught:
        read_areas(table)
    assert any(wording in p.expected and p.column == "parent_code" and p.line == 2 for p in caught.value.problems)


def test_population_that_is_not_a_finite_number_is_a_problem_not_a_crash() -> None:
    table = pa.table({"code": ["1", "2"], "name": ["a", "b"], "parent_code": ["", "1"],
                      "kind": ["province", "city"], "population": ["nan", "inf"]})
    with pytest.raises(InputError) as caught:
        read_areas(table)
    assert [(p.line, p.value) for p in caught.value.problems] == [(1, "nan"), (2, "inf")]


def test_unit_of_walks_up_through_other_kinds() -> None:
    areas = [Area("1", "p", None, "province"), Area("11", "c", "1", "city"), Area("111", "t", "11", "township"),
             Area("1111", "v", "111", "community"), Area("12", "c2", "1", "city"), Area("121", "x", "12", "county")]
    assert Hierarchy(areas).unit_of("township") == {"1": None, "11": None, "111": "111", "1111": "111",
                                                    "12": None, "121": None}


@st.composite
def forests(draw) -> Hierarchy:  # noqa: ANN001
    n = draw(st.integers(0, 15))
    areas = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        areas.append(Area(f"a{i}", "n", None if parent is None else f"a{parent}",
                          draw(st.sampled_from(["province", "city", "county", "township", "community"]))))
    return Hierarchy(draw(st.permutations(areas)))


@settings(max_examples=300, deadline=None)
@given(forests(), st.sampled_from(["city", "county", "township", "community"]))
def test_unit_index_agrees_with_unit_of(hierarchy: Hierarchy, kind: str) -> None:
    units = hierarchy.units(kind)
    position = {a.code: i for i, a in enumerate(units)}
    expected = {code: (-1 if unit is None else position[unit]) for code, unit in hierarchy.unit_of(kind).items()}
    index = UnitIndex.of(hierarchy, kind)
    texts = [a.code for a in hierarchy.areas] + ["unknown", ""]
    assert index.lookup(pa.array(texts, pa.string())).tolist() == [expected.get(t, BAD) for t in texts]
