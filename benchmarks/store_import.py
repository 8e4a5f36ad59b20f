"""The national line list into the store, this code against a baseline commit, in the same run.

Data: benchmarks/work/full (generate.py's defaults: 42,750 townships, 5,002,500 line-list rows). For each
database (SQLite; PostgreSQL with --postgres) and each code version (this worktree's src, and the baseline's
src exported by `git archive` into a temporary folder), one fresh process per repeat imports into an empty
store: areas, the 5M cases (timed), then a day's file (5,000 rows: 4,950 new cases and 50 corrections of
older days, timed) and the 5M file again as another file (same content, compared row by row, timed).
Peak RSS of the process from wait4; the CPU time of each step in the process (all its threads; not the
PostgreSQL server's), which shows how much of a slow wall time was waiting for a core on a shared machine.
Medians of --repeats; the 1-minute load average when each run starts.
Run: .venv/bin/python benchmarks/store_import.py [--repeats 3] [--baseline 5778535] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "work" / "full"
STEPS = ("cases 5M", "day (5,000 rows)", "same content again")

CHILD = r"""
import json, os, sys, time
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from sqlalchemy import text
from epizone.store import migrate
from epizone.store.db import make_engine
from epizone.store.imports import import_file
url, data, tmp = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = make_engine(url)
if url.startswith("postgresql"):
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE")); c.execute(text("CREATE SCHEMA public"))
migrate.upgrade(engine)
import_file(engine, "areas", data / "areas.csv", "bench")
cases = pq.read_table(data / "cases.parquet")
day = cases.slice(0, 50).set_column(3, "classification", pa.array(["asymptomatic"] * 50))
new = cases.slice(0, 4950).set_column(0, "case_id", pc.binary_join_element_wise(cases["case_id"][:4950], "new", ""))
pq.write_table(pa.concat_tables([day, new]), tmp / "day.parquet")
pq.write_table(cases, tmp / "again.parquet", row_group_size=250_000)  # other bytes, same records
del cases, day, new
seconds = {}
for step, path in (("cases 5M", data / "cases.parquet"), ("day (5,000 rows)", tmp / "day.parquet"),
                   ("same content again", tmp / "again.parquet")):
    start, cpu = time.perf_counter(), time.process_time()
    result = import_file(engine, "cases", path, "bench")
    seconds[step] = time.perf_counter() - start
    seconds[step + " cpu"] = time.process_time() - cpu
    print(step, round(seconds[step], 2), round(seconds[step + " cpu"], 1), result.new, result.revised,
          result.unchanged, file=sys.stderr, flush=True)
print(json.dumps(seconds))
"""


def run_measured(src: Path, url: str, tmp: Path) -> tuple[dict[str, float], float]:
    """One fresh process; its times and its peak RSS in GB (wait4)."""
    print(f"  load average {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONPATH": str(src)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(DATA), str(tmp)], env=env,
                             stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"the import failed ({src})")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024 ** 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default="5778535", help="the commit to compare with")
    parser.add_argument("--postgres", help="a PostgreSQL URL to a scratch database (its public schema is dropped)")
    args = parser.parse_args()
    found: dict[tuple[str, str], list[tuple[dict[str, float], float]]] = {}
    with tempfile.TemporaryDirectory(prefix="epizone-import-") as folder:
        tmp = Path(folder)
        subprocess.run(f"git -C {HERE.parent} archive {args.baseline} src | tar -x -C {tmp}", shell=True, check=True)
        versions = {f"baseline {args.baseline}": tmp / "src", "this code": HERE.parent / "src"}
        databases = {"SQLite": f"sqlite:///{tmp / 'store.db'}", "PostgreSQL": args.postgres}
        for n in range(args.repeats):
            for database, url in databases.items():
                for version, src in versions.items():  # interleaved, so a slow stretch hits both
                    if url is None:
                        continue
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{tmp / 'store.db'}{suffix}").unlink(missing_ok=True)
                    print(f"{database}, {version}, run {n + 1}", file=sys.stderr, flush=True)
                    found.setdefault((database, version), []).append(run_measured(src, url, tmp))
    print(f"\nmedian of {args.repeats} fresh processes, seconds (in brackets: CPU seconds of the importing process); "
          "peak RSS of the process\n")
    print("| database | code | " + " | ".join(STEPS) + " | peak RSS |")
    print("|---|---|" + "---:|" * (len(STEPS) + 1))
    for (database, version), runs in found.items():
        cells = [f"{statistics.median(r[0][step] for r in runs):.2f} "
                 f"({statistics.median(r[0][step + ' cpu'] for r in runs):.1f})" for step in STEPS]
        rss = statistics.median(r[1] for r in runs)
        print(f"| {database} | {version} | " + " | ".join(cells) + f" | {rss:.2f} GB |")
    print("\nevery run (seconds, CPU seconds, peak RSS):")
    for (database, version), runs in found.items():
        for n, (times, rss) in enumerate(runs, 1):
            steps = ", ".join(f"{times[s]:.2f} ({times[s + ' cpu']:.1f})" for s in STEPS)
            print(f"  {database}, {version}, run {n}: {steps}, {rss:.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
