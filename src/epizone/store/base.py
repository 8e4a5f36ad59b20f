"""The declarative base of every table: one metadata with its naming conventions, and the column types,
constraints and column groups that the store's models (``epizone.store.models``) and the operations' models
(``epizone.ops.models``) share. Alembic's environment (``migrations/env.py``) compares the migrations with it.

Plain annotations pick the column type: ``Mapped[str]`` is a VARCHAR, ``Mapped[dt.datetime]`` a DATETIME (UTC
without a zone), ``Mapped[dict[str, Any]]`` a JSON document (JSONB on PostgreSQL); the aliases below name the
other types (``Mapped[Str16]``, ``Mapped[LongText | None]``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import JSON, CheckConstraint, ColumnElement, Index, MetaData, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
JSONDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")

Str16 = Annotated[str, mapped_column(String(16))]      # a kind, role, state or short code
Str32 = Annotated[str, mapped_column(String(32))]      # a sector, category or item
Str64 = Annotated[str, mapped_column(String(64))]      # a registry code or a SHA-256
LongText = Annotated[str, mapped_column(Text)]         # free text of any length


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONDocument}


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A check that ``column`` holds one of ``values`` (named after the column)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


def partial_unique(name: str, where: ColumnElement[bool], *columns: str) -> Index:
    """At most one row per ``columns`` among the rows that match ``where``."""
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


class Bilingual:
    """A text in Chinese and in English."""

    text_zh: Mapped[LongText]
    text_en: Mapped[LongText]


class Recorded:
    """When a row was recorded, and by whom."""

    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str]


class Updated:
    """When a row was last changed, and by whom."""

    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str]


class Created:
    """When a row was created, and by whom."""

    created_at: Mapped[dt.datetime]
    created_by: Mapped[str]
