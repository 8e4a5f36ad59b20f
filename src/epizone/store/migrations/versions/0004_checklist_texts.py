"""Six checklist items of revision 0003 were seeded with their Chinese text cut short at an ASCII comma inside a
YAML flow mapping (e.g. "网格化管理" for "网格化管理，出入口登记、测温"). This revision writes the whole texts, only
where the item still holds the text 0003 seeded (an item reworded since keeps its wording).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TEXTS = (  # item code, the text 0003 seeded, the whole text
    ("D01.1", "县级疫情防控指挥部实体化运作", "县级疫情防控指挥部实体化运作，主要负责人在岗履职"),
    ("D01.3", "每日疫情信息按时报送", "每日疫情信息按时报送，数据准确"),
    ("D02.2", "复工复产与风险等级相适应", "复工复产与风险等级相适应，未超范围复工"),
    ("D03.1", "网格化管理", "网格化管理，出入口登记、测温"),
    ("D04.3", "食堂错峰就餐", "食堂错峰就餐，减少人员聚集"),
    ("D05.3", "减少聚集", "减少聚集，红事缓办、白事简办"),
)
ITEMS = sa.table("duty_items", sa.column("code", sa.String), sa.column("text_zh", sa.Text))


def _rewrite(pairs: tuple[tuple[str, str, str], ...]) -> None:
    for code, old, new in pairs:
        op.execute(ITEMS.update().where(ITEMS.c.code == code, ITEMS.c.text_zh == old).values(text_zh=new))


def upgrade() -> None:
    _rewrite(TEXTS)


def downgrade() -> None:
    _rewrite(tuple((code, new, old) for code, old, new in TEXTS))
