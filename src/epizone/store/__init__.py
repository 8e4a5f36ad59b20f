"""The operational store: areas, case and count reports with revisions, import batches, users, audit log.

SQLAlchemy 2 models (``models``) with Alembic migrations shipped in ``migrations/`` (``migrate``);
a SQLite file by default, PostgreSQL by URL (``settings``). Imports are transactional and idempotent
(``imports``); corrections become new revisions, so every record can be read as of a moment (``queries``).
"""
