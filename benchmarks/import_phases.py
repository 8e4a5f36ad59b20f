"""Where a 5M first load's time goes: wall and process CPU of named functions and of the bulk SQL statements.

One import of benchmarks/work/full into an empty store (areas first). Arguments: the database URL (a scratch
SQLite file or PostgreSQL database: its public schema is dropped), then functions to time as module:function.
PostgreSQL's server CPU is summed over its live processes (parallel index workers that exit are missed).
Run: .venv/bin/python benchmarks/import_phases.py sqlite:////tmp/x.db epizone.store.records:case_records \
         epizone.store.sqlite_stage:_write_part
"""
import sys, time, os, glob, importlib, functools, resource, collections
from pathlib import Path
from sqlalchemy import text, event
from epizone.store import migrate
from epizone.store.db import make_engine
from epizone.store.imports import import_file
url = sys.argv[1]
T = collections.defaultdict(lambda: [0.0, 0.0, 0])
def pgcpu():
    tot = 0
    for p in glob.glob("/proc/[0-9]*/stat"):
        try:
            if open(p.replace("stat", "comm")).read().startswith("postgres"):
                f = open(p).read().split(") ")[1].split(); tot += int(f[11]) + int(f[12])
        except Exception: pass
    return tot / os.sysconf("SC_CLK_TCK")
def wrap(modname, fname, label=None):
    mod = importlib.import_module(modname); f = getattr(mod, fname)
    @functools.wraps(f)
    def w(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try: return f(*a, **k)
        finally:
            e = T[label or fname]; e[0] += time.perf_counter() - t; e[1] += time.process_time() - c; e[2] += 1
    setattr(mod, fname, w)
for spec in sys.argv[2:]:
    wrap(*spec.split(":"))
data = Path(__file__).resolve().parent / "work" / "full"
engine = make_engine(url)
if url.startswith("postgresql"):
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS public CASCADE")); c.execute(text("CREATE SCHEMA public"))
migrate.upgrade(engine)
import_file(engine, "areas", data/"areas.csv", "bench")
@event.listens_for(engine, "before_cursor_execute")
def b(conn, cursor, statement, *a):
    conn.info["t"] = (time.perf_counter(), time.process_time())
@event.listens_for(engine, "after_cursor_execute")
def a(conn, cursor, statement, *x):
    if statement.startswith(("CREATE", "ALTER", "INSERT INTO case", "INSERT INTO \"case")):
        t, c = conn.info["t"]; e = T["sql " + statement[:75].replace("\n", " ")]; e[0] += time.perf_counter() - t; e[1] += time.process_time() - c; e[2] += 1
r0 = resource.getrusage(resource.RUSAGE_SELF)
s0, w0, c0 = pgcpu(), time.perf_counter(), time.process_time()
r = import_file(engine, "cases", data / "cases.parquet", "bench")
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
print(f"load {os.getloadavg()[0]:.1f}  total wall {wall:.2f} cpu {cpu:.1f} server cpu {pgcpu() - s0:.1f} rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GB new {r.new}")
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(f"  user {r1.ru_utime - r0.ru_utime:.1f} sys {r1.ru_stime - r0.ru_stime:.1f} majflt {r1.ru_majflt - r0.ru_majflt} minflt {r1.ru_minflt - r0.ru_minflt} inblock {r1.ru_inblock - r0.ru_inblock} oublock {r1.ru_oublock - r0.ru_oublock} nivcsw {r1.ru_nivcsw - r0.ru_nivcsw}")
for k, (w, c, n) in T.items():
    print(f"  {k:50s} wall {w:6.2f} cpu {c:6.1f} n {n}")
