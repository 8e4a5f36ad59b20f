"""The bundled Fujian demo end to end: grading, comparison with the official list, the written series."""

from __future__ import annotations

import pyarrow.parquet as pq
from typer.testing import CliRunner

from epizone.cli import app
from epizone.services.demo import official_levels, run_demo


def test_demo_grades_all_88_units_and_explains_each_disagreement(tmp_path):
    report = run_demo(tmp_path)
    assert report.table.num_rows == 88
    assert len(official_levels()) == 88
    # data to the 22nd: only 集美区, whose re-attributed case is documented in the data notes
    assert report.comparison.compared == 88 and report.comparison.agree == 87
    [jimei] = report.comparison.disagreements
    assert (jimei.area_code, jimei.official, jimei.computed) == ("350211", "low", "medium")
    assert "350211" in report.notes
    # data to the 23rd: only 松溪县, whose last case falls one day before the window
    [songxi] = report.same_day.disagreements
    assert (songxi.area_code, songxi.official, songxi.computed) == ("350724", "medium", "low")
    assert "one day before the window" in songxi.explanation
    assert report.summary.last_day_by_level == {"low": 65, "medium": 23}


def test_demo_writes_the_full_series(tmp_path):
    report = run_demo(tmp_path)
    table = pq.read_table(tmp_path / "fujian_2020_county_levels.parquet")
    assert table.num_rows == 88 * 51 == report.series_summary.rows
    assert (tmp_path / "fujian_2020_county_levels.csv").read_text(encoding="utf-8").count("\n") == 88 * 51 + 1
    levels = set(table.column("level").to_pylist())
    assert levels <= {"low", "medium", "high"} and "medium" in levels


def test_demo_command_prints_table_and_agreement(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "松溪县" in text and "平潭综合实验区" in text
    assert "87 of 88 units agree" in text
