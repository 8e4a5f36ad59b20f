"""The daily cycle of a command centre on a national store: import the day's cases, grade, publish, read.

The store (SQLite, and PostgreSQL with --postgres URL) is built from the benchmark input (generate.py: 42,750
townships, 5,002,500 line-list rows over 2020-01-01 .. 2022-12-31) holding the cases reported up to the day before
the simulated month; the six days before it are graded one by one (cn-2020-02, township unit, --data-through lag:1: the
first by a full replay, the others each continuing from the day before) and the last of them is published. Then each of --days simulated days:

1. import the day's file: the cases reported that day, plus --corrections rewrites of cases reported in the
   --back days before (reclassified confirmed <-> asymptomatic: they change the counts of earlier days);
2. grade the day (a run continuing from the newest checkpoint that the corrections left valid: with corrections
   of the day before only (--back 1), yesterday's; with corrections reaching further back, an older one, and
   since each run keeps one checkpoint (at its last day) and every import invalidates those of the days it
   corrects, the run then replays from before the earliest correction of the simulated month so far);
3. publish the day (the announcement of the changes, the read model);
4. read: one page of 100 levels in force (`GET /api/v1/levels?date=D&limit=100`) and the full national CSV
   (`&format=csv&all=true`), through the REST service in this process (FastAPI's test client: no network).

The baseline, on every --full-every'th day: the same day graded by a full replay (`full=True`: every record
read from the store and every day from the first case replayed) on the same store, right after the
incremental run (its run is stored too, as a draft, and never published). All steps run in this one process,
as the service runs them (`POST /api/v1/runs` calls the same function); a command-line call adds the
interpreter's start and imports (~0.6 s, ~1.2 s more with pandas installed, which pyarrow loads on its first
conversion from Python values).

    .venv/bin/python benchmarks/daily_cycle.py                       # SQLite, 30 days
    .venv/bin/python benchmarks/daily_cycle.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/daily_cycle.py --days 5 --full-every 5  # a quick look

Writes results/daily-cycle-<date>.{md,json}: per step the median and range over the simulated days.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from epizone.domain.cutoff import DataThrough  # noqa: E402
from epizone.services.runs import RunRequest, run_assessment  # noqa: E402
from epizone.store.db import make_engine  # noqa: E402
from epizone.store.imports import import_file  # noqa: E402
from epizone.store.migrate import upgrade  # noqa: E402
from epizone.store.publish import publish  # noqa: E402

INPUT = Path(os.environ.get("EPIZONE_BENCH_INPUT", HERE / "work" / "full"))
RESULTS = HERE / "results"
LAST = dt.date(2022, 12, 31)
THROUGH = DataThrough(lag=1)
WARM_DAYS = 6  # days graded one by one before the simulated month
STEPS = ("import", "run", "publish", "import + run + publish", "read page", "read full CSV")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--full-every", type=int, default=10, help="full replay baseline on every N-th day")
    parser.add_argument("--corrections", type=int, default=20)
    parser.add_argument("--back", type=int, default=1, help="corrections rewrite cases reported up to this many "
                                                            "days before the day")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (emptied first)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="print where the last day's run spends its time")
    parser.add_argument("--work", type=Path, help="keep the files and the SQLite store in this folder")
    args = parser.parse_args()
    first = LAST - dt.timedelta(days=args.days - 1)
    results = {"date": dt.date.today().isoformat(), "days": [first.isoformat(), LAST.isoformat()],
               "corrections_per_day": args.corrections, "corrections_back": args.back, "python": platform.python_version(),
               "load_at_start": os.getloadavg()[0], "databases": {}}
    with tempfile.TemporaryDirectory(prefix="epizone-daily-") as folder:
        work = args.work or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        files = split_input(work, first, args.days, args.corrections, args.back)
        targets = [] if args.no_sqlite else [("SQLite", f"sqlite:///{work / 'store.db'}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            results["databases"][name] = cycle(name, url, files, args.full_every, args.profile)
    results["load_at_end"] = os.getloadavg()[0]
    out = args.out or RESULTS / f"daily-cycle-{results['date']}"
    out.with_suffix(".json").write_text(json.dumps(results, indent=2))
    out.with_suffix(".md").write_text(report(results))
    print(report(results))


def split_input(work: Path, first: dt.date, days: int, corrections: int, back: int) -> dict:
    """The history before ``first`` as one file, then one file per day: its cases and the corrections."""
    cases = pq.read_table(INPUT / "cases.parquet")
    dates = cases.column("report_date")
    if not pa.types.is_date(dates.type):
        dates = pc.cast(dates, pa.date32())
        cases = cases.set_column(cases.schema.get_field_index("report_date"), "report_date", dates)
    history = work / "history.parquet"
    pq.write_table(cases.filter(pc.less(dates, pa.scalar(first, pa.date32()))), history)
    rng = __import__("random").Random(20200217)
    daily = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        today = cases.filter(pc.equal(dates, pa.scalar(day, pa.date32())))
        recent = cases.filter(pc.and_(pc.greater_equal(dates, pa.scalar(day - dt.timedelta(days=back), pa.date32())),
                                      pc.less(dates, pa.scalar(day, pa.date32()))))
        picked = recent.take(sorted(rng.sample(range(recent.num_rows), min(corrections, recent.num_rows))))
        flipped = pc.if_else(pc.equal(picked.column("classification"), "confirmed"), "asymptomatic", "confirmed")
        picked = picked.set_column(picked.schema.get_field_index("classification"), "classification",
                                   flipped.cast(picked.schema.field("classification").type))
        path = work / f"cases-{day}.parquet"
        pq.write_table(pa.concat_tables([today, picked]), path)
        daily.append((day, path, today.num_rows, picked.num_rows))
    return {"history": history, "daily": daily, "first": first}


def cycle(name: str, url: str, files: dict, full_every: int, profile: bool = False) -> dict:
    from fastapi.testclient import TestClient

    from epizone.api.app import create_app
    from epizone.api.settings import ApiSettings

    engine = make_engine(url)
    if url.startswith("postgresql"):
        from sqlalchemy import text
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    setup = {}
    started = time.perf_counter()
    import_file(engine, "areas", INPUT / "areas.csv", "bench")
    import_file(engine, "cases", files["history"], "bench")
    setup["import history"] = time.perf_counter() - started
    day0 = files["first"] - dt.timedelta(days=1)
    started = time.perf_counter()
    run = run_assessment(engine, request(day0 - dt.timedelta(days=WARM_DAYS)), "bench")
    setup["first run (full replay)"] = time.perf_counter() - started
    started = time.perf_counter()
    for back in range(WARM_DAYS - 1, -1, -1):  # the runs of the days before: checkpoints the corrections leave
        run = run_assessment(engine, request(day0 - dt.timedelta(days=back)), "bench")
    setup[f"{WARM_DAYS} daily runs before"] = time.perf_counter() - started
    started = time.perf_counter()
    publish(engine, run.id, day0, "bench")
    setup["first publication"] = time.perf_counter() - started
    setup["wal MB"] = wal_size(url)
    print(f"{name}: set up {', '.join(f'{k} {v:.1f}' for k, v in setup.items() if v is not None)}", flush=True)
    days = []
    with TestClient(create_app(ApiSettings(url, public_read=True))) as client:
        for n, (day, path, new, corrected) in enumerate(files["daily"]):
            took: dict = {"date": day.isoformat(), "rows": new + corrected}
            started = time.perf_counter()
            result = import_file(engine, "cases", path, "bench")
            took["import"] = time.perf_counter() - started
            took["wal MB"] = wal_size(url)
            profiler = cProfile.Profile() if profile and n == len(files["daily"]) - 1 else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            run = run_assessment(engine, request(day), "bench")
            took["run"] = time.perf_counter() - started
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            took["state"] = run.summary.get("state")
            started = time.perf_counter()
            publish(engine, run.id, day, "bench")
            took["publish"] = time.perf_counter() - started
            took["import + run + publish"] = took["import"] + took["run"] + took["publish"]
            took["read page"] = timed_get(client, f"/api/v1/levels?date={day}&limit=100")
            took["read full CSV"] = timed_get(client, f"/api/v1/levels?date={day}&format=csv&all=true")
            if (n + 1) % full_every == 0 or n == 0:
                started = time.perf_counter()
                full = run_assessment(engine, request(day, full=True), "bench")
                took["full replay run"] = time.perf_counter() - started
                assert full.summary["last_day_by_level"] == run.summary["last_day_by_level"], day
            days.append(took)
            print(f"{name} {day}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                for k, v in took.items() if k != "date"), flush=True)
    engine.dispose()
    return {"setup": setup, "days": days}


def wal_size(url: str) -> float | None:
    """The size of a SQLite store's write-ahead log in MB (None for another database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///") + "-wal")
    return round(path.stat().st_size / 1e6, 1) if path.exists() else 0.0


def request(day: dt.date, full: bool = False) -> RunRequest:
    return RunRequest("cn-2020-02", day, day, THROUGH, "township", full=full)


def timed_get(client, path: str) -> float:  # noqa: ANN001
    started = time.perf_counter()
    answer = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    return time.perf_counter() - started


def report(results: dict) -> str:
    lines = [f"# Daily cycle, {results['date']}: {results['days'][0]} .. {results['days'][1]}, "
             f"{results['corrections_per_day']} corrections a day reaching {results.get('corrections_back', 5)} "
             f"days back (load average {results['load_at_start']:.1f} at "
             f"the start, {results.get('load_at_end', 0):.1f} at the end)", ""]
    for name, found in results["databases"].items():
        lines += [f"## {name}", "", "set up: " + ", ".join(f"{k} {v:.1f}" for k, v in found["setup"].items() if v is not None), "",
                  "| step (seconds) | median | min | max | days |", "|---|---:|---:|---:|---:|"]
        for step in (*STEPS, "full replay run"):
            values = [d[step] for d in found["days"] if step in d]
            if values:
                lines.append(f"| {step} | {statistics.median(values):.3f} | {min(values):.3f} | {max(values):.3f} "
                             f"| {len(values)} |")
        paired = [(d["run"], d["full replay run"]) for d in found["days"] if "full replay run" in d]
        if paired:
            ratios = [full / incremental for incremental, full in paired]
            lines += ["", f"full replay / incremental run on the same days: median {statistics.median(ratios):.1f}x "
                          f"(range {min(ratios):.1f}x .. {max(ratios):.1f}x, {len(ratios)} days)"]
        lines += ["", "runs: " + "; ".join(f"{d['date']}: {d['state']}" for d in found["days"][:3]) + " ...", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
