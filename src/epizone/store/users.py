"""Users of the store: a name, a role (admin, analyst, reporter, viewer) and, for a reporter, the area
whose subtree they report for. They authenticate with tokens (``tokens``); ``access`` says what each role may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from epizone.domain.errors import InvalidInput, NotFound
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import ROLES, AreaRecord, User


class UserError(InvalidInput):
    pass


class UserNotFound(NotFound):
    pass


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    scope_area_code: str | None
    disabled: bool = False


def add_user(engine: Engine, name: str, role: str, scope_area_code: str | None, by: str) -> UserInfo:
    """Create a user; ``by`` is who does it (audited)."""
    name = name.strip()
    if not name:
        raise UserError("a user needs a non-empty name")
    _check_role(role, scope_area_code)
    with writing(engine) as connection:
        require_schema(connection)
        if connection.scalar(select(User.id).where(User.name == name)) is not None:
            raise UserError(f"a user named {name!r} exists already")
        _check_scope(connection, scope_area_code)
        at = utc_now()
        user_id = connection.scalar(insert(User).values(name=name, role=role, scope_area_code=scope_area_code,
                                                        created_at=at).returning(User.id))
        info = UserInfo(name, role, scope_area_code)
        record_audit(connection, by, "user.add", "user", str(user_id), None, info.__dict__, at)
    return info


def update_user(engine: Engine, name: str, by: str, role: str | None = None, scope_area_code: str | None = None,
                disabled: bool | None = None) -> UserInfo:
    """Change a user's role, scope or disabled state; audited with the user before and after.
    A scope is kept only for a reporter (another role's scope is cleared)."""
    with writing(engine) as connection:
        require_schema(connection)
        before = _get(connection, name)
        new_role = role or before.role
        scope = (scope_area_code or before.scope_area_code) if new_role == "reporter" else None
        _check_role(new_role, scope)
        _check_scope(connection, scope if scope != before.scope_area_code else None)
        at = utc_now()
        values: dict = {"role": new_role, "scope_area_code": scope}
        if disabled is not None and disabled != before.disabled:
            values["disabled_at"] = at if disabled else None
        connection.execute(update(User).where(User.name == name).values(**values))
        after = _get(connection, name)
        record_audit(connection, by, "user.update", "user", name, before.__dict__, after.__dict__, at)
    return after


def get_user(engine: Engine, name: str) -> UserInfo:
    with reading(engine) as connection:
        require_schema(connection)
        return _get(connection, name)


def list_users(engine: Engine) -> list[UserInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        rows = connection.execute(_select().order_by(User.name))
        return [UserInfo(*row[:3], row[3] is not None) for row in rows]


def _select():  # noqa: ANN202
    return select(User.name, User.role, User.scope_area_code, User.disabled_at)


def _get(connection: Connection, name: str) -> UserInfo:
    row = connection.execute(_select().where(User.name == name)).first()
    if row is None:
        raise UserNotFound(f"no user named {name!r}")
    return UserInfo(*row[:3], row[3] is not None)


def _check_role(role: str, scope_area_code: str | None) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if role == "reporter" and not scope_area_code:
        raise UserError("a reporter needs a scope: the code of the area they report for")


def _check_scope(connection: Connection, scope_area_code: str | None) -> None:
    if scope_area_code and connection.scalar(select(AreaRecord.id).where(
            AreaRecord.code == scope_area_code, AreaRecord.superseded_at.is_(None))) is None:
        raise UserError(f"scope {scope_area_code!r}: expected the code of an area in the store")
