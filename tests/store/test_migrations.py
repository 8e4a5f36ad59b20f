"""Migrations seed the data of their own revision: frozen copies that agree today with the shipped files, and no
import of the application's loaders or models."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import Table, inspect, select, text

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


def test_runs_stored_a_row_per_day_become_periods(empty_store):
    """0007: rows of runs stored before it (one per unit-day) keep their day (``end_date = date``) and the rows
    beginning a level period say where it ends; the case and count tables get their date indexes."""
    migrate.upgrade(empty_store.engine, "0006_checkpoints")
    day = [f"2020-02-0{n}" for n in range(1, 5)]
    with empty_store.engine.begin() as connection:
        connection.execute(text("INSERT INTO rule_sets (id, rule_set_id, version, sha256, yaml, recorded_at, "
                                "recorded_by) VALUES (1, 'r', 1, 'x', 'y', '2020-02-05 00:00:00', 'ann')"))
        connection.execute(text(
            "INSERT INTO assessment_runs (id, rule_set_pk, rule_set, unit, start_date, end_date, data_through, "
            "data_as_of, created_by, created_at, units, rows, summary) VALUES (1, 1, 'r@1', 'county', :a, :b, "
            "'lag:0', '2020-02-05 00:00:00', 'ann', '2020-02-05 00:00:00', 2, 8, '{}')"), {"a": day[0], "b": day[3]})
        for code, levels in (("A", ["low", "low", "high", "high"]), ("B", ["medium"] * 4)):
            for on, level in zip(day, levels):
                connection.execute(text(
                    "INSERT INTO assessed_levels (run_id, area_code, date, area_name, level, reason_code, "
                    "reason_en, reason_zh, data_through, indicators) VALUES (1, :c, :d, :c, :l, 'x', 'x', 'x', :d, "
                    "'{}')"), {"c": code, "d": on, "l": level})
    migrate.upgrade(empty_store.engine)
    with empty_store.engine.connect() as connection:
        rows = connection.execute(text("SELECT area_code, date, end_date, period_end FROM assessed_levels "
                                       "ORDER BY area_code, date")).all()
        found = [(c, str(d), str(e), None if p is None else str(p)) for c, d, e, p in rows]
        indexes = {i["name"] for t in ("case_reports", "count_reports") for i in inspect(connection).get_indexes(t)}
    assert found == [("A", day[0], day[0], day[1]), ("A", day[1], day[1], None), ("A", day[2], day[2], day[3]),
                     ("A", day[3], day[3], None), ("B", day[0], day[0], day[3]), ("B", day[1], day[1], None),
                     ("B", day[2], day[2], None), ("B", day[3], day[3], None)]
    assert {"ix_case_reports_report_date", "ix_count_reports_date"} <= indexes
