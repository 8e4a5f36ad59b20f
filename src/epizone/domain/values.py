"""One way to write a value as text, for CSV cells and for JSON rows read as a file's cells."""

from __future__ import annotations

import datetime as dt
from typing import Any


def as_text(value: Any) -> str:
    """``None`` -> empty, booleans -> ``true``/``false``, dates and moments in ISO 8601, anything else ``str``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
