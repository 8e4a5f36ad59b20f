"""Benchmark level periods against the dense output, in one run, and check that they agree.

Grades the national benchmark input (benchmarks/generate.py; township unit, cn-2020-02, 2020-01-01 ..
2022-12-31) through the Python service (``assess_to_file``) to Parquet, twice per round in fresh processes:
``output="periods"`` and the dense output (the baseline), interleaved so that drift in machine load hits
both alike. Each measurement is the whole child process (interpreter start included): wall time, CPU time
(user + sys) and peak RSS (ru_maxrss from wait4). Medians are reported with every run's figures.

Then the periods file is checked against the dense file, column by column (flat memory per column):
expanding each period to its days gives the dense rows' dates and levels, in order, each period's other
columns are those of the dense row of its first day, and no period is followed by one of the same unit and level.

Writes benchmarks/results/periods-<date>.md and .json.

    python benchmarks/periods.py                     # full size (generates into benchmarks/work/full)
    python benchmarks/periods.py --size small        # a quick check (benchmarks/work/small)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from run_assess import END, PY, SIZES, START, machine, measure  # noqa: E402

SERVICE = """
import datetime as dt, json, sys, time
from pathlib import Path
began = time.perf_counter()
from epizone.services.assess import Request, assess_to_file
areas, cases, out, output = sys.argv[1:5]
s = assess_to_file(Request(areas=Path(areas), cases=Path(cases), unit="township",
                           start=dt.date.fromisoformat("%s"), end=dt.date.fromisoformat("%s")), Path(out),
                   output=output)
print(json.dumps({"rows": s.rows, "seconds_in_assess": s.seconds, "seconds_in_python": time.perf_counter() - began,
                  "levels": s.unit_days_by_level, "last_day": s.last_day_by_level}))
""" % (START, END)


def agreement(dense_path: Path, periods_path: Path) -> dict:
    """Compare a periods file with the dense file of the same run; return counts of disagreeing values."""
    began = time.perf_counter()
    dense, periods = pq.ParquetFile(dense_path), pq.read_table(periods_path)
    start = _days(periods.column("start"))
    length = _days(periods.column("end")) - start + 1
    first_row = np.concatenate([[0], np.cumsum(length)[:-1]])
    found = {"dense_rows": dense.metadata.num_rows, "period_rows": periods.num_rows,
             "days_covered": int(length.sum())}
    mismatches = {}
    if found["days_covered"] == found["dense_rows"]:
        within = np.arange(found["dense_rows"]) - np.repeat(first_row, length)
        mismatches["date (every day)"] = int(np.count_nonzero(
            _days(_column(dense, "date")) != np.repeat(start, length) + within))
        del within
        mismatches["level (every day)"] = int(np.count_nonzero(
            _codes(_column(dense, "level")) != np.repeat(_codes(periods.column("level")), length)))
        level, area = _codes(periods.column("level")), _plain(periods.column("area_code")).to_numpy()
        mismatches["next period, same unit and level"] = int(np.count_nonzero(
            (level[1:] == level[:-1]) & (area[1:] == area[:-1])))
        rows = pa.array(first_row)
        for name in periods.schema.names:
            if name not in ("start", "end"):
                dense_first = _plain(_column(dense, name).take(rows))
                same = pc.fill_null(pc.equal(dense_first, _plain(periods.column(name))), False)
                both_null = pc.and_(pc.is_null(dense_first), pc.is_null(_plain(periods.column(name))))
                mismatches[f"{name} (first day)"] = int(pc.sum(pc.invert(pc.or_(same, both_null))).as_py() or 0)
    found["mismatches"] = mismatches
    found["identical"] = found["days_covered"] == found["dense_rows"] and not any(mismatches.values())
    found["seconds"] = round(time.perf_counter() - began, 2)
    return found


def _column(file: pq.ParquetFile, name: str) -> pa.ChunkedArray:
    return file.read(columns=[name]).column(0)


def _days(dates: pa.ChunkedArray) -> np.ndarray:
    return dates.combine_chunks().view(pa.int32()).to_numpy()


def _plain(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values.cast(values.type.value_type) if pa.types.is_dictionary(values.type) else values


def _codes(levels: pa.ChunkedArray) -> np.ndarray:
    """Level names as small integers in one shared order (the files' dictionaries may differ by chunk)."""
    names = sorted(set().union(*(set(c.dictionary.to_pylist()) for c in levels.chunks)))
    return np.concatenate([np.array([names.index(v) for v in c.dictionary.to_pylist()], dtype=np.int8)[
        c.indices.to_numpy()] for c in levels.chunks])


def summarise(rows: list[dict]) -> dict:
    ok = [r for r in rows if r["rc"] == 0]
    walls = [r["wall_s"] for r in ok]
    return {"runs": len(rows), "ok": len(ok),
            "median_wall_s": round(statistics.median(walls), 2) if walls else None,
            "min_wall_s": min(walls, default=None), "max_wall_s": max(walls, default=None),
            "median_cpu_s": round(statistics.median(r["user_s"] + r["sys_s"] for r in ok), 2) if ok else None,
            "median_peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in ok), 1) if ok else None,
            "max_peak_rss_mb": max((r["peak_rss_mb"] for r in ok), default=None),
            "output_rows": ok[0]["child"]["rows"] if ok and "child" in ok[0] else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (one periods and one dense run each)")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)

    size = SIZES[args.size]
    work = HERE / "work" / args.size
    print(f"data: {work}", flush=True)
    meta = generate.generate(work, size["counties"], size["townships"], size["cases"], 1096, 20200217)
    out_dir = work / "out"
    out_dir.mkdir(exist_ok=True)
    info = machine()
    outputs = {"periods": out_dir / "periods-township.parquet", "dense": out_dir / "dense-township.parquet"}
    runs: dict[str, list[dict]] = {}
    for _ in range(args.repeats):
        for output, path in outputs.items():
            label = f"{output}, township"
            runs.setdefault(label, []).append(measure(
                [PY, "-c", SERVICE, str(work / "areas.csv"), str(work / "cases.parquet"), str(path), output], label))
    info["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print("agreement:", flush=True)
    agree = agreement(outputs["dense"], outputs["periods"])
    print(f"  identical={agree['identical']} dense rows={agree['dense_rows']} periods={agree['period_rows']} "
          f"({agree['seconds']} s)", flush=True)
    summary = {label: summarise(rows) for label, rows in runs.items()}
    children = {label: [r.get("child", {}) for r in rows] for label, rows in runs.items()}
    same_levels = all(c.get("levels") == children["dense, township"][0].get("levels") and
                      c.get("last_day") == children["dense, township"][0].get("last_day")
                      for rows in children.values() for c in rows)

    today = dt.date.today().isoformat()
    args.results.mkdir(parents=True, exist_ok=True)
    stem = f"periods-{today}" + ("" if args.size == "full" else f"-{args.size}")
    record = {"date": today, "size": args.size, "data": meta, "machine": info, "summary": summary,
              "agreement": agree, "same_summaries": same_levels, "runs": runs}
    (args.results / f"{stem}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    (args.results / f"{stem}.md").write_text(report_md(record))
    print(f"wrote {args.results / (stem + '.md')} and .json", flush=True)
    return 0 if agree["identical"] and same_levels else 1


def report_md(r: dict) -> str:
    m, d = r["machine"], r["data"]
    lines = [
        f"# Level periods vs the dense output, {r['date']} ({r['size']} input)", "",
        f"Machine: {m['cpu']}, {m['logical_cores']} logical cores, {m['ram_gb']} GB RAM; {m['os']}; "
        f"Python {m['python']}, numpy {m['numpy']}, pyarrow {m['pyarrow']}; epizone commit {m['epizone_commit']}",
        f"Load average (1/5/15 min) at start {m['load_avg_at_start']}, at end {m['load_avg_at_end']} "
        "(other work shares the 2 cores: figures are medians, every run is listed below).", "",
        f"Input (benchmarks/generate.py, seed {d['options']['seed']}): "
        f"{', '.join(f'{n:,} {kind}' for kind, n in d['areas'].items())} areas, "
        f"{d.get('stats', {}).get('rows')} case rows, {d['options']['days']} days {d['start']}..{d['end']}; "
        "township unit, cn-2020-02, lag:0, Parquet output through `assess_to_file`.", "",
        "| output | runs | median wall s | min..max wall s | median CPU s | median peak RSS MB | output rows |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s in r["summary"].items():
        lines.append(f"| {label} | {s['ok']}/{s['runs']} | {s['median_wall_s']} | {s['min_wall_s']}..{s['max_wall_s']} "
                     f"| {s['median_cpu_s']} | {s['median_peak_rss_mb']} | {s['output_rows']} |")
    a = r["agreement"]
    mism = ", ".join(f"{k} {n}" for k, n in a["mismatches"].items() if n) or "none"
    lines += ["", f"Agreement on the full output: {a['period_rows']} periods cover {a['days_covered']} unit-days "
              f"of {a['dense_rows']} dense rows; identical: {a['identical']} (mismatching values: {mism}); "
              f"run summaries (unit-days and last-day units by level) equal: {r['same_summaries']}.", "",
              "| run | " + " | ".join(r["runs"]) + " |", "|---:|" + "---:|" * len(r["runs"])]
    for i, row in enumerate(zip(*r["runs"].values())):
        lines.append(f"| {i + 1} | " + " | ".join(f"{x['wall_s']} s, {x['user_s'] + x['sys_s']:.2f} CPU s, "
                                                   f"{x['peak_rss_mb']:.0f} MB" for x in row) + " |")
    lines += ["", "Raw figures: the JSON file of the same name.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
