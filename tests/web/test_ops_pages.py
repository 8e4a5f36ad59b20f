"""The operations page (#/ops/CODE?date=) on the demo that `epizone serve --demo` builds, with its SYNTHETIC
operations data: in headless Chromium, what the page shows for a county on 23 Feb 2020 against what the API
answers for the same county and date (fetched here, not copied numbers); the language switch; the province's
lists; the token the demo prints; the store rebuilt when the operations data change."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from epizone.domain.rules import load_rule_set
from epizone.ops import demo as ops_demo
from epizone.services import demo_store as store
from epizone.services.demo_store import officer_token

from web.browsing import new_dashboard

DAY = "2020-02-23"
JINJIANG = "350582"  # 晋江市: medium risk on the day, with open bottlenecks, a flagged enterprise, a supply alert
PROVINCE = "350000"


@pytest.fixture(scope="module")
def token(demo_server) -> str:
    return officer_token(demo_server.database_url)


def api(server, token: str, path: str, **params: str) -> dict:
    answer = httpx2.get(f"{server.url}/api/v1{path}", params=params, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def test_a_countys_operations_page_shows_what_the_api_answers_in_english_and_chinese(browser, demo_server, token):
    expected = api(demo_server, token, f"/ops/overview/{JINJIANG}", date=DAY)
    series = api(demo_server, token, "/ops/resumption", start="2020-01-20", end=DAY, by="total", area=JINJIANG)
    assert expected["synthetic"] is True and expected["level"] and expected["bottlenecks"]["open"] > 0
    board, context = new_dashboard(browser, demo_server.url, token=token)
    page = board.open(f"#/area/{JINJIANG}?date={DAY}")
    assert page.get_attribute("a.to-ops", "href") == f"#/ops/{JINJIANG}?date={DAY}"  # the area's page links here
    page.click("[data-nav='ops']")  # the nav entry opens on the area and date last shown
    page.wait_for_selector("#ops-level[data-level]")
    assert page.url.endswith(f"#/ops/{JINJIANG}?date={DAY}") and page.input_value("#ops-date") == DAY
    assert page.get_attribute("[data-nav='ops']", "aria-current") == "page"
    rules = load_rule_set("cn-2020-02")
    level = next(lv for lv in rules.levels if lv.id == expected["level"]["level"])
    assert page.get_attribute("#ops-level", "data-level") == level.id
    assert page.text_content("#ops-level .level-label") == level.en
    assert page.text_content("#ops-level .policy") == expected["policy"]["en"]
    assert page.get_attribute("#ops-level .policy", "data-allows") == expected["policy"]["allows"]
    total = expected["resumption"]["total"]
    assert page.text_content("#resumption-rate") == percent(total["resumption_rate"])
    assert page.text_content("#workforce-rate") == percent(total["workforce_rate"])
    assert page.text_content("#bottlenecks-open") == str(expected["bottlenecks"]["open"])
    opened = page.eval_on_selector_all("#bottlenecks-oldest tbody tr", "rows => rows.map(r => Number(r.dataset.id))")
    assert opened == [b["id"] for b in expected["bottlenecks"]["oldest"]]
    flagged = page.eval_on_selector_all("#flagged li", "els => els.map(e => [e.dataset.enterprise, e.dataset.flag])")
    assert flagged == [[f["enterprise_code"], f["flag"]] for f in expected["resumption"]["flagged"]] and flagged
    assert page.text_content("#deficiencies-open") == str(expected["inspections"]["open_deficiencies"])
    alerts = page.eval_on_selector_all("#supply-alerts li", "els => els.map(e => e.dataset.item)")
    assert alerts == [a["item"] for a in expected["supplies"]["alerts"]]
    days = dict(page.eval_on_selector_all("#supply-items tr[data-item]", "rows => rows.map(r => "
                                          "[r.dataset.item, r.querySelector('.days-left').textContent])"))
    assert days == {i["item"]: f"{i['days_left']:.1f}" for i in expected["supplies"]["items"]}
    banner = page.locator("#synthetic")
    assert banner.is_visible() and banner.text_content().startswith("SYNTHETIC DATA")
    assert expected["notice"] in banner.text_content()
    page.wait_for_selector("#resumption-chart[data-points]")
    assert page.get_attribute("#resumption-chart", "data-points") == str(len(series["items"])) != "0"
    board.screenshot("ops.png")

    page.click("#lang")
    page.wait_for_selector("#ops-level[data-level]")
    assert page.text_content("#ops-resumption-title") == "复工复产"
    assert page.text_content("#ops-bottlenecks-title") == "复工堵点"
    assert page.text_content("#ops-supplies-title") == "一线医疗物资"
    assert page.text_content("#ops-level .level-label") == level.zh
    assert page.text_content("#ops-level .policy") == expected["policy"]["zh"]
    assert page.text_content("#ops-title").startswith("晋江市")
    assert page.text_content("#synthetic strong") == "合成数据(SYNTHETIC)"
    assert page.text_content("#bottlenecks-open") == str(expected["bottlenecks"]["open"])
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []
    assert any(f"/api/v1/ops/overview/{JINJIANG}?date={DAY}" in url for url in board.requests.by_host["127.0.0.1"])


def test_the_province_lists_supply_alerts_and_overdue_deficiencies_worst_first(browser, demo_server, token):
    with ThreadPoolExecutor(1) as pool:  # the API's answer is read while the browser loads the page
        asked = pool.submit(api, demo_server, token, f"/ops/overview/{PROVINCE}", date=DAY)
        _province_page(browser, demo_server, token, asked)


def _province_page(browser, demo_server, token, asked) -> None:  # noqa: ANN001
    board, context = new_dashboard(browser, demo_server.url, token=token)
    page = board.open(f"#/ops/{JINJIANG}?date={DAY}")
    page.wait_for_selector("#ops-level")
    page.click("a.to-province")
    page.wait_for_selector("#supply-alerts")
    expected = asked.result()
    assert page.url.endswith(f"#/ops/{PROVINCE}?date={DAY}")
    below = dict(page.eval_on_selector_all("#ops-level li[data-level]", "els => els.map(e => "
                                           "[e.dataset.level, Number(e.textContent.split(':').pop())])"))
    assert below == expected["levels_below"] and sum(below.values()) == 88
    alerts = page.eval_on_selector_all("#supply-alerts li", "els => els.map(e => [e.dataset.code, e.dataset.item, "
                                       "Number(e.querySelector('strong').textContent)])")
    assert [a[:2] for a in alerts] == [[a["code"], a["item"]] for a in expected["supplies"]["alerts"]] and alerts
    assert [a[2] for a in alerts] == sorted(a[2] for a in alerts)  # worst (fewest days) first
    overdue = page.locator("#overdue tbody tr")
    assert overdue.count() == len(expected["inspections"]["overdue"]) > 0
    assert page.text_content("#deficiencies-overdue") == str(len(expected["inspections"]["overdue"]))
    assert page.locator("#synthetic").is_visible()
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_without_a_token_the_page_asks_for_one(dashboard):
    page = dashboard.open(f"#/ops/{JINJIANG}?date={DAY}")
    page.wait_for_selector("#ops-error")
    assert "need a token" in page.text_content("#ops-error")
    assert page.locator("details.token").get_attribute("open") is not None
    assert page.locator("#synthetic").count() == 0


def test_serve_demo_prints_a_token_that_reads_the_operations(demo_server):
    printed = re.search(r"paste (\S+) under Token", demo_server.log.read_text())
    assert printed
    answer = api(demo_server, printed.group(1), f"/ops/overview/{JINJIANG}", date=DAY)
    assert answer["synthetic"] is True and answer["area"]["name"] == "晋江市"
    refused = httpx2.get(f"{demo_server.url}/api/v1/ops/overview/{JINJIANG}", params={"date": DAY}, timeout=30)
    assert refused.status_code == 401


def test_the_demo_store_holds_the_operations_data_and_is_rebuilt_when_they_change(demo_server, tmp_path,
                                                                                  monkeypatch):
    from sqlalchemy import func, select

    from epizone.ops.models import Enterprise
    from epizone.store.db import make_engine, reading

    engine = make_engine(demo_server.database_url)
    try:
        with reading(engine) as connection:
            enterprises = connection.scalar(select(func.count()).select_from(Enterprise))
    finally:
        engine.dispose()
    with ops_demo.ops_file("enterprises.csv").open(encoding="utf-8") as handle:
        assert enterprises == sum(1 for _ in handle) - 1 > 0
    before = store._digest()
    changed = tmp_path / "supplies.csv"
    changed.write_bytes(ops_demo.ops_file("supplies.csv").read_bytes() + b"\n")
    original = ops_demo.ops_file
    monkeypatch.setattr(ops_demo, "ops_file", lambda name: changed if name == "supplies.csv" else original(name))
    assert store._digest() != before
    monkeypatch.setattr(ops_demo, "ops_file", original)
    assert store._digest() == before
    assert Path(demo_server.folder / "out" / "demo-store" / "fujian2020.db.sha256").read_text().strip() == before


def test_searching_from_the_operations_page_opens_the_areas_operations(browser, demo_server, token):
    board, context = new_dashboard(browser, demo_server.url, token=token)
    page = board.open(f"#/ops/{PROVINCE}?date={DAY}")
    page.fill("#search", "Jinjiang")
    page.press("#search", "Enter")
    page.wait_for_selector("#ops-level[data-level]")
    assert page.url.endswith(f"#/ops/{JINJIANG}?date={DAY}")
    board.open(f"#/map?date={DAY}")
    page.fill("#search", "Jinjiang")
    page.press("#search", "Enter")  # from any other page, to the area page
    page.wait_for_selector(f"article.area-page[data-code='{JINJIANG}']")
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []
