"""Migrations seed the data of their own revision: frozen copies that agree today with the shipped files, and no
import of the application's loaders or models."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import Table, select

from epizone.ops.checklist import shipped_checklist
from epizone.ops.models import Duty, DutyItem
from epizone.store import migrate
from epizone.store.measures import shipped_measures
from epizone.store.models import Measure

VERSIONS = sorted((migrate.MIGRATIONS / "versions").glob("*.py"))


def _rows(store, table: Table) -> list[dict]:
    """The table's rows in insertion order, without the surrogate key and the moment they were stamped."""
    columns = [c for c in table.columns if c.name not in ("id", "updated_at")]
    with store.engine.connect() as connection:
        return [row._asdict() for row in connection.execute(select(*columns).order_by(table.c.id))]


def _shipped(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]


def test_a_new_store_holds_the_measures_of_the_shipped_file(store):
    assert _rows(store, Measure.__table__) == _shipped(shipped_measures())


def test_a_new_store_holds_the_checklist_of_the_shipped_file(store):
    duties, items = shipped_checklist()
    assert _rows(store, Duty.__table__) == _shipped(duties)
    assert _rows(store, DutyItem.__table__) == _shipped(items)


def _imported_modules(path: Path) -> list[str]:
    """Every module a migration imports, at any depth (relative imports as ``.name``)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_migrations_import_nothing_of_the_application():
    assert [path.name for path in VERSIONS][:4] == ["0001_initial.py", "0002_service.py", "0003_operations.py",
                                                  "0004_checklist_texts.py"]
    for path in VERSIONS:
        modules = _imported_modules(path)
        assert "alembic" in modules and "sqlalchemy" in modules
        outside = [name for name in modules if name.startswith(("epizone", "."))
                   and not name.startswith("epizone.store.migrations")]
        assert outside == [], f"{path.name} imports {outside}"


def test_no_checklist_text_is_cut_at_a_comma(store):
    with store.engine.connect() as connection:
        texts = {code: text for code, text in connection.execute(select(DutyItem.code, DutyItem.text_zh))}
    assert texts["D03.1"] == "网格化管理，出入口登记、测温"
    assert texts["D05.3"] == "减少聚集，红事缓办、白事简办"
