"""Built-in rule sets beyond cn-2020-02: every threshold at its boundary, on the engine and the reference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from epizone.domain.model import Area, Hierarchy
from epizone.domain.problems import InputError
from epizone.domain.reference import CaseRecord, MetricRecord, evaluate
from epizone.domain.rules import builtin_ids, load_rule_set
from epizone.services.assess import Request, assess_table
from epizone.services.ruledocs import render_markdown

from builders import write_areas

ROOT = Path(__file__).parents[1]
DAY = dt.date(2021, 11, 10)
AREAS = [Area("US", "United States", None, "province", None, 1), Area("01001", "Autauga", "US", "county", 100000, 2),
         Area("01003", "Baldwin", "US", "county", None, 3)]


def test_every_builtin_rule_set_has_its_generated_page():
    for rule_id in builtin_ids():
        page = ROOT / "docs" / "rulesets" / f"{rule_id}.md"
        assert page.is_file(), f"{rule_id} has no docs/rulesets page: run `make docs`"
        assert page.read_text(encoding="utf-8") == render_markdown(load_rule_set(rule_id)), \
            f"docs/rulesets/{rule_id}.md is out of date: run `make docs`"


def _areas(tmp: Path) -> Path:
    return write_areas(tmp / "areas.csv", AREAS)


def _both(tmp: Path, rules: str, cases: list[CaseRecord] = (), metrics: list[MetricRecord] = (),
          day: dt.date = DAY) -> dict[str, tuple]:
    """Grade every county on ``day`` with the engine and the reference; they must agree exactly."""
    req = Request(areas=_areas(tmp), rules=rules, start=day, end=day, data_end=day)
    if cases:
        req.cases = tmp / "cases.csv"
        req.cases.write_text("case_id,report_date,area_code,classification,cluster_id\n" + "".join(
            f"{c.case_id},{c.report_date},{c.area_code},{c.classification},{c.cluster_id}\n" for c in cases),
            encoding="utf-8")
    if metrics:
        req.metrics = tmp / "metrics.csv"
        req.metrics.write_text("area_code,date,metric,value\n" + "".join(
            f"{m.area_code},{m.date},{m.metric},{m.value!r}\n" for m in metrics), encoding="utf-8")
    table, _ = assess_table(req)
    ruleset = load_rule_set(rules)
    names = list(ruleset.indicators)
    engine = {r["area_code"]: (r["level"], r["reason_code"], *[r[n] for n in names]) for r in table.to_pylist()}
    reference = {r.area_code: (r.level, r.reason_code, *[r.indicators[n] for n in names])
                 for r in evaluate(ruleset, Hierarchy(AREAS), list(cases), [], "county", day, day,
                                   data_end=day, metrics=tuple(metrics))}
    assert engine == reference
    return engine


def _cases(n: int, area: str = "01001", day: dt.date = DAY, cluster: str = "") -> list[CaseRecord]:
    return [CaseRecord(f"{area}-{day}-{i}", day - dt.timedelta(days=i % 7), area, "confirmed", cluster)
            for i in range(n)]


@pytest.mark.parametrize("cases, level, code", [
    (6, "green", "green.under_1"), (7, "yellow", "yellow.1_to_10"), (69, "yellow", "yellow.1_to_10"),
    (70, "orange", "orange.10_to_25"), (174, "orange", "orange.10_to_25"), (175, "red", "red.25_or_more"),
])
def test_harvard_ghi_bands(tmp_path, cases, level, code):
    rows = _both(tmp_path, "harvard-ghi-2020", _cases(cases))
    assert rows["01001"][:2] == (level, code)
    assert rows["01001"][2] == pytest.approx(cases / 7)
    assert rows["01003"][:2] == ("unknown", "unknown.no_population")  # no population: no rate


def test_harvard_counts_only_the_last_7_days(tmp_path):
    old = [CaseRecord(f"old{i}", DAY - dt.timedelta(days=7), "01001", "confirmed") for i in range(50)]
    assert _both(tmp_path, "harvard-ghi-2020", old + _cases(7))["01001"][:2] == ("yellow", "yellow.1_to_10")


def _metrics(**values: float | None) -> list[MetricRecord]:
    return [MetricRecord("01001", DAY, name, value) for name, value in values.items() if value is not None]


@pytest.mark.parametrize("rate, positivity, level, code", [
    (9.99, 4.99, "low", "low.case_rate_under_10"),
    (9.99, None, "low", "low.case_rate_under_10"),
    (10.0, None, "moderate", "moderate.case_rate"),
    (49.99, 5.0, "moderate", "moderate.case_rate"),
    (None, 5.0, "moderate", "moderate.positivity"),
    (50.0, 7.99, "substantial", "substantial.case_rate"),
    (9.0, 8.0, "substantial", "substantial.positivity"),
    (99.99, 9.99, "substantial", "substantial.case_rate"),
    (100.0, 1.0, "high", "high.case_rate"),
    (1.0, 10.0, "high", "high.positivity"),
    (None, 4.99, "unknown", "unknown.no_case_rate"),
    (None, None, "unknown", "unknown.no_case_rate"),
])
def test_cdc_transmission_bands_take_the_higher(tmp_path, rate, positivity, level, code):
    metrics = _metrics(case_rate_7d=rate, test_positivity_7d=positivity) or \
        [MetricRecord("01003", DAY, "case_rate_7d", 500.0)]  # some data, none for 01001
    rows = _both(tmp_path, "us-cdc-transmission-2021", metrics=metrics)
    assert rows["01001"][:2] == (level, code)


def test_cdc_case_count_per_100k_and_staleness(tmp_path):
    counts = [MetricRecord("01001", DAY - dt.timedelta(days=6), "cases_7d", 50.0),
              MetricRecord("01003", DAY - dt.timedelta(days=7), "case_rate_7d", 500.0)]
    rows = _both(tmp_path, "us-cdc-transmission-2021", metrics=counts)
    assert rows["01001"][:3] == ("substantial", "substantial.case_rate", 50.0)   # 50 cases in 100,000 people
    assert rows["01003"][:2] == ("unknown", "unknown.no_case_rate")              # 7 days old: stale


def test_cn_2020_09_needs_five_cases_for_a_cluster(tmp_path):
    base = [CaseRecord(f"b{i}", DAY - dt.timedelta(days=20), "01001", "confirmed") for i in range(47)]
    four = base + _cases(4, cluster="K1")
    five = base + _cases(5, cluster="K1")
    assert _both(tmp_path, "cn-2020-09", four)["01001"][:2] == ("medium", "medium.over_50_no_cluster")
    assert _both(tmp_path, "cn-2020-09", five)["01001"][:2] == ("high", "high.over_50_with_cluster")
    assert _both(tmp_path, "cn-2020-02", four)["01001"][:2] == ("high", "high.over_50_with_cluster")


def test_metrics_at_other_areas_are_unassigned_and_bad_rows_reported(tmp_path):
    req = Request(areas=_areas(tmp_path), rules="us-cdc-transmission-2021", start=DAY, end=DAY,
                  metrics=tmp_path / "m.csv")
    req.metrics.write_text("area_code,date,metric,value\nUS,2021-11-10,case_rate_7d,80\n"
                           "01001,2021-11-10,case_rate_7d,80\n", encoding="utf-8")
    _, summary = assess_table(req)
    assert [(u.area_code, u.count) for u in summary.unassigned] == [("US", 1)]
    req.metrics.write_text("area_code,date,metric,value\n01001,2021-11-10,Case Rate,1\n01001,2021-11-10,x,-3\n"
                           "01001,2021-11-11,x,suppressed\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        assess_table(req)
    text = str(err.value)
    assert "m.csv:2: column 'metric'" in text and "m.csv:3: column 'value' (4): value '-3'" in text
    assert "m.csv:4: column 'value' (4): value 'suppressed': a number >= 0" in text


@pytest.mark.parametrize("cases, admissions, beds, level, code", [
    (199.99, 9.99, 9.99, "low", "low.hospital_metrics_low"),
    (199.99, 10.0, None, "medium", "medium.admissions"),
    (199.99, 19.99, 14.99, "medium", "medium.admissions"),
    (199.99, None, 10.0, "medium", "medium.beds"),
    (199.99, 20.0, 0.0, "high", "high.admissions"),
    (10.0, 0.0, 15.0, "high", "high.beds"),
    (200.0, 9.99, 9.99, "medium", "medium.200_cases"),
    (200.0, None, None, "medium", "medium.200_cases"),          # CDC's floor even without hospital data
    (200.0, 10.0, None, "high", "high.admissions_with_200_cases"),
    (200.0, None, 10.0, "high", "high.beds_with_200_cases"),
    (150.0, None, None, "low", "low.hospital_metrics_low"),      # missing hospital metric: its low band
    (None, 25.0, None, "high", "high.admissions"),               # high in either case band
    (None, 12.0, None, "unknown", "unknown.no_case_rate"),       # medium or high: depends on the cases
])
def test_cdc_community_levels_bands(tmp_path, cases, admissions, beds, level, code):
    metrics = _metrics(case_rate_7d=cases, admissions_per_100k_7d=admissions, inpatient_beds_covid_pct=beds)
    rows = _both(tmp_path, "us-cdc-community-levels-2022", metrics=metrics)
    assert rows["01001"][:2] == (level, code)


def test_cdc_positivity_from_positives_and_tests(tmp_path):
    metrics = [MetricRecord("01001", DAY, "positives_7d", 8.0), MetricRecord("01001", DAY, "tests_7d", 100.0),
               MetricRecord("01001", DAY, "case_rate_7d", 1.0),
               MetricRecord("01003", DAY, "positives_7d", 3.0), MetricRecord("01003", DAY, "tests_7d", 0.0),
               MetricRecord("01003", DAY, "case_rate_7d", 1.0)]
    rows = _both(tmp_path, "us-cdc-transmission-2021", metrics=metrics)
    assert rows["01001"][:2] == ("substantial", "substantial.positivity") and rows["01001"][3] == 8.0
    assert rows["01003"][:2] == ("low", "low.case_rate_under_10") and rows["01003"][3] is None  # 0 tests: no rate


def test_health_service_area_metrics_apply_to_member_counties(tmp_path):
    """A second hierarchy: hospital metrics reported for a health service area reach its counties."""
    groups = tmp_path / "groups.csv"
    groups.write_text("group_code,area_code\nHSA7,01001\nHSA7,01003\n", encoding="utf-8")
    metrics = [MetricRecord("HSA7", DAY, "admissions_per_100k_7d", 12.0),
               MetricRecord("01001", DAY, "case_rate_7d", 50.0), MetricRecord("01003", DAY, "case_rate_7d", 250.0),
               MetricRecord("01003", DAY, "admissions_per_100k_7d", 5.0)]  # its own value wins
    req = Request(areas=_areas(tmp_path), metrics=tmp_path / "m.csv", groups=groups,
                  rules="us-cdc-community-levels-2022", start=DAY, end=DAY)
    req.metrics.write_text("area_code,date,metric,value\n" + "".join(
        f"{m.area_code},{m.date},{m.metric},{m.value!r}\n" for m in metrics), encoding="utf-8")
    table, _ = assess_table(req)
    engine = {r["area_code"]: (r["level"], r["admissions_per_100k_7d"]) for r in table.to_pylist()}
    assert engine == {"01001": ("medium", 12.0), "01003": ("medium", 5.0)}
    reference = evaluate(load_rule_set("us-cdc-community-levels-2022"), Hierarchy(AREAS), [], [], "county", DAY, DAY,
                         metrics=tuple(metrics), groups={"HSA7": ["01001", "01003"]})
    assert {r.area_code: (r.level, r.indicators["admissions_per_100k_7d"]) for r in reference} == engine
    groups.write_text("group_code,area_code\nHSA7,99999\n01001,01003\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        assess_table(req)
    assert "groups.csv:2: column 'area_code' (2): value '99999'" in str(err.value)
    assert "groups.csv:3: column 'group_code' (1): value '01001'" in str(err.value)


def _eu(rate: float | None, positivity: float | None, testing: float | None = 1000.0) -> list[MetricRecord]:
    return _metrics(notification_rate_14d=rate, test_positivity_7d=positivity, testing_rate_7d=testing) or \
        [MetricRecord("01003", DAY, "testing_rate_7d", 1000.0)]


@pytest.mark.parametrize("rate, positivity, testing, level, code", [
    (24.99, 3.99, 1000.0, "green", "green.under_25"),
    (25.0, 3.99, 1000.0, "orange", "orange.25_to_150"),
    (49.99, 4.0, 1000.0, "orange", "orange.under_50_positivity_4"),
    (50.0, 4.0, 1000.0, "red", "red.50_and_positivity_4"),
    (150.0, 3.99, 1000.0, "orange", "orange.25_to_150"),
    (150.01, 0.5, 1000.0, "red", "red.over_150"),
    (10.0, 1.0, 300.0, "grey", "grey.testing_rate_300_or_less"),
    (10.0, 1.0, 300.01, "green", "green.under_25"),
    (10.0, None, 1000.0, "unknown", "unknown.insufficient_information"),
])
def test_eu_2020_1475_bands(tmp_path, rate, positivity, testing, level, code):
    rows = _both(tmp_path, "eu-2020-1475", metrics=_eu(rate, positivity, testing))
    assert rows["01001"][:2] == (level, code)


@pytest.mark.parametrize("rate, positivity, level, code", [
    (49.99, 3.99, "green", "green.under_50_positivity_under_4"),
    (49.99, 4.0, "orange", "orange.otherwise"),
    (74.99, 0.99, "green", "green.under_75_positivity_under_1"),
    (50.0, 1.0, "orange", "orange.otherwise"),
    (75.0, 0.5, "orange", "orange.otherwise"),
    (75.0, 4.0, "red", "red.75_to_200_positivity_4"),
    (200.0, 3.99, "orange", "orange.otherwise"),
    (200.01, 0.1, "red", "red.over_200"),
    (499.99, 0.1, "red", "red.over_200"),
    (500.0, 0.1, "dark_red", "dark_red.500_or_more"),
])
def test_eu_2021_961_bands(tmp_path, rate, positivity, level, code):
    rows = _both(tmp_path, "eu-2021-961", metrics=_eu(rate, positivity))
    assert rows["01001"][:2] == (level, code)


def test_eu_rates_from_counts(tmp_path):
    metrics = [MetricRecord("01001", DAY, "cases_14d", 60.0), MetricRecord("01001", DAY, "tests_7d", 5000.0),
               MetricRecord("01001", DAY, "positives_7d", 250.0)]
    rows = _both(tmp_path, "eu-2021-961", metrics=metrics)
    assert rows["01001"][:2] == ("orange", "orange.otherwise") and rows["01001"][2:] == (60.0, 5.0, 5000.0)


def _fj_cases(n: int, clusters: int = 0, day: dt.date = DAY - dt.timedelta(days=30)) -> list[CaseRecord]:
    """n confirmed cases; the first 2 x clusters of them in pairs, one cluster per pair."""
    return [CaseRecord(f"f{i}", day, "01001", "confirmed", f"K{i // 2}" if i < 2 * clusters else "")
            for i in range(n)]


@pytest.mark.parametrize("cases, clusters, spread, level, code", [
    (4, 0, None, "sporadic", "sporadic.up_to_4"),
    (5, 0, None, "general", "general.5_to_9"),
    (9, 0, None, "general", "general.5_to_9"),
    (10, 0, None, "many_cases", "many_cases.10_or_more"),
    (2, 1, None, "general", "general.1_to_3_clusters"),
    (8, 4, None, "many_cases", "many_cases.4_clusters"),
    (1, 0, 1.0, "general", "general.spread_risk"),
    (1, 0, 0.0, "sporadic", "sporadic.up_to_4"),
])
def test_fujian_four_classes(tmp_path, cases, clusters, spread, level, code):
    metrics = _metrics(geographic_spread_risk=spread) or [MetricRecord("01003", DAY, "geographic_spread_risk", 0.0)]
    rows = _both(tmp_path, "fj-2020-02", _fj_cases(cases, clusters), metrics=metrics)
    assert rows["01001"][:2] == (level, code)
    assert rows["01003"][:2] == ("none", "none.no_confirmed")


@pytest.mark.parametrize("discharged, days_ago, new_case, level, code", [
    (3.0, 14, False, "none", "none.14d_after_last_discharge"),
    (3.0, 13, False, "sporadic", "sporadic.up_to_4"),        # not yet 14 days
    (2.0, 20, False, "sporadic", "sporadic.up_to_4"),        # one case still in hospital
    (3.0, 20, True, "sporadic", "sporadic.up_to_4"),         # a new case after the last discharge
])
def test_fujian_no_epidemic_after_discharges(tmp_path, discharged, days_ago, new_case, level, code):
    cases = _fj_cases(3) + ([CaseRecord("late", DAY - dt.timedelta(days=2), "01001", "confirmed")] if new_case else [])
    metrics = [MetricRecord("01001", DAY - dt.timedelta(days=days_ago), "new_discharged", discharged)]
    if new_case:
        metrics.append(MetricRecord("01001", DAY - dt.timedelta(days=1), "new_discharged", 0.0))
    rows = _both(tmp_path, "fj-2020-02", cases, metrics=metrics)
    assert rows["01001"][:2] == (level, code)
