"""Shared fixtures: tiny input files written by code, so every test states its own data."""

from __future__ import annotations

from pathlib import Path

import pytest

from databases import empty_store, postgres_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from inputs import Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)
