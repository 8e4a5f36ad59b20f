"""Fixtures of the browser tests (helpers in ``browsing.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from web.browsing import CHROMIUM, Dashboard, Graded, Server, grade, new_dashboard, serving


@pytest.fixture(scope="session")
def engine_levels() -> Graded:
    return grade("cn-2020-02")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`epizone serve --demo` as a new user runs it, in an empty working directory."""
    folder = tmp_path_factory.mktemp("serve-demo")
    database = folder / "out" / "demo-store" / "fujian2020.db"
    with serving(folder, "--demo", database_url=f"sqlite:///{database}") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (`make test` does, scripts/ensure_chromium.sh)"
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's sandbox refuses to run as root
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield launched
        launched.close()


@pytest.fixture
def dashboard(browser: Browser, demo_server: Server) -> Iterator[Dashboard]:
    """A fresh browser context in English on the demo; afterwards: no request left the machine, no script error."""
    board, context = new_dashboard(browser, demo_server.url)
    yield board
    context.close()
    assert board.requests.elsewhere() == {}, "requests left localhost"
    assert board.requests.by_host, "the page made no request at all"
    assert board.errors == []
