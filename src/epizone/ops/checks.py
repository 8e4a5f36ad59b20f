"""Checks the operations imports share: an area known to the store, areas inside the importer's scope, the rows
of a registry (enterprises, hospitals) keyed by code, and codes of registered enterprises or facilities."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Row, select

from epizone.domain.errors import OutsideScope
from epizone.ops.access import Actor
from epizone.ops.rows import Checker, Sheet, repeated
from epizone.store.records import KNOWN_AREA

Record = dict[str, Any]


def known_area(check: Checker, index: int, area_code: str | None, areas: Collection[str]) -> None:
    """A problem when the row's area code is given and not one of the store's ``areas``."""
    if area_code is not None and area_code not in areas:
        check.problem(index, "area_code", area_code, KNOWN_AREA)


def within_scope(actor: Actor, file: str, area_codes: Iterable[str]) -> None:
    """OutsideScope naming the area codes the actor does not act for, if any."""
    outside = sorted({code for code in area_codes if not actor.sees_area(code)})
    if outside:
        raise OutsideScope(file, "area code(s)", outside)


def registry_rows(check: Checker, areas: Collection[str], read: Callable[[int, dict[str, str]], Record],
                  fields: tuple[str, ...], what: str) -> list[Record]:
    """The sheet's rows read by ``read``, each in a known area, one per code (a repeated row with the same
    values is dropped, one with other values is a problem); every problem raised together."""
    records: list[Record] = []
    seen: dict[tuple, tuple[int, tuple]] = {}
    for index, row in enumerate(check.sheet.rows):
        before = check.count()
        record = read(index, row)
        known_area(check, index, record["area_code"], areas)
        if check.count() == before and not repeated(check, seen, (record["code"],), index,
                                                    tuple(record[f] for f in fields), "code", what):
            records.append(record)
    check.raise_if_any()
    return records


def registered(connection: Connection, sheet: Sheet, column: str, model: type) -> dict[str, Row]:
    """The rows of ``model`` (enterprises or facilities: code, id, area code) whose code the sheet's ``column``
    names, by code."""
    codes = sorted({row.get(column, "") for row in sheet.rows})
    return {r.code: r for r in connection.execute(select(model.code, model.id, model.area_code)
                                                  .where(model.code.in_(codes)))}


def known_code(check: Checker, index: int, row: dict[str, str], column: str, known: Collection[str],
               expected: str) -> str | None:
    """The row's code in ``column``, with a problem when it is given and not one of ``known``."""
    code = check.text(index, row, column, max_length=64)
    if code is not None and code not in known:
        check.problem(index, column, code, expected)
    return code
