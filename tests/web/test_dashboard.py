"""The dashboard on the bundled demo, in headless Chromium: the map against the engine's levels, the slider and
playback, an area's reasons, the language switch, search, keyboard use, a phone screen, and not one request
leaving the machine."""

from __future__ import annotations

from collections import Counter

import httpx2

from epizone.domain.rules import load_rule_set
from epizone.store.db import make_engine
from epizone.store.measures import shipped_measures
from epizone.store.tokens import create_token
from epizone.store.users import add_user

from web.browsing import Dashboard, grade, new_dashboard

DAY = "2020-02-23"
SONGXI = "350724"  # 松溪县: a large county, medium risk on the day
INDICATORS = ("cumulative_confirmed", "new_confirmed_14d", "cluster_14d", "days_since_last_confirmed")


def shown(value: object) -> str:
    """An indicator value as the English page shows it."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "–"}[value]
    return str(value)


def runs(series: list[str]) -> list[tuple[int, str, int]]:
    """(first index, value, length) of each run of equal values."""
    found: list[tuple[int, str, int]] = []
    for i, value in enumerate(series):
        if found and found[-1][1] == value:
            found[-1] = (found[-1][0], value, found[-1][2] + 1)
        else:
            found.append((i, value, 1))
    return found


def units_attribute(board: Dashboard, name: str) -> dict[str, str]:
    return dict(board.page.eval_on_selector_all(
        "#map .unit", f"els => els.map(e => [e.dataset.code, e.getAttribute('{name}')])"))


def test_the_map_draws_every_unit_in_the_colour_of_the_level_the_engine_computed(dashboard, engine_levels):
    page = dashboard.open_map(DAY)
    drawn = dashboard.fills()
    assert len(drawn) == 88 == len(engine_levels.on(DAY))
    assert drawn == engine_levels.fills_on(DAY)
    assert units_attribute(dashboard, "data-level") == {code: r["level"] for code, r in engine_levels.on(DAY).items()}
    assert page.locator("#map path.unit").count() == 84 and page.locator("#map circle.unit").count() == 4
    counts = Counter(r["level"] for r in engine_levels.on(DAY).values())
    legend = dict(page.eval_on_selector_all("#legend li[data-level]", "items => items.map(i => "
                                            "[i.dataset.level, i.querySelector('.legend-count').textContent])"))
    assert legend == {"low": f"{counts['low']} areas", "medium": f"{counts['medium']} areas", "high": "0 areas"}
    page.hover(f"#map .unit[data-code='{SONGXI}']")
    assert page.locator("#tooltip").is_visible()
    assert page.text_content("#tooltip") == f"Songxi County {SONGXI}Medium risk"
    dashboard.screenshot("map.png")


def test_the_slider_and_play_button_move_the_map_through_time(dashboard, engine_levels):
    page = dashboard.open_map(DAY)
    before = dashboard.fills()
    page.focus("#date-slider")
    for _ in range(18):
        page.keyboard.press("ArrowLeft")
    dashboard.wait_for_map("2020-02-05")
    after = dashboard.fills()
    assert after == engine_levels.fills_on("2020-02-05") and after != before
    assert page.text_content("#date-label") == "5 Feb 2020" and page.url.endswith("#/map?date=2020-02-05")
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    dashboard.wait_for_map("2020-02-07")  # played through the 6th to the 7th
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    stopped = page.get_attribute("#map", "data-date")
    page.wait_for_timeout(1000)  # more than a frame's time (0.7 s): a paused map stays where it is
    assert page.get_attribute("#map", "data-date") == stopped > "2020-02-06"
    assert dashboard.fills() == engine_levels.fills_on(stopped)


def test_clicking_a_county_opens_its_page_with_the_clause_and_indicators(dashboard, engine_levels):
    page = dashboard.open_map(DAY)
    page.click(f"#map .unit[data-code='{SONGXI}']")
    page.wait_for_selector("#level-card[data-level]")
    row = engine_levels.on(DAY)[SONGXI]
    assert page.url.endswith(f"#/area/{SONGXI}?date={DAY}")
    assert page.text_content("#area-name") == "Songxi County"
    assert page.get_attribute("#level-card", "data-level") == row["level"] == "medium"
    assert page.text_content("#level-card .clause") == row["reason_code"]
    assert row["reason"] in page.text_content("#level-card .reason")
    values = dict(page.eval_on_selector_all("#level-card tr[data-indicator]", "rows => rows.map(r => "
                                            "[r.dataset.indicator, r.querySelector('.value').textContent])"))
    assert values == {name: shown(row[name]) for name in INDICATORS}
    page.wait_for_selector("#measures li")
    measures = [m["text_en"] for m in shipped_measures() if (m["rule_set_id"], m["level"]) == ("cn-2020-02", "medium")]
    assert page.locator("#measures li").all_text_contents() == measures and measures
    page.wait_for_selector(".timeline rect.segment")
    days = sorted(d for (code, d) in engine_levels.rows if code == SONGXI)
    series = [engine_levels.rows[(SONGXI, d)]["level"] for d in days]
    stretches = [(level, days[i], days[i + n - 1]) for i, level, n in runs(series)]
    drawn = page.eval_on_selector_all(".timeline rect.segment",
                                      "els => els.map(e => [e.dataset.level, e.dataset.start, e.dataset.end])")
    assert drawn == [list(s) for s in stretches]
    page.wait_for_selector("#area-announcements li")
    assert page.locator("#area-announcements li[data-number]").count() == len(stretches)  # the first, then each change
    dashboard.screenshot("area.png")


def test_the_language_switch_changes_the_page_and_the_names(browser, demo_server, engine_levels):
    board, context = new_dashboard(browser, demo_server.url, lang="zh")
    page = board.open_map(DAY)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.text_content("[data-nav='map']") == "地图" and page.text_content("#date-label") == "2020年2月23日"
    assert page.text_content("#legend li[data-level='low'] .legend-label") == "低风险"
    assert page.get_attribute(f"#map .unit[data-code='{SONGXI}']", "aria-label") == "松溪县: 中风险"
    page.click("#lang")
    board.wait_for_map(DAY)
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("[data-nav='map']") == "Map" and page.text_content("#date-label") == "23 Feb 2020"
    assert page.text_content("#legend li[data-level='low'] .legend-label") == "Low risk"
    assert page.get_attribute(f"#map .unit[data-code='{SONGXI}']", "aria-label") == "Songxi County: Medium risk"
    page.click("#lang")
    page.click(f"#map .unit[data-code='{SONGXI}']")
    page.wait_for_selector("#level-card[data-level]")
    fired = engine_levels.on(DAY)[SONGXI]["reason_code"]
    clause = next(c for c in load_rule_set("cn-2020-02").clauses if c.code == fired)
    assert page.text_content("#area-name") == "松溪县" and clause.zh in page.text_content("#level-card .reason")
    assert page.text_content("#level-card .level-label") == "中风险"
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_search_finds_an_area_by_characters_traditional_pinyin_english_or_code(dashboard):
    page = dashboard.open_map(DAY)
    for query, code in [("鼓楼", "350102"), ("鼓樓", "350102"), ("gulou", "350102"), ("Jin'an", "350111"),
                        ("jinan", "350111"), ("廈門", None), ("Songxi County", SONGXI), ("350724", SONGXI)]:
        page.fill("#search", query)
        first = page.locator("#search-results li").first
        assert first.get_attribute("data-code") == code, query  # 廈門 is a city: no level of its own, not offered
    page.keyboard.press("Enter")
    page.wait_for_selector("#level-card[data-level]")
    assert page.url.endswith(f"#/area/{SONGXI}?date={DAY}")


def test_the_keyboard_reaches_the_search_the_slider_and_the_units(dashboard):
    page = dashboard.open_map(DAY)
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if reached[-1] == "date-slider":
            break
    assert "search" in reached and reached[-1] == "date-slider" and reached.index("search") < len(reached) - 1
    page.keyboard.press("ArrowRight")
    dashboard.wait_for_map("2020-02-24")
    page.focus("#map .unit[data-code='350102']")
    assert page.locator("#tooltip").is_visible() and "Gulou District" in page.text_content("#tooltip")
    page.keyboard.press("Enter")
    page.wait_for_selector("#level-card[data-level]")
    assert page.url.endswith("#/area/350102?date=2020-02-24")


def test_overview_and_announcements(dashboard, engine_levels):
    page = dashboard.open("#/overview")
    page.wait_for_selector(".stacked path.layer")
    assert page.eval_on_selector_all(".stacked path.layer", "els => els.map(e => e.dataset.level)") == [
        "low", "medium", "high"]
    counts = Counter(r["level"] for r in engine_levels.on(DAY).values())
    row = page.locator(".numbers tbody tr", has_text="23 Feb 2020")
    assert row.locator("td").all_text_contents() == [str(counts["low"]), str(counts["medium"]), "0"]
    page.wait_for_selector(".latest tbody tr")
    assert page.locator(".latest tbody tr").first.locator("td").first.text_content() == "10 Mar 2020"
    page.click("[data-nav='announcements']")
    page.wait_for_selector("#announcements li[data-number]")
    numbers = page.eval_on_selector_all("#announcements li[data-number]",
                                        "els => els.map(e => Number(e.dataset.number))")
    assert numbers == list(range(51, 0, -1))
    page.click("#announcement-35 summary")
    text = page.text_content("#announcement-35 .announcement-text")
    assert text.startswith("Announcement No. 35: risk levels in force from 2020-02-23")


def test_a_signed_in_viewer_colours_the_map_by_another_rule_sets_run(browser, demo_server):
    engine = make_engine(demo_server.database_url)
    try:
        add_user(engine, "vic", "viewer", None, "test")
        token = create_token(engine, "vic", "test").token
    finally:
        engine.dispose()
    board, context = new_dashboard(browser, demo_server.url, token=token)
    page = board.open_map(DAY)
    option = page.locator("#source option", has_text="fj-2020-02")
    page.select_option("#source", option.get_attribute("value"))
    page.wait_for_selector("#legend[data-rule-set^='fj-2020-02']")
    board.wait_for_map(DAY)
    assert board.fills() == grade("fj-2020-02").fills_on(DAY)
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_the_map_fits_a_phone_screen(browser, demo_server, engine_levels):
    board, context = new_dashboard(browser, demo_server.url, viewport={"width": 390, "height": 844})
    page = board.open_map(DAY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    box = page.locator("#map").bounding_box()
    assert 300 < box["width"] <= 390
    assert board.fills() == engine_levels.fills_on(DAY)
    page.click(f"#map .unit[data-code='{SONGXI}']")
    page.wait_for_selector("#level-card[data-level]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_every_page_loads_from_this_server_only(dashboard, demo_server):
    for hash_ in (f"#/map?date={DAY}", "#/overview", "#/announcements", f"#/area/{SONGXI}?date={DAY}"):
        dashboard.open(hash_)
        dashboard.page.wait_for_load_state("networkidle")
    assert dashboard.requests.elsewhere() == {}
    served = {url.removeprefix(demo_server.url) for urls in dashboard.requests.by_host.values() for url in urls}
    assert {"/static/vendor/d3/d3.min.js", "/static/app.css", "/api/v1/geometry"} <= served
    policy = httpx2.get(f"{demo_server.url}/", timeout=5).headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy


def test_moving_on_before_a_page_has_loaded_leaves_no_script_error(dashboard):
    """Answers that arrive after the user moved on must not touch the page now shown (the fixture asserts that no
    script error happened); the last page shown is whole."""
    dashboard.open(f"#/area/{SONGXI}?date={DAY}")
    for hash_ in ("#/overview", f"#/area/{SONGXI}?date={DAY}", "#/announcements", f"#/area/{SONGXI}?date={DAY}",
                  f"#/map?date={DAY}", f"#/area/{SONGXI}?date={DAY}") * 2:
        dashboard.page.evaluate("hash => { location.hash = hash; }", hash_)  # no waiting in between
    dashboard.page.wait_for_load_state("networkidle")
    dashboard.page.wait_for_selector("#level-card[data-level]")
    assert dashboard.page.locator("#view > .page").count() == 1
