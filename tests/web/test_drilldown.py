"""A store with more units than a tile grid of every unit can show (GRID_LIMIT): the map opens on the provinces,
each with its units' counts by level, and drills down by click to cities, counties and townships; the date slider
and the search keep working, and the page never reads every unit's level nor (until search needs it) every area."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from epizone.domain.cutoff import DataThrough
from epizone.domain.rules import load_rule_set
from epizone.services.runs import RunRequest, run_assessment
from epizone.store import migrate
from epizone.store.db import make_engine, reading
from epizone.store.imports import import_file
from epizone.store.levels import levels_in_force
from epizone.store.publish import publish
from epizone.web.palette import fills

from web.browsing import Server, new_dashboard, serving

D1, D2 = dt.date(2020, 2, 1), dt.date(2020, 2, 2)
PROVINCES, CITIES, COUNTIES, TOWNSHIPS = 3, 3, 4, 60  # 2,160 townships: above the dashboard's GRID_LIMIT (2,000)


def areas_csv() -> str:
    lines = ["code,name,parent_code,kind,population,name_english"]
    for p in range(1, PROVINCES + 1):
        lines.append(f"{p}0,省{p},,province,,Province {p}")
        for c in range(1, CITIES + 1):
            lines.append(f"{p}0{c}0,市{p}{c},{p}0,city,,City {p}{c}")
            for k in range(1, COUNTIES + 1):
                county = f"{p}0{c}0{k}0"
                lines.append(f"{county},县{p}{c}{k},{p}0{c}0,county,,County {p}{c}{k}")
                lines += [f"{county}{t:03d},镇{p}{c}{k}-{t},{county},township,,Town {p}{c}{k}-{t}"
                          for t in range(1, TOWNSHIPS + 1)]
    return "\n".join(lines) + "\n"


# day 1: two cases in 101010001 (medium); day 2: 60 in 202020002 (high), one in 303030003 (medium)
CASES = "case_id,report_date,area_code,classification,cluster_id\n" + "".join(
    ["a1,2020-02-01,101010001,confirmed,\n", "a2,2020-02-01,101010001,confirmed,\n"]
    + [f"b{i},2020-02-02,202020002,confirmed,{'X' if i < 2 else ''}\n" for i in range(60)]
    + ["c1,2020-02-02,303030003,confirmed,\n"])


@dataclass
class National:
    server: Server
    levels: dict[dt.date, dict[str, str]]  # township -> published level in force, per day


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[National]:
    folder = tmp_path_factory.mktemp("national")
    url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        (folder / "areas.csv").write_text(areas_csv(), encoding="utf-8")
        (folder / "cases.csv").write_text(CASES, encoding="utf-8")
        import_file(engine, "areas", folder / "areas.csv", "test")
        import_file(engine, "cases", folder / "cases.csv", "test")
        run = run_assessment(engine, RunRequest("cn-2020-02", D1, D2, DataThrough(lag=0), unit="township",
                                                data_end=D2), "test")
        levels = {}
        for day in (D1, D2):
            publish(engine, run.id, day, "test")
        with reading(engine) as connection:
            for day in (D1, D2):
                levels[day] = {code: row["level"] for code, row in levels_in_force(connection, day).items()}
    finally:
        engine.dispose()
    with serving(folder, "--db", url, "--public-read", database_url=url) as server:
        yield National(server, levels)


def counts_below(levels: dict[str, str], prefix: str) -> dict[str, int]:
    """The levels of the townships whose code starts with ``prefix`` (the codes nest: 10 > 1010 > 101010 > ...)."""
    return dict(Counter(level for code, level in levels.items() if code.startswith(prefix)))


def bars(page) -> dict[str, dict[str, int]]:  # noqa: ANN001
    """Each area tile's bar: level -> the count it stands for."""
    return page.eval_on_selector_all("#map .unit.group", """els => Object.fromEntries(els.map(e => [e.dataset.code,
        Object.fromEntries([...e.parentElement.querySelectorAll('.box-bar rect[data-level]')].map(
            r => [r.dataset.level, Number(r.dataset.count)]))]))""")


def test_the_map_opens_on_the_provinces_and_drills_down_to_the_townships(browser, national):
    assert set(national.levels[D2].values()) == {"low", "medium", "high"}
    board, context = new_dashboard(browser, national.server.url)
    page = board.open(f"#/map?date={D2}")
    board.wait_for_map(D2.isoformat())
    assert page.get_attribute("#map", "data-view") == "areas" and page.get_attribute("#map", "data-focus") == ""
    assert page.is_disabled("#view-mode option[value='grid']")  # too many units for a tile per unit
    assert bars(page) == {f"{p}0": counts_below(national.levels[D2], f"{p}0") for p in (1, 2, 3)}
    legend = dict(zip(page.eval_on_selector_all("#legend li[data-level]", "els => els.map(e => e.dataset.level)"),
                      page.locator("#legend .legend-count").all_text_contents()))
    assert legend == {level: f"{n} areas" for level, n in Counter(national.levels[D2].values()).items()} | {
        level: "0 areas" for level in ("low", "medium", "high") if level not in national.levels[D2].values()}
    assert page.locator("#changes li a").all_text_contents() == ["Town 222-2", "Town 333-3"]

    for code, children in (("20", 3), ("2020", 4)):
        page.click(f"#map .unit[data-code='{code}']")
        page.wait_for_selector(f"#map[data-focus='{code}'][data-date='{D2}']")
        assert page.locator("#map .unit.group").count() == children
        assert bars(page) == {c: counts_below(national.levels[D2], c) for c in bars(page)}
    assert page.locator("#crumbs a").all_text_contents() == ["All areas", "Province 2"]
    assert page.text_content("#crumbs [aria-current]") == "City 22"
    assert "area=2020" in page.url

    page.click("#map .unit[data-code='202020']")
    page.wait_for_selector(f"#map[data-focus='202020'][data-date='{D2}']")
    palette = fills(load_rule_set("cn-2020-02"))
    assert board.fills() == {code: palette[level] for code, level in national.levels[D2].items()
                             if code.startswith("202020")}
    assert page.locator("#map rect.tile").count() == TOWNSHIPS
    page.click("#crumbs a >> text=Province 2")  # back up the way
    page.wait_for_selector(f"#map[data-focus='20'][data-date='{D2}']")
    page.click("#map .unit[data-code='2020']")
    page.wait_for_selector(f"#map[data-focus='2020'][data-date='{D2}']")
    page.click("#map .unit[data-code='202020']")
    page.wait_for_selector(f"#map[data-focus='202020'][data-date='{D2}']")
    page.click("#map .unit[data-code='202020002']")
    page.wait_for_selector("#level-card[data-level='high']")
    assert page.text_content("#area-name") == "Town 222-2"
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_a_date_change_redraws_the_counts_and_keeps_the_area_shown(browser, national):
    board, context = new_dashboard(browser, national.server.url)
    page = board.open(f"#/map?date={D2}&area=2020")
    board.wait_for_map(D2.isoformat())
    assert bars(page)["202020"] == counts_below(national.levels[D2], "202020") == {"low": 59, "high": 1}
    page.focus("#date-slider")
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector(f"#map[data-focus='2020'][data-date='{D1}']")
    assert bars(page)["202020"] == counts_below(national.levels[D1], "202020") == {"low": 60}
    assert "area=2020" in page.url and f"date={D1}" in page.url
    assert page.text_content("#changes") == "No level changed on this day"  # the first publication
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []


def test_search_reads_the_areas_when_first_used_and_every_unit_is_never_read(browser, national):
    board, context = new_dashboard(browser, national.server.url)
    page = board.open(f"#/map?date={D2}")
    board.wait_for_map(D2.isoformat())
    asked = [url for urls in board.requests.by_host.values() for url in urls]
    assert not any("/dashboard/areas" in url for url in asked)  # not before the first paint
    page.fill("#search", "town 333-3")
    page.wait_for_selector("#search-results li[data-code='303030003']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#level-card[data-level='medium']")
    page.fill("#search", "镇111-60")
    page.wait_for_selector("#search-results li[data-code='101010060']")
    asked = [url for urls in board.requests.by_host.values() for url in urls]
    assert not any("/api/v1/levels?" in url for url in asked)  # no list of every unit's level
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []
