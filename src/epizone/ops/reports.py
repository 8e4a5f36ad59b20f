"""Daily resumption reports of enterprises, and the bottlenecks they name.

Columns: ``enterprise_code,date,status,employees_on_site,employees_total`` and optionally ``employees_away``
(default 0), ``away_from`` (``place:count; place:count``), ``capacity_pct`` (0-100, default 0), ``note`` and
one column per bottleneck category (``transport``, ``labour``, ``logistics``, ``market``,
``protective_supplies``) holding the detail in words (empty: no bottleneck of that kind that day).

One report per enterprise and date: a report sent again with other values replaces it (``revision`` + 1,
the audit log keeps both). A bottleneck named in a report extends the enterprise's open bottleneck of that
category (its detail becomes the latest wording) or, if none is open, opens one on the report's date; it
stays open until an officer resolves it (``resolve``), whatever later reports say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, insert, select, update

from epizone.domain.errors import Forbidden, InvalidInput, NotFound, OutsideScope
from epizone.ops.access import Actor, require
from epizone.ops.checks import known_code, registered
from epizone.ops.enterprises import visible
from epizone.ops.filters import among, equals, narrowed, since, until
from epizone.ops.models import CATEGORIES, STATUSES, Bottleneck, Enterprise, ResumptionReport
from epizone.ops.rows import Checker, Sheet, repeated, today
from epizone.ops.writes import AuditBuffer, bulk_insert
from epizone.store.audit import utc_now
from epizone.store.db import writing
from epizone.store.migrate import require_schema

REQUIRED = ("enterprise_code", "date", "status", "employees_on_site", "employees_total")
OPTIONAL = ("employees_away", "away_from", "capacity_pct", "note", *CATEGORIES)
VALUES = ("status", "employees_on_site", "employees_total", "employees_away", "away_from", "capacity_pct", "note")
KNOWN_ENTERPRISE = "the code of an enterprise in the store (import the enterprises first)"


def check_rows(connection: Connection, sheet: Sheet, actor: Actor) -> list[dict[str, Any]]:
    """Validated reports, each with ``enterprise_id`` and its ``bottlenecks`` (category -> detail)."""
    require(actor, "ops_report")
    check = Checker(sheet)
    latest = today()
    known = registered(connection, sheet, "enterprise_code", Enterprise)
    records, seen = [], {}
    for index, row in enumerate(sheet.rows):
        before = check.count()
        code = known_code(check, index, row, "enterprise_code", known, KNOWN_ENTERPRISE)
        record = {"enterprise_code": code,
                  "date": check.day(index, row, "date", latest=latest),
                  "status": check.choice(index, row, "status", STATUSES),
                  "employees_on_site": check.integer(index, row, "employees_on_site"),
                  "employees_total": check.integer(index, row, "employees_total"),
                  "employees_away": check.integer(index, row, "employees_away", default=0),
                  "away_from": check.places(index, row, "away_from"),
                  "capacity_pct": check.integer(index, row, "capacity_pct", maximum=100, default=0),
                  "note": check.text(index, row, "note", required=False, max_length=2000)}
        details = {c: check.text(index, row, c, required=False, max_length=2000) for c in CATEGORIES}
        _consistent(check, index, record)
        if check.count() > before:
            continue
        record["enterprise_id"] = known[code].id
        record["bottlenecks"] = {c: d for c, d in details.items() if d}
        values = tuple(record[v] if v != "away_from" else tuple(sorted(record[v].items())) for v in VALUES)
        values += tuple(sorted(record["bottlenecks"].items()))
        if not repeated(check, seen, (code, record["date"]), index, values, "date", "enterprise and date"):
            records.append(record)
    check.raise_if_any()
    _check_scope(sheet.file, actor, {code: known[code] for code in {r["enterprise_code"] for r in records}})
    return records


def _consistent(check: Checker, index: int, record: dict[str, Any]) -> None:
    on_site, total = record["employees_on_site"], record["employees_total"]
    if on_site is not None and total is not None and on_site > total:
        check.problem(index, "employees_on_site", str(on_site), f"at most employees_total ({total})")
    if record["status"] == "closed" and record["capacity_pct"]:
        check.problem(index, "capacity_pct", str(record["capacity_pct"]), "0 when the status is closed")
    away, places = record["employees_away"], record["away_from"]
    if away is not None and places and sum(places.values()) > away:
        check.problem(index, "away_from", "; ".join(f"{k}:{v}" for k, v in places.items()),
                      f"counts adding up to at most employees_away ({away})")


def _check_scope(file: str, actor: Actor, enterprises: dict[str, Any]) -> None:
    if actor.is_enterprise:
        others = sorted(code for code in enterprises if code != actor.enterprise_code)
        if others:
            raise OutsideScope(file, "report(s) of enterprises other than yours", others)
        return
    outside = sorted(code for code, row in enterprises.items() if not actor.sees_area(row.area_code))
    if outside:
        raise OutsideScope(file, "enterprise(s)", outside)


def apply_rows(connection: Connection, records: list[dict[str, Any]], audit: AuditBuffer) -> dict[str, int]:
    """Write the reports (new, corrected) and their bottlenecks; counts of what changed."""
    counts = {"new": 0, "changed": 0, "unchanged": 0, "bottlenecks_opened": 0, "bottlenecks_updated": 0}
    existing = _existing(connection, records)
    episodes = _episodes(connection, {r["enterprise_id"] for r in records if r["bottlenecks"]})
    codes = {r["enterprise_id"]: r["enterprise_code"] for r in records}
    added = []
    for record in sorted(records, key=lambda r: (r["date"], r["enterprise_code"])):
        values = {v: record[v] for v in VALUES}
        key = (record["enterprise_id"], record["date"])
        before = existing.get(key)
        stamp = {"submitted_at": audit.at, "submitted_by": audit.user}
        entity = f"{record['enterprise_code']}/{record['date']}"
        if before is None:
            added.append({"enterprise_id": key[0], "date": key[1], **values, **stamp, "revision": 1})
            audit.add("resumption_report.add", "resumption_report", entity, None, {**values, "revision": 1})
            counts["new"] += 1
        elif any(before[v] != values[v] for v in VALUES):
            revision = before["revision"] + 1
            connection.execute(update(ResumptionReport).where(ResumptionReport.id == before["id"]).values(
                **values, **stamp, revision=revision))
            audit.add("resumption_report.correct", "resumption_report", entity,
                      {v: before[v] for v in (*VALUES, "revision")}, {**values, "revision": revision})
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
        for category, detail in record["bottlenecks"].items():
            _mention(episodes.setdefault((record["enterprise_id"], category), []), record["enterprise_id"], category,
                     detail, record["date"])
    bulk_insert(connection, ResumptionReport.__table__, added)
    opened, updated = _write_episodes(connection, episodes, codes, audit)
    counts.update(bottlenecks_opened=opened, bottlenecks_updated=updated)
    return counts


def _existing(connection: Connection, records: list[dict[str, Any]]) -> dict[tuple[int, dt.date], dict[str, Any]]:
    ids = sorted({r["enterprise_id"] for r in records})
    dates = [r["date"] for r in records]
    found: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for first in range(0, len(ids), 5000):
        query = select(ResumptionReport).where(ResumptionReport.enterprise_id.in_(ids[first:first + 5000]),
                                               ResumptionReport.date >= min(dates), ResumptionReport.date <= max(dates))
        for row in connection.execute(query).mappings():
            found[(row["enterprise_id"], row["date"])] = dict(row)
    return found


def _episodes(connection: Connection, enterprise_ids: set[int]) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """Every bottleneck of these enterprises, by (enterprise, category)."""
    found: dict[tuple[int, str], list[dict[str, Any]]] = {}
    ids = sorted(enterprise_ids)
    for first in range(0, len(ids), 5000):
        for row in connection.execute(select(Bottleneck).where(
                Bottleneck.enterprise_id.in_(ids[first:first + 5000]))).mappings():
            found.setdefault((row["enterprise_id"], row["category"]), []).append(dict(row))
    return found


def _mention(episodes: list[dict[str, Any]], enterprise_id: int, category: str, detail: str, date: dt.date) -> None:
    """A report of ``date`` names a bottleneck: extend the open one, or open one. ``episodes`` (the enterprise's
    bottlenecks of that category) are changed in memory: a new one has no ``id``, a changed one keeps its values
    before under ``_before``; ``_write_episodes`` stores them."""
    open_row = next((e for e in episodes if e["state"] == "open"), None)
    if open_row is None:
        if any(e["opened_on"] <= date <= e["resolved_on"] for e in episodes):
            return  # a late report of a day an officer has already resolved it for
        episodes.append({"enterprise_id": enterprise_id, "category": category, "detail": detail, "opened_on": date,
                         "last_reported_on": date, "state": "open", "resolved_on": None})
        return
    changes: dict[str, Any] = {}
    if date > open_row["last_reported_on"]:
        changes["last_reported_on"] = date
    if date >= open_row["last_reported_on"] and detail != open_row["detail"]:
        changes["detail"] = detail
    if date < open_row["opened_on"]:
        changes["opened_on"] = date
    if changes and "id" in open_row:
        before = open_row.setdefault("_before", {})
        for name in changes:
            before.setdefault(name, open_row[name])
    open_row.update(changes)


EPISODE_FIELDS = ("detail", "opened_on", "last_reported_on")


def _write_episodes(connection: Connection, episodes: dict[tuple[int, str], list[dict[str, Any]]],
                    codes: dict[int, str], audit: AuditBuffer) -> tuple[int, int]:
    """Insert the new bottlenecks and update the changed ones; (opened, updated)."""
    new = [e for found in episodes.values() for e in found if "id" not in e]
    changed = [e for found in episodes.values() for e in found
               if "id" in e and any(e[k] != v for k, v in e.get("_before", {}).items())]
    stamp = {"updated_at": audit.at, "updated_by": audit.user}
    if new:
        rows = [{k: e[k] for k in ("enterprise_id", "category", "detail", "opened_on", "last_reported_on", "state",
                                   "resolved_on")} | stamp for e in new]
        ids = connection.execute(insert(Bottleneck).returning(Bottleneck.id, sort_by_parameter_order=True),
                                 rows).scalars().all()
        for e, new_id in zip(new, ids):
            audit.add("bottleneck.open", "bottleneck", new_id, None,
                      {"enterprise": codes.get(e["enterprise_id"]), "category": e["category"], "detail": e["detail"],
                       "opened_on": e["opened_on"], "last_reported_on": e["last_reported_on"]})
    if changed:
        connection.execute(update(Bottleneck).where(Bottleneck.id == bindparam("b_id")).values(
            detail=bindparam("b_detail"), opened_on=bindparam("b_opened_on"),
            last_reported_on=bindparam("b_last_reported_on"), updated_at=audit.at, updated_by=audit.user),
            [{"b_id": e["id"], **{f"b_{k}": e[k] for k in EPISODE_FIELDS}} for e in changed])
        for e in changed:
            audit.add("bottleneck.update", "bottleneck", e["id"], dict(e["_before"]),
                      {k: e[k] for k in e["_before"]})
    return len(new), len(changed)


def reports(actor: Actor, area_codes: set[str] | None = None, enterprise: str | None = None,
            start: dt.date | None = None, end: dt.date | None = None, status: str | None = None) -> Select:
    """The reports the actor may see, oldest first, with the enterprise's code, name, area, sector and size."""
    query = (select(Enterprise.code.label("enterprise_code"), Enterprise.name.label("enterprise_name"),
                    Enterprise.area_code, Enterprise.sector, Enterprise.size_class, ResumptionReport.date,
                    ResumptionReport.status, ResumptionReport.employees_on_site, ResumptionReport.employees_total,
                    ResumptionReport.employees_away, ResumptionReport.away_from, ResumptionReport.capacity_pct,
                    ResumptionReport.note, ResumptionReport.revision, ResumptionReport.submitted_at,
                    ResumptionReport.submitted_by, Enterprise.synthetic)
             .join(Enterprise, Enterprise.id == ResumptionReport.enterprise_id).where(*visible(actor))
             .order_by(ResumptionReport.date, Enterprise.code))
    return narrowed(query, among(Enterprise.area_code, area_codes), equals(Enterprise.code, enterprise),
                    since(ResumptionReport.date, start), until(ResumptionReport.date, end),
                    equals(ResumptionReport.status, status))


BOTTLENECK_COLUMNS = (Bottleneck.id, Enterprise.code.label("enterprise_code"), Enterprise.name.label("enterprise_name"),
                      Enterprise.area_code, Enterprise.sector, Bottleneck.category, Bottleneck.detail,
                      Bottleneck.opened_on, Bottleneck.last_reported_on, Bottleneck.state, Bottleneck.resolved_on,
                      Bottleneck.resolved_by, Bottleneck.resolution, Enterprise.synthetic)


def bottlenecks(actor: Actor, area_codes: set[str] | None = None, category: str | None = None,
                state: str = "open", date: dt.date | None = None, enterprise: str | None = None) -> Select:
    """Bottlenecks, oldest first. ``state`` open (as of ``date`` when given: opened by then and not resolved
    by then), resolved (by ``date``), or all."""
    query = (select(*BOTTLENECK_COLUMNS).join(Enterprise, Enterprise.id == Bottleneck.enterprise_id)
             .where(*visible(actor)).order_by(Bottleneck.opened_on, Bottleneck.id))
    if date is not None:
        query = query.where(Bottleneck.opened_on <= date)
    if state == "open":
        query = query.where(Bottleneck.state == "open" if date is None else
                            (Bottleneck.resolved_on.is_(None) | (Bottleneck.resolved_on > date)))
    elif state == "resolved":
        query = query.where(Bottleneck.state == "resolved" if date is None else Bottleneck.resolved_on <= date)
    return narrowed(query, among(Enterprise.area_code, area_codes), equals(Bottleneck.category, category),
                    equals(Enterprise.code, enterprise))


def resolve(engine: Engine, actor: Actor, bottleneck_id: int, on: dt.date | None = None, note: str = "") -> dict:
    """An officer marks a bottleneck resolved on ``on`` (default: today); audited before and after."""
    return _set_state(engine, actor, bottleneck_id, "resolved", on or dt.datetime.now(dt.timezone.utc).date(), note)


def reopen(engine: Engine, actor: Actor, bottleneck_id: int, note: str = "") -> dict:
    """Open a resolved bottleneck again (it was not solved after all); audited."""
    return _set_state(engine, actor, bottleneck_id, "open", None, note)


def _set_state(engine: Engine, actor: Actor, bottleneck_id: int, state: str, on: dt.date | None, note: str) -> dict:
    require(actor, "ops_resolve")
    with writing(engine) as connection:
        require_schema(connection)
        audit = AuditBuffer(actor.name, utc_now())
        after = set_state(connection, actor, bottleneck_id, state, on, note, audit)
        audit.write(connection)
    return after


def set_state(connection: Connection, actor: Actor, bottleneck_id: int, state: str, on: dt.date | None, note: str,
              audit: AuditBuffer) -> dict:
    """Resolve (``state`` resolved, on ``on``) or reopen a bottleneck inside a transaction; audited."""
    before = _bottleneck(connection, actor, bottleneck_id)
    if before["state"] == state:
        raise InvalidInput(f"bottleneck {bottleneck_id} is {state} already")
    if on is not None and on < before["opened_on"]:
        raise InvalidInput(f"date {on}: expected a date on or after the day the bottleneck was opened "
                       f"({before['opened_on']})")
    if on is not None and on > today():
        raise InvalidInput(f"date {on}: expected a date that is not in the future")
    if state == "open" and connection.scalar(select(Bottleneck.id).where(
            Bottleneck.enterprise_id == select(Bottleneck.enterprise_id).where(
                Bottleneck.id == bottleneck_id).scalar_subquery(),
            Bottleneck.category == before["category"], Bottleneck.state == "open")) is not None:
        raise InvalidInput(f"enterprise {before['enterprise_code']} has another open {before['category']} bottleneck")
    values = {"state": state, "resolved_on": on, "resolved_by": actor.name if on else None,
              "resolution": (note or "").strip() or None, "updated_at": audit.at, "updated_by": actor.name}
    connection.execute(update(Bottleneck).where(Bottleneck.id == bottleneck_id).values(**values))
    after = _bottleneck(connection, actor, bottleneck_id)
    audit.add("bottleneck.resolve" if state == "resolved" else "bottleneck.reopen", "bottleneck", bottleneck_id,
              before, after)
    return after


def _bottleneck(connection: Connection, actor: Actor, bottleneck_id: int) -> dict[str, Any]:
    row = connection.execute(select(*BOTTLENECK_COLUMNS).join(Enterprise, Enterprise.id == Bottleneck.enterprise_id)
                             .where(Bottleneck.id == bottleneck_id)).first()
    if row is None:
        raise NotFound(f"no bottleneck with id {bottleneck_id}")
    found = row._asdict()
    if actor.is_enterprise or not actor.sees_area(found["area_code"]):
        raise Forbidden(f"bottleneck {bottleneck_id} (enterprise {found['enterprise_code']}) is outside your scope")
    return found
