"""The store's tables (SQLAlchemy 2, typed declarative, on the shared base of ``epizone.store.base``).
Migrations in ``migrations/versions`` create them.

Areas, case reports and count reports are *revisioned*: a table holds every version of a record, each
with its ``revision`` (1, 2, ...), the moment it was ``recorded_at`` and the moment a correction
``superseded_at`` it (NULL while it is current), and the import batch that brought it. A record as
known at moment ``t`` is its version with ``recorded_at <= t`` and (``superseded_at`` NULL or ``> t``).
Timestamps are UTC without a zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from epizone.store.base import (Base, Bilingual, Created, LongText, Recorded, Str16, Str64, Updated, one_of,
                                partial_unique)

ROLES = ("admin", "analyst", "reporter", "viewer")
ALIAS_KINDS = ("traditional", "pinyin", "english", "other")
BATCH_KINDS = ("areas", "cases", "counts")
ANNOUNCEMENT_KINDS = ("publish", "retraction")
CURRENT = text("superseded_at IS NULL")


def _current_unique(table: str, *columns: str) -> Index:
    """At most one current version per record key."""
    return partial_unique(f"ux_{table}_current", CURRENT, *columns)


class ImportBatch(Base):
    """One imported file: what it was, who imported it, when, and what it changed."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("kind", "sha256"), one_of("kind", BATCH_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Str16]
    file_name: Mapped[str]
    sha256: Mapped[Str64]
    user_name: Mapped[str]
    recorded_at: Mapped[dt.datetime]
    rows_read: Mapped[int]
    rows_new: Mapped[int]
    rows_revised: Mapped[int]
    rows_unchanged: Mapped[int]


class Imported:
    """A row an import batch brought, recorded at a moment."""

    recorded_at: Mapped[dt.datetime]
    batch_id: Mapped[int] = mapped_column(ForeignKey(ImportBatch.id))


class Revisioned(Imported):
    """Columns every revisioned record has."""

    revision: Mapped[int]
    superseded_at: Mapped[dt.datetime | None]


class AreaRecord(Revisioned, Base):
    """One area of the hierarchy (its code, name, parent, kind, population), one row per revision."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("code", "revision"), _current_unique("areas", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str]
    name: Mapped[str]
    parent_code: Mapped[str | None]
    kind: Mapped[str]
    population: Mapped[int | None] = mapped_column(BigInteger)
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]


class AreaAlias(Imported, Base):
    """Another name of an area: traditional Chinese, pinyin, English or other."""

    __tablename__ = "area_aliases"
    __table_args__ = (UniqueConstraint("area_code", "kind", "alias"), one_of("kind", ALIAS_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str]
    kind: Mapped[Str16]
    alias: Mapped[str]


class CaseReport(Revisioned, Base):
    """One case of the line list, one row per revision."""

    __tablename__ = "case_reports"
    __table_args__ = (UniqueConstraint("case_id", "revision"), _current_unique("case_reports", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str]
    report_date: Mapped[dt.date]
    area_code: Mapped[str]
    classification: Mapped[str]
    cluster_id: Mapped[str | None]
    onset_date: Mapped[dt.date | None]
    imported: Mapped[bool | None]


class CountReport(Revisioned, Base):
    """One bulletin number (area, date, metric), one row per revision."""

    __tablename__ = "count_reports"
    __table_args__ = (UniqueConstraint("area_code", "date", "metric", "revision"),
                      _current_unique("count_reports", "area_code", "date", "metric"))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str]
    date: Mapped[dt.date]
    metric: Mapped[str]
    value: Mapped[int] = mapped_column(BigInteger)


class User(Base):
    """A person acting on the store; a reporter's ``scope_area_code`` is the root of the areas they may touch."""

    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    role: Mapped[Str16]
    scope_area_code: Mapped[str | None]
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None]  # a disabled user's tokens are refused


class AuditEntry(Base):
    """Who did what to which entity, when, with the entity before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[dt.datetime]
    user_name: Mapped[str]
    action: Mapped[str]
    entity: Mapped[str]
    entity_id: Mapped[str]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class ApiToken(Created, Base):
    """A bearer token of a user: only its argon2 hash is kept; ``prefix`` (in the token) finds the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prefix: Mapped[Str16] = mapped_column(unique=True)
    hash: Mapped[str]
    label: Mapped[str]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class RuleSetRecord(Recorded, Base):
    """A rule set in use: the exact YAML an assessment ran under, kept so every run can be replayed."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("rule_set_id", "version", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[str]
    version: Mapped[int]
    sha256: Mapped[Str64]
    yaml: Mapped[LongText]


class AssessmentRun(Created, Base):
    """One assessment, frozen: the rule set, the period, the data cutoff, the moment of the data used, who, when."""

    __tablename__ = "assessment_runs"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_pk: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"))
    rule_set: Mapped[str]  # id@version
    unit: Mapped[str]
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    data_through: Mapped[str]  # lag:N or a date
    data_as_of: Mapped[dt.datetime]  # the store as known at this moment
    last_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    units: Mapped[int]
    rows: Mapped[int]
    summary: Mapped[dict[str, Any]]


class LevelWithReason:
    """An area's level with the reason it was given (its code and text in both languages)."""

    area_name: Mapped[str]
    level: Mapped[str]
    reason_code: Mapped[str]
    reason_en: Mapped[LongText]
    reason_zh: Mapped[LongText]


class AssessedLevel(LevelWithReason, Base):
    """One unit of a run from ``date`` to ``end_date`` at one level, with the reason (both languages) and
    indicator values of ``date``; ``period_end``: on a row beginning a level period, the period's last day
    (a row split off at a kept day has none). See ``epizone.store.runs``."""

    __tablename__ = "assessed_levels"
    __table_args__ = (Index("ix_assessed_levels_run_id_date", "run_id", "date"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(primary_key=True)
    end_date: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    data_through: Mapped[dt.date]
    indicators: Mapped[dict[str, Any]]
    event: Mapped[LongText | None]


class Publication(Base):
    """A run's levels on one date, published to take effect on ``effective_date``."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"))
    date: Mapped[dt.date]
    effective_date: Mapped[dt.date] = mapped_column(index=True)
    published_by: Mapped[str]
    published_at: Mapped[dt.datetime]


class PublishedLevel(LevelWithReason, Base):
    """One area's level as published, with the level in force before it."""

    __tablename__ = "published_levels"

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), primary_key=True)
    area_code: Mapped[str] = mapped_column(primary_key=True, index=True)
    previous_level: Mapped[str | None]


class CurrentLevel(LevelWithReason, Base):
    """The read model of the levels in force: one row per area, its level from the latest publication in force
    that changed it (written at publication, restored at retraction; never frozen)."""

    __tablename__ = "current_levels"

    area_code: Mapped[str] = mapped_column(primary_key=True)
    previous_level: Mapped[str | None]
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    run_id: Mapped[int]
    assessed_date: Mapped[dt.date]
    effective_date: Mapped[dt.date] = mapped_column(index=True)  # the last change: one index step
    announcement: Mapped[int]


class LevelExport(Base):
    """One export of every level in force, compressed, as a worker made it for the store's state (the latest
    announcement and import): the other workers serve it from here instead of making it again. A cache:
    the rows of earlier states are dropped when a new one is written."""

    __tablename__ = "level_exports"

    state: Mapped[Str64] = mapped_column(primary_key=True)
    shape: Mapped[Str16] = mapped_column(primary_key=True)     # csv or geojson
    encoding: Mapped[Str16] = mapped_column(primary_key=True)  # gzip or br
    rows: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class Announcement(Bilingual, Created, Base):
    """A published announcement: immutable (the database refuses UPDATE and DELETE); a publication is
    withdrawn only by a new announcement of kind ``retraction``."""

    __tablename__ = "announcements"
    __table_args__ = (one_of("kind", ANNOUNCEMENT_KINDS),
                      CheckConstraint("(kind = 'publish') = (retracts_id IS NULL)", name="retracts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[Str16]
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    retracts_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), unique=True)
    date: Mapped[dt.date]
    effective_date: Mapped[dt.date]
    rule_set: Mapped[str]
    body: Mapped[dict[str, Any]]


class Measure(Bilingual, Updated, Base):
    """One differentiated measure of a rule set's level, in Chinese and English, in display order."""

    __tablename__ = "measures"
    __table_args__ = (Index("ix_measures_rule_set_id_level", "rule_set_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[str]
    level: Mapped[str]
    source: Mapped[LongText | None]
    position: Mapped[int]  # display order within the level



class RunCheckpoint(Base):
    """The state a run's rule set needs to grade the days after ``day`` (a NumPy ``.npz`` file, as bytes):
    its key (rule set text, unit kind and areas, cutoff, holidays), the first data date it still reads
    (``since``), its data cutoff, the data's last date, and the moment of the data it was made from."""

    __tablename__ = "run_checkpoints"
    __table_args__ = (Index("ix_run_checkpoints_key_day", "key", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id"), index=True)
    key: Mapped[Str64]
    day: Mapped[dt.date]
    since: Mapped[dt.date]
    cutoff: Mapped[dt.date]
    covered: Mapped[dt.date | None]
    data_as_of: Mapped[dt.datetime]
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]
    cases_window: Mapped[bytes | None] = mapped_column(LargeBinary)   # Arrow IPC: the records dated from
    counts_window: Mapped[bytes | None] = mapped_column(LargeBinary)  # ``since`` to ``cutoff``


# The versions recorded or superseded after a checkpoint's moment are found through these indexes.
for _model in (CaseReport, CountReport):
    Index(f"ix_{_model.__tablename__}_recorded_at", _model.recorded_at)
    Index(f"ix_{_model.__tablename__}_superseded_at", _model.superseded_at,  # the superseded versions only
          sqlite_where=_model.superseded_at.is_not(None), postgresql_where=_model.superseded_at.is_not(None))
# A run continuing from a checkpoint reads the records dated from a recent day through these.
Index("ix_case_reports_report_date", CaseReport.report_date)
Index("ix_count_reports_date", CountReport.date)
