"""Initial store: import batches, areas (revisioned) and aliases, case and count reports (revisioned),
users, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CURRENT = sa.text("superseded_at IS NULL")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _revision_columns(table: str) -> list:
    return [
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], name=f"fk_{table}_batch_id_import_batches"),
    ]


def _current_index(table: str, *columns: str) -> None:
    op.create_index(f"ux_{table}_current", table, list(columns), unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_new", sa.Integer(), nullable=False),
        sa.Column("rows_revised", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_import_batches"),
        sa.UniqueConstraint("kind", "sha256", name="uq_import_batches_kind_sha256"),
        sa.CheckConstraint("kind IN ('areas', 'cases', 'counts')", name="ck_import_batches_kind"),
    )
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_code", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        *_revision_columns("areas"),
        sa.PrimaryKeyConstraint("id", name="pk_areas"),
        sa.UniqueConstraint("code", "revision", name="uq_areas_code_revision"),
    )
    _current_index("areas", "code")
    op.create_table(
        "area_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], name="fk_area_aliases_batch_id_import_batches"),
        sa.PrimaryKeyConstraint("id", name="pk_area_aliases"),
        sa.UniqueConstraint("area_code", "kind", "alias", name="uq_area_aliases_area_code_kind_alias"),
        sa.CheckConstraint("kind IN ('traditional', 'pinyin', 'english', 'other')", name="ck_area_aliases_kind"),
    )
    op.create_table(
        "case_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("classification", sa.String(), nullable=False),
        sa.Column("cluster_id", sa.String(), nullable=True),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("imported", sa.Boolean(), nullable=True),
        *_revision_columns("case_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_case_reports"),
        sa.UniqueConstraint("case_id", "revision", name="uq_case_reports_case_id_revision"),
    )
    _current_index("case_reports", "case_id")
    op.create_table(
        "count_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        *_revision_columns("count_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_count_reports"),
        sa.UniqueConstraint("area_code", "date", "metric", "revision",
                            name="uq_count_reports_area_code_date_metric_revision"),
    )
    _current_index("count_reports", "area_code", "date", "metric")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope_area_code", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.CheckConstraint("role IN ('admin', 'analyst', 'reporter', 'viewer')", name="ck_users_role"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )


def downgrade() -> None:
    for table in ("audit_log", "users", "count_reports", "case_reports", "area_aliases", "areas", "import_batches"):
        op.drop_table(table)
