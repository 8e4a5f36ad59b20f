"""The audit log: every change to the store says who made it, when, and the entity before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from epizone.store.models import AuditEntry


def record_audit(connection: Connection, user: str, action: str, entity: str, entity_id: str,
                 before: dict[str, Any] | None, after: dict[str, Any] | None, at: dt.datetime | None = None) -> None:
    connection.execute(insert(AuditEntry).values(
        recorded_at=at or utc_now(), user_name=user, action=action, entity=entity, entity_id=entity_id,
        before=before, after=after))


def utc_now() -> dt.datetime:
    """Now, in UTC without a zone (how the store keeps every timestamp)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
