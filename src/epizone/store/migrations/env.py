"""Alembic environment: migrations run on the connection that epizone.store.migrate hands over."""

from __future__ import annotations

from alembic import context

from epizone.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through epizone.store.migrate (e.g. `epizone db init`), not the alembic command")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
