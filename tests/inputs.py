"""Tiny input files written by code: a two-county Fujian hierarchy and CSV writers for areas, cases and counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AREAS = """code,name,parent_code,kind,population
35,Fujian,,province,41540086
3501,Fuzhou,35,city,8291268
350102,Gulou,3501,county,669090
350103,Taijiang,3501,county,411819
350102001,Gulou-1,350102,township,
350102002,Gulou-2,350102,township,
350103001,Taijiang-1,350103,township,
"""
CASES_HEADER = "case_id,report_date,area_code,classification,cluster_id"
COUNTS_HEADER = "area_code,date,metric,value"
CASE_LIST = """case_id,report_date,area_code,classification,cluster_id,onset_date,imported
c1,2020-02-01,350102001,confirmed,k1,2020-01-28,false
c2,2020-02-02,350102002,confirmed,k1,,
c3,2020-02-03,350102001,asymptomatic,,,true
c4,2020-02-04,350103001,confirmed,k2,2020-02-01,0
c5,2020-02-06,350103001,confirmed,k2,,yes
"""  # every optional column, clusters, and each way of writing the imported flag


@dataclass
class Files:
    """Writes small CSV inputs into a folder and returns their paths."""

    root: Path

    def write(self, name: str, text_: str) -> Path:
        path = self.root / name
        path.write_text(text_.lstrip("\n"), encoding="utf-8")
        return path

    def areas(self, text_: str = AREAS, name: str = "areas.csv") -> Path:
        return self.write(name, text_)

    def cases(self, *rows: str, header: str = CASES_HEADER, name: str = "cases.csv") -> Path:
        return self.write(name, "\n".join([header, *rows]) + "\n")

    def counts(self, *rows: str, header: str = COUNTS_HEADER, name: str = "counts.csv") -> Path:
        return self.write(name, "\n".join([header, *rows]) + "\n")
