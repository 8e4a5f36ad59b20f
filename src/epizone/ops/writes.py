"""What every operations import shares: the summary it answers, audit entries written in bulk, plain JSON values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, insert

from epizone.store.models import AuditEntry


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: rows read, records new, changed and unchanged, and what else it touched."""

    kind: str
    file: str
    rows_read: int
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)  # e.g. bottlenecks opened, findings added

    @property
    def wrote(self) -> bool:
        return self.new + self.changed + sum(self.extra.values()) > 0


def plain(values: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON for the audit log: dates and moments as ISO text."""
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in values.items()}


class AuditBuffer:
    """Audit entries collected during one transaction and written together at its end."""

    def __init__(self, user: str, at: dt.datetime):
        self.user, self.at = user, at
        self.entries: list[dict[str, Any]] = []

    def add(self, action: str, entity: str, entity_id: object, before: dict[str, Any] | None,
            after: dict[str, Any] | None) -> None:
        self.entries.append({"recorded_at": self.at, "user_name": self.user, "action": action, "entity": entity,
                             "entity_id": str(entity_id), "before": None if before is None else plain(before),
                             "after": None if after is None else plain(after)})

    def write(self, connection: Connection) -> None:
        bulk_insert(connection, AuditEntry.__table__, self.entries)
        self.entries.clear()


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    """Insert rows (all with the same keys) with the driver's executemany, a chunk at a time (measured faster on
    both databases than multi-row VALUES statements or INSERT ... RETURNING batches)."""
    for first in range(0, len(rows), chunk):
        connection.execute(insert(table), rows[first:first + chunk])
