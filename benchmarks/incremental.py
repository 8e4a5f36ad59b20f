"""Benchmark grading one more day from a checkpoint against a full replay of the same day.

The national benchmark input (benchmarks/generate.py, cached in benchmarks/work/full), township unit,
cn-2020-02, --data-through lag:1. A checkpoint at 2022-12-30 is made once (a run with ``state``); each
round then grades 2022-12-31 in fresh child processes, interleaved:

- ``files: full replay``: ``assess_to_file`` from the files, no state (what ``epizone assess --start
  2022-12-31 --end 2022-12-31`` does);
- ``files: from checkpoint``: the same with ``--state`` (a fresh copy of the 2022-12-30 checkpoint): the
  whole files are still read, checked and digested per date, to see which dates changed;
- ``rows: full replay``: ``assess_table`` on the line list already in memory as an Arrow table of checked
  rows (``validated``, as a store run gets them), every row;
- ``rows: from checkpoint``: the same with the checkpoint and only the rows dated from the checkpoint's
  grid start (``rows_from``: the caller knows, as a store does from its imports, that the earlier rows are
  unchanged). Reading those rows is timed apart (``read_s``).

Each child reports the time inside the call (``seconds``: interpreter start and imports excluded; the share
of parsing the 45,971-row areas CSV, timed again after the call, as ``areas_s``) and the
whole process is measured (wall, CPU; no memory figure: ``wait4``'s peak would include this process's own,
inherited at the fork, since it holds the line list to make the checkpoint). Both ways must
give the same rows; the script checks it (files against files, rows against rows: the line list holds 2,500
repeated rows, dropped when a file is checked, kept by the rows already checked).
Writes benchmarks/results/incremental-<date>.md and .json.

    python benchmarks/incremental.py [--rounds 5] [--size small]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run_assess import PY, machine, measure  # noqa: E402

DAY, BEFORE = "2022-12-31", "2022-12-30"
CHILD = r"""
import datetime as dt, json, sys, time
from pathlib import Path
import pyarrow.dataset as ds, pyarrow.parquet as pq
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table, assess_to_file
from epizone.services.state import StateDir
from epizone.io.areas import read_areas
mode, areas, cases, out, state, day, since = sys.argv[1:8]
day = dt.date.fromisoformat(day)
common = dict(areas=Path(areas), unit="township", rules="cn-2020-02", start=day, end=day,
              data_through=DataThrough(lag=1))
read = 0.0
began = time.perf_counter()
if mode == "files-full":
    s = assess_to_file(Request(cases=Path(cases), **common), Path(out))
elif mode == "files-state":
    s = assess_to_file(Request(cases=Path(cases), state=StateDir(Path(state)), **common), Path(out))
else:
    if mode == "rows-full":
        table = pq.read_table(cases)
    else:
        table = ds.dataset(cases).to_table(filter=ds.field("report_date") >= dt.date.fromisoformat(since))
    read = time.perf_counter() - began
    began = time.perf_counter()
    extra = {} if mode == "rows-full" else dict(state=StateDir(Path(state)), rows_from=dt.date.fromisoformat(since))
    t, s = assess_table(Request(cases=table, validated=True, **common, **extra))
    pq.write_table(t, out)
seconds = time.perf_counter() - began
began = time.perf_counter()
read_areas(Path(areas))
print(json.dumps({"seconds": seconds, "read_s": read, "areas_s": time.perf_counter() - began, "rows": s.rows,
                  "state": s.state, "levels": s.last_day_by_level}))
"""
MODES = ["files-full", "files-state", "rows-full", "rows-state"]


def checkpoint(folder: Path, work: Path, rows: bool) -> tuple[Path, int]:
    """A state folder with a checkpoint at BEFORE (from the files, or from the rows in memory as a store run
    gets them), and the first data date its continuation reads."""
    from epizone.domain.cutoff import DataThrough
    from epizone.engine.checkpoint import Checkpoint
    from epizone.services.assess import Request, assess_table
    from epizone.services.state import StateDir

    state = work / ("state-rows" if rows else "state-files")
    cases = pq.read_table(folder / "cases.parquet") if rows else folder / "cases.parquet"
    _, summary = assess_table(Request(areas=folder / "areas.csv", cases=cases, validated=rows, unit="township",
                                      start=dt.date.fromisoformat(BEFORE), end=dt.date.fromisoformat(BEFORE),
                                      data_through=DataThrough(lag=1), state=StateDir(state)))
    print(f"  checkpoint at {BEFORE} ({'rows' if rows else 'files'}): {summary.state}, {summary.seconds:.1f} s",
          flush=True)
    return state, Checkpoint.load(next(state.glob("*.npz"))).carry.since


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="full")
    parser.add_argument("--report", type=Path, help="Only write the report again from a results JSON")
    args = parser.parse_args(argv)
    if args.report:
        result = json.loads(args.report.read_text(encoding="utf-8"))
        result["medians"] = {m: _medians(result["runs"][m]) for m in MODES}
        args.report.write_text(json.dumps(result, indent=1), encoding="utf-8")
        args.report.with_suffix(".md").write_text(report(result), encoding="utf-8")
        return 0
    folder = HERE / "work" / args.size
    work = Path(tempfile.mkdtemp(prefix="epizone-incremental-"))
    try:
        bases = {"files": checkpoint(folder, work, rows=False)[0]}
        bases["rows"], since = checkpoint(folder, work, rows=True)
        since_date = (dt.date(1970, 1, 1) + dt.timedelta(days=since)).isoformat()
        runs: dict[str, list[dict]] = {m: [] for m in MODES}
        outputs = {}
        for r in range(args.rounds):
            for mode in MODES:
                state = work / f"state-{mode}-{r}"
                shutil.copytree(bases[mode.split('-')[0]], state)
                out = work / f"{mode}.parquet"
                runs[mode].append(measure([PY, "-c", CHILD, mode, str(folder / "areas.csv"),
                                           str(folder / "cases.parquet"), str(out), str(state), DAY, since_date],
                                          f"{mode} round {r + 1}"))
                outputs[mode] = out
        tables = {m: pq.read_table(p).to_pylist() for m, p in outputs.items()}
        same = tables["files-full"] == tables["files-state"] and tables["rows-full"] == tables["rows-state"]
        result = {"machine": machine(), "day": DAY, "checkpoint": BEFORE, "unit": "township", "rules": "cn-2020-02",
                  "data_through": "lag:1", "rounds": args.rounds, "since": since_date, "identical_rows": same,
                  "runs": runs, "medians": {m: _medians(runs[m]) for m in MODES}}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp = dt.date.today().isoformat()
    results = HERE / "results"
    (results / f"incremental-{stamp}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (results / f"incremental-{stamp}.md").write_text(report(result), encoding="utf-8")
    print(report(result))
    return 0 if same else 1


def _medians(rows: list[dict]) -> dict:
    ok = [r for r in rows if r.get("rc") == 0]
    pick = (lambda key: round(statistics.median(key(r) for r in ok), 3) if ok else None)  # noqa: E731
    spread = (lambda key: [round(key(r), 3) for r in ok])  # noqa: E731
    return {"seconds": pick(lambda r: r["child"]["seconds"]), "read_s": pick(lambda r: r["child"]["read_s"]),
            "areas_s": pick(lambda r: r["child"]["areas_s"]),
            "wall_s": pick(lambda r: r["wall_s"]),
            "all_seconds": spread(lambda r: r["child"]["seconds"]),
            "state": ok[0]["child"]["state"] if ok else None}


def report(r: dict) -> str:
    m = r["medians"]
    lines = [f"# Grading {r['day']} after {r['checkpoint']}: from a checkpoint vs a full replay",
             "", f"{r['unit']}, {r['rules']}, --data-through {r['data_through']}; medians of {r['rounds']} rounds, "
             f"interleaved, fresh processes; machine: {r['machine'].get('cpu', '')}, {r['machine'].get('logical_cores', '')} logical cores, load at start {r['machine'].get('load_avg_at_start')}. "
             f"Identical rows in every mode: {r['identical_rows']}. Rows read from the checkpoint's grid start: "
             f"{r['since']}.", "",
             "| mode | in the call (s) | every round (s) | of which the areas file (s) | reading rows (s) | "
             "process wall (s) | state |",
             "|---|---|---|---|---|---|---|"]
    for mode, x in m.items():
        lines.append(f"| {mode} | {x['seconds']} | {', '.join(map(str, x['all_seconds']))} | {x['areas_s']} | "
                     f"{x['read_s']} | "
                     f"{x['wall_s']} | {x['state'] or ''} |")
    full, step = m["rows-full"]["seconds"], m["rows-state"]["seconds"]
    files_full, files_step = m["files-full"]["seconds"], m["files-state"]["seconds"]
    if full and step:
        lines += ["", f"From rows in memory: {step} s from the checkpoint against {full} s for the full replay "
                      f"({full / step:.1f}x); from files: {files_step} s against {files_full} s "
                      f"({files_full / files_step:.1f}x)."]
    lines += ["", "Reproduce: `python benchmarks/incremental.py` (after benchmarks/generate.py or a copy of its "
                  "output in benchmarks/work/full)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
