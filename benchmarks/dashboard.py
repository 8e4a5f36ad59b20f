"""The web dashboard on a national store, measured in a real browser (headless Chromium driven by Playwright), side
by side with a baseline commit in the same run.

The store (built once, cached in ``work/dashboard/`` while the input and the days are the same): the benchmark
input's areas (31 provinces, 340 cities, 2,850 counties, 42,750 townships, no boundaries), the last ``--days`` days
graded at township unit by `epizone assess`'s service on the files (all three years of cases, lag:1) and recorded
as one run, every day published. The dashboard does not write to the store, so each code under test (this tree,
and the baseline extracted with `git archive`) serves a copy of the same file with its own `epizone serve`.

Every round opens a fresh browser context (nothing cached) and measures, from the page's own clock
(``performance.now()``, milliseconds since navigation started):
- first contentful paint (the Paint Timing API), and ``drawn``: the moment the map or tile grid of the date is on
  screen (the frame after ``#map`` carries ``data-date``: set once the levels of the date are painted);
- a date change: the slider moved one day back with the keyboard, from the ``input`` event to the frame after the
  grid is painted for the new date, twice (days the page has not read yet); then one day forward (a day it read);
- this tree only (the baseline has no drill-down): a click on the province with the most townships until its
  cities are drawn, further down to a county's townships, and a date change there.
Medians of ``--rounds`` rounds, after one warm-up round that is not counted (the server's first reads).

    .venv/bin/python benchmarks/dashboard.py --baseline 5778535 --rounds 5
    .venv/bin/python benchmarks/dashboard.py --baseline '' --rounds 3      # this tree only
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INPUT = Path(os.environ.get("EPIZONE_BENCH_INPUT", HERE / "work" / "full"))
CACHE = HERE / "work" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
LAST = dt.date(2022, 12, 31)
TIMEOUT_MS = 180_000

# Installed before any script of the page runs: the moments the map is drawn for a date (the frame after
# ``#map[data-date]`` changes), the moment the slider moved, and the focus the grid shows.
PROBE = """
window.__drawn = {};
window.__input = null;
const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));
new MutationObserver((records) => {
  for (const r of records) {
    const el = r.target;
    if (el.id !== "map" || r.attributeName !== "data-date" && r.attributeName !== "data-focus") continue;
    const key = `${el.getAttribute("data-focus") || ""}@${el.getAttribute("data-date") || ""}`;
    if (!el.getAttribute("data-date") || key in window.__drawn) continue;
    window.__drawn[key] = null;
    afterPaint(() => { window.__drawn[key] = performance.now(); });
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-date", "data-focus"] });
window.addEventListener("input", (e) => {
  if (e.target && e.target.id === "date-slider") window.__input = performance.now();
}, true);
"""


# --- the store (built in a subprocess, with this tree on PYTHONPATH) ---------------------------------------------

def build(url: str, folder: Path, days: int) -> dict:
    """Areas, a township run of the last ``days`` days from the files, every day published; seconds per step."""
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
    first = LAST - dt.timedelta(days=days - 1)
    started = time.perf_counter()
    request = Request(areas=folder / "areas.csv", cases=folder / "cases.parquet", rules=rules, unit="township",
                      start=first, end=LAST, data_through=DataThrough(lag=1))
    every = [first + dt.timedelta(days=n) for n in range(days)]
    as_periods = "kept" in inspect.signature(_summary).parameters  # runs kept as periods (0007_level_periods on)
    table, summary = assess_table(request, output="periods", breaks=every) if as_periods else assess_table(request)
    took["assess"] = time.perf_counter() - started
    as_of, batch = data_moment(engine, None)
    started = time.perf_counter()
    described = _summary(summary, None) if as_periods else _summary(summary)
    run = record_run(engine, NewRun(rules, text, summary.unit, summary.start, summary.end, "lag:1", as_of, batch,
                                    summary.units, described), table, "bench")
    took["record run"] = time.perf_counter() - started
    started = time.perf_counter()
    day = first
    while day <= LAST:
        publish(engine, run.id, day, "bench")
        day += dt.timedelta(days=1)
    took["publish"] = time.perf_counter() - started
    engine.dispose()
    return {k: round(v, 2) for k, v in took.items()}


def _in_subprocess(src: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def cached_store(days: int) -> tuple[Path, dict]:
    """The national store with published levels (built by this tree when missing or stale)."""
    meta = json.loads((INPUT / "meta.json").read_text())
    key = hashlib.sha256(json.dumps([meta, days, LAST.isoformat()], sort_keys=True).encode()).hexdigest()[:16]
    store, stamp = CACHE / "store.db", CACHE / "store.json"
    if store.exists() and stamp.exists() and json.loads(stamp.read_text()).get("key") == key:
        return store, json.loads(stamp.read_text())
    CACHE.mkdir(parents=True, exist_ok=True)
    store.unlink(missing_ok=True)
    took = json.loads(_in_subprocess(ROOT / "src", __file__, "build", f"sqlite:///{store}", str(days))
                      .splitlines()[-1])
    found = {"key": key, "days": days, "build_seconds": took}
    stamp.write_text(json.dumps(found, indent=1))
    return store, found


# --- the server -----------------------------------------------------------------------------------------------

def start_server(src: Path, url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPIZONE_")} | {"PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "epizone.cli", "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port),
               "--public-read"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    import httpx2
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx2.TransportError:
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


# --- the browser ----------------------------------------------------------------------------------------------

def drawn_at(page, key: str) -> float:  # noqa: ANN001
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:  # polled: the page's policy forbids eval (wait_for_function)
        found = page.evaluate("(key) => window.__drawn[key]", key)
        if found:
            return found
        time.sleep(0.02)
    raise TimeoutError(f"the map of {key} was not drawn in {TIMEOUT_MS} ms")


def focus_of(page) -> str:  # noqa: ANN001
    return page.get_attribute("#map", "data-focus") or ""


def date_change(page, key: str, date: dt.date) -> float:  # noqa: ANN001
    """Milliseconds from the slider's input event (one key press) to the frame after the grid of ``date``."""
    target = f"{focus_of(page)}@{date.isoformat()}"
    page.evaluate("(key) => { delete window.__drawn[key]; }", target)
    page.focus("#date-slider")
    page.keyboard.press(key)
    drawn = drawn_at(page, target)
    return drawn - page.evaluate("window.__input")


def drill(page, code: str, date: dt.date) -> float:  # noqa: ANN001
    """Milliseconds from a click on a tile to the frame after its children are drawn."""
    page.evaluate("window.__clicked = null; document.addEventListener('click', "
                  "() => { window.__clicked = window.__clicked ?? performance.now(); }, { capture: true, once: true })")
    page.evaluate("(key) => { delete window.__drawn[key]; }", f"{code}@{date.isoformat()}")
    page.click(f"#map .unit[data-code='{code}']")
    drawn = drawn_at(page, f"{code}@{date.isoformat()}")
    return drawn - page.evaluate("window.__clicked")


def one_round(browser, base: str, drills: list[str]) -> dict:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_init_script("localStorage.setItem('epizone.lang', 'en');" + PROBE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    fetched: list[int] = []
    page.on("response", lambda r: fetched.append(int(r.headers.get("content-length", "0") or 0)))
    day, before = LAST, LAST - dt.timedelta(days=1)
    try:
        began = time.perf_counter()
        page.goto(f"{base}/#/map?date={day.isoformat()}", timeout=TIMEOUT_MS)
        found = {"drawn_ms": drawn_at(page, f"@{day.isoformat()}")}
        found["wall_s"] = round(time.perf_counter() - began, 2)
        found["fcp_ms"] = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
        found["requests_at_start"] = page.evaluate("performance.getEntriesByType('resource').length")
        found["bytes_at_start"] = page.evaluate(
            "performance.getEntriesByType('resource').reduce((n, r) => n + (r.transferSize || 0), 0)")
        found["tiles"] = page.locator("#map .unit").count()
        found["date_back_ms"] = date_change(page, "ArrowLeft", before)
        found["date_back_2_ms"] = date_change(page, "ArrowLeft", before - dt.timedelta(days=1))
        found["date_forward_ms"] = date_change(page, "ArrowRight", before)
        if drills and page.get_attribute("#map", "data-focus") is not None:
            for n, code in enumerate(drills):
                found[f"drill_{n + 1}_ms"] = drill(page, code, before)
            found["tiles_drilled"] = page.locator("#map .unit").count()
            found["date_back_drilled_ms"] = date_change(page, "ArrowLeft", before - dt.timedelta(days=1))
            found["date_forward_drilled_ms"] = date_change(page, "ArrowRight", before)
    finally:
        context.close()
    found["errors"] = errors
    return found


def measure(base: str, rounds: int, drills: list[str]) -> dict:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            warm = one_round(browser, base, drills)
            print(json.dumps({"warm-up": warm}), flush=True)
            found = []
            for _ in range(rounds):
                found.append(one_round(browser, base, drills))
                print(json.dumps(found[-1]), flush=True)
        finally:
            browser.close()
    keys = [k for k, v in found[0].items() if isinstance(v, int | float)]
    medians = {k: round(statistics.median(r[k] for r in found if k in r), 1) for k in keys}
    return {"medians": medians, "rounds": found, "warm_up": warm}


def deepest(store: Path) -> list[str]:
    """The province with the most townships, its city with the most, that city's county with the most."""
    import sqlite3
    with sqlite3.connect(store) as db:
        parent = dict(db.execute("select code, parent_code from areas where superseded_at is null"))
        kind = dict(db.execute("select code, kind from areas where superseded_at is null"))
    below: dict[str, int] = {}
    for code, k in kind.items():
        if k == "township":
            up = parent.get(code)
            while up:
                below[up] = below.get(up, 0) + 1
                up = parent.get(up)
    path, level = [], None
    for _ in range(3):
        children = [c for c, p in parent.items() if p == level and c in below]
        level = max(children, key=lambda c: (below[c], c))
        path.append(level)
    return path


def baseline_tree(commit: str, folder: Path) -> Path:
    target = folder / f"base-{commit}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="5778535", help="The commit to compare with ('' for none)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-rounds", type=int, default=None, help="Default: --rounds")
    parser.add_argument("--days", type=int, default=7, help="Days published (the last ones of the input)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    store, built = cached_store(args.days)
    drills = deepest(store)
    folder = Path(tempfile.mkdtemp())
    results = {"options": vars(args) | {"out": str(args.out)}, "store": built, "drills": drills,
               "load_before": os.getloadavg(), "runs": []}
    codes = [("this tree", ROOT / "src", args.rounds)]
    if args.baseline:
        codes.append((f"baseline {args.baseline}", baseline_tree(args.baseline, folder),
                      args.baseline_rounds or args.rounds))
    try:
        for n, (label, src, rounds) in enumerate(codes):
            copy = folder / f"store{n}.db"
            shutil.copyfile(store, copy)
            port = 8790 + n
            server = start_server(src, f"sqlite:///{copy}", port)
            try:
                found = measure(f"http://127.0.0.1:{port}", rounds, drills)
            finally:
                stop_server(server)
            results["runs"].append({"code": label, **found, "load_after": os.getloadavg()})
            print(json.dumps({"code": label, "medians": found["medians"]}), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    args.out.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat()
    (args.out / f"dashboard-{stamp}.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out / f'dashboard-{stamp}.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        print(json.dumps(build(sys.argv[2], INPUT, int(sys.argv[3]))))
    else:
        main()
