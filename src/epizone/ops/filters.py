"""The optional filters of the operations lists: each builds a condition, or None when the caller left it out,
and ``narrowed`` adds the conditions given to a query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select


def narrowed(query: Select, *conditions: ColumnElement[bool] | None) -> Select:
    """``query`` with every condition that is not None."""
    given = [condition for condition in conditions if condition is not None]
    return query.where(*given) if given else query


def among(column: ColumnElement, codes: Collection[str] | None) -> ColumnElement[bool] | None:
    """``column`` is one of ``codes`` (None: any)."""
    return None if codes is None else column.in_(sorted(codes))


def equals(column: ColumnElement, value: str | None) -> ColumnElement[bool] | None:
    """``column`` is ``value`` (None or empty: any)."""
    return column == value if value else None


def since(column: ColumnElement, start: dt.date | None) -> ColumnElement[bool] | None:
    return None if start is None else column >= start


def until(column: ColumnElement, end: dt.date | None) -> ColumnElement[bool] | None:
    return None if end is None else column <= end
