"""The happy paths of the command line: assess in every format, explain, rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from epizone.cli import app

runner = CliRunner()
COLUMNS = ["area_code", "area_name", "date", "level", "rule_set", "cumulative_confirmed", "new_confirmed_14d",
           "cluster_14d", "days_since_last_confirmed", "reason_code", "reason", "data_through"]
CASES = ["c1,2020-02-01,350102001,confirmed,k1", "c2,2020-02-02,350102002,asymptomatic,k1",
         "c3,2020-02-02,350102,confirmed,", "c4,2020-02-05,3501,confirmed,"]


def run_assess(files, out: Path, *extra: str):
    args = ["assess", "--areas", str(files.areas()), "--cases", str(files.cases(*CASES)),
            "--start", "2020-02-01", "--end", "2020-02-10", "--data-end", "2020-02-10", "--out", str(out), *extra]
    return runner.invoke(app, args)


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_assess_writes_every_format(files, suffix):
    out = files.root / f"levels.{suffix}"
    result = run_assess(files, out)
    assert result.exit_code == 0, result.output
    if suffix == "parquet":
        table = pq.read_table(out)
        assert pa.types.is_dictionary(table.schema.field("area_code").type)
        assert pa.types.is_dictionary(table.schema.field("level").type)
        rows = table.to_pylist()
    elif suffix == "csv":
        rows = pacsv.read_csv(out).to_pylist()
    else:
        rows = json.loads(out.read_text(encoding="utf-8"))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 2 * 10
    gulou = [r for r in rows if str(r["area_code"]) == "350102"]
    assert [r["level"] for r in gulou] == ["medium"] * 10
    assert gulou[1]["cumulative_confirmed"] == 2 and gulou[1]["cluster_14d"] is True
    assert [r["level"] for r in rows if str(r["area_code"]) == "350103"] == ["low"] * 10


def test_summary_reports_levels_and_unassigned(files):
    result = run_assess(files, files.root / "levels.csv")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "20 rows" in text
    assert "unassigned cases │ 1" in text
    assert "warning:" in text and "3501 1 confirmed" in text


def test_township_unit_counts_unassigned_county_cases(files):
    out = files.root / "levels.parquet"
    result = run_assess(files, out, "--unit", "township")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert {r["area_code"] for r in table} == {"350102001", "350102002", "350103001"}
    assert "unassigned cases │ 2" in " ".join(result.output.split())


def test_lang_zh_reasons(files):
    out = files.root / "levels.csv"
    assert run_assess(files, out, "--lang", "zh").exit_code == 0
    reasons = set(pacsv.read_csv(out).column("reason").to_pylist())
    assert "无确诊病例" in reasons


def test_explain_shows_indicators_and_fired_clause(files):
    result = runner.invoke(app, ["explain", "--areas", str(files.areas()), "--cases", str(files.cases(*CASES)),
                                 "--area", "Gulou", "--date", "2020-02-03"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Gulou (350102, county) on 2020-02-03: medium" in text
    assert "cumulative_confirmed │ 2" in text
    assert "(2020-01-21 .. 2020-02-03)" in text
    assert "yes <- fired" in text and "[medium.up_to_50]" in text


def test_rules_list_and_show():
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0 and "cn-2020-02" in listed.output
    shown = runner.invoke(app, ["rules", "show", "cn-2020-02", "--lang", "zh"])
    text = " ".join(shown.output.split())
    assert shown.exit_code == 0 and "聚集性疫情" in text and "gov.cn" in text


def test_console_script_is_installed(files):
    exe = shutil.which("epizone", path=str(Path(sys.executable).parent))
    assert exe, "the epizone console script is not installed next to this Python"
    out = files.root / "levels.csv"
    proc = subprocess.run([exe, "assess", "--areas", str(files.areas()), "--cases", str(files.cases(*CASES)),
                           "--start", "2020-02-01", "--end", "2020-02-03", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").count("\n") == 1 + 2 * 3


def test_assess_writes_level_periods_that_cover_the_dense_days(files):
    dense, periods = files.root / "days.csv", files.root / "periods.csv"
    assert run_assess(files, dense).exit_code == 0
    result = run_assess(files, periods, "--output", "periods")
    assert result.exit_code == 0, result.output
    days = pacsv.read_csv(dense).to_pylist()
    spans = pacsv.read_csv(periods).to_pylist()
    assert list(spans[0])[:4] == ["area_code", "area_name", "start", "end"] and "date" not in spans[0]
    assert len(spans) < len(days)
    expanded = {}
    for span in spans:
        day = span["start"]
        while day <= span["end"]:
            expanded[(span["area_code"], day)] = span["level"]
            day = day.fromordinal(day.toordinal() + 1)
    assert expanded == {(row["area_code"], row["date"]): row["level"] for row in days}


def test_assess_refuses_an_unknown_output(files):
    out = files.root / "levels.csv"
    result = run_assess(files, out, "--output", "weekly")
    assert result.exit_code == 2 and not out.exists()
