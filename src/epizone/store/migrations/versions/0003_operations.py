"""Operations steered by the levels: enterprises, enterprise accounts, daily resumption reports and bottlenecks;
the ten standing duties with their checklist items (seeded from ``epizone/ops/duties.yaml``), inspections and
their findings; hospitals (supply facilities) and their daily supply reports. Models: ``epizone.ops.models``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

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
    from epizone.ops.checklist import shipped_checklist  # the seed file shipped with the package
    seeded_duties, seeded_items = shipped_checklist()
    op.bulk_insert(duties, seeded_duties)
    op.bulk_insert(items, seeded_items)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
