"""The catalogue of differentiated measures per rule set and level (zh and en), editable and audited.

A new store is seeded with the measures of ``measures.yaml`` (the 2020 national strategies for cn-2020-02 and
cn-2020-09) by migration 0002, which keeps its own frozen copy of them; announcements quote the measures in force
for each level at the moment they are published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from epizone.domain.errors import InvalidInput, NotFound
from epizone.domain.rules import builtin_ids, load_rule_set
from epizone.store.audit import record_audit, utc_now
from epizone.store.db import reading, writing
from epizone.store.migrate import require_schema
from epizone.store.models import Measure

SHIPPED_BY = "epizone (shipped)"


class MeasureError(InvalidInput):
    pass


class MeasureNotFound(NotFound):
    pass


@dataclass(frozen=True)
class MeasureInfo:
    id: int
    rule_set_id: str
    level: str
    position: int
    text_zh: str
    text_en: str
    source: str | None
    updated_at: dt.datetime
    updated_by: str

    def audited(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(self).items()}


def shipped_measures(at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The rows the seed file holds, ready to insert."""
    data = yaml.safe_load(resources.files("epizone.store").joinpath("measures.yaml").read_text(encoding="utf-8"))
    at = at or utc_now()
    rows = []
    for rule_set_id, levels in data["rule_sets"].items():
        for level, items in levels.items():
            for position, item in enumerate(items, 1):
                rows.append({"rule_set_id": rule_set_id, "level": level, "position": position,
                             "text_zh": item["zh"], "text_en": item["en"], "source": data["source"],
                             "updated_at": at, "updated_by": SHIPPED_BY})
    return rows


def list_measures(engine: Engine, rule_set_id: str | None = None, level: str | None = None) -> list[MeasureInfo]:
    with reading(engine) as connection:
        require_schema(connection)
        return measures_in(connection, rule_set_id, level)


def measures_in(connection: Connection, rule_set_id: str | None = None, level: str | None = None,
                ) -> list[MeasureInfo]:
    query = select(*_COLUMNS).order_by(Measure.rule_set_id, Measure.level, Measure.position, Measure.id)
    if rule_set_id is not None:
        query = query.where(Measure.rule_set_id == rule_set_id)
    if level is not None:
        query = query.where(Measure.level == level)
    return [MeasureInfo(**row._asdict()) for row in connection.execute(query)]


def add_measure(engine: Engine, rule_set_id: str, level: str, text_zh: str, text_en: str, by: str,
                position: int | None = None, source: str | None = None) -> MeasureInfo:
    """Add a measure to a rule set's level (at the end unless ``position`` is given); audited."""
    _check_level(rule_set_id, level)
    text_zh, text_en = _texts(text_zh, text_en)
    with writing(engine) as connection:
        require_schema(connection)
        if position is not None:
            position = _position(position)
        else:
            last = connection.scalar(select(func.max(Measure.position)).where(
                Measure.rule_set_id == rule_set_id, Measure.level == level))
            position = (last or 0) + 1
        at = utc_now()
        new_id = connection.scalar(insert(Measure).values(
            rule_set_id=rule_set_id, level=level, position=position, text_zh=text_zh, text_en=text_en,
            source=source, updated_at=at, updated_by=by).returning(Measure.id))
        info = _get(connection, new_id)
        record_audit(connection, by, "measure.add", "measure", str(new_id), None, info.audited(), at)
    return info


def edit_measure(engine: Engine, measure_id: int, by: str, text_zh: str | None = None, text_en: str | None = None,
                 position: int | None = None, source: str | None = None) -> MeasureInfo:
    """Change a measure's texts, position or source; audited with the measure before and after."""
    with writing(engine) as connection:
        require_schema(connection)
        before = _get(connection, measure_id)
        zh, en = _texts(before.text_zh if text_zh is None else text_zh, before.text_en if text_en is None else text_en)
        changes = {"text_zh": zh, "text_en": en}
        if position is not None:
            changes["position"] = _position(position)
        if source is not None:
            changes["source"] = source
        at = utc_now()
        connection.execute(update(Measure).where(Measure.id == measure_id).values(
            **changes, updated_at=at, updated_by=by))
        after = _get(connection, measure_id)
        record_audit(connection, by, "measure.edit", "measure", str(measure_id), before.audited(), after.audited(), at)
    return after


def remove_measure(engine: Engine, measure_id: int, by: str) -> MeasureInfo:
    with writing(engine) as connection:
        require_schema(connection)
        before = _get(connection, measure_id)
        connection.execute(delete(Measure).where(Measure.id == measure_id))
        record_audit(connection, by, "measure.remove", "measure", str(measure_id), before.audited(), None)
    return before


def _get(connection: Connection, measure_id: int) -> MeasureInfo:
    row = connection.execute(select(*_COLUMNS).where(Measure.id == measure_id)).first()
    if row is None:
        raise MeasureNotFound(f"no measure with id {measure_id}")
    return MeasureInfo(**row._asdict())


def _check_level(rule_set_id: str, level: str) -> None:
    if rule_set_id not in builtin_ids():
        raise MeasureError(f"rule set {rule_set_id!r}: expected the id of a built-in rule set "
                           f"({', '.join(builtin_ids())})")
    levels = [lvl.id for lvl in load_rule_set(rule_set_id).levels]
    if level not in levels:
        raise MeasureError(f"level {level!r}: expected one of {', '.join(levels)} (the levels of {rule_set_id})")


def _texts(text_zh: str, text_en: str) -> tuple[str, str]:
    zh, en = (text_zh or "").strip(), (text_en or "").strip()
    if not zh or not en:
        raise MeasureError("a measure needs a non-empty text in both Chinese (text_zh) and English (text_en)")
    return zh, en


def _position(position: int) -> int:
    if position < 1:
        raise MeasureError(f"position {position}: expected 1 or more")
    return position


_COLUMNS = (Measure.id, Measure.rule_set_id, Measure.level, Measure.position, Measure.text_zh, Measure.text_en,
            Measure.source, Measure.updated_at, Measure.updated_by)
