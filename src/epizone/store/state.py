"""The state of the store that published reads depend on, in one short string: an answer made from the store
stays right while this string is the same (HTTP ETags of the API and the dashboard, caches of what is derived
from the areas and the levels in force). Read from the store on each request, so every worker process agrees."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from epizone.store.models import Announcement, ImportBatch


def store_state(connection: Connection) -> str:
    """The latest announcement (publication or retraction) and the latest import (areas, their names), as
    ``"number.batch"``."""
    number = connection.scalar(select(func.max(Announcement.number))) or 0
    batch = connection.scalar(select(func.max(ImportBatch.id))) or 0
    return f"{number}.{batch}"
