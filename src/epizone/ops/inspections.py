"""Inspections of the ten standing duties: one row per finding, follow-up that closes deficiencies, and the
inspections that fall due when an area's published level rises.

Columns: ``area_code,date,inspector,item,result`` and optionally ``note``, ``deadline`` and ``synthetic``.
``result`` is compliant, deficient or not_applicable; a deficiency needs a ``deadline`` (on or after the
inspection date) and only a deficiency has one. The rows of one (area, date, inspector) make one inspection;
sending a finding again with other values changes it (a deficiency that is no longer one loses its closure).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, insert, select, update

from epizone.domain.errors import Forbidden, InvalidInput, NotFound
from epizone.ops.access import Actor, require
from epizone.ops.areas import Areas, current_areas
from epizone.ops.checklist import settings
from epizone.ops.checks import known_area, within_scope
from epizone.ops.filters import among, equals, narrowed, since, until
from epizone.ops.models import RESULTS, Duty, DutyItem, Finding, Inspection
from epizone.ops.rows import Checker, Sheet, repeated, today
from epizone.ops.writes import AuditBuffer, bulk_insert
from epizone.store.audit import utc_now
from epizone.store.db import writing
from epizone.store.levels import active
from epizone.store.migrate import require_schema
from epizone.store.models import AssessmentRun, Publication, PublishedLevel
from epizone.store.runs import run_rule_set

REQUIRED = ("area_code", "date", "inspector", "item", "result")
OPTIONAL = ("note", "deadline", "synthetic")
FINDING_VALUES = ("result", "note", "deadline")


def check_rows(connection: Connection, sheet: Sheet, actor: Actor) -> list[dict[str, Any]]:
    """Validated findings (one per inspection and item)."""
    require(actor, "ops_inspect")
    areas = current_areas(connection)
    active_items = set(connection.scalars(select(DutyItem.code).where(DutyItem.active.is_(True))))
    check = Checker(sheet)
    latest = today()
    records, seen = [], {}
    for index, row in enumerate(sheet.rows):
        before = check.count()
        record = {"area_code": check.text(index, row, "area_code", max_length=64),
                  "date": check.day(index, row, "date", latest=latest),
                  "inspector": check.text(index, row, "inspector", max_length=100),
                  "item": check.text(index, row, "item", max_length=16),
                  "result": check.choice(index, row, "result", RESULTS),
                  "note": check.text(index, row, "note", required=False, max_length=2000),
                  "deadline": check.day(index, row, "deadline", required=False),
                  "synthetic": check.flag(index, row, "synthetic")}
        known_area(check, index, record["area_code"], areas)
        if record["item"] is not None and record["item"] not in active_items:
            check.problem(index, "item", record["item"],
                          "the code of an active checklist item (epizone ops duties list)")
        _deadline(check, index, row, record)
        if check.count() > before:
            continue
        key = (record["area_code"], record["date"], record["inspector"], record["item"])
        if not repeated(check, seen, key, index, tuple(record[v] for v in (*FINDING_VALUES, "synthetic")), "item",
                        "inspection and item"):
            records.append(record)
    check.raise_if_any()
    within_scope(actor, sheet.file, (r["area_code"] for r in records))
    return records


def _deadline(check: Checker, index: int, row: dict[str, str], record: dict[str, Any]) -> None:
    if record["result"] == "deficient" and record["deadline"] is None and not row.get("deadline"):
        check.problem(index, "deadline", "", "a date (YYYY-MM-DD) by which the deficiency is to be remedied")
    elif record["result"] in ("compliant", "not_applicable") and row.get("deadline"):
        check.problem(index, "deadline", row["deadline"], "empty: only a deficient finding has a deadline")
    elif record["deadline"] is not None and record["date"] is not None and record["deadline"] < record["date"]:
        check.problem(index, "deadline", str(record["deadline"]),
                      f"a date on or after the inspection ({record['date']})")


def apply_rows(connection: Connection, records: list[dict[str, Any]], audit: AuditBuffer) -> dict[str, int]:
    counts = {"new": 0, "changed": 0, "unchanged": 0, "inspections_new": 0}
    added: list[dict[str, Any]] = []
    grouped: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[(record["area_code"], record["date"], record["inspector"])].append(record)
    for (area, date, inspector), findings in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        inspection_id = connection.scalar(select(Inspection.id).where(
            Inspection.area_code == area, Inspection.date == date, Inspection.inspector == inspector))
        if inspection_id is None:
            synthetic = any(f["synthetic"] for f in findings)
            inspection_id = connection.scalar(insert(Inspection).values(
                area_code=area, date=date, inspector=inspector, synthetic=synthetic, recorded_at=audit.at,
                recorded_by=audit.user).returning(Inspection.id))
            audit.add("inspection.add", "inspection", inspection_id, None,
                      {"area_code": area, "date": date, "inspector": inspector, "synthetic": synthetic})
            counts["inspections_new"] += 1
        known = {row["item_code"]: dict(row) for row in connection.execute(
            select(Finding).where(Finding.inspection_id == inspection_id)).mappings()}
        for finding in findings:
            values = {v: finding[v] for v in FINDING_VALUES}
            before = known.get(finding["item"])
            if before is None:
                added.append({"inspection_id": inspection_id, "item_code": finding["item"], **values})
                audit.add("finding.add", "finding", f"{inspection_id}/{finding['item']}", None,
                          {"inspection_id": inspection_id, "item": finding["item"], **values})
                counts["new"] += 1
            elif any(before[v] != values[v] for v in FINDING_VALUES):
                if values["result"] != "deficient":
                    values.update(closed_on=None, closed_by=None, closure_note=None)
                connection.execute(update(Finding).where(Finding.id == before["id"]).values(**values))
                audit.add("finding.change", "finding", before["id"], _finding_audit(before), values)
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
    bulk_insert(connection, Finding.__table__, added)
    return counts


def _finding_audit(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("result", "note", "deadline", "closed_on", "closed_by", "closure_note")}


def close(engine: Engine, actor: Actor, finding_id: int, on: dt.date | None = None, note: str = "") -> dict[str, Any]:
    """Follow-up: the deficiency was remedied on ``on`` (default today); audited before and after."""
    require(actor, "ops_inspect")
    with writing(engine) as connection:
        require_schema(connection)
        audit = AuditBuffer(actor.name, utc_now())
        after = close_in(connection, actor, finding_id, on or dt.datetime.now(dt.timezone.utc).date(), note, audit)
        audit.write(connection)
    return after


def close_in(connection: Connection, actor: Actor, finding_id: int, on: dt.date, note: str,
             audit: AuditBuffer) -> dict[str, Any]:
    """``close`` inside a transaction."""
    before = finding(connection, actor, finding_id)
    if before["result"] != "deficient":
        raise InvalidInput(f"finding {finding_id} is {before['result']}: only a deficiency is closed by follow-up")
    if before["closed_on"] is not None:
        raise InvalidInput(f"finding {finding_id} was closed on {before['closed_on']} already")
    if on < before["date"] or on > today():
        raise InvalidInput(f"date {on}: expected a date from the inspection ({before['date']}) to today")
    connection.execute(update(Finding).where(Finding.id == finding_id).values(
        closed_on=on, closed_by=actor.name, closure_note=(note or "").strip() or None))
    after = finding(connection, actor, finding_id)
    audit.add("finding.close", "finding", finding_id, _finding_audit(before), _finding_audit(after))
    return after


FINDING_COLUMNS = (Finding.id, Inspection.id.label("inspection_id"), Inspection.area_code, Inspection.date,
                   Inspection.inspector, DutyItem.duty_code, Finding.item_code, DutyItem.text_zh.label("item_zh"),
                   DutyItem.text_en.label("item_en"), Finding.result, Finding.note, Finding.deadline, Finding.closed_on,
                   Finding.closed_by, Finding.closure_note, Inspection.synthetic)


def findings(area_codes: set[str] | None = None, start: dt.date | None = None, end: dt.date | None = None,
             result: str | None = None) -> Select:
    query = (select(*FINDING_COLUMNS).join(Inspection, Inspection.id == Finding.inspection_id)
             .join(DutyItem, DutyItem.code == Finding.item_code)
             .join(Duty, Duty.code == DutyItem.duty_code)
             .order_by(Inspection.date, Inspection.area_code, Inspection.id, Duty.position, DutyItem.position))
    return narrowed(query, among(Inspection.area_code, area_codes), since(Inspection.date, start),
                    until(Inspection.date, end), equals(Finding.result, result))


def deficiencies(area_codes: set[str] | None, date: dt.date, state: str = "open") -> Select:
    """Deficiencies found by ``date``: open (not closed by then), overdue (open and past their deadline),
    closed (by then) or all; the oldest deadline first."""
    query = findings(area_codes, end=date, result="deficient").order_by(None).order_by(
        Finding.deadline, Inspection.area_code, Finding.id)
    still_open = Finding.closed_on.is_(None) | (Finding.closed_on > date)
    if state == "open":
        query = query.where(still_open)
    elif state == "overdue":
        query = query.where(still_open, Finding.deadline < date)
    elif state == "closed":
        query = query.where(Finding.closed_on <= date)
    return query


def finding(connection: Connection, actor: Actor, finding_id: int) -> dict[str, Any]:
    row = connection.execute(findings().where(Finding.id == finding_id)).first()
    if row is None:
        raise NotFound(f"no finding with id {finding_id}")
    found = row._asdict()
    if not actor.sees_area(found["area_code"]):
        raise Forbidden(f"finding {finding_id} (area {found['area_code']}) is outside your scope")
    return found


def inspections(area_codes: set[str] | None = None, start: dt.date | None = None, end: dt.date | None = None,
                ) -> Select:
    query = (select(Inspection.id, Inspection.area_code, Inspection.date, Inspection.inspector, Inspection.synthetic,
                    Inspection.recorded_at, Inspection.recorded_by)
             .order_by(Inspection.date.desc(), Inspection.area_code, Inspection.id))
    return narrowed(query, among(Inspection.area_code, area_codes), since(Inspection.date, start),
                    until(Inspection.date, end))


def compliance(connection: Connection, areas: Areas, area_codes: set[str] | None, start: dt.date | None,
               end: dt.date | None) -> list[dict[str, Any]]:
    """Findings of the period counted per county and duty: compliant, deficient, not applicable, and the rate
    compliant / (compliant + deficient) (null when nothing was assessed)."""
    duties = {d.code: d for d in connection.execute(select(Duty.code, Duty.text_zh, Duty.text_en, Duty.position))}
    counted: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(RESULTS, 0))
    synthetic: dict[tuple[str, str], bool] = defaultdict(bool)
    for row in connection.execute(findings(area_codes, start, end)):
        key = (areas.county(row.area_code), row.duty_code)
        counted[key][row.result] += 1
        synthetic[key] |= row.synthetic
    result = []
    for (county, duty), n in sorted(counted.items(), key=lambda kv: (kv[0][0], duties[kv[0][1]].position)):
        assessed = n["compliant"] + n["deficient"]
        result.append({"county_code": county, "county_name": areas.name(county), "duty_code": duty,
                       "duty_zh": duties[duty].text_zh, "duty_en": duties[duty].text_en, **n,
                       "rate": round(n["compliant"] / assessed, 4) if assessed else None,
                       "synthetic": synthetic[(county, duty)]})
    return result


@dataclass(frozen=True)
class Due:
    """An inspection that fell due because an area's published level rose."""

    area_code: str
    area_name: str
    from_level: str
    to_level: str
    rule_set: str
    effective_date: dt.date
    due_date: dt.date
    announcement: int | None
    inspection_id: int | None      # the first inspection of the area (or below it) on or after the rise
    inspected_on: dt.date | None
    state: str                     # done, pending or overdue (as of the date asked about)
    on_time: bool | None           # done by the due date (None: not done yet)


def dues(connection: Connection, areas: Areas, date: dt.date, area_codes: set[str] | None = None,
         due_days: int | None = None) -> list[Due]:
    """For every rise of a published level in force by ``date`` (a publication not retracted whose level is later
    in its rule set's order than the level in force before it), an inspection due ``due_days`` after the day it
    took effect; done once an inspection of the area, or of an area below it, is recorded on or after that day."""
    days = settings()["due_days"] if due_days is None else due_days
    unranked = set(settings()["unranked_levels"])
    query = (select(PublishedLevel.area_code, PublishedLevel.area_name, PublishedLevel.level,
                    PublishedLevel.previous_level, Publication.effective_date, Publication.run_id, Publication.id,
                    AssessmentRun.rule_set)
             .join(Publication, Publication.id == PublishedLevel.publication_id)
             .join(AssessmentRun, AssessmentRun.id == Publication.run_id)
             .where(active(), Publication.effective_date <= date, PublishedLevel.previous_level.is_not(None),
                    PublishedLevel.previous_level != PublishedLevel.level)
             .order_by(Publication.effective_date, PublishedLevel.area_code))
    query = narrowed(query, among(PublishedLevel.area_code, area_codes))
    ranks: dict[int, dict[str, int]] = {}
    visits = _visits(connection, areas, date)
    numbers = _numbers(connection)
    found = []
    for row in connection.execute(query):
        if row.run_id not in ranks:
            order = [level.id for level in run_rule_set(connection, row.run_id).levels]
            ranks[row.run_id] = {level: i for i, level in enumerate(order) if level not in unranked}
        rank = ranks[row.run_id]
        if row.level not in rank or row.previous_level not in rank or rank[row.level] <= rank[row.previous_level]:
            continue
        due = row.effective_date + dt.timedelta(days=days)
        visit = next((v for v in visits.get(row.area_code, []) if v[0] >= row.effective_date), None)
        state = "done" if visit else ("overdue" if date > due else "pending")
        found.append(Due(row.area_code, row.area_name, row.previous_level, row.level, row.rule_set,
                         row.effective_date, due, numbers.get(row.id), visit[1] if visit else None,
                         visit[0] if visit else None, state, (visit[0] <= due) if visit else None))
    return found


def _visits(connection: Connection, areas: Areas, date: dt.date) -> dict[str, list[tuple[dt.date, int]]]:
    """Area -> (date, inspection id) of every inspection by ``date`` of it or of an area below it, oldest first."""
    visits: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for inspection_id, area, day in connection.execute(
            select(Inspection.id, Inspection.area_code, Inspection.date).where(Inspection.date <= date)
            .order_by(Inspection.date, Inspection.id)):
        for ancestor in areas.ancestors(area) or [area]:
            visits[ancestor].append((day, inspection_id))
    return visits


def _numbers(connection: Connection) -> dict[int, int]:
    from epizone.store.models import Announcement
    return dict(connection.execute(select(Announcement.publication_id, Announcement.number)
                                   .where(Announcement.kind == "publish")).all())
