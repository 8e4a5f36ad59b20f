"""Grade the bundled Fujian counts under fj-2020-02 and compare with the official lists of 13 and 16 Feb 2020.

    .venv/bin/python scripts/fujian_classes_check.py

The bundled data hold confirmed counts only: no clusters, discharges or geographic spread risk, so the
classes that depend on them cannot be reproduced; the figures show how far the counts alone go.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.compare import compare
from epizone.services.demo import demo_file, official_levels


def main() -> None:
    for day in (dt.date(2020, 2, 13), dt.date(2020, 2, 16)):
        table, _ = assess_table(Request(areas=demo_file("areas.csv"), counts=demo_file("counts.csv"),
                                        rules="fj-2020-02", start=day, end=day, data_through=DataThrough(lag=0)))
        result = compare(table, official_levels(day))
        pairs = Counter((d.official, d.computed) for d in result.disagreements)
        print(f"{day}: {result.agree} of {result.compared} units agree; official -> computed: "
              + ", ".join(f"{o} -> {c}: {n}" for (o, c), n in pairs.most_common()))
        for d in result.disagreements:
            print(f"  {d.area_name} ({d.area_code}): official {d.official}, computed {d.computed} by {d.reason_code}")


if __name__ == "__main__":
    main()
