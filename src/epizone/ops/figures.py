"""Resumption figures and gating: resumption rates by area, sector and size over time, and the enterprises
operating beyond what their area's level allows.

On a date, each enterprise counts with its **latest report on or before that date** (an enterprise that never
reported counts as not resumed, with its registered workforce and nobody on site):

- ``resumption_rate`` = enterprises whose latest status is partial or full / enterprises registered;
- ``workforce_rate`` = employees on site / employees in all (the report's ``employees_total``, or the
  registered ``workforce`` of an enterprise without a report);
- ``flagged`` = enterprises whose latest status is partial or full while the level in force on that date for
  their area does not allow it (``epizone.ops.policy.verdict``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from epizone.domain.errors import InvalidInput
from epizone.ops.access import Actor
from epizone.ops.areas import Areas
from epizone.ops.enterprises import find, registry
from epizone.ops.levels import LevelInForce, LevelMap, Levels
from epizone.ops.models import ResumptionReport
from epizone.ops.policy import OPERATING, Policy, sectors, size_classes, verdict
from epizone.ops.reports import bottlenecks

GROUPINGS = ("county", "city", "sector", "size_class", "total")
MAX_DAYS = 366


def _latest_reports(connection: Connection, ids: list[int], end: dt.date) -> list[Any]:
    rows = []
    for first in range(0, len(ids), 5000):
        rows += connection.execute(
            select(ResumptionReport.enterprise_id, ResumptionReport.date, ResumptionReport.status,
                   ResumptionReport.employees_on_site, ResumptionReport.employees_total, ResumptionReport.capacity_pct)
            .where(ResumptionReport.enterprise_id.in_(ids[first:first + 5000]), ResumptionReport.date <= end)).all()
    return sorted(rows, key=lambda r: r.date)


def _grouper(areas: Areas, by: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
    if by not in GROUPINGS:
        raise InvalidInput(f"by {by!r}: expected one of {', '.join(GROUPINGS)}")
    labels = {**{k: v.zh for k, v in sectors().items()}, **{k: v.zh for k, v in size_classes().items()}}
    if by == "county":
        return lambda e: (areas.county(e["area_code"]), areas.name(areas.county(e["area_code"])))
    if by == "city":
        return lambda e: (areas.city(e["area_code"]), areas.name(areas.city(e["area_code"])))
    if by == "total":
        return lambda e: ("", "")
    return lambda e: (e[by], labels.get(e[by], e[by]))


def resumption(connection: Connection, areas: Areas, actor: Actor, start: dt.date, end: dt.date,
               by: str = "county", area_codes: set[str] | None = None, sector: str | None = None,
               size_class: str | None = None, key: bool | None = None, levels: Levels | None = None,
               ) -> list[dict[str, Any]]:
    """One row per date and group, dates in order, groups by code (``levels``: read once for ``end`` when not
    given)."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"end must be on or after start and at most {MAX_DAYS - 1} days later")
    group_of = _grouper(areas, by)
    enterprises = {row.id: row._asdict() for row in connection.execute(
        registry(actor, area_codes, sector, size_class, key))}
    reports = _latest_reports(connection, sorted(enterprises), end)
    latest: dict[int, Any] = {}
    groups = {eid: group_of(e) for eid, e in enterprises.items()}
    levels = levels or Levels(connection, areas, end)
    result, i, day = [], 0, start
    while day <= end:
        while i < len(reports) and reports[i].date <= day:
            latest[reports[i].enterprise_id] = reports[i]
            i += 1
        in_force = levels.at(day)
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for eid, enterprise in enterprises.items():
            group = groups[eid]
            row = rows.setdefault(group, _empty(day, group))
            _count(row, enterprise, latest.get(eid), in_force, day)
        result += [_rates(rows[g]) for g in sorted(rows)]
        day += dt.timedelta(days=1)
    return result


def _empty(day: dt.date, group: tuple[str, str]) -> dict[str, Any]:
    return {"date": day, "group": group[0], "group_name": group[1], "enterprises": 0, "reporting": 0,
            "reported_on_date": 0, "resumed": 0, "fully_resumed": 0, "workforce": 0, "on_site": 0, "flagged": 0,
            "synthetic": False}


def _count(row: dict[str, Any], enterprise: dict[str, Any], report: Any, levels: LevelMap, day: dt.date) -> None:
    row["enterprises"] += 1
    row["synthetic"] |= enterprise["synthetic"]
    if report is None:
        row["workforce"] += enterprise["workforce"]
        return
    row["reporting"] += 1
    row["reported_on_date"] += report.date == day
    row["resumed"] += report.status in OPERATING
    row["fully_resumed"] += report.status == "full"
    row["workforce"] += report.employees_total
    row["on_site"] += report.employees_on_site
    level = levels.of(enterprise["area_code"])
    if verdict(level.policy if level else None, report.status, enterprise["sector"], enterprise["plan_approved_on"],
               day):
        row["flagged"] += 1


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    row["resumption_rate"] = round(row["resumed"] / row["enterprises"], 4) if row["enterprises"] else None
    row["workforce_rate"] = round(row["on_site"] / row["workforce"], 4) if row["workforce"] else None
    return row


def flags(connection: Connection, areas: Areas, actor: Actor, date: dt.date,
          area_codes: set[str] | None = None, levels: Levels | None = None) -> list[dict[str, Any]]:
    """Every enterprise (visible to ``actor``) operating on ``date`` beyond what its area's level allows."""
    enterprises = {row.id: row._asdict() for row in connection.execute(registry(actor, area_codes))}
    latest = {r.enterprise_id: r for r in _latest_reports(connection, sorted(enterprises), date)}
    in_force = (levels or Levels(connection, areas, date)).at(date)
    found = []
    for eid, enterprise in sorted(enterprises.items(), key=lambda kv: kv[1]["code"]):
        report = latest.get(eid)
        if report is None:
            continue
        level = in_force.of(enterprise["area_code"])
        flag = verdict(level.policy if level else None, report.status, enterprise["sector"],
                       enterprise["plan_approved_on"], date)
        if flag:
            county = areas.county(enterprise["area_code"])
            found.append({"enterprise_code": enterprise["code"], "enterprise_name": enterprise["name"],
                          "area_code": enterprise["area_code"], "county_code": county,
                          "county_name": areas.name(county), "sector": enterprise["sector"],
                          "plan_approved_on": enterprise["plan_approved_on"], "status": report.status,
                          "report_date": report.date, "level": level.level, "rule_set": level.rule_set,
                          "allows": level.policy.allows, "flag": flag.code, "reason_zh": flag.zh,
                          "reason_en": flag.en, "synthetic": enterprise["synthetic"]})
    return found


def level_out(level: LevelInForce | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {"area_code": level.area_code, "area_name": level.area_name, "level": level.level,
            "rule_set": level.rule_set, "reason_code": level.reason_code, "reason_zh": level.reason_zh,
            "reason_en": level.reason_en, "effective_date": level.effective_date,
            "assessed_date": level.assessed_date, "announcement": level.announcement}


def policy_out(policy: Policy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {"rule_set": policy.rule_set, "level": policy.level, "allows": policy.allows, "zh": policy.zh,
            "en": policy.en, "source": policy.source}


def may_operate(policy: Policy | None, enterprise: dict[str, Any], date: dt.date) -> bool | None:
    """Whether the level lets this enterprise operate on ``date`` (None: no policy for the level)."""
    if policy is None:
        return None
    return verdict(policy, "full", enterprise["sector"], enterprise["plan_approved_on"], date) is None


def enterprise_status(connection: Connection, areas: Areas, actor: Actor, code: str, date: dt.date) -> dict[str, Any]:
    """What one enterprise (and its officer) needs on a date: its area's level, what it allows, whether the
    enterprise may operate, its latest report, the flag if it operates beyond the level, its open bottlenecks."""
    enterprise = find(connection, actor, code)
    level = LevelMap.read(connection, areas, date).of(enterprise["area_code"])
    policy = level.policy if level else None
    report = connection.execute(
        select(ResumptionReport.date, ResumptionReport.status, ResumptionReport.employees_on_site,
               ResumptionReport.employees_total, ResumptionReport.employees_away, ResumptionReport.away_from,
               ResumptionReport.capacity_pct, ResumptionReport.note, ResumptionReport.revision)
        .where(ResumptionReport.enterprise_id == enterprise["id"], ResumptionReport.date <= date)
        .order_by(ResumptionReport.date.desc()).limit(1)).first()
    flag = verdict(policy, report.status if report else None, enterprise["sector"], enterprise["plan_approved_on"],
                   date)
    open_now = [r._asdict() for r in connection.execute(bottlenecks(actor, date=date, enterprise=code))]
    return {"enterprise": {k: v for k, v in enterprise.items() if k != "id"}, "date": date,
            "county_code": areas.county(enterprise["area_code"]),
            "level": level_out(level), "policy": policy_out(policy),
            "may_operate": may_operate(policy, enterprise, date),
            "latest_report": report._asdict() if report else None,
            "flag": None if flag is None else {"code": flag.code, "zh": flag.zh, "en": flag.en},
            "open_bottlenecks": open_now, "synthetic": enterprise["synthetic"]}


def bottleneck_summary(rows: list[dict[str, Any]], areas: Areas) -> list[dict[str, Any]]:
    """Open bottlenecks counted per county and category, the county with most first."""
    counted: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        county = areas.county(row["area_code"])
        entry = counted.setdefault((county, row["category"]), {
            "county_code": county, "county_name": areas.name(county), "category": row["category"], "open": 0,
            "oldest_opened_on": row["opened_on"], "synthetic": False})
        entry["open"] += 1
        entry["oldest_opened_on"] = min(entry["oldest_opened_on"], row["opened_on"])
        entry["synthetic"] |= row["synthetic"]
    per_county: dict[str, int] = defaultdict(int)
    for (county, _), entry in counted.items():
        per_county[county] += entry["open"]
    return sorted(counted.values(), key=lambda e: (-per_county[e["county_code"]], e["county_code"],
                                                   e["oldest_opened_on"], e["category"]))
