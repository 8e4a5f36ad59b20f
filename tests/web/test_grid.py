"""Units without boundaries (townships here) are drawn as a tile grid grouped by the area above them, never as a
blank page; with public read off the dashboard asks for a token, and works with one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from epizone.domain.rules import load_rule_set
from epizone.domain.cutoff import DataThrough
from epizone.store import migrate
from epizone.store.db import make_engine, reading
from epizone.store.imports import import_file
from epizone.store.levels import levels_in_force
from epizone.store.publish import publish
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.tokens import create_token
from epizone.store.users import add_user
from epizone.web.palette import fills

from web.browsing import Server, new_dashboard, serving

DAY = dt.date(2020, 2, 10)
AREAS = """code,name,parent_code,kind,population
35,Fujian,,province,41540086
3501,Fuzhou,35,city,8291268
350102,Taijiang,3501,county,411819
350103,Cangshan,3501,county,
350102001,Aofeng,350102,township,
350102002,Houzhou,350102,township,
350102003,Ninghua,350102,township,
350103001,Jinshan,350103,township,
350103002,Gaishan,350103,township,
"""
# two cases in Aofeng (medium); 60 in Gaishan, two of them one cluster (high); none elsewhere (low)
CASES = "case_id,report_date,area_code,classification,cluster_id\n" + "".join(
    [f"a{i},2020-02-01,350102001,confirmed,\n" for i in range(2)]
    + [f"g{i},2020-02-03,350103002,confirmed,{'K1' if i < 2 else ''}\n" for i in range(60)])


@dataclass
class Townships:
    server: Server           # `epizone serve` with public read off
    levels: dict[str, str]   # township code -> published level
    token: str               # a viewer's


@pytest.fixture(scope="module")
def townships(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Townships]:
    folder = tmp_path_factory.mktemp("townships")
    url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
        (folder / "cases.csv").write_text(CASES, encoding="utf-8")
        import_file(engine, "areas", folder / "areas.csv", "test")
        import_file(engine, "cases", folder / "cases.csv", "test")
        run = run_assessment(engine, RunRequest("cn-2020-02", DAY, DAY, DataThrough(), unit="township",
                                                data_end=DAY), "test")
        publish(engine, run.id, DAY, "test")
        with reading(engine) as connection:
            levels = {code: row["level"] for code, row in levels_in_force(connection, DAY).items()}
        add_user(engine, "vic", "viewer", None, "test")
        token = create_token(engine, "vic", "test").token
    finally:
        engine.dispose()
    with serving(folder, "--db", url, database_url=url) as server:
        yield Townships(server, levels, token)


def test_without_public_read_the_dashboard_asks_for_a_token(browser, townships):
    board, context = new_dashboard(browser, townships.server.url)
    page = board.page
    page.goto(f"{townships.server.url}/")
    page.wait_for_selector("#view .notice.error")
    assert "needs a token" in page.text_content("#view .notice.error")
    assert page.get_attribute("details.token", "open") == ""
    context.close()
    assert board.requests.elsewhere() == {}


def test_units_without_boundaries_become_a_tile_grid_grouped_by_parent(browser, townships):
    assert sorted(set(townships.levels.values())) == ["high", "low", "medium"]  # the data give every level
    palette = fills(load_rule_set("cn-2020-02"))
    board, context = new_dashboard(browser, townships.server.url, token=townships.token)
    page = board.open_map(DAY.isoformat())
    assert page.get_attribute("#map", "data-view") == "grid"
    assert page.is_disabled("#view-mode option[value='map']")  # no map to switch to
    assert board.fills() == {code: palette[level] for code, level in townships.levels.items()}
    assert page.locator("#map rect.tile").count() == 5
    assert page.locator("#map .group-label").all_text_contents() == ["Taijiang", "Cangshan"]
    assert page.locator("#map path").count() == 0  # no boundary of Fujian's was put on these areas
    page.click("#map .unit[data-code='350103002']")
    page.wait_for_selector("#level-card[data-level='high']")
    context.close()
    assert board.requests.elsewhere() == {} and board.errors == []
