"""The store's tables (SQLAlchemy 2, typed declarative). Migrations in ``migrations/versions`` create them.

Areas, case reports and count reports are *revisioned*: a table holds every version of a record, each
with its ``revision`` (1, 2, ...), the moment it was ``recorded_at`` and the moment a correction
``superseded_at`` it (NULL while it is current), and the import batch that brought it. A record as
known at moment ``t`` is its version with ``recorded_at <= t`` and (``superseded_at`` NULL or ``> t``).
Timestamps are UTC without a zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, MetaData, String, UniqueConstraint, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("admin", "analyst", "reporter", "viewer")
ALIAS_KINDS = ("traditional", "pinyin", "english", "other")
BATCH_KINDS = ("areas", "cases", "counts")
CURRENT = text("superseded_at IS NULL")
JSONDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


def _current_unique(table: str, *columns: str) -> Index:
    """At most one current version per record key."""
    return Index(f"ux_{table}_current", *columns, unique=True,
                 sqlite_where=CURRENT, postgresql_where=CURRENT)


class ImportBatch(Base):
    """One imported file: what it was, who imported it, when, and what it changed."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("kind", "sha256"), _one_of("kind", BATCH_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows_read: Mapped[int]
    rows_new: Mapped[int]
    rows_revised: Mapped[int]
    rows_unchanged: Mapped[int]


class Revisioned:
    """Columns every revisioned record has."""

    revision: Mapped[int]
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))


class AreaRecord(Revisioned, Base):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("code", "revision"), _current_unique("areas", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    parent_code: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    population: Mapped[int | None] = mapped_column(BigInteger)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class AreaAlias(Base):
    """Another name of an area: traditional Chinese, pinyin, English or other."""

    __tablename__ = "area_aliases"
    __table_args__ = (UniqueConstraint("area_code", "kind", "alias"), _one_of("kind", ALIAS_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String(16))
    alias: Mapped[str] = mapped_column(String)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))


class CaseReport(Revisioned, Base):
    """One case of the line list, one row per revision."""

    __tablename__ = "case_reports"
    __table_args__ = (UniqueConstraint("case_id", "revision"), _current_unique("case_reports", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(String)
    report_date: Mapped[dt.date] = mapped_column(Date)
    area_code: Mapped[str] = mapped_column(String)
    classification: Mapped[str] = mapped_column(String)
    cluster_id: Mapped[str | None] = mapped_column(String)
    onset_date: Mapped[dt.date | None] = mapped_column(Date)
    imported: Mapped[bool | None]


class CountReport(Revisioned, Base):
    """One bulletin number (area, date, metric), one row per revision."""

    __tablename__ = "count_reports"
    __table_args__ = (UniqueConstraint("area_code", "date", "metric", "revision"),
                      _current_unique("count_reports", "area_code", "date", "metric"))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String)
    date: Mapped[dt.date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String)
    value: Mapped[int] = mapped_column(BigInteger)


class User(Base):
    """A person acting on the store; a reporter's ``scope_area_code`` is the root of the areas they may touch."""

    __tablename__ = "users"
    __table_args__ = (_one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_area_code: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what to which entity, when, with the entity before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_name: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    entity: Mapped[str] = mapped_column(String)
    entity_id: Mapped[str] = mapped_column(String)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
