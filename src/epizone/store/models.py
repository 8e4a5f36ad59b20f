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

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, MetaData, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("admin", "analyst", "reporter", "viewer")
ALIAS_KINDS = ("traditional", "pinyin", "english", "other")
BATCH_KINDS = ("areas", "cases", "counts")
ANNOUNCEMENT_KINDS = ("publish", "retraction")
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
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # a disabled user's tokens are refused


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


class ApiToken(Base):
    """A bearer token of a user: only its argon2 hash is kept; ``prefix`` (in the token) finds the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str] = mapped_column(String)
    label: Mapped[str] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RuleSetRecord(Base):
    """A rule set in use: the exact YAML an assessment ran under, kept so every run can be replayed."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("rule_set_id", "version", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[str] = mapped_column(String)
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    yaml: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String)


class AssessmentRun(Base):
    """One assessment, frozen: the rule set, the period, the data cutoff, the moment of the data used, who, when."""

    __tablename__ = "assessment_runs"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_pk: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"))
    rule_set: Mapped[str] = mapped_column(String)          # id@version
    unit: Mapped[str] = mapped_column(String)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    data_through: Mapped[str] = mapped_column(String)      # lag:N or a date
    data_as_of: Mapped[dt.datetime] = mapped_column(DateTime)  # the store as known at this moment
    last_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    units: Mapped[int]
    rows: Mapped[int]
    summary: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class AssessedLevel(Base):
    """One unit on one day of a run: level, reason (both languages) and the indicator values."""

    __tablename__ = "assessed_levels"
    __table_args__ = (Index("ix_assessed_levels_run_id_date", "run_id", "date"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    area_name: Mapped[str] = mapped_column(String)
    level: Mapped[str] = mapped_column(String)
    reason_code: Mapped[str] = mapped_column(String)
    reason_en: Mapped[str] = mapped_column(Text)
    reason_zh: Mapped[str] = mapped_column(Text)
    data_through: Mapped[dt.date] = mapped_column(Date)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    event: Mapped[str | None] = mapped_column(Text)


class Publication(Base):
    """A run's levels on one date, published to take effect on ``effective_date``."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    effective_date: Mapped[dt.date] = mapped_column(Date, index=True)
    published_by: Mapped[str] = mapped_column(String)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PublishedLevel(Base):
    """One area's level as published, with the level in force before it."""

    __tablename__ = "published_levels"

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String, primary_key=True, index=True)
    area_name: Mapped[str] = mapped_column(String)
    level: Mapped[str] = mapped_column(String)
    previous_level: Mapped[str | None] = mapped_column(String)
    reason_code: Mapped[str] = mapped_column(String)
    reason_en: Mapped[str] = mapped_column(Text)
    reason_zh: Mapped[str] = mapped_column(Text)


class Announcement(Base):
    """A published announcement: immutable (the database refuses UPDATE and DELETE); a publication is
    withdrawn only by a new announcement of kind ``retraction``."""

    __tablename__ = "announcements"
    __table_args__ = (_one_of("kind", ANNOUNCEMENT_KINDS),
                      CheckConstraint("(kind = 'publish') = (retracts_id IS NULL)", name="retracts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    retracts_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    rule_set: Mapped[str] = mapped_column(String)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Measure(Base):
    """One differentiated measure of a rule set's level, in Chinese and English, in display order."""

    __tablename__ = "measures"
    __table_args__ = (Index("ix_measures_rule_set_id_level", "rule_set_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[str] = mapped_column(String)
    level: Mapped[str] = mapped_column(String)
    position: Mapped[int]
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String)


from epizone.ops import models as _operations  # noqa: E402,F401  (the operations tables share this metadata)
