"""Request and response bodies of the operations endpoints (``/api/v1/ops/...``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from epizone.api.models import Moment, Out, out_model
from epizone.ops.checklist import ItemInfo
from epizone.ops.inspections import Due
from epizone.ops.levels import LevelInForce
from epizone.ops.models import CATEGORIES

T = TypeVar("T")
Status = Literal["closed", "partial", "full"]
Category = Literal[CATEGORIES]  # the bottleneck categories, as the store checks them
Result = Literal["compliant", "deficient", "not_applicable"]
SizeClass = Literal["large", "medium", "small", "micro"]


class Labelled(Out):
    """``synthetic`` is true when any row behind the answer comes from the generated demo data; ``notice`` then
    says so in words (Chinese and English)."""

    synthetic: bool = False
    notice: str | None = None


class OpsPage(Labelled, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class OpsList(Labelled, Generic[T]):
    items: list[T]


class ImportOpsOut(Out):
    kind: str
    file: str
    rows_read: int
    new: int
    changed: int
    unchanged: int
    extra: dict[str, int] = Field(description="What else changed, e.g. bottlenecks_opened, inspections_new")
    wrote: bool


class EnterpriseOut(Out):
    code: str
    name: str
    area_code: str
    sector: str
    size_class: str
    key_enterprise: bool
    workforce: int
    plan_approved_on: dt.date | None
    synthetic: bool
    updated_at: Moment
    updated_by: str


class EnterprisePatch(BaseModel):
    """Fields to change; ``plan_approved_on: null`` withdraws an approval."""

    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"\S")
    area_code: str | None = Field(None, min_length=1, max_length=64)
    sector: str | None = Field(None, min_length=1, max_length=32)
    size_class: SizeClass | None = None
    key_enterprise: bool | None = None
    workforce: int | None = Field(None, ge=0, le=10_000_000)
    plan_approved_on: dt.date | None = None



class LatestReportOut(Out):
    date: dt.date
    status: str
    employees_on_site: int
    employees_total: int
    employees_away: int
    away_from: dict[str, int]
    capacity_pct: int
    note: str | None
    revision: int


class ReportOut(LatestReportOut):
    enterprise_code: str
    enterprise_name: str
    area_code: str
    sector: str
    size_class: str
    submitted_at: Moment
    submitted_by: str
    synthetic: bool


class BottleneckOut(Out):
    id: int
    enterprise_code: str
    enterprise_name: str
    area_code: str
    sector: str
    category: str
    detail: str
    opened_on: dt.date
    last_reported_on: dt.date
    state: Literal["open", "resolved"]
    resolved_on: dt.date | None
    resolved_by: str | None
    resolution: str | None
    synthetic: bool


class ResolveIn(BaseModel):
    date: dt.date | None = Field(None, description="Resolved on (default: today)")
    note: str = Field("", max_length=2000)


class ReopenIn(BaseModel):
    note: str = Field("", max_length=2000)


class ResumptionOut(Out):
    date: dt.date
    group: str = Field(description="County or city code, sector, size class; empty for the total")
    group_name: str
    enterprises: int
    reporting: int = Field(description="Enterprises with a report on or before the date")
    reported_on_date: int
    resumed: int = Field(description="Latest status partial or full")
    fully_resumed: int
    workforce: int
    on_site: int
    flagged: int = Field(description="Operating beyond what the level allows")
    resumption_rate: float | None
    workforce_rate: float | None
    synthetic: bool


class FlagOut(Out):
    enterprise_code: str
    enterprise_name: str
    area_code: str
    county_code: str
    county_name: str
    sector: str
    plan_approved_on: dt.date | None
    status: str
    report_date: dt.date
    level: str
    rule_set: str
    allows: str
    flag: Literal["plan_not_approved", "not_essential"]
    reason_zh: str
    reason_en: str
    synthetic: bool



LevelInForceOut = out_model("LevelInForceOut", LevelInForce, area_code=(str, Field(
    description="The area the level was published for (the graded unit)")))


class PolicyOut(Out):
    rule_set: str
    level: str
    allows: Literal["all", "plan_approved", "essential_only"]
    zh: str
    en: str
    source: str


class FlagText(Out):
    code: str
    zh: str
    en: str



class EnterpriseBrief(EnterpriseOut):
    """The enterprise a status is about (the same fields as ``EnterpriseOut``)."""


class EnterpriseStatusOut(Labelled):
    enterprise: EnterpriseBrief
    date: dt.date
    county_code: str
    level: LevelInForceOut | None
    policy: PolicyOut | None
    may_operate: bool | None = Field(description="Whether the level lets this enterprise operate (null: no policy)")
    latest_report: LatestReportOut | None
    flag: FlagText | None
    open_bottlenecks: list[BottleneckOut]


class InspectionOut(Out):
    id: int
    area_code: str
    date: dt.date
    inspector: str
    synthetic: bool
    recorded_at: Moment
    recorded_by: str


class FindingOut(Out):
    id: int
    inspection_id: int
    area_code: str
    date: dt.date
    inspector: str
    duty_code: str
    item_code: str
    item_zh: str
    item_en: str
    result: str
    note: str | None
    deadline: dt.date | None
    closed_on: dt.date | None
    closed_by: str | None
    closure_note: str | None
    synthetic: bool


class InspectionDetailOut(InspectionOut, Labelled):
    findings: list[FindingOut]


class CloseIn(BaseModel):
    date: dt.date | None = Field(None, description="Remedied on (default: today)")
    note: str = Field("", max_length=2000)


class ComplianceOut(Out):
    county_code: str
    county_name: str
    duty_code: str
    duty_zh: str
    duty_en: str
    compliant: int
    deficient: int
    not_applicable: int
    rate: float | None
    synthetic: bool



DueOut = out_model("DueOut", Due, state=Literal["done", "pending", "overdue"],
                   on_time=(bool | None, Field(description="Inspected by the due date (null: not inspected yet)")))


ItemOut = out_model("ItemOut", ItemInfo)



class ItemIn(BaseModel):
    duty_code: str = Field(min_length=1, max_length=16)
    text_zh: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    text_en: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    code: str | None = Field(None, min_length=1, max_length=16, pattern=r"^\S+$")


class ItemPatch(BaseModel):
    text_zh: str | None = Field(None, min_length=1, max_length=2000, pattern=r"\S")
    text_en: str | None = Field(None, min_length=1, max_length=2000, pattern=r"\S")
    active: bool | None = None


class FacilityOut(Out):
    code: str
    name: str
    area_code: str
    kind: str
    synthetic: bool
    updated_at: Moment
    updated_by: str


class SupplyReportOut(Out):
    facility_code: str
    facility_name: str
    area_code: str
    date: dt.date
    item: str
    stock: int
    consumed: int
    received: int
    revision: int
    submitted_at: Moment
    submitted_by: str
    synthetic: bool


class StandingOut(Out):
    code: str = Field(description="County or facility code (empty for all facilities together)")
    name: str
    item: str
    unit: str
    stock: int
    daily_use: float
    days_left: float | None = Field(description="stock / daily use; null when nothing is used")
    facilities: int
    synthetic: bool
    threshold_days: float | None = None


class AccountIn(BaseModel):
    user: str = Field(min_length=1, max_length=100)
    enterprise_code: str = Field(min_length=1, max_length=64)


class AccountOut(Out):
    user: str
    enterprise_code: str
    enterprise_name: str
    linked_at: Moment
    linked_by: str


class Text(Out):
    id: str
    zh: str
    en: str


class SectorOut(Text):
    essential: bool


class SupplyItemOut(Text):
    unit: str


class CatalogueOut(Out):
    policies: list[PolicyOut]
    permissions: list[Text]
    sectors: list[SectorOut]
    size_classes: list[Text]
    statuses: list[Text]
    bottleneck_categories: list[Text]
    supply_items: list[SupplyItemOut]
    facility_kinds: list[Text]
    alert_days: float
    window_days: int
    due_days: int


class AreaBrief(Out):
    code: str
    name: str
    kind: str
    parent_code: str | None


class MeasureText(Out):
    zh: str
    en: str


class ResumptionPart(Out):
    total: ResumptionOut | None
    by_sector: list[ResumptionOut]
    by_size_class: list[ResumptionOut]
    flagged: list[FlagOut]


class BottleneckCount(Out):
    county_code: str
    county_name: str
    category: str
    open: int
    oldest_opened_on: dt.date
    synthetic: bool


class BottleneckPart(Out):
    open: int
    by_category: dict[str, int]
    by_county: list[BottleneckCount]
    oldest: list[BottleneckOut]
    synthetic: bool


class RecentInspection(InspectionOut):
    findings: dict[str, int]


class InspectionPart(Out):
    recent: list[RecentInspection]
    compliance: list[ComplianceOut]
    open_deficiencies: int
    overdue: list[FindingOut]
    due: list[DueOut]
    synthetic: bool


class SupplyPart(Out):
    facilities: int
    threshold_days: float
    items: list[StandingOut]
    alerts: list[StandingOut]
    facility_alerts: list[StandingOut]
    synthetic: bool


class OverviewOut(Labelled):
    """Everything an officer needs about one area on one date."""

    area: AreaBrief
    date: dt.date
    level: LevelInForceOut | None = Field(description="The level in force for the area (from its unit)")
    levels_below: dict[str, int] = Field(description="Units below the area per level (for a city or province)")
    policy: PolicyOut | None
    measures: list[MeasureText]
    resumption: ResumptionPart
    bottlenecks: BottleneckPart
    inspections: InspectionPart
    supplies: SupplyPart


def notice(synthetic: bool) -> str | None:
    from epizone.ops.overview import SYNTHETIC_NOTICE
    return SYNTHETIC_NOTICE if synthetic else None


def any_synthetic(items: list[Any]) -> bool:
    return any((i.get("synthetic") if isinstance(i, dict) else getattr(i, "synthetic", False)) for i in items)
