"""Every class of bad input: a message naming file, line, column, value and expectation; exit 2; no output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from epizone.cli import app

runner = CliRunner()


def assess(files, areas: Path, *inputs: str) -> tuple[int, str, Path]:
    out = files.root / "levels.csv"
    args = ["assess", "--areas", str(areas), *inputs, "--start", "2020-02-01", "--end", "2020-02-20",
            "--out", str(out)]
    result = runner.invoke(app, args)
    return result.exit_code, result.output, out


def cases_args(path: Path) -> tuple[str, str]:
    return "--cases", str(path)


GOOD_CASE = "c1,2020-02-03,350102,confirmed,"


@pytest.mark.parametrize(
    "row, line_ref, column, value, expected",
    [
        ("c2,2020-02-03,999999,confirmed,", ":3", "area_code", "999999", "area in the areas file"),
        ("c2,03/02/2020,350102,confirmed,", ":3", "report_date", "03/02/2020", "YYYY-MM-DD"),
        ("c2,2020-02-30,350102,confirmed,", ":3", "report_date", "2020-02-30", "YYYY-MM-DD"),
        ("c2,2020-02-03,350102,probable,", ":3", "classification", "probable", "confirmed, asymptomatic"),
        ("c1,2020-02-04,350102,confirmed,", ":3", "case_id", "c1", "already used on line 2"),
        (",2020-02-04,350102,confirmed,", ":3", "case_id", "", "non-empty case id"),
    ],
)
def test_bad_case_row(files, row, line_ref, column, value, expected):
    code, output, out = assess(files, files.areas(), *cases_args(files.cases(GOOD_CASE, row)))
    assert code == 2
    assert f"cases.csv{line_ref}: column {column!r}" in output
    assert f"value {value!r}" in output
    assert expected in output
    assert not out.exists()
    assert not list(files.root.glob("*.partial"))


def test_all_problems_are_reported_together(files):
    path = files.cases(GOOD_CASE, "c2,2020-13-01,350102,confirmed,", "c3,2020-02-03,nowhere,confirmed,",
                       "c4,2020-02-03,350102,suspected,")
    code, output, out = assess(files, files.areas(), *cases_args(path))
    assert code == 2
    assert "3 problem(s)" in output
    for line in (":3:", ":4:", ":5:"):
        assert f"cases.csv{line}" in output
    assert not out.exists()


def test_missing_required_column(files):
    path = files.cases("c1,2020-02-03,350102,confirmed", header="case_id,report_date,area_code,classification")
    code, output, out = assess(files, files.areas(), *cases_args(path))
    assert code == 2
    assert "cases.csv:1: column 'cluster_id'" in output and "a column named 'cluster_id'" in output
    assert not out.exists()


def test_negative_count(files):
    path = files.counts("350102,2020-02-03,new_confirmed,2", "350103,2020-02-03,new_confirmed,-1")
    code, output, out = assess(files, files.areas(), "--counts", str(path))
    assert code == 2
    assert "counts.csv:3: column 'value' (4): value '-1': a whole number >= 0" in output
    assert not out.exists()


@pytest.mark.parametrize(
    "row, column, value, expected",
    [
        ("350102,2020-02-03,new_deaths,1", "metric", "new_deaths", "new_confirmed, new_asymptomatic, new_clusters"),
        ("350102,2020-02-03,new_confirmed,2.5", "value", "2.5", "whole number"),
        ("350102,2020-02-31,new_confirmed,1", "date", "2020-02-31", "YYYY-MM-DD"),
        ("3509,2020-02-03,new_confirmed,1", "area_code", "3509", "area in the areas file"),
    ],
)
def test_bad_count_row(files, row, column, value, expected):
    code, output, out = assess(files, files.areas(), "--counts", str(files.counts(row)))
    assert code == 2
    assert f"counts.csv:2: column {column!r}" in output and f"value {value!r}" in output and expected in output
    assert not out.exists()


def test_conflicting_count_rows(files):
    path = files.counts("350102,2020-02-03,new_confirmed,2", "350102,2020-02-03,new_confirmed,3")
    code, output, out = assess(files, files.areas(), "--counts", str(path))
    assert code == 2
    assert "counts.csv:3: column 'value' (4): value '3'" in output and "line 2 gives another value" in output
    assert not out.exists()


def test_hierarchy_cycle(files):
    areas = files.areas("code,name,parent_code,kind,population\n35,F,,province,\n3501,A,3502,city,\n"
                        "3502,B,3501,city,\n350102,C,3501,county,\n")
    code, output, out = assess(files, areas, *cases_args(files.cases(GOOD_CASE)))
    assert code == 2
    assert "areas.csv:3: column 'parent_code' (3): value '3502'" in output
    assert "areas.csv:4: column 'parent_code' (3): value '3501'" in output
    assert "cycle" in output
    assert not out.exists()


def test_missing_parent(files):
    areas = files.areas("code,name,parent_code,kind,population\n35,F,,province,\n350102,C,3501,county,\n")
    code, output, out = assess(files, areas, *cases_args(files.cases(GOOD_CASE)))
    assert code == 2
    assert "areas.csv:3: column 'parent_code' (3): value '3501': the code of an area in this file" in output
    assert not out.exists()


def test_bad_area_kind_and_population(files):
    areas = files.areas("code,name,parent_code,kind,population\n35,F,,province,-5\n350102,C,35,district,\n")
    code, output, _ = assess(files, areas, *cases_args(files.cases(GOOD_CASE)))
    assert code == 2
    assert "areas.csv:2: column 'population' (5): value '-5'" in output
    assert "areas.csv:3: column 'kind' (4): value 'district': one of province, city, county, township, community" in output


def test_missing_file(files):
    code, output, out = assess(files, files.areas(), "--cases", str(files.root / "nope.csv"))
    assert code == 2 and "nope.csv" in output and "an existing file" in output
    assert not out.exists()


def test_bad_output_suffix(files):
    result = runner.invoke(app, ["assess", "--areas", str(files.areas()), "--cases", str(files.cases(GOOD_CASE)),
                                 "--start", "2020-02-01", "--end", "2020-02-02", "--out", str(files.root / "x.xlsx")])
    assert result.exit_code == 2 and ".csv, .parquet or .json" in result.output


@pytest.mark.parametrize("option, value, message", [
    ("--data-through", "lag:-1", "lag:N"),
    ("--data-through", "yesterday", "lag:N"),
    ("--start", "2020-02-30", "YYYY-MM-DD"),
    ("--rules", "no-such-rules", "unknown rule set"),
])
def test_bad_options(files, option, value, message):
    options = {"--areas": str(files.areas()), "--cases": str(files.cases(GOOD_CASE)), "--start": "2020-02-01",
               "--end": "2020-02-02", "--out": str(files.root / "x.csv")}
    options[option] = value
    result = runner.invoke(app, ["assess", *[part for pair in options.items() for part in pair]])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (files.root / "x.csv").exists()


def test_existing_output_is_kept_when_inputs_are_bad(files):
    out = files.root / "levels.csv"
    out.write_text("previous result\n", encoding="utf-8")
    code, _, _ = assess(files, files.areas(), *cases_args(files.cases("c1,2020-02-30,350102,confirmed,")))
    assert code == 2
    assert out.read_text(encoding="utf-8") == "previous result\n"
