"""The operations tables (revision ``0003``): enterprises and their daily resumption reports with bottlenecks,
enterprise accounts, the duty checklist with inspections and their findings, hospitals and their supplies.

They share the store's ``Base`` (``epizone.store.models`` imports this module, so one metadata holds every
table). Reports are kept one row per (enterprise, date) and (facility, date, item): a report sent again for
the same key replaces the values, and the audit log keeps the row before and after. ``synthetic`` marks rows
that come from the generated demo data, so that every answer built on them can say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from epizone.store.models import Base, JSONDocument

SIZE_CLASSES = ("large", "medium", "small", "micro")
STATUSES = ("closed", "partial", "full")
CATEGORIES = ("transport", "labour", "logistics", "market", "protective_supplies")
RESULTS = ("compliant", "deficient", "not_applicable")
BOTTLENECK_STATES = ("open", "resolved")
OPEN = text("state = 'open'")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


class Enterprise(Base):
    """An enterprise of the registry: where it is (a township or county), its sector, size and workforce."""

    __tablename__ = "enterprises"
    __table_args__ = (_one_of("size_class", SIZE_CLASSES), CheckConstraint("workforce >= 0", name="workforce"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String)
    area_code: Mapped[str] = mapped_column(String, index=True)
    sector: Mapped[str] = mapped_column(String(32))
    size_class: Mapped[str] = mapped_column(String(16))
    key_enterprise: Mapped[bool] = mapped_column(Boolean)
    workforce: Mapped[int]
    plan_approved_on: Mapped[dt.date | None] = mapped_column(Date)  # its prevention plan, approved on
    synthetic: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String)


class EnterpriseAccount(Base):
    """A user (a reporter) who acts for one enterprise only."""

    __tablename__ = "enterprise_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    linked_by: Mapped[str] = mapped_column(String)


class ResumptionReport(Base):
    """One enterprise's daily report: operating status, employees, capacity."""

    __tablename__ = "resumption_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "date"),
        Index("ix_resumption_reports_date", "date"),
        _one_of("status", STATUSES),
        CheckConstraint("employees_on_site >= 0 AND employees_on_site <= employees_total", name="on_site"),
        CheckConstraint("employees_away >= 0", name="away"),
        CheckConstraint("capacity_pct >= 0 AND capacity_pct <= 100", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    employees_on_site: Mapped[int]
    employees_total: Mapped[int]
    employees_away: Mapped[int]
    away_from: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # place -> employees still there
    capacity_pct: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String)
    revision: Mapped[int]  # 1, then 2, ... each time the report of that day is sent with other values


class Bottleneck(Base):
    """A bottleneck of one category at one enterprise, from the first report that named it until an officer
    resolves it; later reports naming it again while it is open extend it (at most one open per category)."""

    __tablename__ = "bottlenecks"
    __table_args__ = (
        Index("ux_bottlenecks_open", "enterprise_id", "category", unique=True, sqlite_where=OPEN,
              postgresql_where=OPEN),
        Index("ix_bottlenecks_opened_on", "opened_on"),
        _one_of("category", CATEGORIES),
        _one_of("state", BOTTLENECK_STATES),
        CheckConstraint("(state = 'open') = (resolved_on IS NULL)", name="resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    category: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)              # as the latest report put it
    opened_on: Mapped[dt.date] = mapped_column(Date)
    last_reported_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    resolved_by: Mapped[str | None] = mapped_column(String)
    resolution: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String)


class Duty(Base):
    """One of the ten standing duties."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    position: Mapped[int]
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)


class DutyItem(Base):
    """One checklist item of a duty; an item switched off (``active`` false) is no longer offered."""

    __tablename__ = "duty_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    duty_code: Mapped[str] = mapped_column(ForeignKey("duties.code"))
    position: Mapped[int]
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String)


class Inspection(Base):
    """An inspector's visit to an area on a date."""

    __tablename__ = "inspections"
    __table_args__ = (UniqueConstraint("area_code", "date", "inspector"), Index("ix_inspections_date", "date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String)
    date: Mapped[dt.date] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String)


class Finding(Base):
    """The finding on one checklist item of an inspection; a deficiency has a deadline and is closed by follow-up."""

    __tablename__ = "inspection_findings"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_code"),
        _one_of("result", RESULTS),
        CheckConstraint("(result = 'deficient') = (deadline IS NOT NULL)", name="deadline"),
        CheckConstraint("closed_on IS NULL OR result = 'deficient'", name="closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    item_code: Mapped[str] = mapped_column(ForeignKey("duty_items.code"))
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String)
    closure_note: Mapped[str | None] = mapped_column(Text)


class Facility(Base):
    """A hospital or clinic whose protective supplies are tracked."""

    __tablename__ = "supply_facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String)
    area_code: Mapped[str] = mapped_column(String, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    synthetic: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String)


class SupplyReport(Base):
    """One facility's stock of one item at the end of a day, what it used that day and what it received."""

    __tablename__ = "supply_reports"
    __table_args__ = (
        UniqueConstraint("facility_id", "date", "item"),
        Index("ix_supply_reports_date", "date"),
        CheckConstraint("stock >= 0 AND consumed >= 0 AND received >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("supply_facilities.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    item: Mapped[str] = mapped_column(String(32))
    stock: Mapped[int]
    consumed: Mapped[int]
    received: Mapped[int]
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String)
    revision: Mapped[int]
