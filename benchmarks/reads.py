"""Reads at national scale: `epizone serve --workers N` on a store holding 42,750 townships' published levels,
loaded from 127.0.0.1 by a bounded generator, on SQLite and PostgreSQL, side by side with a baseline commit.

The store: the benchmark input's areas imported, the last two days (2022-12-30, 2022-12-31) graded at township
unit by `epizone assess`'s service on the files (all three years of cases) and recorded as a run, both days
published. Each code (this tree, and the baseline extracted with `git archive`) builds its own store with its own
functions and is served by uvicorn with the same number of workers (the baseline through uvicorn's factory
option, since its `epizone serve` has no `--workers`).

Scenarios, each against a warm server, with a viewer's token:
- page: `GET /levels?date=2022-12-31&limit=100` (a random offset) at a fixed rate (default 200 req/s, 10 s);
- page after=: the same with keyset paging (`after=` a random township; this tree only);
- history: `GET /areas/{code}/levels` for random published townships at the same rate;
- csv: `GET /levels?date=2022-12-31&format=csv&all=true` with `Accept-Encoding: gzip`, one client after the other
  (the first request, which makes the export and keeps it in the store, is timed apart);
- concurrent: 50 clients, each sending pages, histories and (one in ten) the full CSV back to back.
Latency is measured from the moment a request was due (open loop), so a stalled server shows in p99.
On PostgreSQL the query plans of these reads (EXPLAIN ANALYZE) are written to results/reads-plans-<date>.txt.

    .venv/bin/python benchmarks/reads.py --baseline ca78966 --workers 2
    .venv/bin/python benchmarks/reads.py --databases sqlite --seconds 5      # a quick look
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import inspect
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INPUT = Path(os.environ.get("EPIZONE_BENCH_INPUT", HERE / "work" / "full"))
DAYS = (dt.date(2022, 12, 30), dt.date(2022, 12, 31))
V1 = "/api/v1"
LATE = 20.0
CONCURRENT_LIMIT = 60.0


# --- building a store (runs in a subprocess, with the code under test on PYTHONPATH) -------------------------

def build(url: str, folder: Path) -> dict:
    """Areas, a two-day township run from the files, both days published; the seconds each step took."""
    from epizone.domain.cutoff import DataThrough
    from epizone.domain.rules import parse_rule_set
    from epizone.services.assess import Request, assess_table
    from epizone.services.runs import _builtin_text, _summary
    from epizone.store.db import make_engine
    from epizone.store.imports import import_file
    from epizone.store.migrate import upgrade
    from epizone.store.publish import publish
    from epizone.store.runs import NewRun, data_moment, record_run

    engine, took = make_engine(url), {}
    upgrade(engine)
    started = time.perf_counter()
    import_file(engine, "areas", folder / "areas.csv", "bench")
    took["import areas"] = time.perf_counter() - started
    text = _builtin_text("cn-2020-02")
    rules = parse_rule_set(text)
    started = time.perf_counter()
    request = Request(areas=folder / "areas.csv", cases=folder / "cases.parquet", rules=rules, unit="township",
                      start=DAYS[0], end=DAYS[-1], data_through=DataThrough(lag=1))
    as_periods = "kept" in inspect.signature(_summary).parameters  # runs kept as periods (0007_level_periods on)
    table, summary = assess_table(request, output="periods", breaks=DAYS) if as_periods else assess_table(request)
    took["assess"] = time.perf_counter() - started
    as_of, batch = data_moment(engine, None)
    started = time.perf_counter()
    described = _summary(summary, list(DAYS)) if as_periods else _summary(summary)
    run = record_run(engine, NewRun(rules, text, summary.unit, summary.start, summary.end, "lag:1", as_of, batch,
                                    summary.units, described), table, "bench")
    took["record run"] = time.perf_counter() - started
    for day in DAYS:
        started = time.perf_counter()
        done = publish(engine, run.id, day, "bench")
        took[f"publish {day}"] = time.perf_counter() - started
        took[f"announcement {day} bytes"] = len(done.announcement.text_zh.encode()) + len(
            done.announcement.text_en.encode())
    engine.dispose()
    return took


def _in_subprocess(src: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_store(src: Path, url: str) -> tuple[dict, str, list[str]]:
    """(the build's timings, a viewer's token, the published townships) for a store built by the code in src."""
    took = json.loads(_in_subprocess(src, __file__, "build", url).splitlines()[-1])
    _in_subprocess(src, "-m", "epizone.cli", "db", "users", "add", "reader", "--role", "viewer", "--db", url)
    token = _in_subprocess(src, "-m", "epizone.cli", "db", "tokens", "create", "reader", "--db", url).strip()
    return took, token.splitlines()[-1], townships()


def townships() -> list[str]:
    """The townships' codes (every one is in the first publication)."""
    with open(INPUT / "areas.csv", encoding="utf-8", newline="") as lines:
        return [row["code"] for row in csv.DictReader(lines) if row["kind"] == "township"]


# --- the server ---------------------------------------------------------------------------------------------

def start_server(src: Path, url: str, port: int, workers: int, own_serve: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(src), "EPIZONE_DATABASE_URL": url}
    if own_serve:
        command = [sys.executable, "-m", "epizone.cli", "serve", "--db", url, "--port", str(port),
                   "--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "uvicorn", "epizone.api.app:create_app", "--factory", "--port", str(port),
                   "--workers", str(workers), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(Client(port, ""), "/health")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, 15)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.wait()


# --- the load generator: 127.0.0.1 only, bounded in count and time ------------------------------------------

class Client(threading.local):
    """One keep-alive HTTP connection per thread to the server on 127.0.0.1."""

    def __init__(self, port: int, token: str):
        self.port, self.token, self.connection = port, token, None

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, int]:
        """(status, body bytes); a connection the server closed while idle is opened again once."""
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.connection.request("GET", path, headers={"Authorization": f"Bearer {self.token}", **headers})
            answer = self.connection.getresponse()
            return answer.status, len(answer.read())
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            if reused:
                return self.get(path, headers)
            raise


def fetch(client: Client, path: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
    return client.get(path, headers or {})


def at_rate(client: Client, paths: list[str], rate: float, seconds: float, headers: dict | None = None) -> dict:
    """Open loop: request i is due at i / rate; latency counts from when it was due. A request that could not
    even be sent within ``LATE`` seconds after the last one was due is not sent (counted as ``unsent``), so a
    server that cannot keep up ends the scenario in bounded time."""
    count = int(rate * seconds)
    latencies, errors, unsent = [], [], []
    start = time.perf_counter() + 0.2
    give_up = start + seconds + LATE

    def one(i: int) -> None:
        due = start + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        if time.perf_counter() > give_up:
            unsent.append(i)
            return
        try:
            status, _ = fetch(client, paths[i % len(paths)], headers)
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
            errors.append(repr(exc))
            return
        latencies.append(time.perf_counter() - due)
        if status != 200:
            errors.append(str(status))

    with ThreadPoolExecutor(max_workers=64) as pool:
        list(pool.map(one, range(count)))
    return {**summary(latencies, errors, time.perf_counter() - start), "unsent": len(unsent)}


def one_by_one(client: Client, path: str, count: int, headers: dict) -> dict:
    latencies, errors, size = [], [], 0
    start = time.perf_counter()
    for _ in range(count):
        began = time.perf_counter()
        status, size = fetch(client, path, headers)
        latencies.append(time.perf_counter() - began)
        if status != 200:
            errors.append(str(status))
    return {**summary(latencies, errors, time.perf_counter() - start), "bytes": size}


def concurrent(client: Client, paths: list[str], csv_path: str | None, clients: int, each: int) -> dict:
    """``clients`` threads, each sending ``each`` requests back to back (every tenth the full CSV, if any), none
    sent after ``CONCURRENT_LIMIT`` seconds (counted as ``unsent``)."""
    latencies, errors, unsent = [], [], []
    give_up = time.perf_counter() + CONCURRENT_LIMIT

    def worker(n: int) -> None:
        for i in range(each):
            if time.perf_counter() > give_up:
                unsent.append(each - i)
                return
            path = csv_path if csv_path and (n + i) % 10 == 0 else random.choice(paths)
            began = time.perf_counter()
            try:
                status, _ = fetch(client, path, {"Accept-Encoding": "gzip"})
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
                continue
            latencies.append(time.perf_counter() - began)
            if status != 200:
                errors.append(str(status))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    return {**summary(latencies, errors, time.perf_counter() - start), "unsent": sum(unsent)}


def summary(latencies: list[float], errors: list[str], seconds: float) -> dict:
    ms = sorted(x * 1000 for x in latencies)
    pick = (lambda q: round(ms[min(len(ms) - 1, int(q * len(ms)))], 1)) if ms else (lambda q: None)
    return {"requests": len(latencies) + len(errors), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": round(ms[-1], 1) if ms else None,
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None, "per_second": round(len(ms) / seconds, 1)}


def measure(port: int, token: str, codes: list[str], args: argparse.Namespace, has_export: bool) -> dict:
    client = Client(port, token)
    random.seed(11)
    day = DAYS[-1].isoformat()
    pages = [f"{V1}/levels?date={day}&limit=100&offset={random.randrange(0, 42_650)}" for _ in range(500)]
    keyset = [f"{V1}/levels?date={day}&limit=100&after={random.choice(codes)}" for _ in range(500)]
    histories = [f"{V1}/areas/{random.choice(codes)}/levels" for _ in range(500)]
    export = f"{V1}/levels?date={day}&format=csv&all=true"
    for path in pages[:20] + histories[:20]:  # warm every worker (connections, token check)
        fetch(client, path)
    found = {"page": at_rate(client, pages, args.rate, args.seconds)}
    if has_export:
        found["page after="] = at_rate(client, keyset, args.rate, args.seconds)
    found["history"] = at_rate(client, histories, args.rate, args.seconds)
    if has_export:
        began = time.perf_counter()
        fetch(client, export, {"Accept-Encoding": "gzip"})  # made once for the store's state, then kept
        found["csv first (made)"] = round((time.perf_counter() - began) * 1000, 1)
        found["csv"] = one_by_one(client, export, args.csv_requests, {"Accept-Encoding": "gzip"})
    found["concurrent"] = concurrent(client, pages[:250] + histories[:250], export if has_export else None,
                                     args.clients, args.each)
    return found


# --- the query plans on PostgreSQL (docs/store.md) ------------------------------------------------------------

def explain(url: str) -> str:
    """EXPLAIN ANALYZE of the reads behind the scenarios, on the store just built."""
    from sqlalchemy import func, select, text
    from epizone.store.db import make_engine
    from epizone.store.levels import current, history, in_force
    from epizone.store.models import CurrentLevel

    page = current()
    queries = {
        "the last change (every /levels request)": select(func.max(CurrentLevel.effective_date)),
        "the total of a page": select(func.count()).select_from(page.order_by(None).subquery()),
        "a page, offset 40,000": page.limit(100).offset(40_000),
        "a page, after= a code": page.where(CurrentLevel.area_code > "410000000").limit(100),
        "one area's history": history("110101001"),
        "every level (the export, made once per state)": page,
        "a past date, ranked from the publications' changes": in_force(DAYS[0]).limit(100),
    }
    engine, lines = make_engine(url), []
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        for name, query in queries.items():
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = connection.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql)).scalars().all()
            lines += [f"-- {name}", sql, *plan, ""]
    engine.dispose()
    return "\n".join(lines)


# --- the whole benchmark ------------------------------------------------------------------------------------

def postgres_url() -> tuple[object, str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from pgserver import start_server as start_pg
    server = start_pg()
    return server, server.url


def scratch_url(kind: str, folder: Path, pg: object | None, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / (name + '.db')}"
    from sqlalchemy import create_engine, text
    admin = create_engine(pg.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return pg.url.rsplit("/", 1)[0] + "/" + name


def baseline_tree(commit: str, folder: Path) -> Path:
    target = folder / f"base-{commit}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="ca78966", help="The commit to compare with ('' for none)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0, help="Requests per second (page, history)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--csv-requests", type=int, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--each", type=int, default=20, help="Requests per concurrent client")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    results, folder = {"options": vars(args) | {"out": str(args.out)}, "runs": []}, Path(tempfile.mkdtemp())
    codes = [("this tree", ROOT / "src", True)]
    if args.baseline:
        codes.append((f"baseline {args.baseline}", baseline_tree(args.baseline, folder), False))
    pg = None
    try:
        for kind in args.databases.split(","):
            if kind == "postgresql" and pg is None:
                pg, _ = postgres_url()
            for n, (label, src, own) in enumerate(codes):
                url = scratch_url(kind, folder, pg, f"reads{n}")
                took, token, published = build_store(src, url)
                if kind == "postgresql" and own:
                    plans = _in_subprocess(src, __file__, "explain", url)
                    args.out.mkdir(exist_ok=True)
                    (args.out / f"reads-plans-{dt.date.today().isoformat()}.txt").write_text(plans)
                port = 8700 + n
                server = start_server(src, url, port, args.workers, own)
                try:
                    found = measure(port, token, published, args, has_export=own)
                finally:
                    stop_server(server)
                results["runs"].append({"database": kind, "code": label, "build": took, **found})
                print(json.dumps(results["runs"][-1]), flush=True)
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(folder, ignore_errors=True)
    args.out.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat()
    (args.out / f"reads-{stamp}.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out / f'reads-{stamp}.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        print(json.dumps(build(sys.argv[2], INPUT)))
    elif len(sys.argv) == 3 and sys.argv[1] == "explain":
        print(explain(sys.argv[2]))
    else:
        main()
