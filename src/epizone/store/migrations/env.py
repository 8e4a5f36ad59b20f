"""Alembic environment: migrations run on the connection that epizone.store.migrate hands over.

The target metadata (for comparing the migrations with the models) is the shared base's, holding the store's
tables and the operations' tables once both model modules are imported.
"""

from __future__ import annotations

from alembic import context

import epizone.ops.models  # noqa: F401  (registers the operations tables)
import epizone.store.models  # noqa: F401  (registers the store tables)
from epizone.store.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through epizone.store.migrate (e.g. `epizone db init`), not the alembic command")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
