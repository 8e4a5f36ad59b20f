"""The dashboard's demo: a SQLite store holding the bundled Fujian data, graded and published day by day.

``demo_store(folder)`` creates (or reuses) ``folder/fujian2020.db``, seeded by ``epizone.services.demo_seed``: the
schema; the areas with their other names; the bulletin counts; a ``cn-2020-02`` run over the demo series
2020-01-20 .. 2020-03-10 with data to the day before (``lag:1``, the announcement practice), published for every
day of the series (each publication with its announcement of the changes); and, for comparison, an unpublished run
of Fujian's own four classes (``fj-2020-02``) over the same days; then the SYNTHETIC operations data (enterprises
and their daily reports, inspections, hospitals' supplies, after the levels are published). The file is rebuilt
when anything it is made from changes (data, rule sets, measures, schema, epizone's version): it is built under a
temporary name and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from epizone.services.demo import SERIES_END, SERIES_START, demo_file

OFFICER = "demo-officer"  # a viewer: reads the operations pages of the demo (serve --demo prints a token)
DB_NAME = "fujian2020.db"
COMPARED_RULES = ("fj-2020-02",)
OPS_SETTINGS = ("resumption.yaml", "duties.yaml", "supplies.yaml")  # policies, checklist, thresholds
FORMAT = "2"  # bump when the way the store is built changes


@dataclass(frozen=True)
class DemoStore:
    path: Path
    url: str
    built: bool          # False: an up-to-date store was already there
    published_run: int   # the run published day by day
    days: int            # publications (one per day of the series)


def demo_store(folder: Path, rebuild: bool = False) -> DemoStore:
    """The demo store in ``folder`` (created when missing or out of date, or when ``rebuild``)."""
    from epizone.store.db import make_engine  # the store's libraries load only on use, as for `epizone db`

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DB_NAME
    stamp = folder / f"{DB_NAME}.sha256"
    digest = _digest()
    if not rebuild and path.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        engine = make_engine(_url(path))
        try:
            run_id, days = _published(engine)
        finally:
            engine.dispose()
        return DemoStore(path, _url(path), False, run_id, days)
    handle, temporary = tempfile.mkstemp(prefix=".fujian2020-", suffix=".db", dir=folder)
    os.close(handle)
    try:
        run_id, days = _build(Path(temporary))
        stamp.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, path)
        stamp.write_text(digest + "\n")
    finally:
        for leftover in (temporary, f"{temporary}-wal", f"{temporary}-shm"):
            Path(leftover).unlink(missing_ok=True)
    return DemoStore(path, _url(path), True, run_id, days)


def officer_token(url: str, hours: int = 24) -> str:
    """A new token of the demo's viewer ``OFFICER`` (created when missing), valid for ``hours``: the operations
    pages and endpoints need a token even where published levels are public (their rows are not public data)."""
    from epizone.ops.demo import DEMO_USER
    from epizone.store.audit import utc_now
    from epizone.store.db import make_engine
    from epizone.store.tokens import create_token
    from epizone.store.users import UserError, add_user

    engine = make_engine(url)
    try:
        try:
            add_user(engine, OFFICER, "viewer", None, DEMO_USER)
        except UserError:
            pass  # there already
        expires = utc_now() + dt.timedelta(hours=hours)
        return create_token(engine, OFFICER, DEMO_USER, "epizone serve --demo", expires).token
    finally:
        engine.dispose()


def _url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def _build(path: Path) -> tuple[int, int]:
    from epizone.services.demo_seed import load_demo, seed_levels
    from epizone.store import migrate
    from epizone.store.db import make_engine

    path.unlink(missing_ok=True)
    engine = make_engine(_url(path))
    try:
        migrate.upgrade(engine)
        run_id = seed_levels(engine, compared=COMPARED_RULES)
        load_demo(engine, levels=False)  # the SYNTHETIC operations data, on the published levels
        return run_id, (SERIES_END - SERIES_START).days + 1
    finally:
        engine.dispose()


def _published(engine) -> tuple[int, int]:  # noqa: ANN001
    from sqlalchemy import func, select

    from epizone.store.db import reading
    from epizone.store.models import Publication

    with reading(engine) as connection:
        run_id, days = connection.execute(select(func.min(Publication.run_id), func.count(Publication.id))).one()
    return run_id, days


def _digest() -> str:
    """What the store is made from: if any of it changes, the store is built again."""
    from epizone.ops import demo as ops_demo
    from epizone.services.demo_seed import PUBLISHED_RULES
    from epizone.store.migrate import head_revision

    sha = hashlib.sha256(f"{FORMAT} {version('epizone')} {head_revision()}".encode())
    for name in ("areas.csv", "area_names.csv", "counts.csv"):
        sha.update(demo_file(name).read_bytes())
    for rules in (PUBLISHED_RULES, *COMPARED_RULES):
        sha.update(resources.files("epizone.rulesets").joinpath(f"{rules}.yaml").read_bytes())
    sha.update(resources.files("epizone.store").joinpath("measures.yaml").read_bytes())
    for name in ops_demo.FILES:  # the synthetic operations data and what they are read with
        sha.update(name.encode())
        sha.update(ops_demo.ops_file(name).read_bytes())
    for name in OPS_SETTINGS:
        sha.update(resources.files("epizone.ops").joinpath(name).read_bytes())
    return sha.hexdigest()
