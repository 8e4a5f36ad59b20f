"""The operations tables (revision ``0003``): enterprises and their daily resumption reports with bottlenecks,
enterprise accounts, the duty checklist with inspections and their findings, hospitals and their supplies.

They are declared on the shared base of ``epizone.store.base``, so one metadata holds them with the store's
tables. Reports are kept one row per (enterprise, date) and (facility, date, item): a report sent again for
the same key replaces the values, and the audit log keeps the row before and after. ``synthetic`` marks rows
that come from the generated demo data, so that every answer built on them can say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from epizone.store.base import (Base, Bilingual, LongText, Recorded, Str16, Str32, Str64, Updated, one_of,
                                partial_unique)
from epizone.store.models import User

SIZE_CLASSES = ("large", "medium", "small", "micro")
STATUSES = ("closed", "partial", "full")
CATEGORIES = ("transport", "labour", "logistics", "market", "protective_supplies")
RESULTS = ("compliant", "deficient", "not_applicable")
BOTTLENECK_STATES = ("open", "resolved")
OPEN = text("state = 'open'")


class DailyReport:
    """A report of one day: its date, when and by whom it was sent, and how many times (``revision`` 1, then
    2, ... each time the report of that day is sent with other values)."""

    date: Mapped[dt.date] = mapped_column(index=True)
    submitted_at: Mapped[dt.datetime]
    submitted_by: Mapped[str]
    revision: Mapped[int]


class RegistryEntry:
    """An entry of a registry (enterprises, supply facilities): its code, name and area (a township or county);
    ``synthetic`` when the demo data generated it."""

    code: Mapped[Str64] = mapped_column(unique=True)
    name: Mapped[str]
    area_code: Mapped[str] = mapped_column(index=True)
    synthetic: Mapped[bool]


class Enterprise(RegistryEntry, Updated, Base):
    """An enterprise of the registry: where it is (a township or county), its sector, size and workforce."""

    __tablename__ = "enterprises"
    __table_args__ = (one_of("size_class", SIZE_CLASSES), CheckConstraint("workforce >= 0", name="workforce"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sector: Mapped[Str32]
    size_class: Mapped[Str16]
    key_enterprise: Mapped[bool]
    workforce: Mapped[int]
    plan_approved_on: Mapped[dt.date | None]  # its prevention plan, approved on


class EnterpriseAccount(Base):
    """A user (a reporter) who acts for one enterprise only."""

    __tablename__ = "enterprise_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey(User.id), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey(Enterprise.id), index=True)
    linked_at: Mapped[dt.datetime]
    linked_by: Mapped[str]


class ResumptionReport(DailyReport, Base):
    """One enterprise's daily report: operating status, employees, capacity."""

    __tablename__ = "resumption_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "date"),
        CheckConstraint("employees_on_site >= 0 AND employees_on_site <= employees_total", name="on_site"),
        CheckConstraint("employees_away >= 0", name="away"),
        CheckConstraint("capacity_pct >= 0 AND capacity_pct <= 100", name="capacity"),
        one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey(Enterprise.id))
    status: Mapped[Str16]
    away_from: Mapped[dict[str, Any]]  # place -> employees still there
    employees_on_site: Mapped[int]
    employees_total: Mapped[int]
    employees_away: Mapped[int]
    capacity_pct: Mapped[int]
    note: Mapped[LongText | None]


class Bottleneck(Updated, Base):
    """A bottleneck of one category at one enterprise, from the first report that named it until an officer
    resolves it; later reports naming it again while it is open extend it (at most one open per category)."""

    __tablename__ = "bottlenecks"
    __table_args__ = (
        partial_unique("ux_bottlenecks_open", OPEN, "enterprise_id", "category"),
        one_of("category", CATEGORIES),
        one_of("state", BOTTLENECK_STATES),
        CheckConstraint("(state = 'open') = (resolved_on IS NULL)", name="resolved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey(Enterprise.id))
    category: Mapped[Str32]
    detail: Mapped[LongText]  # as the latest report put it
    opened_on: Mapped[dt.date] = mapped_column(index=True)
    last_reported_on: Mapped[dt.date]
    state: Mapped[Str16]
    resolved_on: Mapped[dt.date | None]
    resolved_by: Mapped[str | None]
    resolution: Mapped[LongText | None]


class Duty(Bilingual, Base):
    """One of the ten standing duties."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str16] = mapped_column(unique=True)
    position: Mapped[int]


class DutyItem(Bilingual, Updated, Base):
    """One checklist item of a duty; an item switched off (``active`` false) is no longer offered."""

    __tablename__ = "duty_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str16] = mapped_column(unique=True)
    duty_code: Mapped[Str16] = mapped_column(ForeignKey(Duty.code))
    position: Mapped[int]
    active: Mapped[bool]


class Inspection(Recorded, Base):
    """An inspector's visit to an area on a date."""

    __tablename__ = "inspections"
    __table_args__ = (UniqueConstraint("area_code", "date", "inspector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str]
    date: Mapped[dt.date] = mapped_column(index=True)
    inspector: Mapped[str]
    synthetic: Mapped[bool]


class Finding(Base):
    """The finding on one checklist item of an inspection; a deficiency has a deadline and is closed by follow-up."""

    __tablename__ = "inspection_findings"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_code"),
        one_of("result", RESULTS),
        CheckConstraint("(result = 'deficient') = (deadline IS NOT NULL)", name="deadline"),
        CheckConstraint("closed_on IS NULL OR result = 'deficient'", name="closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey(Inspection.id))
    item_code: Mapped[Str16] = mapped_column(ForeignKey(DutyItem.code))
    result: Mapped[Str16]
    note: Mapped[LongText | None]
    deadline: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]
    closed_by: Mapped[str | None]
    closure_note: Mapped[LongText | None]


class Facility(RegistryEntry, Updated, Base):
    """A hospital or clinic whose protective supplies are tracked."""

    __tablename__ = "supply_facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Str32]


class SupplyReport(DailyReport, Base):
    """One facility's stock of one item at the end of a day, what it used that day and what it received."""

    __tablename__ = "supply_reports"
    __table_args__ = (
        UniqueConstraint("facility_id", "date", "item"),
        CheckConstraint("stock >= 0 AND consumed >= 0 AND received >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey(Facility.id))
    item: Mapped[Str32]
    stock: Mapped[int]
    consumed: Mapped[int]
    received: Mapped[int]
