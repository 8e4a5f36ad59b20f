"""Front-line medical supplies: hospitals (facilities), their daily stock, use and deliveries of each kind of
protective supply, days of supply left, and alerts for areas running short (``supplies.yaml``).

Facilities: ``code,name,area_code,kind`` (+ ``synthetic``). Supply reports: ``facility_code,date,item,stock,
consumed`` (+ ``received``, default 0): the stock at the end of the day, what was used and what was delivered
that day. One report per facility, date and item; sending it again with other values replaces it.

Days left, as of a date: the stock is each facility's latest report of the item on or before the date; daily
use is the mean of the ``consumed`` values reported in the ``window_days`` days up to the date (days without a
report do not count). An area's days left is the sum of its facilities' stocks over the sum of their daily use
(null when nothing is used). An alert is an area (county) and item with fewer days left than the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, Select, insert, select, update

from epizone.domain.errors import OutsideScope
from epizone.ops.access import Actor, require
from epizone.ops.areas import Areas, current_areas
from epizone.ops.checks import known_code, registered, registry_rows, within_scope
from epizone.ops.filters import among, equals, narrowed, since, until
from epizone.ops.models import Facility, SupplyReport
from epizone.ops.rows import Checker, Sheet, repeated, today
from epizone.ops.writes import AuditBuffer, bulk_insert

FACILITY_REQUIRED = ("code", "name", "area_code", "kind")
FACILITY_OPTIONAL = ("synthetic",)
FACILITY_FIELDS = ("name", "area_code", "kind", "synthetic")
REQUIRED = ("facility_code", "date", "item", "stock", "consumed")
OPTIONAL = ("received",)
AMOUNTS = ("stock", "consumed", "received")
MAX_AMOUNT = 2_000_000_000
KNOWN_FACILITY = "the code of a facility in the store (import the facilities first)"


@cache
def settings() -> dict[str, Any]:
    text = resources.files("epizone.ops").joinpath("supplies.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def items() -> dict[str, dict[str, str]]:
    return {i["id"]: i for i in settings()["items"]}


def kinds() -> dict[str, dict[str, str]]:
    return {k["id"]: k for k in settings()["facility_kinds"]}


def check_facilities(connection: Connection, sheet: Sheet, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "ops_register")
    check = Checker(sheet)

    def read(index: int, row: dict[str, str]) -> dict[str, Any]:
        return {"code": check.text(index, row, "code", max_length=64), "name": check.text(index, row, "name"),
                "area_code": check.text(index, row, "area_code", max_length=64),
                "kind": check.choice(index, row, "kind", kinds()), "synthetic": check.flag(index, row, "synthetic")}

    records = registry_rows(check, current_areas(connection), read, FACILITY_FIELDS, "facility code")
    existing = connection.scalars(select(Facility.area_code).where(
        Facility.code.in_(sorted(r["code"] for r in records))))
    within_scope(actor, sheet.file, [*(r["area_code"] for r in records), *existing])
    return records


def apply_facilities(connection: Connection, records: list[dict[str, Any]], audit: AuditBuffer) -> tuple[int, int, int]:
    existing = {r["code"]: dict(r) for r in connection.execute(select(Facility).where(
        Facility.code.in_(sorted(r["code"] for r in records)))).mappings()}
    new = changed = 0
    for record in records:
        before = existing.get(record["code"])
        stamp = {"updated_at": audit.at, "updated_by": audit.user}
        if before is None:
            connection.execute(insert(Facility).values(**record, **stamp))
            audit.add("facility.add", "facility", record["code"], None, record)
            new += 1
        elif any(before[f] != record[f] for f in FACILITY_FIELDS):
            connection.execute(update(Facility).where(Facility.id == before["id"]).values(**record, **stamp))
            audit.add("facility.update", "facility", record["code"], {f: before[f] for f in FACILITY_FIELDS}, record)
            changed += 1
    return new, changed, len(records) - new - changed


def check_reports(connection: Connection, sheet: Sheet, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "ops_supplies")
    known = registered(connection, sheet, "facility_code", Facility)
    check = Checker(sheet)
    latest = today()
    records, seen = [], {}
    for index, row in enumerate(sheet.rows):
        before = check.count()
        code = known_code(check, index, row, "facility_code", known, KNOWN_FACILITY)
        record = {"facility_code": code, "date": check.day(index, row, "date", latest=latest),
                  "item": check.choice(index, row, "item", items()),
                  "stock": check.integer(index, row, "stock", maximum=MAX_AMOUNT),
                  "consumed": check.integer(index, row, "consumed", maximum=MAX_AMOUNT),
                  "received": check.integer(index, row, "received", maximum=MAX_AMOUNT, default=0)}
        if check.count() > before:
            continue
        record["facility_id"] = known[code].id
        if not repeated(check, seen, (code, record["date"], record["item"]), index,
                        tuple(record[a] for a in AMOUNTS), "item", "facility, date and item"):
            records.append(record)
    check.raise_if_any()
    outside = sorted({r["facility_code"] for r in records if not actor.sees_area(known[r["facility_code"]].area_code)})
    if outside:
        raise OutsideScope(sheet.file, "facility(ies)", outside)
    return records


def apply_reports(connection: Connection, records: list[dict[str, Any]], audit: AuditBuffer) -> tuple[int, int, int]:
    ids = sorted({r["facility_id"] for r in records})
    dates = [r["date"] for r in records]
    existing = {}
    if records:
        for row in connection.execute(select(SupplyReport).where(
                SupplyReport.facility_id.in_(ids), SupplyReport.date >= min(dates),
                SupplyReport.date <= max(dates))).mappings():
            existing[(row["facility_id"], row["date"], row["item"])] = dict(row)
    new = changed = 0
    added = []
    for record in records:
        key = (record["facility_id"], record["date"], record["item"])
        values = {a: record[a] for a in AMOUNTS}
        before = existing.get(key)
        entity = f"{record['facility_code']}/{record['date']}/{record['item']}"
        stamp = {"submitted_at": audit.at, "submitted_by": audit.user}
        if before is None:
            added.append({"facility_id": key[0], "date": key[1], "item": key[2], **values, **stamp, "revision": 1})
            audit.add("supply_report.add", "supply_report", entity, None, values)
            new += 1
        elif any(before[a] != values[a] for a in AMOUNTS):
            connection.execute(update(SupplyReport).where(SupplyReport.id == before["id"]).values(
                **values, **stamp, revision=before["revision"] + 1))
            audit.add("supply_report.correct", "supply_report", entity, {a: before[a] for a in AMOUNTS}, values)
            changed += 1
    bulk_insert(connection, SupplyReport.__table__, added)
    return new, changed, len(records) - new - changed


def facilities(area_codes: set[str] | None = None) -> Select:
    query = select(Facility.code, Facility.name, Facility.area_code, Facility.kind, Facility.synthetic,
                   Facility.updated_at, Facility.updated_by).order_by(Facility.code)
    return narrowed(query, among(Facility.area_code, area_codes))


def reports(area_codes: set[str] | None = None, facility: str | None = None, start: dt.date | None = None,
            end: dt.date | None = None, item: str | None = None) -> Select:
    query = (select(Facility.code.label("facility_code"), Facility.name.label("facility_name"), Facility.area_code,
                    SupplyReport.date, SupplyReport.item, SupplyReport.stock, SupplyReport.consumed,
                    SupplyReport.received, SupplyReport.revision, SupplyReport.submitted_at,
                    SupplyReport.submitted_by, Facility.synthetic)
             .join(Facility, Facility.id == SupplyReport.facility_id)
             .order_by(SupplyReport.date, Facility.code, SupplyReport.item))
    return narrowed(query, among(Facility.area_code, area_codes), equals(Facility.code, facility),
                    since(SupplyReport.date, start), until(SupplyReport.date, end), equals(SupplyReport.item, item))


def standing(connection: Connection, areas: Areas, date: dt.date, area_codes: set[str] | None = None,
             by: str = "county") -> list[dict[str, Any]]:
    """Stock, daily use and days left of every item, per county (``by`` county), per facility (``facility``) or
    for all the facilities together (``total``), as of ``date``."""
    window = settings()["window_days"]
    first = date - dt.timedelta(days=window - 1)
    latest: dict[tuple[str, str], int] = {}
    used: dict[tuple[str, str], list[int]] = defaultdict(list)
    meta: dict[str, Any] = {}
    for row in connection.execute(reports(area_codes, end=date).order_by(None).order_by(SupplyReport.date)):
        key = (row.facility_code, row.item)
        latest[key] = row.stock
        meta[row.facility_code] = row
        if row.date >= first:
            used[key].append(row.consumed)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for (facility, item), stock in latest.items():
        row = meta[facility]
        if by == "facility":
            group = (facility, row.facility_name)
        elif by == "total":
            group = ("", "")
        else:
            county = areas.county(row.area_code)
            group = (county, areas.name(county))
        entry = groups.setdefault((group[0], item), {"code": group[0], "name": group[1], "item": item, "stock": 0,
                                                     "daily_use": 0.0, "facilities": 0, "synthetic": False})
        entry["stock"] += stock
        entry["daily_use"] += sum(used[(facility, item)]) / len(used[(facility, item)]) if used[(facility, item)] else 0
        entry["facilities"] += 1
        entry["synthetic"] |= row.synthetic
    result = []
    labels = items()
    for entry in groups.values():
        use = round(entry["daily_use"], 2)
        result.append({**entry, "daily_use": use, "unit": labels[entry["item"]]["unit"],
                       "days_left": round(entry["stock"] / entry["daily_use"], 2) if entry["daily_use"] > 0 else None})
    order = list(labels)
    return sorted(result, key=lambda e: (e["code"], order.index(e["item"])))


def alerts(connection: Connection, areas: Areas, date: dt.date, days: float | None = None,
           area_codes: set[str] | None = None, by: str = "county") -> list[dict[str, Any]]:
    """Areas (or facilities) and items with fewer than ``days`` days of supply left, worst first."""
    threshold = settings()["alert_days"] if days is None else days
    short = [{**e, "threshold_days": threshold} for e in standing(connection, areas, date, area_codes, by)
             if e["days_left"] is not None and e["days_left"] < threshold]
    return sorted(short, key=lambda e: (e["days_left"], e["code"], e["item"]))
