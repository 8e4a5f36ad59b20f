"""Benchmark `epizone assess` against the pandas baseline, in one run.

For each unit (county, township) over the full range with Parquet output, times in a fresh subprocess:
  * epizone via the Python service (``assess_to_file``), --repeats times;
  * epizone via the CLI (``.venv/bin/epizone assess ...``), --repeats times, when the CLI works;
  * the pandas baseline (benchmarks/baseline_pandas.py), --baseline-repeats times;
and, at township unit, epizone on the same cases with report_date as text instead of date32.
Each measurement is the wall time of the whole child process (interpreter start included) and its
peak RSS (ru_maxrss from wait4, as /usr/bin/time -v reports; psutil polling every 20 ms as a cross-check
when psutil is installed).
Medians are reported. The outputs of epizone and the baseline are then compared row by row, on the
full input and on a small one.

Writes benchmarks/results/assess-<date>.md and assess-<date>.json.

    python benchmarks/run_assess.py                       # full size (generates into benchmarks/work/full)
    python benchmarks/run_assess.py --size small          # a quick check (benchmarks/work/small)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

try:
    import psutil
except ImportError:  # optional: only the sampled cross-check of peak RSS and two machine facts need it
    psutil = None

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

PY = sys.executable
START, END = "2020-01-01", "2022-12-31"
SIZES = {
    "full": dict(counties=2850, townships=15, cases=5_000_000),
    "small": dict(counties=100, townships=15, cases=50_000),
}

SERVICE = """
import datetime as dt, json, sys, time
from pathlib import Path
began = time.perf_counter()
from epizone.services.assess import Request, assess_to_file
areas, cases, unit, out = sys.argv[1:5]
s = assess_to_file(Request(areas=Path(areas), cases=Path(cases), unit=unit,
                           start=dt.date.fromisoformat("%s"), end=dt.date.fromisoformat("%s")), Path(out))
print(json.dumps({"rows": s.rows, "seconds_in_assess": s.seconds, "seconds_in_python": time.perf_counter() - began,
                  "levels": s.unit_days_by_level, "unassigned_cases": s.unassigned_cases}))
""" % (START, END)


def measure(cmd: list[str], label: str) -> dict:
    """Run ``cmd`` as a child; return wall seconds, peak RSS and its last stdout line."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    ps = psutil.Process(proc.pid) if psutil else None
    sampled = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            sampled = max(sampled, ps.memory_info().rss) if ps else 0
        except psutil.Error:
            pass
        time.sleep(0.02)
    wall = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.communicate()
    result = {"label": label, "wall_s": round(wall, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
              "sampled_rss_mb": round(sampled / 2**20, 1), "user_s": round(usage.ru_utime, 2),
              "sys_s": round(usage.ru_stime, 2), "rc": proc.returncode}
    lines = [line for line in out.splitlines() if line.strip()]
    if proc.returncode != 0:
        result["error"] = (err or out).strip().splitlines()[-5:]
    elif lines:
        try:
            result["child"] = json.loads(lines[-1])
        except json.JSONDecodeError:
            pass
    print(f"  {label:40} {wall:7.2f} s  {result['peak_rss_mb']:7.0f} MB  rc={proc.returncode}", flush=True)
    return result


def cli_command() -> tuple[list[str] | None, str]:
    """The CLI command template, or None and why it cannot be used."""
    exe = ROOT / ".venv" / "bin" / "epizone"
    if not exe.exists():
        exe_found = shutil.which("epizone")
        if not exe_found:
            return None, "no epizone executable"
        exe = Path(exe_found)
    try:
        run = subprocess.run([str(exe), "assess", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"epizone assess --help failed: {exc}"
    if run.returncode != 0:
        last = (run.stderr or run.stdout).strip().splitlines()[-1:] or [""]
        return None, f"epizone assess --help exited {run.returncode}: {last[0][:200]}"
    text = run.stdout
    missing = [f for f in ("--areas", "--cases", "--unit", "--out", "--start", "--end") if f not in text]
    if missing:
        return None, f"epizone assess --help does not list {', '.join(missing)}"
    return [str(exe), "assess"], "ok"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True,
                                    cwd=ROOT).stdout.strip())
    except OSError:
        commit, dirty = "", False
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cpu": cpu, "logical_cores": os.cpu_count(),
            "physical_cores": psutil.cpu_count(logical=False) if psutil else None,
            "ram_gb": round(ram / 2**30, 1), "os": platform.platform(),
            "python": platform.python_version(),
            **{package: _version(package) for package in ("numpy", "pyarrow", "duckdb", "pandas")},
            "epizone_commit": commit + ("+dirty-src" if dirty else ""),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def compare(a: Path, b: Path) -> dict:
    run = subprocess.run([PY, str(HERE / "compare.py"), str(a), str(b)], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        return {"error": (run.stderr or run.stdout).strip().splitlines()[-5:]}


def agreement_small() -> dict:
    """epizone vs the baseline on a small generated input, both units."""
    small = HERE / "work" / "small"
    size = SIZES["small"]
    generate.generate(small, size["counties"], size["townships"], size["cases"], 1096, 20200217)
    result = {}
    for unit in ("county", "township"):
        ez, bl = small / f"out-epizone-{unit}.parquet", small / f"out-baseline-{unit}.parquet"
        measure([PY, "-c", SERVICE, str(small / "areas.csv"), str(small / "cases.parquet"), unit, str(ez)],
                f"small: epizone service {unit}")
        measure([PY, str(HERE / "baseline_pandas.py"), "--areas", str(small / "areas.csv"), "--cases",
                 str(small / "cases.parquet"), "--unit", unit, "--start", START, "--end", END, "--out", str(bl)],
                f"small: baseline {unit}")
        result[unit] = compare(ez, bl)
    return result


def median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get("rc") == 0]
    return round(statistics.median(values), 2) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--units", nargs="+", default=["county", "township"])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each epizone configuration")
    parser.add_argument("--baseline-repeats", type=int, default=2, help="runs of the pandas baseline")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-string-dates", action="store_true", help="skip the date32 vs text test")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)

    size = SIZES[args.size]
    work = HERE / "work" / args.size
    print(f"data: {work}", flush=True)
    meta = generate.generate(work, size["counties"], size["townships"], size["cases"], 1096, 20200217,
                             strdates=not args.no_string_dates)
    out_dir = work / "out"
    out_dir.mkdir(exist_ok=True)
    info = machine()
    cli, cli_status = cli_command()
    print(f"CLI: {cli_status}", flush=True)
    areas = work / "areas.csv"

    def configs(unit: str) -> list[tuple[str, list[str], Path]]:
        ez = out_dir / f"epizone-{unit}.parquet"
        items = [(f"epizone service, {unit}", [PY, "-c", SERVICE, str(areas), str(work / "cases.parquet"), unit,
                                                 str(ez)], ez)]
        if cli:
            cout = out_dir / f"epizone-cli-{unit}.parquet"
            items.append((f"epizone CLI, {unit}", cli + ["--areas", str(areas), "--cases", str(work / "cases.parquet"),
                                                         "--unit", unit, "--start", START, "--end", END,
                                                         "--out", str(cout)], cout))
        if unit == "township" and not args.no_string_dates:
            sout = out_dir / f"epizone-strdate-{unit}.parquet"
            items.append((f"epizone service, {unit}, text dates",
                          [PY, "-c", SERVICE, str(areas), str(work / "cases_strdate.parquet"), unit, str(sout)], sout))
        return items

    runs: dict[str, list[dict]] = {}
    for unit in args.units:
        print(f"unit {unit}:", flush=True)
        for _ in range(args.repeats):          # interleaved, so that drift in machine load hits all alike
            for label, cmd, _out in configs(unit):
                runs.setdefault(label, []).append(measure(cmd, label))
        if not args.no_baseline:
            bl = out_dir / f"baseline-{unit}.parquet"
            for _ in range(args.baseline_repeats):
                label = f"pandas baseline, {unit}"
                runs.setdefault(label, []).append(measure(
                    [PY, str(HERE / "baseline_pandas.py"), "--areas", str(areas), "--cases", str(work / "cases.parquet"),
                     "--unit", unit, "--start", START, "--end", END, "--out", str(bl)], label))

    agreement = {}
    if not args.no_baseline:
        print("agreement:", flush=True)
        for unit in args.units:
            agreement[f"{args.size}, {unit}"] = compare(out_dir / f"epizone-{unit}.parquet",
                                                        out_dir / f"baseline-{unit}.parquet")
        if args.size != "small":
            for unit, report in agreement_small().items():
                agreement[f"small, {unit}"] = report
        for key, report in agreement.items():
            print(f"  {key}: identical={report.get('identical')} rows={report.get('rows_a')} "
                  f"mismatches={sum(report.get('mismatches', {}).values())}", flush=True)

    info["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    summary = {label: {"runs": len(rows), "ok": sum(r["rc"] == 0 for r in rows),
                       "median_wall_s": median(rows, "wall_s"), "median_peak_rss_mb": median(rows, "peak_rss_mb"),
                       "max_peak_rss_mb": max((r["peak_rss_mb"] for r in rows), default=None)}
               for label, rows in runs.items()}
    ratios = {}
    for unit in args.units:
        ez, bl = summary.get(f"epizone service, {unit}"), summary.get(f"pandas baseline, {unit}")
        if ez and bl and ez["median_wall_s"] and bl["median_wall_s"]:
            ratios[unit] = round(bl["median_wall_s"] / ez["median_wall_s"], 2)

    today = dt.date.today().isoformat()
    args.results.mkdir(parents=True, exist_ok=True)
    stem = f"assess-{today}" + ("" if args.size == "full" else f"-{args.size}")
    record = {"date": today, "size": args.size, "data": meta, "machine": info, "cli": cli_status,
              "summary": summary, "speedup_baseline_over_epizone": ratios, "agreement": agreement, "runs": runs}
    (args.results / f"{stem}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    (args.results / f"{stem}.md").write_text(report_md(record))
    print(f"wrote {args.results / (stem + '.md')} and .json", flush=True)
    return 0


def report_md(r: dict) -> str:
    m, d = r["machine"], r["data"]
    opts, stats = d["options"], d.get("stats", {})
    lines = [
        f"# epizone assess benchmark, {r['date']} ({r['size']} input)", "",
        f"Machine: {m['cpu']}, {m['logical_cores']} logical cores ({m['physical_cores']} physical), "
        f"{m['ram_gb']} GB RAM; {m['os']}",
        f"Python {m['python']}, numpy {m['numpy']}, pyarrow {m['pyarrow']}, duckdb {m['duckdb']}, "
        f"pandas {m['pandas']}; epizone commit {m['epizone_commit']}",
        f"Load average (1/5/15 min) at start {m['load_avg_at_start']}, at end {m['load_avg_at_end']} "
        "(other work shares the machine: figures are medians).", "",
        f"Input (benchmarks/generate.py, seed {opts['seed']}): {d['areas']} areas; {stats.get('rows')} case rows "
        f"({stats.get('distinct_cases')} distinct, {stats.get('duplicate_rows')} identical repeats), "
        f"{opts['days']} days {d['start']}..{d['end']}; rule set cn-2020-02, lag:0, Parquet output.", "",
        "Each figure is one fresh process: wall time including interpreter start, and peak RSS (ru_maxrss).", "",
        "| configuration | runs | median wall s | median peak RSS MB | max peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, s in r["summary"].items():
        lines.append(f"| {label} | {s['ok']}/{s['runs']} | {s['median_wall_s']} | {s['median_peak_rss_mb']} "
                     f"| {s['max_peak_rss_mb']} |")
    lines += ["", "Baseline / epizone (median wall): " +
              (", ".join(f"{u} {x}x" for u, x in r["speedup_baseline_over_epizone"].items()) or "n/a"),
              "", f"CLI: {r['cli']}", ""]
    if r["agreement"]:
        lines += ["## Agreement with the pandas baseline", "",
                  "| input, unit | rows | identical | mismatching values per column |", "|---|---:|---|---|"]
        for key, rep in r["agreement"].items():
            mism = ", ".join(f"{c} {n}" for c, n in rep.get("mismatches", {}).items() if n) or "none"
            lines.append(f"| {key} | {rep.get('rows_a')} | {rep.get('identical')} | {mism} |")
        lines.append("")
    lines += ["Raw figures: the JSON file of the same name.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
