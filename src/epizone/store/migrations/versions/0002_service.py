"""The service: API tokens, rule sets in use, assessment runs and their levels, publications and published
levels, announcements, measures; users can be disabled. The measures seeded are this revision's own copy of
``epizone/store/measures.yaml`` as it stood (``NATIONAL_2020`` below): a later edit of that file never changes
what this revision inserts.

Runs, levels, publications and announcements are frozen: triggers make the database refuse UPDATE and
DELETE on them (a publication is withdrawn by a new retraction announcement, never by changing a row).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
FROZEN = ("assessment_runs", "assessed_levels", "publications", "published_levels", "announcements")
PG_FUNCTION = "epizone_frozen_row"

SHIPPED_BY = "epizone (shipped)"
MEASURES_SOURCE = ("国务院应对新型冠状病毒肺炎疫情联防联控机制《关于科学防治精准施策分区分级做好新冠肺炎疫情防控工作的指导意见》"
                   "(2020-02-17), http://www.gov.cn/xinwen/2020-02/18/content_5480514.htm")
MEASURE_RULE_SETS = ("cn-2020-02", "cn-2020-09")  # both grade into these levels under the same strategies
NATIONAL_2020 = {  # level: the measures in display order, (Chinese, English)
    "low": (("实施“外防输入”策略,做好输入病例防范", "Guard against imported cases (strategy: prevent import from outside)"),
            ("全面恢复生产生活秩序", "Fully restore production and normal life")),
    "medium": (("实施“外防输入、内防扩散”策略", "Guard against imported cases and against spread within the area"),
               ("尽快有序恢复生产生活秩序", "Restore production and normal life in an orderly way, as soon as possible")),
    "high": (("实施“内防扩散、外防输出、严格管控”策略", "Prevent spread within the area and export to other areas; strict control"),
             ("集中精力抓好疫情防控工作", "Concentrate efforts on epidemic prevention and control")),
}


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(), nullable=True))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        _fk("api_tokens", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("prefix", name="uq_api_tokens_prefix"),
    )
    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rule_sets"),
        sa.UniqueConstraint("rule_set_id", "version", "sha256", name="uq_rule_sets_rule_set_id_version_sha256"),
    )
    op.create_table(
        "assessment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_pk", sa.Integer(), nullable=False),
        sa.Column("rule_set", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("data_through", sa.String(), nullable=False),
        sa.Column("data_as_of", sa.DateTime(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.ForeignKeyConstraint(["rule_set_pk"], ["rule_sets.id"], name="fk_assessment_runs_rule_set_pk_rule_sets"),
        sa.ForeignKeyConstraint(["last_batch_id"], ["import_batches.id"],
                                name="fk_assessment_runs_last_batch_id_import_batches"),
        sa.PrimaryKeyConstraint("id", name="pk_assessment_runs"),
        sa.CheckConstraint("end_date >= start_date", name="ck_assessment_runs_period"),
    )
    op.create_table(
        "assessed_levels",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("area_name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("data_through", sa.Date(), nullable=False),
        sa.Column("indicators", JSON, nullable=False),
        sa.Column("event", sa.Text(), nullable=True),
        _fk("assessed_levels", "run_id", "assessment_runs"),
        sa.PrimaryKeyConstraint("run_id", "area_code", "date", name="pk_assessed_levels"),
    )
    op.create_index("ix_assessed_levels_run_id_date", "assessed_levels", ["run_id", "date"])
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        _fk("publications", "run_id", "assessment_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
    )
    op.create_index("ix_publications_effective_date", "publications", ["effective_date"])
    op.create_table(
        "published_levels",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("area_name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("previous_level", sa.String(), nullable=True),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        _fk("published_levels", "publication_id", "publications"),
        sa.PrimaryKeyConstraint("publication_id", "area_code", name="pk_published_levels"),
    )
    op.create_index("ix_published_levels_area_code", "published_levels", ["area_code"])
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("retracts_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("rule_set", sa.String(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("announcements", "publication_id", "publications"),
        _fk("announcements", "retracts_id", "announcements"),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.UniqueConstraint("number", name="uq_announcements_number"),
        sa.UniqueConstraint("retracts_id", name="uq_announcements_retracts_id"),
        sa.CheckConstraint("kind IN ('publish', 'retraction')", name="ck_announcements_kind"),
        sa.CheckConstraint("(kind = 'publish') = (retracts_id IS NULL)", name="ck_announcements_retracts"),
    )
    measures = op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_measures"),
    )
    op.create_index("ix_measures_rule_set_id_level", "measures", ["rule_set_id", "level"])
    _freeze()
    op.bulk_insert(measures, _seeded_measures())


def _seeded_measures() -> list[dict]:
    """The rows of ``NATIONAL_2020`` for each rule set of ``MEASURE_RULE_SETS``, stamped now."""
    at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return [{"rule_set_id": rule_set_id, "level": level, "position": position, "text_zh": zh, "text_en": en,
             "source": MEASURES_SOURCE, "updated_at": at, "updated_by": SHIPPED_BY}
            for rule_set_id in MEASURE_RULE_SETS for level, texts in NATIONAL_2020.items()
            for position, (zh, en) in enumerate(texts, 1)]


def _freeze() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION '% rows are frozen: they cannot be changed or deleted', TG_TABLE_NAME; END $$")
        for table in FROZEN:
            op.execute(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")
        return
    for table in FROZEN:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table} BEGIN "
                       f"SELECT RAISE(ABORT, '{table} rows are frozen: they cannot be changed or deleted'); END")


def _unfreeze() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in FROZEN:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        else:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_frozen_{event}")
    if postgres:
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")


def downgrade() -> None:
    _unfreeze()
    for table in ("measures", "announcements", "published_levels", "publications", "assessed_levels",
                  "assessment_runs", "rule_sets", "api_tokens"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
