"""How fast the store imports a one-million-row case line list, on SQLite (and PostgreSQL with --postgres).

Data: benchmarks/generate.py's national synthetic input (45,971 areas; 1,000,500 line-list rows =
1,000,000 distinct cases + 500 exact repeats), cached in benchmarks/work/import-1m. Each repeat starts
from an empty database (a new SQLite file / a fresh schema) and times, in one process:

  areas         import areas.csv (45,971 areas)
  cases new     import cases.csv into an empty case table: 1,000,000 new records  <- the headline figure
  same file     import cases.csv again: recognised by its SHA-256, nothing written
  same content  import cases.parquet (the same records, another file): compared row by row, nothing written
  1% corrected  import a CSV of all 1,000,000 cases with 10,000 changed: 10,000 new revisions

then the headline once more through the command line in a fresh process (interpreter start included).
Run: .venv/bin/python benchmarks/import_speed.py [--repeats 3] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy
from sqlalchemy import text

from epizone.store import migrate
from epizone.store.db import make_engine
from epizone.store.imports import import_file

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "import-1m"
STEPS = ("areas", "cases new", "same file", "same content", "1% corrected")


def prepare() -> Path:
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--counties", "2850", "--cases", "1000000",
                    "--csv", "--out", str(WORK)], check=True, stdout=subprocess.DEVNULL)
    corrected = WORK / "cases_corrected.csv"
    if not corrected.exists():
        table = pacsv.read_csv(WORK / "cases.csv", convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in ("case_id", "report_date", "area_code", "classification",
                                                   "cluster_id")}))
        every_100th = pa.array([i % 100 == 0 for i in range(table.num_rows)])
        flipped = pc.if_else(pc.equal(table["classification"], "confirmed"), "asymptomatic", "confirmed")
        table = table.set_column(3, "classification", pc.if_else(every_100th, flipped, table["classification"]))
        codes = table["case_id"].combine_chunks().dictionary_encode().indices.to_numpy()
        _, first = np.unique(codes, return_index=True)  # one row per case, so repeats cannot disagree
        pacsv.write_csv(table.take(pa.array(np.sort(first))), corrected)
    return WORK


def fresh(url: str | None, root: Path, n: int) -> str:
    if url is None:
        return f"sqlite:///{root / f'store-{n}.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def one_run(url: str, work: Path) -> dict[str, float]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    files = {"areas": ("areas", "areas.csv"), "cases new": ("cases", "cases.csv"),
             "same file": ("cases", "cases.csv"), "same content": ("cases", "cases.parquet"),
             "1% corrected": ("cases", "cases_corrected.csv")}
    seconds = {}
    for step in STEPS:
        kind, name = files[step]
        start = time.perf_counter()
        result = import_file(engine, kind, work / name, "benchmark")
        seconds[step] = time.perf_counter() - start
        print(f"  {step:13s} {seconds[step]:6.2f} s  new {result.new:,} revised {result.revised:,} "
              f"unchanged {result.unchanged:,}", flush=True)
    engine.dispose()
    return seconds


def cli_run(url: str, work: Path) -> float:
    engine = make_engine(url)
    migrate.upgrade(engine)
    import_file(engine, "areas", work / "areas.csv", "benchmark")
    engine.dispose()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from epizone.cli.db import app; app()", "import", "cases",
                    str(work / "cases.csv"), "--db", url], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL to a scratch database (its public schema is dropped)")
    args = parser.parse_args()
    work = prepare()
    runs: dict[str, list[dict[str, float]]] = {}
    cli: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="epizone-import-") as tmp:
        for name, url in (("SQLite", None), ("PostgreSQL", args.postgres)):
            if name == "PostgreSQL" and url is None:
                continue
            for n in range(args.repeats):
                print(f"{name}, run {n + 1}", flush=True)
                runs.setdefault(name, []).append(one_run(fresh(url, Path(tmp), n), work))
            cli[name] = cli_run(fresh(url, Path(tmp), args.repeats), work)
    print(f"\nPython {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, pyarrow {pa.__version__}, "
          f"SQLite {__import__('sqlite3').sqlite_version}; median of {args.repeats} runs, seconds\n")
    print("| database | " + " | ".join(STEPS) + " | CLI, cases new (fresh process) |")
    print("|---|" + "---:|" * (len(STEPS) + 1))
    for name, found in runs.items():
        medians = [statistics.median(run[step] for run in found) for step in STEPS]
        print(f"| {name} | " + " | ".join(f"{m:.2f}" for m in medians) + f" | {cli[name]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
