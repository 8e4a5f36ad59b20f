"""Reading and preparing the inputs: this tree against a baseline commit, in one run, interleaved.

The national benchmark input (benchmarks/generate.py, in benchmarks/work/full), township unit, cn-2020-02.
The baseline's ``src`` is extracted with ``git archive`` and run by the same interpreter; every measurement
is a fresh child process (``PYTHONPATH`` pointing at one tree or the other), alternating baseline and tree
in each round so that drift in machine load hits both alike:

- ``periods``: ``assess_to_file(..., output="periods")`` from the files, 2020-01-01 .. 2022-12-31 (what
  ``epizone assess --output periods`` runs): wall, CPU (user + sys) and peak RSS of the whole process;
- ``prepare``: ``assess.prepare`` alone (read, validate, aggregate), once to warm up, then timed twice;
- ``read_areas``: the 45,971 areas as an Arrow table shaped like the store's (text columns, population
  as int64), timed five times after a warm-up;
- ``continued``: a run graded from a checkpoint at 2022-12-30 (made once, by this tree, and copied for each
  child) for 2022-12-31, --data-through lag:1, from the rows dated from the checkpoint's grid start only,
  in memory and marked validated, as a store run gets them: areas read as above, then ``assess_table``.

Both trees' outputs must be identical (the periods files and the continued runs' tables); the script checks
it. Writes benchmarks/results/inputs-<date>.{md,json}.

    python benchmarks/inputs.py --baseline 5778535 [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from periods import SERVICE as PERIODS  # noqa: E402
from run_assess import PY, machine  # noqa: E402

DAY, BEFORE = "2022-12-31", "2022-12-30"
PREPARE = r"""
import datetime as dt, json, sys, time
from pathlib import Path
from epizone.services import assess
w = Path(sys.argv[1])
req = assess.Request(areas=w / "areas.csv", cases=w / "cases.parquet", unit="township",
                     start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31))
assess.prepare(req)
runs = []
for _ in range(2):
    t, c = time.perf_counter(), time.process_time()
    assess.prepare(req)
    runs.append([time.perf_counter() - t, time.process_time() - c])
print(json.dumps({"runs": runs}))
"""
AREAS = r"""
import json, sys, time
import pyarrow.parquet as pq
from epizone.io.areas import read_areas
table = pq.read_table(sys.argv[1])
read_areas(table)
runs = []
for _ in range(5):
    t, c = time.perf_counter(), time.process_time()
    read_areas(table)
    runs.append([time.perf_counter() - t, time.process_time() - c])
print(json.dumps({"runs": runs}))
"""
CONTINUED = r"""
import datetime as dt, json, sys, time
from pathlib import Path
import pyarrow.parquet as pq
from epizone.domain.cutoff import DataThrough
from epizone.io.areas import read_areas
from epizone.services.assess import Request, assess_table
from epizone.services.state import StateDir
areas, rows, state, out, day, since = sys.argv[1:7]
areas, rows = pq.read_table(areas), pq.read_table(rows)
t, c = time.perf_counter(), time.process_time()
hierarchy = read_areas(areas)
read = [time.perf_counter() - t, time.process_time() - c]
table, s = assess_table(Request(areas=hierarchy, cases=rows, validated=True, unit="township", rules="cn-2020-02",
                                start=dt.date.fromisoformat(day), end=dt.date.fromisoformat(day),
                                data_through=DataThrough(lag=1), state=StateDir(Path(state)),
                                rows_from=dt.date.fromisoformat(since)))
whole = [time.perf_counter() - t, time.process_time() - c]
pq.write_table(table, out)
print(json.dumps({"read_areas": read, "whole": whole, "state": s.state, "rows": s.rows}))
"""


def run(code: str, src: Path, *args: str) -> dict:
    """A child process on one tree: its JSON line, wall and CPU seconds and peak RSS."""
    began = time.perf_counter()
    proc = subprocess.Popen([PY, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(src)})
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(err.strip()[-2000:])
    return {"wall_s": round(time.perf_counter() - began, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), **json.loads(out.strip().splitlines()[-1])}


def baseline_tree(commit: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
    (folder / "base").mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder / "base")], input=archive.stdout, check=True)
    return folder / "base" / "src"


def store_areas(work: Path, folder: Path) -> Path:
    """The areas as a store hands them to a run: text columns, population as int64."""
    table = pacsv.read_csv(work / "areas.csv", convert_options=pacsv.ConvertOptions(
        column_types={"code": pa.string(), "name": pa.string(), "parent_code": pa.string(), "kind": pa.string(),
                      "population": pa.int64()}))
    path = folder / "areas.parquet"
    pq.write_table(table, path)
    return path


def checkpoint(work: Path, areas: Path, folder: Path) -> tuple[Path, Path, str]:
    """A checkpoint at BEFORE made by this tree from every row, and the rows dated from its grid start."""
    sys.path.insert(0, str(ROOT / "src"))  # this tree, not an installed copy
    import pyarrow.compute as pc

    from epizone.domain.cutoff import DataThrough
    from epizone.engine.checkpoint import Checkpoint
    from epizone.io.areas import read_areas
    from epizone.services.assess import Request, assess_table
    from epizone.services.state import StateDir

    cases = pq.read_table(work / "cases.parquet")
    state = folder / "state"
    assess_table(Request(areas=read_areas(pq.read_table(areas)), cases=cases, validated=True, unit="township",
                         start=dt.date.fromisoformat(BEFORE), end=dt.date.fromisoformat(BEFORE),
                         data_through=DataThrough(lag=1), state=StateDir(state)))
    since = dt.date(1970, 1, 1) + dt.timedelta(days=Checkpoint.load(next(state.glob("*.npz"))).carry.since)
    rows = folder / "rows.parquet"
    pq.write_table(cases.filter(pc.greater_equal(cases.column("report_date"), pa.scalar(since, pa.date32()))), rows)
    return state, rows, since.isoformat()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=HERE / "work" / "full")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="epizone-inputs-"))
    try:
        trees = {f"baseline {args.baseline}": baseline_tree(args.baseline, folder), "this tree": ROOT / "src"}
        areas = store_areas(args.work, folder)
        state, rows, since = checkpoint(args.work, areas, folder)
        info = machine()
        runs: dict[str, dict[str, list]] = {kind: {t: [] for t in trees} for kind in
                                             ("periods", "prepare", "read_areas", "continued")}
        for r in range(args.rounds):
            for number, (label, src) in enumerate(trees.items()):
                out = folder / f"periods-{number}.parquet"
                runs["periods"][label].append(run(PERIODS, src, str(args.work / "areas.csv"),
                                                  str(args.work / "cases.parquet"), str(out), "periods"))
                runs["prepare"][label].append(run(PREPARE, src, str(args.work)))
                runs["read_areas"][label].append(run(AREAS, src, str(areas)))
                copy = folder / f"state-{number}-{r}"
                shutil.copytree(state, copy)
                runs["continued"][label].append(run(CONTINUED, src, str(areas), str(rows), str(copy),
                                                    str(folder / f"continued-{number}.parquet"), DAY, since))
            print(f"round {r + 1}: load {os.getloadavg()}", flush=True)
        info["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        same = {kind: pq.read_table(folder / f"{kind}-0.parquet").equals(pq.read_table(folder / f"{kind}-1.parquet"))
                for kind in ("periods", "continued")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {"date": dt.date.today().isoformat(), "baseline": args.baseline, "machine": info, "identical": same,
              "since": since, "summary": summarise(runs), "runs": runs}
    stem = HERE / "results" / f"inputs-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    stem.with_suffix(".md").write_text(report(result), encoding="utf-8")
    print(report(result))
    return 0 if all(same.values()) else 1


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def summarise(runs: dict) -> dict:
    summary = {}
    for kind, by_tree in runs.items():
        summary[kind] = {}
        for label, rows in by_tree.items():
            if kind in ("periods",):
                walls, cpus = [r["wall_s"] for r in rows], [r["cpu_s"] for r in rows]
                extra = {"peak_rss_mb": _median([r["peak_rss_mb"] for r in rows]), "rows": rows[0]["rows"]}
            elif kind == "continued":
                walls, cpus = [r["whole"][0] for r in rows], [r["whole"][1] for r in rows]
                extra = {"read_areas_s": _median([r["read_areas"][0] for r in rows]), "state": rows[0]["state"]}
            else:
                walls = [x[0] for r in rows for x in r["runs"]]
                cpus = [x[1] for r in rows for x in r["runs"]]
                extra = {}
            summary[kind][label] = {"median_wall_s": _median(walls), "min_wall_s": round(min(walls), 3),
                                    "max_wall_s": round(max(walls), 3), "median_cpu_s": _median(cpus), **extra}
    return summary


def report(r: dict) -> str:
    m = r["machine"]
    lines = [f"# Reading and preparing inputs: this tree ({m.get('epizone_commit')}) against {r['baseline']}, "
             f"{r['date']}", "",
             f"Machine: {m.get('cpu')}, {m.get('logical_cores')} logical cores; load average at start "
             f"{m.get('load_avg_at_start')}, at end {m.get('load_avg_at_end')} (other work shares the cores: "
             "compare the two trees' medians, measured in the same rounds, not the absolute figures).", "",
             "| measurement | tree | median wall s | min..max wall s | median CPU s | other |", "|---|---|---:|---:|---:|---|"]
    for kind, by_tree in r["summary"].items():
        for label, s in by_tree.items():
            other = ", ".join(f"{k} {v}" for k, v in s.items() if not k.endswith("wall_s") and k != "median_cpu_s")
            lines.append(f"| {kind} | {label} | {s['median_wall_s']} | {s['min_wall_s']}..{s['max_wall_s']} | "
                         f"{s['median_cpu_s']} | {other} |")
    ratios = []
    for kind, by_tree in r["summary"].items():
        base, tree = (by_tree[k]["median_wall_s"] for k in by_tree)
        ratios.append(f"{kind} {tree / base:.2f}")
    lines += ["", f"This tree / baseline (median wall): {', '.join(ratios)}.",
              f"Identical outputs (periods files; continued runs' tables): {r['identical']}.", "",
              "Reproduce: `python benchmarks/inputs.py --baseline " + r["baseline"] + "`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
