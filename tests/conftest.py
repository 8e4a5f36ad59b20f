"""Shared fixtures: tiny input files written by code, so every test states its own data."""

from __future__ import annotations

from pathlib import Path

import pytest

from databases import empty_store, postgres_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)

AREAS = """code,name,parent_code,kind,population
35,Fujian,,province,41540086
3501,Fuzhou,35,city,8291268
350101,Gulou,3501,county,669090
350102,Taijiang,3501,county,411819
350101001,Gulou-1,350101,township,
350101002,Gulou-2,350101,township,
350102001,Taijiang-1,350102,township,
"""


class Files:
    """Writes small CSV inputs into a temporary folder and returns their paths."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        return path

    def areas(self, text: str = AREAS) -> Path:
        return self.write("areas.csv", text)

    def cases(self, *rows: str, header: str = "case_id,report_date,area_code,classification,cluster_id") -> Path:
        return self.write("cases.csv", "\n".join([header, *rows]) + "\n")

    def counts(self, *rows: str, header: str = "area_code,date,metric,value") -> Path:
        return self.write("counts.csv", "\n".join([header, *rows]) + "\n")


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)
