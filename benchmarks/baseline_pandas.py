"""A straightforward pandas/NumPy implementation of cn-2020-02 (lag:0), as the benchmark baseline.

Same inputs and output columns as ``epizone assess`` (docs/semantics.md): one row per unit per day
with cumulative_confirmed, new_confirmed_14d, cluster_14d, days_since_last_confirmed, the level and
the reason. Long format (unit x day rows), groupby / shift / reindex style, with the usual care
(categoricals, int32, no Python loops over rows, cumsum differences for the 14-day window).

    python benchmarks/baseline_pandas.py --areas A.csv --cases C.parquet --unit township --out O.parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

RULE_SET = "cn-2020-02"
CLASSIFICATIONS = ("confirmed", "asymptomatic")
EPOCH = np.datetime64("1970-01-01", "D")


def load_rules() -> dict:
    text = resources.files("epizone.rulesets").joinpath(f"{RULE_SET}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def read_areas(path: Path, unit: str) -> tuple[pd.DataFrame, pd.Series]:
    """The units (in file order) and, for every area code, its unit index (-1: above the unit kind)."""
    areas = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in ("code", "parent_code", "kind", "name"):
        areas[c] = areas[c].str.strip()
    if areas["code"].duplicated().any():
        raise ValueError("duplicate area codes")
    parent = pd.Series(areas["parent_code"].to_numpy(), index=areas["code"])
    kind = pd.Series(areas["kind"].to_numpy(), index=areas["code"])
    # Walk every area up to its ancestor-or-self of the unit kind, one level per step.
    current = areas["code"].copy()
    found = pd.Series(np.where(areas["kind"] == unit, areas["code"], ""), index=areas.index)
    for _ in range(len(areas)):
        todo = (found == "") & (current != "")
        if not todo.any():
            break
        current = current.where(~todo, current[todo].map(parent).fillna(""))
        hit = todo & (current != "") & (current.map(kind) == unit)
        found = found.where(~hit, current)
    units = areas.loc[areas["kind"] == unit, ["code", "name"]].reset_index(drop=True)
    index = pd.Series(np.arange(len(units), dtype=np.int32), index=units["code"])
    unit_of = pd.Series(found.map(index).fillna(-1).astype(np.int32).to_numpy(), index=areas["code"])
    return units, unit_of


def read_cases(path: Path, unit_of: pd.Series) -> pd.DataFrame:
    """Validated, de-duplicated cases with ``day`` (days since 1970-01-01) and ``unit``."""
    if path.suffix.lower() == ".parquet":
        cases = pd.read_parquet(path, columns=["case_id", "report_date", "area_code", "classification", "cluster_id"])
    else:
        cases = pd.read_csv(path, dtype=str, keep_default_na=False,
                            usecols=["case_id", "report_date", "area_code", "classification", "cluster_id"])
    for c in ("case_id", "area_code", "classification", "cluster_id"):
        cases[c] = cases[c].fillna("").astype(str).str.strip()
    if pd.api.types.is_datetime64_any_dtype(cases["report_date"]):
        day = cases["report_date"].to_numpy().astype("datetime64[D]")
    elif cases["report_date"].dtype == object and len(cases) and isinstance(cases["report_date"].iloc[0], dt.date):
        day = pd.to_datetime(cases["report_date"]).to_numpy().astype("datetime64[D]")
    else:
        day = pd.to_datetime(cases["report_date"].astype(str).str.strip(), format="%Y-%m-%d",
                             errors="coerce").to_numpy().astype("datetime64[D]")
    bad = np.isnat(day)
    cases["day"] = np.where(bad, 0, (day - EPOCH).astype(np.int64)).astype(np.int32)
    cases = cases.drop(columns="report_date")
    # Validation, as epizone does: empty ids, bad dates, unknown areas, unknown classifications.
    problems = {
        "empty case_id": int((cases["case_id"] == "").sum()),
        "bad report_date": int(bad.sum()),
        "unknown area_code": int((~cases["area_code"].isin(unit_of.index)).sum()),
        "bad classification": int((~cases["classification"].isin(CLASSIFICATIONS)).sum()),
    }
    # Identical repeats count once; the same id with different content is an error.
    cases = cases.drop_duplicates()
    problems["conflicting duplicate case_id"] = int(cases["case_id"].duplicated().sum())
    if any(problems.values()):
        raise ValueError(f"invalid cases: { {k: v for k, v in problems.items() if v} }")
    cases["unit"] = cases["area_code"].map(unit_of).astype(np.int32)
    return cases


def assess(areas: Path, cases_path: Path, unit: str, start: dt.date | None, end: dt.date | None,
           lang: str = "en") -> tuple[pd.DataFrame, dict]:
    rules = load_rules()
    ind = rules["indicators"]
    window = ind["new_confirmed_14d"]["days"]
    cl_days, cl_min = ind["cluster_14d"]["days"], ind["cluster_14d"]["min_cases"]
    cl_classes = ind["cluster_14d"]["classifications"]

    units, unit_of = read_areas(areas, unit)
    cases = read_cases(cases_path, unit_of)
    unassigned = cases[cases["unit"] < 0].groupby(["area_code", "classification"]).size()
    first_day, last_day = int(cases["day"].min()), int(cases["day"].max())
    t0 = (np.datetime64(start) - EPOCH).astype(int) if start else first_day
    t1 = (np.datetime64(end) - EPOCH).astype(int) if end else last_day
    g0 = min(t0, first_day)                      # the grid starts at the first data date
    n_units, n_days = len(units), t1 - g0 + 1
    assigned = cases[cases["unit"] >= 0]

    # Dense long grid: one row per (unit, day), sorted by unit then day.
    grid = pd.MultiIndex.from_arrays([np.repeat(np.arange(n_units, dtype=np.int32), n_days),
                                      np.tile(np.arange(g0, t1 + 1, dtype=np.int32), n_units)],
                                     names=["unit", "day"])
    confirmed = assigned[assigned["classification"] == "confirmed"]
    daily = confirmed.groupby(["unit", "day"]).size().reindex(grid, fill_value=0).astype(np.int64)
    by_unit = daily.groupby(level="unit", sort=False)
    cumulative = by_unit.cumsum()
    new_14d = cumulative - cumulative.groupby(level="unit", sort=False).shift(window, fill_value=0)
    day_values = grid.get_level_values("day").to_numpy()
    last = pd.Series(np.where(daily.to_numpy() > 0, day_values, np.nan), index=grid)
    last = last.groupby(level="unit", sort=False).ffill()
    days_since = pd.array(day_values - last.to_numpy(), dtype="Int32")

    # Clusters: k cases of one cluster and unit within `cl_days` days. For cases of a (unit, cluster)
    # sorted by day, case i and case i+k-1 are both in the window of day t when
    # day[i+k-1] <= t <= day[i] + cl_days - 1: +1/-1 events on the grid, then a running sum.
    member = assigned[(assigned["cluster_id"] != "") & assigned["classification"].isin(cl_classes)]
    member = member[["unit", "cluster_id", "day"]].sort_values(["unit", "cluster_id", "day"])
    member["start"] = member.groupby(["unit", "cluster_id"], sort=False)["day"].shift(-(cl_min - 1))
    member["end"] = member["day"] + cl_days - 1
    spans = member.dropna(subset=["start"])
    spans = spans[spans["start"] <= spans["end"]]
    events = pd.concat([
        pd.DataFrame({"unit": spans["unit"], "day": spans["start"].astype(np.int32), "n": 1}),
        pd.DataFrame({"unit": spans["unit"], "day": (spans["end"] + 1).astype(np.int32), "n": -1}),
    ])
    marks = events.groupby(["unit", "day"])["n"].sum().reindex(grid, fill_value=0)
    cluster = marks.groupby(level="unit", sort=False).cumsum().to_numpy() > 0

    frame = pd.DataFrame({
        "unit": grid.get_level_values("unit").to_numpy(),
        "day": day_values,
        "cumulative_confirmed": cumulative.to_numpy().astype(np.int32),
        "new_confirmed_14d": new_14d.to_numpy().astype(np.int32),
        "cluster_14d": cluster,
        "days_since_last_confirmed": days_since,
    })
    frame = frame[frame["day"] >= t0].reset_index(drop=True)

    # Levels: first clause that holds; days after the last data date are unknown.
    clauses = rules["clauses"]
    cum, new = frame["cumulative_confirmed"], frame["new_confirmed_14d"]
    conditions = [cum == 0, new == 0, (cum > 50) & frame["cluster_14d"], cum <= 50,
                  np.ones(len(frame), dtype=bool)]
    assert [c["code"] for c in clauses] == ["low.no_confirmed", "low.no_new_14d", "high.over_50_with_cluster",
                                             "medium.up_to_50", "medium.over_50_no_cluster"]
    clause = np.select(conditions, np.arange(len(clauses)), default=len(clauses) - 1).astype(np.int8)
    clause[frame["day"].to_numpy() > last_day] = len(clauses)
    levels = [lvl["id"] for lvl in rules["levels"]] + ["unknown"]
    clause_level = np.array([levels.index(c["level"]) for c in clauses] + [len(levels) - 1], dtype=np.int8)
    codes = [c["code"] for c in clauses] + ["unknown.no_data"]
    reasons = [c[lang] for c in clauses] + (
        ["数据截止日期晚于已有数据,无法评估"] if lang == "zh" else
        ["No data reported up to the data cutoff: level cannot be assessed"])

    unit_codes = frame["unit"].to_numpy()
    dates = (frame["day"].to_numpy().astype("datetime64[D]"))
    out = pd.DataFrame({
        "area_code": pd.Categorical.from_codes(unit_codes, categories=units["code"]),
        "area_name": pd.Categorical.from_codes(unit_codes, categories=pd.Index(units["name"]).unique())
        if units["name"].is_unique else units["name"].to_numpy()[unit_codes],
        "date": dates,
        "level": pd.Categorical.from_codes(clause_level[clause], categories=levels),
        "rule_set": pd.Categorical.from_codes(np.zeros(len(frame), np.int8), [f"{rules['id']}@{rules['version']}"]),
        "cumulative_confirmed": frame["cumulative_confirmed"],
        "new_confirmed_14d": frame["new_confirmed_14d"],
        "cluster_14d": frame["cluster_14d"],
        "days_since_last_confirmed": frame["days_since_last_confirmed"],
        "reason_code": pd.Categorical.from_codes(clause, categories=codes),
        "reason": pd.Categorical.from_codes(clause, categories=reasons),
        "data_through": dates,
    })
    summary = {"rows": len(out), "units": n_units,
               "unit_days_by_level": out["level"].value_counts(sort=False).to_dict(),
               "unassigned_cases": int(unassigned.sum())}
    return out, summary


def write(frame: pd.DataFrame, out: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = table.schema
    for name in ("date", "data_through"):  # day resolution, as epizone writes
        i = schema.get_field_index(name)
        table = table.set_column(i, name, table[name].cast(pa.date32()))
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", compression_level=1, row_group_size=1 << 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=Path, required=True)
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--unit", default="county")
    parser.add_argument("--start", type=dt.date.fromisoformat)
    parser.add_argument("--end", type=dt.date.fromisoformat)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    frame, summary = assess(args.areas, args.cases, args.unit, args.start, args.end, args.lang)
    write(frame, args.out)
    summary["seconds"] = round(time.perf_counter() - began, 3)
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
