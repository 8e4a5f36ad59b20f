"""Run checkpoints, so that a run grades on from the previous one; draft runs may be pruned.

``run_checkpoints`` keeps, with the run that made it, the state a rule set needs to grade the days after
the run's last day (a NumPy ``.npz`` file, as bytes), its key and the moment of the data it was made from.
Indexes on ``recorded_at`` and ``superseded_at`` of the case and count tables find the versions recorded
after a checkpoint's moment. The frozen-row triggers of 0002 on ``assessment_runs`` and ``assessed_levels``
now let a DELETE through for a run no publication references (a draft); UPDATE stays refused, and a
published run's rows stay frozen.

Revision ID: 0006_checkpoints
Revises: 0005_read_model
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_checkpoints"
down_revision = "0005_read_model"
branch_labels = None
depends_on = None

PG_FUNCTION = "epizone_frozen_row"           # 0002's: refuses every UPDATE and DELETE
DRAFTS = {"assessment_runs": "id", "assessed_levels": "run_id"}  # table: the column naming its run
MOMENTS = ("case_reports", "count_reports")
MESSAGE = "{table} rows are frozen: they cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "run_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("cutoff", sa.Date(), nullable=False),
        sa.Column("covered", sa.Date(), nullable=True),
        sa.Column("data_as_of", sa.DateTime(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["assessment_runs.id"],
                                name="fk_run_checkpoints_run_id_assessment_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_run_checkpoints"),
    )
    op.create_index("ix_run_checkpoints_key_day", "run_checkpoints", ["key", "day"])
    op.create_index("ix_run_checkpoints_run_id", "run_checkpoints", ["run_id"])
    for table in MOMENTS:
        op.create_index(f"ix_{table}_recorded_at", table, ["recorded_at"])
        op.create_index(f"ix_{table}_superseded_at", table, ["superseded_at"])
    _drafts_deletable(True)


def downgrade() -> None:
    _drafts_deletable(False)
    for table in MOMENTS:
        op.drop_index(f"ix_{table}_superseded_at", table)
        op.drop_index(f"ix_{table}_recorded_at", table)
    op.drop_table("run_checkpoints")


def _drafts_deletable(allowed: bool) -> None:
    """Replace the DELETE triggers of runs and levels: refusing only a published run's rows, or every row."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column in DRAFTS.items():
        (_postgres if postgres else _sqlite)(table, column, allowed)


def _postgres(table: str, column: str, allowed: bool) -> None:
    function = f"epizone_frozen_{table}_delete"
    op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
    if allowed:
        op.execute(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")
        op.execute(f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF EXISTS (SELECT 1 FROM publications WHERE run_id = OLD.{column}) THEN "
                   f"RAISE EXCEPTION '{MESSAGE.format(table=table)}'; END IF; RETURN OLD; END $$")
        op.execute(f"CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {function}()")
        return
    op.execute(f"DROP TRIGGER {table}_frozen_delete ON {table}")
    op.execute(f"DROP FUNCTION {function}()")
    op.execute(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")


def _sqlite(table: str, column: str, allowed: bool) -> None:
    op.execute(f"DROP TRIGGER {table}_frozen_delete")
    published = f"WHEN EXISTS (SELECT 1 FROM publications WHERE run_id = OLD.{column}) " if allowed else ""
    op.execute(f"CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table} {published}BEGIN "
               f"SELECT RAISE(ABORT, '{MESSAGE.format(table=table)}'); END")
