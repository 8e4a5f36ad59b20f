"""Migrations: an empty database is upgraded to the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import epizone.ops.models  # noqa: F401  (registers the operations tables)
import epizone.store.models  # noqa: F401  (registers the store tables)
from epizone.store import migrate
from epizone.store.base import Base
from epizone.store.settings import DEFAULT_URL, StoreSettings

TABLES = {"import_batches", "areas", "area_aliases", "case_reports", "count_reports", "users", "audit_log",
          "api_tokens", "rule_sets", "assessment_runs", "assessed_levels", "publications", "published_levels",
          "announcements", "measures", "alembic_version",
          "run_checkpoints",  # revision 0006_checkpoints
          # revision 0003 (operations, epizone.ops.models)
          "enterprises", "enterprise_accounts", "resumption_reports", "bottlenecks", "duties", "duty_items",
          "inspections", "inspection_findings", "supply_facilities", "supply_reports",
          # revision 0005 (the read model of the published levels)
          "current_levels", "level_exports"}


def test_upgrade_creates_the_schema_in_an_empty_database(empty_store):
    with empty_store.engine.connect() as connection:
        assert migrate.current_revision(connection) is None
    empty_store.upgrade()
    with empty_store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        assert set(inspect(connection).get_table_names()) == TABLES


def test_the_migrations_create_exactly_the_models(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_repeatable_and_downgrade_removes_everything(store):
    store.upgrade()  # already at head: nothing to do
    migrate.downgrade(store.engine, "base")
    with store.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        assert migrate.current_revision(connection) is None
    store.upgrade()
    with store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_settings_come_from_the_given_environment_only():
    assert StoreSettings.from_environ({}) == StoreSettings(DEFAULT_URL, "unknown")
    env = {"EPIZONE_DATABASE_URL": "postgresql://u@db/epizone", "USER": "ann"}
    assert StoreSettings.from_environ(env) == StoreSettings("postgresql://u@db/epizone", "ann")
    assert StoreSettings.from_environ({**env, "EPIZONE_USER": "bo"}).user == "bo"
