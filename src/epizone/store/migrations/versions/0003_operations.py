"""Operations steered by the levels: enterprises, enterprise accounts, daily resumption reports and bottlenecks;
the ten standing duties with their checklist items, inspections and their findings; hospitals (supply
facilities) and their daily supply reports. Models: ``epizone.ops.models``. The checklist seeded is this
revision's own copy of ``epizone/ops/duties.yaml`` as it was read then (``CHECKLIST`` below): a later edit of
that file never changes what this revision inserts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OPEN = sa.text("state = 'open'")
TABLES = ("supply_reports", "supply_facilities", "inspection_findings", "inspections", "duty_items", "duties",
          "bottlenecks", "resumption_reports", "enterprise_accounts", "enterprises")
SHIPPED_BY = "epizone (shipped)"
CHECKLIST = (  # duty code, Chinese, English, then its items in order: (item code, Chinese, English)
    ("D01", "党委政府属地责任不放松", "Territorial responsibility of the Party committee and government", (
        ("D01.1", "县级疫情防控指挥部实体化运作", "The county command centre is staffed and its leaders are on duty"),
        ("D01.2", "防控责任层层分解到乡镇(街道)和村(社区)", "Responsibilities are assigned down to townships and villages/communities"),
        ("D01.3", "每日疫情信息按时报送", "Daily epidemic reports are sent on time and accurate"))),
    ("D02", "分区分级精准防控不放松", "Zoned, graded, precise control", (
        ("D02.1", "按公布的风险等级落实差异化防控措施", "The measures of the published risk level are in force"),
        ("D02.2", "复工复产与风险等级相适应", "Work resumption matches what the level allows"),
        ("D02.3", "乡镇(街道)风险细化划分并动态调整", "Township risk classes are refined and kept up to date"))),
    ("D03", "社区村居防控不放松", "Community and village control", (
        ("D03.1", "网格化管理", "Grid management; entrances register and check temperatures"),
        ("D03.2", "返乡返岗人员排查登记", "Returning residents and workers are screened and registered"),
        ("D03.3", "公共区域定期消毒通风", "Common areas are disinfected and ventilated regularly"))),
    ("D04", "企业主体责任不放松", "Enterprises' own responsibility", (
        ("D04.1", "复工企业制定防控方案并落实", "Resumed enterprises have a prevention plan and apply it"),
        ("D04.2", "员工健康监测、测温和佩戴口罩", "Staff health monitoring, temperature checks and masks"),
        ("D04.3", "食堂错峰就餐", "Staggered canteen meals; gatherings reduced"),
        ("D04.4", "防护物资储备满足需要", "Protective supplies are stocked as needed"))),
    ("D05", "家庭个人防护不放松", "Household and personal protection", (
        ("D05.1", "防护知识宣传到户到人", "Protection guidance reaches every household"),
        ("D05.2", "公共场所规范佩戴口罩", "Masks are worn properly in public places"),
        ("D05.3", "减少聚集", "Gatherings reduced; weddings postponed, funerals kept small"))),
    ("D06", "阻断传播途径不放松", "Blocking transmission channels", (
        ("D06.1", "交通站点、卡口测温查验", "Temperature checks at stations and checkpoints"),
        ("D06.2", "农贸市场、商超等人员密集场所管控", "Markets, supermarkets and other crowded places are controlled"),
        ("D06.3", "密切接触者及时追踪", "Close contacts are traced promptly"))),
    ("D07", "重症轻症救治不放松", "Treatment of severe and mild cases", (
        ("D07.1", "定点医院收治能力和床位满足需要", "Designated hospitals have the capacity and beds needed"),
        ("D07.2", "重症病例集中专家、集中资源救治", "Severe cases are treated with pooled experts and resources"),
        ("D07.3", "医护人员防护物资充足、防护到位", "Medical staff have enough protective supplies and use them"))),
    ("D08", "疑似病例排查不放松", "Screening of suspected cases", (
        ("D08.1", "发热门诊规范设置、24小时接诊", "Fever clinics are set up properly and open around the clock"),
        ("D08.2", "疑似病例及时隔离、采样检测", "Suspected cases are isolated and tested promptly"),
        ("D08.3", "药店购买退热止咳药品人员登记追踪",
         "Buyers of fever and cough medicines at pharmacies are registered and followed up"))),
    ("D09", "医学观察不放松", "Medical observation", (
        ("D09.1", "集中医学观察点设置规范、管理严格", "Centralised observation sites are set up properly and strictly managed"),
        ("D09.2", "密切接触者集中医学观察14天", "Close contacts are observed centrally for 14 days"),
        ("D09.3", "观察对象每日健康监测并记录", "People under observation are checked and recorded daily"))),
    ("D10", "居家观察不放松", "Home observation", (
        ("D10.1", "居家观察人员落实包保责任人", "Every person under home observation has a named responsible officer"),
        ("D10.2", "每日随访、测温并记录", "Daily follow-up with temperature checks, recorded"),
        ("D10.3", "居家观察期满及时解除并登记", "Home observation is ended and recorded on time"))),
)


def _fk(table: str, column: str, target: str, key: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{key}"], name=f"fk_{table}_{column}_{target}")


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=f"ck_{table}_{column}")


def _stamp() -> list[sa.Column]:
    return [sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("updated_by", sa.String(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("size_class", sa.String(16), nullable=False),
        sa.Column("key_enterprise", sa.Boolean(), nullable=False),
        sa.Column("workforce", sa.Integer(), nullable=False),
        sa.Column("plan_approved_on", sa.Date(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name="pk_enterprises"),
        sa.UniqueConstraint("code", name="uq_enterprises_code"),
        _one_of("enterprises", "size_class", ("large", "medium", "small", "micro")),
        sa.CheckConstraint("workforce >= 0", name="ck_enterprises_workforce"),
    )
    op.create_index("ix_enterprises_area_code", "enterprises", ["area_code"])
    op.create_table(
        "enterprise_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("linked_by", sa.String(), nullable=False),
        _fk("enterprise_accounts", "user_id", "users"),
        _fk("enterprise_accounts", "enterprise_id", "enterprises"),
        sa.PrimaryKeyConstraint("user_id", name="pk_enterprise_accounts"),
    )
    op.create_index("ix_enterprise_accounts_enterprise_id", "enterprise_accounts", ["enterprise_id"])
    op.create_table(
        "resumption_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("employees_on_site", sa.Integer(), nullable=False),
        sa.Column("employees_total", sa.Integer(), nullable=False),
        sa.Column("employees_away", sa.Integer(), nullable=False),
        sa.Column("away_from", JSON, nullable=False),
        sa.Column("capacity_pct", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _fk("resumption_reports", "enterprise_id", "enterprises"),
        sa.PrimaryKeyConstraint("id", name="pk_resumption_reports"),
        sa.UniqueConstraint("enterprise_id", "date", name="uq_resumption_reports_enterprise_id_date"),
        _one_of("resumption_reports", "status", ("closed", "partial", "full")),
        sa.CheckConstraint("employees_on_site >= 0 AND employees_on_site <= employees_total",
                           name="ck_resumption_reports_on_site"),
        sa.CheckConstraint("employees_away >= 0", name="ck_resumption_reports_away"),
        sa.CheckConstraint("capacity_pct >= 0 AND capacity_pct <= 100", name="ck_resumption_reports_capacity"),
    )
    op.create_index("ix_resumption_reports_date", "resumption_reports", ["date"])
    op.create_table(
        "bottlenecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("last_reported_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        *_stamp(),
        _fk("bottlenecks", "enterprise_id", "enterprises"),
        sa.PrimaryKeyConstraint("id", name="pk_bottlenecks"),
        _one_of("bottlenecks", "category", ("transport", "labour", "logistics", "market", "protective_supplies")),
        _one_of("bottlenecks", "state", ("open", "resolved")),
        sa.CheckConstraint("(state = 'open') = (resolved_on IS NULL)", name="ck_bottlenecks_resolved"),
    )
    op.create_index("ux_bottlenecks_open", "bottlenecks", ["enterprise_id", "category"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_bottlenecks_opened_on", "bottlenecks", ["opened_on"])
    duties = op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_duties"),
        sa.UniqueConstraint("code", name="uq_duties_code"),
    )
    items = op.create_table(
        "duty_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("duty_code", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamp(),
        _fk("duty_items", "duty_code", "duties", "code"),
        sa.PrimaryKeyConstraint("id", name="pk_duty_items"),
        sa.UniqueConstraint("code", name="uq_duty_items_code"),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inspections"),
        sa.UniqueConstraint("area_code", "date", "inspector", name="uq_inspections_area_code_date_inspector"),
    )
    op.create_index("ix_inspections_date", "inspections", ["date"])
    op.create_table(
        "inspection_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("closure_note", sa.Text(), nullable=True),
        _fk("inspection_findings", "inspection_id", "inspections"),
        _fk("inspection_findings", "item_code", "duty_items", "code"),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_findings"),
        sa.UniqueConstraint("inspection_id", "item_code", name="uq_inspection_findings_inspection_id_item_code"),
        _one_of("inspection_findings", "result", ("compliant", "deficient", "not_applicable")),
        sa.CheckConstraint("(result = 'deficient') = (deadline IS NOT NULL)", name="ck_inspection_findings_deadline"),
        sa.CheckConstraint("closed_on IS NULL OR result = 'deficient'", name="ck_inspection_findings_closed"),
    )
    op.create_table(
        "supply_facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        *_stamp(),
        sa.PrimaryKeyConstraint("id", name="pk_supply_facilities"),
        sa.UniqueConstraint("code", name="uq_supply_facilities_code"),
    )
    op.create_index("ix_supply_facilities_area_code", "supply_facilities", ["area_code"])
    op.create_table(
        "supply_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("consumed", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _fk("supply_reports", "facility_id", "supply_facilities"),
        sa.PrimaryKeyConstraint("id", name="pk_supply_reports"),
        sa.UniqueConstraint("facility_id", "date", "item", name="uq_supply_reports_facility_id_date_item"),
        sa.CheckConstraint("stock >= 0 AND consumed >= 0 AND received >= 0", name="ck_supply_reports_amounts"),
    )
    op.create_index("ix_supply_reports_date", "supply_reports", ["date"])
    op.bulk_insert(duties, [{"code": code, "position": position, "text_zh": zh, "text_en": en}
                            for position, (code, zh, en, _) in enumerate(CHECKLIST, 1)])
    op.bulk_insert(items, _seeded_items())


def _seeded_items() -> list[dict]:
    """The items of ``CHECKLIST``, each active, stamped now."""
    at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return [{"code": code, "duty_code": duty_code, "position": position, "text_zh": zh, "text_en": en, "active": True,
             "updated_at": at, "updated_by": SHIPPED_BY}
            for duty_code, _, _, items in CHECKLIST for position, (code, zh, en) in enumerate(items, 1)]


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
