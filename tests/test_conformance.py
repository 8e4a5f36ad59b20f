"""Conformance with a published CDC transmission file, in both export formats, through the CLI."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from epizone.cli import app
from epizone.services.conformance import conformance

# The two formats of the export: this one with thousands separators, short FIPS, upper-case names and
# levels, ISO dates; the other (see the second file) as data.cdc.gov writes it.
EXPORT_A = """STATE_NAME,COUNTY_NAME,FIPS_CODE,REPORT_DATE,CASES_PER_100K_7_DAY_COUNT_CHANGE,PERCENT_TEST_RESULTS_REPORTED_POSITIVE_LAST_7_DAYS,COMMUNITY_TRANSMISSION_LEVEL
Alabama,Barbour County,1005,2021-11-10,60.760,1.50,SUBSTANTIAL
Alaska,Bethel CA,2050,2021-11-10,"1,327.100",3.70,High
Alabama,Choctaw County,1023,2021-11-10,suppressed,3.33,moderate
Alabama,Clay County,1027,2021-11-10,9.990,,low
Alaska,Chugach Census Area,2063,2021-11-10,,,
"""
EXPORT_B = """state_name,county_name,fips_code,report_date,cases_per_100K_7_day_count_change,percent_test_results_reported_positive_last_7_days,community_transmission_level
Alabama,Barbour County,01005,2021/11/11,49.990,8.00,substantial
Alabama,Chilton County,01021,2021/11/11,9.000,4.99,moderate
Alabama,Coffee County,01031,2021/11/11,10.000,4.99,moderate
"""


def test_both_formats_and_withheld_rows_counted_apart(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(EXPORT_A, encoding="utf-8")
    report = conformance("us-cdc-transmission-2021", a)
    assert report.without_official == 1
    levels = {r.row.area_code: (r.row.official, r.computed, r.complete) for r in report.rows}
    assert levels == {
        "01005": ("substantial", "substantial", True),
        "02050": ("high", "high", True),
        "01023": ("moderate", "unknown", False),     # case rate suppressed: not enough for low
        "01027": ("low", "low", False),               # positivity blank, case rate under 10
    }
    b = tmp_path / "b.csv"
    b.write_text(EXPORT_B, encoding="utf-8")
    report = conformance("us-cdc-transmission-2021", b)
    assert [(r.row.area_code, r.computed, r.agrees) for r in report.rows] == [
        ("01005", "substantial", True), ("01021", "low", False), ("01031", "moderate", True)]
    [wrong] = report.disagreements
    assert "low.case_rate_under_10" in wrong.explanation() and wrong.complete


def test_cli_reports_and_writes_every_row(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(EXPORT_A, encoding="utf-8")
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(app, ["conformance", "us-cdc-transmission-2021", str(a), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "complete inputs │ 2 │ 2 │ 100.0000%" in text
    assert "line 4: Choctaw County (01023) 2021-11-10: official moderate" in text
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert {"area_code", "date", "official_level", "computed_level", "reason"} <= set(rows[0])


def test_cli_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("state_name,county_name\nAlabama,Barbour\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["conformance", "us-cdc-transmission-2021", str(bad)])
    assert result.exit_code == 2 and "bad.csv:1: column 'fips_code'" in result.output
    result = CliRunner().invoke(app, ["conformance", "eu-1999", str(bad)])
    assert result.exit_code == 2 and "no loader" in result.output


COMMUNITY = """county,county_fips,state,county_population,health_service_area_number,health_service_area,health_service_area_population,covid_inpatient_bed_utilization,covid_hospital_admissions_per_100k,covid_cases_per_100k,covid-19_community_level,date_updated
Autauga County,1001,Alabama,"55,869",7,"Montgomery (Montgomery), AL - Autauga, AL","392,101",9.9,19.9,199.99,Medium
Cass County,48067,Texas,"28,454",139,"Bowie (Texarkana), TX - Miller, AR","267,473",,,305.2,medium
Guam,66000,Guam,168489,902,Guam,168489,15.2,38.6,833.88,HIGH
Jackson County,05067,Arkansas,16719,457,"White, AR - Cleburne, AR",126711,,,263.17,N/A
"""


def test_cdc_community_levels_export(tmp_path):
    path = tmp_path / "community.csv"
    path.write_text(COMMUNITY.replace("Medium\n", "Medium,2022-02-24\n").replace("medium\n", "medium,2022-02-24\n")
                    .replace("HIGH\n", "HIGH,2022/02/24\n").replace("N/A\n", "N/A,2022-02-24\n"), encoding="utf-8")
    report = conformance("us-cdc-community-levels-2022", path)
    assert report.without_official == 1
    assert [(r.row.area_code, r.row.official, r.computed, r.complete) for r in report.rows] == [
        ("01001", "medium", "medium", True), ("48067", "medium", "medium", False), ("66000", "high", "high", True)]
