"""The read model of the published levels (``current_levels``): written in the transaction of each publication and
retraction, so that the levels in force are read from one table and never recomputed from the runs.

Invariant: ``current_levels`` holds exactly ``levels.in_force(dt.date.max)``, the latest row in force of each
area in ``published_levels``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert

from epizone.store.models import CurrentLevel

COLUMNS = ("area_code", "area_name", "level", "previous_level", "reason_code", "reason_en", "reason_zh",
           "publication_id", "run_id", "assessed_date", "effective_date", "announcement")


def write_current(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Put ``rows`` (dicts with ``COLUMNS``) in the read model, each in place of its area's row."""
    rows = [{c: row[c] for c in COLUMNS} for row in rows]
    if not rows:
        return
    _remove(connection, [row["area_code"] for row in rows])
    connection.execute(insert(CurrentLevel), rows)


def restore_current(connection: Connection, areas: Collection[str], before: dict[str, dict[str, Any]]) -> None:
    """Give ``areas`` back the rows in force before a retracted publication (``before``; an area without one is
    unpublished again)."""
    if areas:
        _remove(connection, sorted(areas))
    if before:
        connection.execute(insert(CurrentLevel), [{c: row[c] for c in COLUMNS} for row in before.values()])


def _remove(connection: Connection, codes: list[str]) -> None:
    connection.execute(delete(CurrentLevel).where(CurrentLevel.area_code == bindparam("code")),
                       [{"code": code} for code in codes])
