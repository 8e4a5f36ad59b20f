"""A run keeps its levels as periods: one row per unit per run of days at one level, split at the days whose
values it keeps; the case and count tables are indexed by the date they are graded on.

``assessed_levels`` rows gain ``end_date`` (the last day the row's level holds; its values are those of
``date``) and ``period_end`` (on a row that begins a level period: the period's last day; null on a row that
only continues one after a kept day). The rows already stored hold every day of their run: each becomes a
one-day row (``end_date = date``) and the rows beginning a level period get their ``period_end``; the
frozen-row trigger is set aside for that and put back. ``ix_case_reports_report_date`` and
``ix_count_reports_date`` let a run continuing from a checkpoint read only the recent records, and a
checkpoint keeps the records of its window (``cases_window``, ``counts_window``: the cases and counts dated
from its first data date to its cutoff, as Arrow IPC), so that the next run reads from the tables only what
was dated after the cutoff. The indexes on ``superseded_at`` of 0006 become partial (only the superseded
versions): as a full index, SQLite (without statistics) took it for ``superseded_at IS NULL`` (nearly every
row) instead of the current-key index, and a day's import into a national store compared its keys by scanning
the table (8 s instead of a fraction of one); the ranges ``superseded_at > moment`` that checkpoints ask for
imply the index's condition, so they still use it.

Revision ID: 0007_level_periods
Revises: 0006_checkpoints
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007_level_periods"
down_revision = "0006_checkpoints"
branch_labels = None
depends_on = None

DATES = {"case_reports": "report_date", "count_reports": "date"}
WINDOWS = ("cases_window", "counts_window")
PG_FUNCTION = "epizone_frozen_row"   # 0002's: refuses the UPDATE (0006 kept it for UPDATE only)
SQLITE_UPDATE = ("CREATE TRIGGER assessed_levels_frozen_update BEFORE UPDATE ON assessed_levels BEGIN "
                 "SELECT RAISE(ABORT, 'assessed_levels rows are frozen: they cannot be changed or deleted'); END")


def upgrade() -> None:
    with op.batch_alter_table("assessed_levels", recreate="never") as batch:
        batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("period_end", sa.Date(), nullable=True))
    for table, column in DATES.items():
        op.create_index(f"ix_{table}_{column}", table, [column])
        _superseded_index(table, partial=True)
    with op.batch_alter_table("run_checkpoints", recreate="never") as batch:
        for name in WINDOWS:
            batch.add_column(sa.Column(name, sa.LargeBinary(), nullable=True))
    _unfrozen(_periods_of_stored_rows)


def downgrade() -> None:
    with op.batch_alter_table("run_checkpoints", recreate="never") as batch:
        for name in WINDOWS:
            batch.drop_column(name)
    for table, column in DATES.items():
        op.drop_index(f"ix_{table}_{column}", table)
        _superseded_index(table, partial=False)
    with op.batch_alter_table("assessed_levels", recreate="never") as batch:
        batch.drop_column("period_end")
        batch.drop_column("end_date")


def _superseded_index(table: str, partial: bool) -> None:
    name = f"ix_{table}_superseded_at"
    op.drop_index(name, table)
    where = {"sqlite_where": sa.text("superseded_at IS NOT NULL"),
             "postgresql_where": sa.text("superseded_at IS NOT NULL")} if partial else {}
    op.create_index(name, table, ["superseded_at"], **where)


def _unfrozen(change) -> None:  # noqa: ANN001
    """Run ``change`` with the UPDATE trigger of ``assessed_levels`` set aside."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE assessed_levels DISABLE TRIGGER assessed_levels_frozen")
        change(bind)
        op.execute("ALTER TABLE assessed_levels ENABLE TRIGGER assessed_levels_frozen")
        return
    op.execute("DROP TRIGGER assessed_levels_frozen_update")
    change(bind)
    op.execute(SQLITE_UPDATE)


def _periods_of_stored_rows(bind: sa.Connection) -> None:
    """Every stored row is one day of its run: ``end_date = date``; a row whose level differs from the unit's
    day before (or that is its first) begins a level period ending the day before the next such row."""
    bind.execute(sa.text("UPDATE assessed_levels SET end_date = date"))
    rows = bind.execute(sa.text("SELECT run_id, area_code, date, level FROM assessed_levels "
                                "ORDER BY run_id, area_code, date")).all()
    updates: list[dict] = []
    unit, level, opened = None, None, None
    for run_id, area_code, day, value in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        if (run_id, area_code) != unit or value != level:
            if opened is not None:
                updates.append(opened)
            opened = {"r": run_id, "a": area_code, "d": day, "e": day}
            unit, level = (run_id, area_code), value
        else:
            opened["e"] = day
    if opened is not None:
        updates.append(opened)
    if updates:
        bind.execute(sa.text("UPDATE assessed_levels SET period_end = :e WHERE run_id = :r AND area_code = :a "
                             "AND date = :d"), updates)
