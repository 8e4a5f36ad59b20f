"""The checklist of the ten standing duties (十个不放松): seeded from ``duties.yaml`` (migration 0003 keeps its own
frozen copy of the checklist), then editable and audited.

Items are never deleted (findings refer to them): an item is switched off (``active`` false) instead, and
new inspections may no longer use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, func, insert, select, update

from epizone.domain.errors import InvalidInput, NotFound
from epizone.ops.access import Actor, require
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.ops.models import Duty, DutyItem

SHIPPED_BY = "epizone (shipped)"


@cache
def settings() -> dict[str, Any]:
    """The checklist file: ``due_days``, ``unranked_levels``, ``duties`` with their items, ``source``."""
    text = resources.files("epizone.ops").joinpath("duties.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def shipped_checklist(at: dt.datetime | None = None) -> tuple[list[dict], list[dict]]:
    """(duty rows, item rows) of the shipped file, ready to insert."""
    at = at or utc_now()
    duties, items = [], []
    for position, duty in enumerate(settings()["duties"], 1):
        duties.append({"code": duty["code"], "position": position, "text_zh": duty["zh"], "text_en": duty["en"]})
        for item_position, item in enumerate(duty["items"], 1):
            if set(item) != {"code", "zh", "en"}:  # e.g. an unquoted ASCII comma splitting a flow mapping
                raise InvalidInput(f"duties.yaml: item {item.get('code')}: expected the keys code, zh and en, "
                                   f"found {', '.join(map(str, item))}")
            items.append({"code": item["code"], "duty_code": duty["code"], "position": item_position,
                          "text_zh": item["zh"], "text_en": item["en"], "active": True, "updated_at": at,
                          "updated_by": SHIPPED_BY})
    return duties, items


@dataclass(frozen=True)
class ItemInfo:
    code: str
    duty_code: str
    duty_zh: str
    duty_en: str
    position: int
    text_zh: str
    text_en: str
    active: bool
    updated_at: dt.datetime
    updated_by: str

    def audited(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(self).items()}


def list_items(engine: Engine, active_only: bool = False) -> list[ItemInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        return items_in(connection, active_only)


def items_in(connection: Connection, active_only: bool = False) -> list[ItemInfo]:
    query = _select().order_by(Duty.position, DutyItem.position, DutyItem.code)
    if active_only:
        query = query.where(DutyItem.active.is_(True))
    return [ItemInfo(**row._asdict()) for row in connection.execute(query)]


def add_item(engine: Engine, actor: Actor, duty_code: str, text_zh: str, text_en: str,
             code: str | None = None) -> ItemInfo:
    """A new item at the end of a duty (code ``Dnn.k`` unless given); audited."""
    require(actor, "ops_inspect")
    text_zh, text_en = _texts(text_zh, text_en)
    with writing(engine) as connection:
        require_schema(connection)
        if connection.scalar(select(Duty.id).where(Duty.code == duty_code)) is None:
            codes = connection.scalars(select(Duty.code).order_by(Duty.position)).all()
            raise InvalidInput(f"duty {duty_code!r}: expected one of {', '.join(codes)}")
        last = connection.scalar(select(func.max(DutyItem.position)).where(DutyItem.duty_code == duty_code)) or 0
        code = (code or f"{duty_code}.{last + 1}").strip()
        if connection.scalar(select(DutyItem.id).where(DutyItem.code == code)) is not None:
            raise InvalidInput(f"item {code!r} exists already")
        at = utc_now()
        connection.execute(insert(DutyItem).values(code=code, duty_code=duty_code, position=last + 1, text_zh=text_zh,
                                                   text_en=text_en, active=True, updated_at=at, updated_by=actor.name))
        info = _get(connection, code)
        record_audit(connection, actor.name, "duty_item.add", "duty_item", code, None, info.audited(), at)
    return info


def edit_item(engine: Engine, actor: Actor, code: str, text_zh: str | None = None, text_en: str | None = None,
              active: bool | None = None) -> ItemInfo:
    """Reword an item or switch it off/on; audited with the item before and after."""
    require(actor, "ops_inspect")
    with writing(engine) as connection:
        require_schema(connection)
        before = _get(connection, code)
        zh, en = _texts(before.text_zh if text_zh is None else text_zh, before.text_en if text_en is None else text_en)
        at = utc_now()
        connection.execute(update(DutyItem).where(DutyItem.code == code).values(
            text_zh=zh, text_en=en, active=before.active if active is None else active, updated_at=at,
            updated_by=actor.name))
        after = _get(connection, code)
        record_audit(connection, actor.name, "duty_item.edit", "duty_item", code, before.audited(), after.audited(), at)
    return after


def _select():  # noqa: ANN202
    return (select(DutyItem.code, DutyItem.duty_code, Duty.text_zh.label("duty_zh"), Duty.text_en.label("duty_en"),
                   DutyItem.position, DutyItem.text_zh, DutyItem.text_en, DutyItem.active, DutyItem.updated_at,
                   DutyItem.updated_by).join(Duty, Duty.code == DutyItem.duty_code))


def _get(connection: Connection, code: str) -> ItemInfo:
    row = connection.execute(_select().where(DutyItem.code == code)).first()
    if row is None:
        raise NotFound(f"no checklist item {code!r}")
    return ItemInfo(**row._asdict())


def _texts(text_zh: str, text_en: str) -> tuple[str, str]:
    zh, en = (text_zh or "").strip(), (text_en or "").strip()
    if not zh or not en:
        raise InvalidInput("an item needs a non-empty text in both Chinese (text_zh) and English (text_en)")
    return zh, en
