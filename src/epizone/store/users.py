"""Users of the store: a name, a role (admin, analyst, reporter, viewer) and, for a reporter, the area
whose subtree they report for. Authentication and enforcement come with the REST service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import ROLES, AreaRecord, User


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    scope_area_code: str | None


def add_user(engine: Engine, name: str, role: str, scope_area_code: str | None, by: str) -> UserInfo:
    """Create a user; ``by`` is who does it (audited)."""
    name = name.strip()
    if not name:
        raise UserError("a user needs a non-empty name")
    if role not in ROLES:
        raise UserError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if role == "reporter" and not scope_area_code:
        raise UserError("a reporter needs a scope: the code of the area they report for")
    with writing(engine) as connection:
        require_schema(connection)
        if connection.scalar(select(User.id).where(User.name == name)) is not None:
            raise UserError(f"a user named {name!r} exists already")
        if scope_area_code and connection.scalar(select(AreaRecord.id).where(
                AreaRecord.code == scope_area_code, AreaRecord.superseded_at.is_(None))) is None:
            raise UserError(f"scope {scope_area_code!r}: expected the code of an area in the store")
        at = utc_now()
        user_id = connection.scalar(insert(User).values(name=name, role=role, scope_area_code=scope_area_code,
                                                        created_at=at).returning(User.id))
        info = UserInfo(name, role, scope_area_code)
        record_audit(connection, by, "user.add", "user", str(user_id), None, info.__dict__, at)
    return info


def list_users(engine: Engine) -> list[UserInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        rows = connection.execute(select(User.name, User.role, User.scope_area_code).order_by(User.name))
        return [UserInfo(*row) for row in rows]
