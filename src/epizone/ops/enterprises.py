"""The enterprise registry: import (CSV, Parquet or JSON rows), read within one's scope, change, and the
accounts that act for one enterprise.

Columns: ``code,name,area_code,sector,size_class,workforce`` and optionally ``key_enterprise`` (true/false),
``plan_approved_on`` (the day its prevention plan was approved, YYYY-MM-DD) and ``synthetic`` (true for
generated demo rows). ``code`` identifies an enterprise (e.g. its unified social credit code): a row with a
known code changes that enterprise; identical rows change nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, delete, func, insert, or_, select, update

from epizone.domain.errors import Forbidden, InvalidInput, NotFound
from epizone.ops.access import Actor, require
from epizone.ops.areas import current_areas
from epizone.ops.checks import registry_rows, within_scope
from epizone.ops.filters import among, equals, narrowed
from epizone.ops.models import SIZE_CLASSES, Enterprise, EnterpriseAccount
from epizone.ops.policy import sectors
from epizone.ops.rows import Checker, Sheet, today
from epizone.ops.writes import AuditBuffer
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import User
from epizone.store.records import KNOWN_AREA

REQUIRED = ("code", "name", "area_code", "sector", "size_class", "workforce")
OPTIONAL = ("key_enterprise", "plan_approved_on", "synthetic")
FIELDS = ("name", "area_code", "sector", "size_class", "key_enterprise", "workforce", "plan_approved_on", "synthetic")
COLUMNS = (Enterprise.id, Enterprise.code, Enterprise.name, Enterprise.area_code, Enterprise.sector,
           Enterprise.size_class, Enterprise.key_enterprise, Enterprise.workforce, Enterprise.plan_approved_on,
           Enterprise.synthetic, Enterprise.updated_at, Enterprise.updated_by)


def check_rows(connection: Connection, sheet: Sheet, actor: Actor) -> list[dict[str, Any]]:
    """Validated registry rows (one per code); InputError with every bad value, OutsideScope for other areas."""
    require(actor, "ops_register")
    check = Checker(sheet)
    known_sectors, latest = list(sectors()), today()

    def read(index: int, row: dict[str, str]) -> dict[str, Any]:
        return {
            "code": check.text(index, row, "code", max_length=64),
            "name": check.text(index, row, "name"),
            "area_code": check.text(index, row, "area_code", max_length=64),
            "sector": check.choice(index, row, "sector", known_sectors),
            "size_class": check.choice(index, row, "size_class", SIZE_CLASSES),
            "key_enterprise": check.flag(index, row, "key_enterprise"),
            "workforce": check.integer(index, row, "workforce"),
            "plan_approved_on": check.day(index, row, "plan_approved_on", required=False, latest=latest),
            "synthetic": check.flag(index, row, "synthetic"),
        }

    records = registry_rows(check, current_areas(connection), read, FIELDS, "enterprise code")
    existing = _by_code(connection, [r["code"] for r in records])
    within_scope(actor, sheet.file, [*(r["area_code"] for r in records), *(e["area_code"] for e in existing.values())])
    return records


def apply_rows(connection: Connection, records: list[dict[str, Any]], audit: AuditBuffer) -> tuple[int, int, int]:
    """(new, changed, unchanged) after writing the records."""
    existing = _by_code(connection, [r["code"] for r in records])
    new = changed = 0
    for record in records:
        before = existing.get(record["code"])
        stamp = {"updated_at": audit.at, "updated_by": audit.user}
        if before is None:
            new_id = connection.scalar(insert(Enterprise).values(**record, **stamp).returning(Enterprise.id))
            audit.add("enterprise.add", "enterprise", record["code"], None, {"id": new_id, **record})
            new += 1
        elif any(before[f] != record[f] for f in FIELDS):
            connection.execute(update(Enterprise).where(Enterprise.id == before["id"]).values(**record, **stamp))
            audit.add("enterprise.update", "enterprise", record["code"], _audited(before),
                      {"id": before["id"], **record})
            changed += 1
    return new, changed, len(records) - new - changed


def _by_code(connection: Connection, codes: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(codes))
    for first in range(0, len(unique), 5000):
        for row in connection.execute(select(*COLUMNS).where(Enterprise.code.in_(unique[first:first + 5000]))):
            found[row.code] = row._asdict()
    return found


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("updated_at", "updated_by")}


def visible(actor: Actor) -> list:
    """The conditions on ``Enterprise`` that keep what ``actor`` may see."""
    if actor.is_enterprise:
        return [Enterprise.id == actor.enterprise_id]
    if actor.areas is not None:
        return [Enterprise.area_code.in_(sorted(actor.areas))]
    return []


def registry(actor: Actor, area_codes: set[str] | None = None, sector: str | None = None,
             size_class: str | None = None, key: bool | None = None, q: str | None = None) -> Select:
    query = narrowed(select(*COLUMNS).where(*visible(actor)).order_by(Enterprise.code),
                     among(Enterprise.area_code, area_codes), equals(Enterprise.sector, sector),
                     equals(Enterprise.size_class, size_class),
                     None if key is None else Enterprise.key_enterprise.is_(key))
    if q:
        needle = q.strip().lower()
        query = query.where(or_(func.lower(Enterprise.name).contains(needle, autoescape=True),
                                func.lower(Enterprise.code).contains(needle, autoescape=True)))
    return query


def find(connection: Connection, actor: Actor, code: str) -> dict[str, Any]:
    """One enterprise the actor may see: NotFound when there is none, Forbidden when it is not theirs."""
    row = connection.execute(select(*COLUMNS).where(Enterprise.code == code)).first()
    if row is None:
        raise NotFound(f"no enterprise with code {code!r}")
    found = row._asdict()
    if actor.is_enterprise and found["id"] != actor.enterprise_id:
        raise Forbidden(f"enterprise {code} is not yours: an enterprise account sees only its own enterprise")
    if not actor.sees_area(found["area_code"]):
        raise Forbidden(f"enterprise {code} (area {found['area_code']}) is outside your scope")
    return found


def change(engine: Engine, actor: Actor, code: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change fields of one enterprise (e.g. ``plan_approved_on`` once its prevention plan is approved); audited."""
    require(actor, "ops_register")
    unknown = sorted(k for k in changes if k not in FIELDS or k == "synthetic")
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(unknown)}: expected some of {', '.join(FIELDS[:-1])}")
    _check_change(changes)
    with writing(engine) as connection:
        require_schema(connection)
        before = find(connection, actor, code)
        if "area_code" in changes:
            areas = current_areas(connection)
            if changes["area_code"] not in areas:
                raise InvalidInput(f"area_code {changes['area_code']!r}: expected {KNOWN_AREA}")
            if not actor.sees_area(changes["area_code"]):
                raise Forbidden(f"area {changes['area_code']} is outside your scope")
        at = utc_now()
        connection.execute(update(Enterprise).where(Enterprise.id == before["id"]).values(
            **changes, updated_at=at, updated_by=actor.name))
        after = find(connection, actor if "area_code" not in changes else Actor(actor.name, "admin"), code)
        audit = AuditBuffer(actor.name, at)
        audit.add("enterprise.update", "enterprise", code, _audited(before), _audited(after))
        audit.write(connection)
    return after


def _check_change(changes: dict[str, Any]) -> None:
    if "sector" in changes and changes["sector"] not in sectors():
        raise InvalidInput(f"sector {changes['sector']!r}: expected one of {', '.join(sectors())}")
    if "size_class" in changes and changes["size_class"] not in SIZE_CLASSES:
        raise InvalidInput(f"size_class {changes['size_class']!r}: expected one of {', '.join(SIZE_CLASSES)}")
    if "workforce" in changes and not 0 <= int(changes["workforce"]) <= 10_000_000:
        raise InvalidInput(f"workforce {changes['workforce']}: expected a whole number from 0 to 10000000")
    approved = changes.get("plan_approved_on")
    if isinstance(approved, dt.date) and approved > today():
        raise InvalidInput(f"plan_approved_on {approved}: expected a date that is not in the future")
    for name in ("name", "area_code"):
        if name in changes and not str(changes[name] or "").strip():
            raise InvalidInput(f"{name}: expected a non-empty value")


@dataclass(frozen=True)
class AccountInfo:
    user: str
    enterprise_code: str
    enterprise_name: str
    linked_at: dt.datetime
    linked_by: str


def link_account(engine: Engine, actor: Actor, user: str, enterprise_code: str) -> AccountInfo:
    """Make ``user`` (a reporter whose scope holds the enterprise's area) act for that enterprise only."""
    require(actor, "ops_accounts")
    with writing(engine) as connection:
        require_schema(connection)
        found = connection.execute(select(User.id, User.role, User.scope_area_code).where(User.name == user)).first()
        if found is None:
            raise NotFound(f"no user named {user!r}")
        enterprise = find(connection, actor, enterprise_code)
        if found.role != "reporter":
            raise InvalidInput(f"user {user!r} is a {found.role}: an enterprise account is a reporter "
                           f"(epizone db users add NAME --role reporter --scope {enterprise['area_code']})")
        if enterprise["area_code"] not in current_areas(connection).subtree(found.scope_area_code or ""):
            raise InvalidInput(f"enterprise {enterprise_code} is in area {enterprise['area_code']}, outside the scope "
                           f"{found.scope_area_code} of user {user!r}")
        before = _account(connection, user)
        at = utc_now()
        connection.execute(delete(EnterpriseAccount).where(EnterpriseAccount.user_id == found.id))
        connection.execute(insert(EnterpriseAccount).values(user_id=found.id, enterprise_id=enterprise["id"],
                                                            linked_at=at, linked_by=actor.name))
        info = _account(connection, user)
        record_audit(connection, actor.name, "enterprise_account.link", "enterprise_account", user,
                     None if before is None else _plain(before), _plain(info), at)
    return info


def unlink_account(engine: Engine, actor: Actor, user: str) -> AccountInfo:
    require(actor, "ops_accounts")
    with writing(engine) as connection:
        require_schema(connection)
        before = _account(connection, user)
        if before is None:
            raise NotFound(f"user {user!r} is not linked to an enterprise")
        user_id = connection.scalar(select(User.id).where(User.name == user))
        connection.execute(delete(EnterpriseAccount).where(EnterpriseAccount.user_id == user_id))
        record_audit(connection, actor.name, "enterprise_account.unlink", "enterprise_account", user,
                     _plain(before), None)
    return before


def list_accounts(engine: Engine) -> list[AccountInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        return [AccountInfo(**row._asdict()) for row in connection.execute(_accounts().order_by(User.name))]


def _accounts() -> Select:
    return (select(User.name.label("user"), Enterprise.code.label("enterprise_code"),
                   Enterprise.name.label("enterprise_name"), EnterpriseAccount.linked_at, EnterpriseAccount.linked_by)
            .join(User, User.id == EnterpriseAccount.user_id)
            .join(Enterprise, Enterprise.id == EnterpriseAccount.enterprise_id))


def _account(connection: Connection, user: str) -> AccountInfo | None:
    row = connection.execute(_accounts().where(User.name == user)).first()
    return None if row is None else AccountInfo(**row._asdict())


def _plain(info: AccountInfo) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(info).items()}
