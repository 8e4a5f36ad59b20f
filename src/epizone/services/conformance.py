"""Use case: recompute the levels of an authority's published file and report agreement, row by row.

A loader turns the published export into areas, metrics and official levels; each report date is then
graded on that date's inputs alone, exactly as the authority graded it. Rows whose inputs the
authority withheld (suppressed or blank) are counted apart: the authority graded them with data that
is not in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from epizone.domain.problems import InputError, Problem
from epizone.services.assess import Request, assess_table


@dataclass
class Published:
    """One row of a published file: the inputs as published (None = withheld) and the official level."""

    line: int
    area_code: str
    area_name: str
    parent_code: str
    parent_name: str
    date: dt.date
    inputs: dict[str, float | None]
    withheld: list[str]
    official: str | None


@dataclass
class Checked:
    row: Published
    computed: str
    reason_code: str
    values: dict[str, float | None]

    @property
    def complete(self) -> bool:
        return not self.row.withheld

    @property
    def agrees(self) -> bool:
        return self.row.official == self.computed

    def explanation(self) -> str:
        shown = ", ".join(f"{k}={'-' if v is None else round(v, 4)}" for k, v in self.values.items())
        text = f"computed {self.computed} by {self.reason_code} ({shown})"
        if self.row.withheld:
            text += f"; withheld in the file: {', '.join(self.row.withheld)}"
        return text


@dataclass
class Report:
    rule_set: str
    file: str
    rows: list[Checked] = field(default_factory=list)
    without_official: int = 0

    def part(self, complete: bool) -> list[Checked]:
        return [r for r in self.rows if r.complete == complete]

    @property
    def disagreements(self) -> list[Checked]:
        return [r for r in self.rows if not r.agrees]


def conformance(rule_set: str, path: Path, out: Path | None = None) -> Report:
    loader = LOADERS.get(rule_set)
    if loader is None:
        raise ValueError(f"no loader for published files of {rule_set!r}; available: {', '.join(sorted(LOADERS))}")
    published = loader(path)
    report = Report(rule_set, str(path))
    for date in sorted({p.date for p in published}):
        rows = [p for p in published if p.date == date]
        report.rows += _check(rule_set, rows, date)
    report.without_official = sum(1 for p in published if p.official is None)
    report.rows = [r for r in report.rows if r.row.official is not None]
    if out is not None:
        _write(out, report)
    return report


def _check(rule_set: str, rows: list[Published], date: dt.date) -> list[Checked]:
    with tempfile.TemporaryDirectory(prefix="epizone-conformance-") as tmp:
        folder = Path(tmp)
        areas, metrics = folder / "areas.csv", folder / "metrics.csv"
        parents = {(p.parent_code, p.parent_name) for p in rows}
        _csv(areas, ["code", "name", "parent_code", "kind", "population"],
             [[code, name, "", "province", ""] for code, name in sorted(parents)]
             + [[p.area_code, p.area_name, p.parent_code, "county", ""] for p in rows])
        _csv(metrics, ["area_code", "date", "metric", "value"],
             [[p.area_code, date.isoformat(), name, repr(v)] for p in rows for name, v in p.inputs.items()
              if v is not None])
        table, _ = assess_table(Request(areas=areas, metrics=metrics, rules=rule_set, start=date, end=date,
                                        data_end=date))
    names = [n for n in table.column_names if n not in _FIXED]
    computed = {r["area_code"]: r for r in table.to_pylist()}
    return [Checked(p, computed[p.area_code]["level"], computed[p.area_code]["reason_code"],
                    {n: computed[p.area_code][n] for n in names}) for p in rows]


_FIXED = {"area_code", "area_name", "date", "level", "rule_set", "reason_code", "reason", "data_through"}


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write(out: Path, report: Report) -> None:
    names = list(report.rows[0].values) if report.rows else []
    _csv(out, ["area_code", "area_name", "date", "official_level", "computed_level", "agrees", "complete_inputs",
               "reason_code", *names, "reason"],
         [[r.row.area_code, r.row.area_name, r.row.date.isoformat(), r.row.official, r.computed, r.agrees,
           r.complete, r.reason_code, *["" if r.values[n] is None else r.values[n] for n in names],
           r.explanation()] for r in report.rows])


# --- loaders of published files -------------------------------------------------------------------------

def load_cdc_transmission(path: Path) -> list[Published]:
    """CDC "County Level of Community Transmission" export (data.cdc.gov 8396-v7yb).

    Accepts both formats seen in the wild: numbers with or without thousands separators, FIPS with or
    without leading zeros, dates as YYYY/MM/DD or YYYY-MM-DD, column names and levels in any letter case.
    """
    rows, problems = [], []
    for line, record in _records(path, ["state_name", "county_name", "fips_code", "report_date",
                                        "cases_per_100k_7_day_count_change",
                                        "percent_test_results_reported_positive_last_7_days",
                                        "community_transmission_level"]):
        place = _county_day(path, line, record, "fips_code", "report_date", problems)
        if place is None:
            continue
        fips, date = place
        rate, rate_withheld = _number(record["cases_per_100k_7_day_count_change"])
        positivity, positivity_withheld = _number(record["percent_test_results_reported_positive_last_7_days"])
        withheld = [name for name, flag in (("case_rate_7d", rate_withheld), ("test_positivity_7d", positivity_withheld))
                    if flag]
        level = _official(record["community_transmission_level"])
        rows.append(Published(line, fips, record["county_name"].strip(), fips[:2], record["state_name"].strip(), date,
                              {"case_rate_7d": rate, "test_positivity_7d": positivity}, withheld, level))
    if problems:
        raise InputError(problems)
    return rows


def _county_day(path: Path, line: int, record: dict[str, str], fips_column: str, date_column: str,
                problems: list[Problem]) -> tuple[str, dt.date] | None:
    """The row's 5-digit FIPS code (leading zeros restored) and date, or None with a problem recorded."""
    fips, date = record[fips_column].strip(), _date(record[date_column])
    if not fips.isdigit() or len(fips) > 5:
        problems.append(Problem(str(path), line, fips_column, 0, fips, "a county FIPS code of up to 5 digits"))
        return None
    if date is None:
        problems.append(Problem(str(path), line, date_column, 0, record[date_column],
                                "a date as YYYY-MM-DD or YYYY/MM/DD"))
        return None
    return fips.zfill(5), date


def _records(path: Path, required: list[str]):  # noqa: ANN202
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError([Problem(str(path), 1, c, 0, ",".join(header), f"a column named {c!r}") for c in missing])
        for line, values in enumerate(reader, start=2):
            yield line, dict(zip(header, values))


def _official(text: str) -> str | None:
    """A published level in lower case; blank and "N/A" mean the authority published none."""
    level = text.strip().lower()
    return None if level in ("", "n/a", "na", "none") else level


def _number(text: str) -> tuple[float | None, bool]:
    """A published number; (None, True) when withheld (blank, 'suppressed' or not a number)."""
    cleaned = text.strip().replace(",", "")
    try:
        return float(cleaned), False
    except ValueError:
        return None, True


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        return None


def load_cdc_community_levels(path: Path) -> list[Published]:
    """CDC "COVID-19 Community Levels by County" export (data.cdc.gov 3nnm-4jni), weekly releases.

    Accepts populations with or without thousands separators, FIPS with or without leading zeros and
    levels in any letter case. The hospital metrics are per health service area, repeated for its counties.
    """
    rows, problems = [], []
    names = {"covid_cases_per_100k": "case_rate_7d", "covid_hospital_admissions_per_100k": "admissions_per_100k_7d",
             "covid_inpatient_bed_utilization": "inpatient_beds_covid_pct"}
    for line, record in _records(path, ["county", "county_fips", "state", *names, "covid-19_community_level",
                                        "date_updated"]):
        place = _county_day(path, line, record, "county_fips", "date_updated", problems)
        if place is None:
            continue
        fips, date = place
        inputs = {metric: _number(record[column]) for column, metric in names.items()}
        level = _official(record["covid-19_community_level"])
        rows.append(Published(line, fips, record["county"].strip(), fips[:2], record["state"].strip(), date,
                              {k: v for k, (v, _) in inputs.items()}, [k for k, (_, w) in inputs.items() if w],
                              level))
    if problems:
        raise InputError(problems)
    return rows


LOADERS: dict[str, Callable[[Path], list[Published]]] = {
    "us-cdc-transmission-2021": load_cdc_transmission,
    "us-cdc-community-levels-2022": load_cdc_community_levels,
}
