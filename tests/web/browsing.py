"""Helpers of the browser tests: a real `epizone serve` process, the engine's levels for the demo, and a dashboard
page in Debian's Chromium (driven by Playwright) that records every request it makes and every script error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from playwright.sync_api import Browser, BrowserContext, Page

from epizone.domain.rules import load_rule_set
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_table
from epizone.services.demo import SERIES_END, SERIES_START, demo_file
from epizone.web.palette import HATCH, fills
from pgserver import free_port

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass
class Server:
    url: str
    folder: Path            # the working directory of `epizone serve`
    database_url: str
    log: Path


@contextmanager
def serving(folder: Path, *options: str, database_url: str = "") -> Iterator[Server]:
    """`epizone serve OPTIONS` as a separate process in ``folder`` on a free loopback port, until the block ends."""
    port = free_port()
    log = folder / "serve.log"
    command = [sys.executable, "-m", "epizone.cli", "serve", *options, "--host", "127.0.0.1", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPIZONE_")}
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield Server(url, folder, database_url, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Graded:
    """What the engine computes for the demo under one rule set: level and row per (code, date), and its fills."""

    rule_set: str
    rows: dict[tuple[str, str], dict] = field(default_factory=dict)

    def on(self, date: str) -> dict[str, dict]:
        return {code: row for (code, day), row in self.rows.items() if day == date}

    def fills_on(self, date: str) -> dict[str, str]:
        palette = fills(load_rule_set(self.rule_set))
        return {code: _fill(palette[row["level"]]) for code, row in self.on(date).items()}


def _fill(value: str) -> str:
    return "url(#hatch)" if value == HATCH else value


def grade(rule_set: str) -> Graded:
    table, _ = assess_table(Request(areas=demo_file("areas.csv"), counts=demo_file("counts.csv"), rules=rule_set,
                                    start=SERIES_START, end=SERIES_END, data_through=DataThrough(lag=1)))
    graded = Graded(rule_set)
    for row in table.to_pylist():
        graded.rows[(row["area_code"], row["date"].isoformat())] = row
    return graded


class Requests:
    """Every request a page made, by host."""

    def __init__(self) -> None:
        self.by_host: dict[str, list[str]] = defaultdict(list)

    def record(self, request) -> None:  # noqa: ANN001
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        self.by_host[parts.hostname or parts.scheme].append(request.url)

    def elsewhere(self) -> dict[str, list[str]]:
        return {host: urls for host, urls in self.by_host.items() if host not in LOCAL_HOSTS}


@dataclass
class Dashboard:
    page: Page
    base: str
    requests: Requests
    errors: list[str] = field(default_factory=list)  # uncaught script errors

    def open(self, hash_: str = "#/map") -> Page:
        self.page.goto(f"{self.base}/{hash_}")
        self.page.wait_for_selector("body[data-ready='true']")
        return self.page

    def open_map(self, date: str) -> Page:
        page = self.open(f"#/map?date={date}")
        self.wait_for_map(date)
        return page

    def wait_for_map(self, date: str) -> None:
        self.page.wait_for_selector(f"#map[data-date='{date}']")

    def fills(self) -> dict[str, str]:
        return dict(self.page.eval_on_selector_all(
            "#map .unit", "els => els.map(e => [e.dataset.code, e.getAttribute('fill')])"))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


def new_dashboard(browser: Browser, base: str, lang: str = "en", token: str | None = None,
                  viewport: dict[str, int] | None = None) -> tuple[Dashboard, BrowserContext]:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="en-US")
    script = f"localStorage.setItem('epizone.lang', '{lang}');"
    script += f"localStorage.setItem('epizone.token', '{token}');" if token else ""
    # seeded once per tab, so a reload keeps what the page itself changed (the language switch)
    context.add_init_script(f"if (!sessionStorage.getItem('seeded')) {{ {script} "
                            "sessionStorage.setItem('seeded', '1'); }")
    requests = Requests()
    context.on("request", requests.record)
    board = Dashboard(context.new_page(), base, requests)
    board.page.on("pageerror", lambda error: board.errors.append(str(error)))
    return board, context


