"""The read model of the published levels: ``current_levels``, one row per area with the level in force from the
latest publication in force that set it, written at publication and restored at retraction, so that reads never
rank the publications again; ``level_exports`` keeps the compressed export of every level that one worker made,
for the others to serve. Existing stores get it built from the publications they hold (data migration).
An index on ``announcements.publication_id`` serves the "not retracted" test of every level read, one on
``current_levels.effective_date`` finds the last change in one step (the query plans are in docs/store.md).

Revision ID: 0005_read_model
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_read_model"
down_revision = "0004"
branch_labels = None
depends_on = None

BUILD = """
INSERT INTO current_levels (area_code, area_name, level, previous_level, reason_code, reason_en, reason_zh,
                            publication_id, run_id, assessed_date, effective_date, announcement)
SELECT area_code, area_name, level, previous_level, reason_code, reason_en, reason_zh,
       publication_id, run_id, date, effective_date, number
FROM (SELECT pl.area_code, pl.area_name, pl.level, pl.previous_level, pl.reason_code, pl.reason_en, pl.reason_zh,
             pl.publication_id, p.run_id, p.date, p.effective_date, a.number,
             ROW_NUMBER() OVER (PARTITION BY pl.area_code ORDER BY p.effective_date DESC, p.id DESC) AS ranked
      FROM published_levels pl
      JOIN publications p ON p.id = pl.publication_id
      JOIN announcements a ON a.publication_id = p.id AND a.kind = 'publish'
      WHERE NOT EXISTS (SELECT 1 FROM announcements r WHERE r.kind = 'retraction' AND r.publication_id = p.id)
     ) latest
WHERE ranked = 1
"""


def upgrade() -> None:
    op.create_index("ix_announcements_publication_id", "announcements", ["publication_id"])
    op.create_table(
        "current_levels",
        sa.Column("area_code", sa.String(), nullable=False),
        sa.Column("area_name", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("previous_level", sa.String(), nullable=True),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("assessed_date", sa.Date(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("announcement", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name="fk_current_levels_publication_id_publications"),
        sa.PrimaryKeyConstraint("area_code", name="pk_current_levels"),
    )
    op.create_index("ix_current_levels_effective_date", "current_levels", ["effective_date"])
    op.execute(BUILD)
    op.create_table(
        "level_exports",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("shape", sa.String(16), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state", "shape", "encoding", name="pk_level_exports"),
    )


def downgrade() -> None:
    op.drop_table("level_exports")
    op.drop_table("current_levels")
    op.drop_index("ix_announcements_publication_id", "announcements")
