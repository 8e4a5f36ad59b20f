"""Compare two assessment outputs (epizone and the pandas baseline) row by row.

    python benchmarks/compare.py A.parquet B.parquet [--json]

Rows are matched on (area_code, date); every shared column is compared with nulls equal to nulls.
Prints the number of rows, of matched rows, and of disagreements per column (with a few examples).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

KEY = ["area_code", "date"]


def _load(path: Path) -> pd.DataFrame:
    table = pq.read_table(path)
    table = pa.table({n: (c.dictionary_decode() if pa.types.is_dictionary(c.type) else c)
                      for n, c in zip(table.column_names, table.combine_chunks().columns)})
    return table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
                                         pa.bool_(): pd.BooleanDtype()}.get)


def compare(a_path: Path, b_path: Path) -> dict:
    a, b = _load(a_path), _load(b_path)
    report: dict = {"rows_a": len(a), "rows_b": len(b),
                    "columns_only_a": sorted(set(a.columns) - set(b.columns)),
                    "columns_only_b": sorted(set(b.columns) - set(a.columns))}
    merged = a.merge(b, on=KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    report["matched_rows"] = int((merged["_merge"] == "both").sum())
    both = merged[merged["_merge"] == "both"]
    report["mismatches"] = {}
    report["examples"] = {}
    for col in [c for c in a.columns if c in b.columns and c not in KEY]:
        x, y = both[f"{col}_a"], both[f"{col}_b"]
        same = (x == y).fillna(False).astype(bool) | (x.isna() & y.isna())
        report["mismatches"][col] = int((~same).sum())
        if (~same).any():
            report["examples"][col] = both.loc[~same, KEY + [f"{col}_a", f"{col}_b"]].head(5).astype(str).to_dict("records")
    report["identical"] = (report["rows_a"] == report["rows_b"] == report["matched_rows"]
                           and not any(report["mismatches"].values())
                           and not report["columns_only_a"] and not report["columns_only_b"])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    report = compare(args.a, args.b)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()
    return 0 if report["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
