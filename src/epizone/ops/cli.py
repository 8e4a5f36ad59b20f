"""``epizone ops ...``: work resumption, duty supervision and supplies from the command line (a Typer sub-app,
mounted by ``epizone.cli``). The command line acts as the store's operator, with every right, like ``epizone db``.

Exit codes: 0 success; 2 bad input or bad options (every problem listed, nothing written); 1 the database cannot
be used. Answers built on generated demo rows start with a SYNTHETIC DATA line.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from sqlalchemy import Connection, Engine

from epizone.domain.errors import Forbidden, InvalidInput, NotFound
from epizone.domain.problems import InputError
from epizone.ops import checklist, enterprises, figures, inspections, policy, reports, supplies
from epizone.ops.access import operator
from epizone.ops.areas import Areas, current_areas
from epizone.ops.imports import KINDS, import_ops
from epizone.ops.overview import SYNTHETIC_NOTICE, overview as area_overview
from epizone.store.cli import BAD_INPUT, DbOpt, UserOpt, _fail, _store, _user, out
from epizone.store.db import reading
from epizone.store.migrate import require_schema

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Operations steered by the levels: work resumption, duty supervision, front-line supplies.")
import_app = typer.Typer(no_args_is_help=True, help="Import a file: one transaction, all or nothing, audited.")
enterprises_app = typer.Typer(no_args_is_help=True, help="The enterprise registry.")
accounts_app = typer.Typer(no_args_is_help=True, help="Users who act for one enterprise.")
bottlenecks_app = typer.Typer(no_args_is_help=True, help="Bottlenecks named in the reports.")
duties_app = typer.Typer(no_args_is_help=True, help="The checklist of the ten standing duties.")
inspections_app = typer.Typer(no_args_is_help=True, help="Inspections and their findings.")
deficiencies_app = typer.Typer(no_args_is_help=True, help="Deficiencies found by inspections, and follow-up.")
supplies_app = typer.Typer(no_args_is_help=True, help="Front-line medical supplies.")
for sub, name in ((import_app, "import"), (enterprises_app, "enterprises"), (accounts_app, "accounts"),
                  (bottlenecks_app, "bottlenecks"), (duties_app, "duties"), (inspections_app, "inspections"),
                  (deficiencies_app, "deficiencies"), (supplies_app, "supplies")):
    app.add_typer(sub, name=name)

PROBLEMS = (InputError, InvalidInput, NotFound, Forbidden)
AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Only this area and the areas below it")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="The day, YYYY-MM-DD (default: today)")]
CsvOpt = Annotated[Optional[Path], typer.Option("--csv", help="Also write every row to this CSV file")]
FileArg = Annotated[Path, typer.Argument(help="CSV, or Parquet when the name ends in .parquet")]


def _day(text: str | None, option: str, default_today: bool = True) -> dt.date | None:
    if text is None:
        return dt.datetime.now(dt.timezone.utc).date() if default_today else None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} {text!r}: expected a date YYYY-MM-DD", BAD_INPUT)


@contextmanager
def _reading(db: str | None) -> Iterator[tuple[Engine, Connection, Areas]]:
    with _store(db) as engine, reading(engine) as connection:
        require_schema(connection)
        yield engine, connection, current_areas(connection)


def _subtree(areas: Areas, area: str | None) -> set[str] | None:
    if area is None:
        return None
    if area not in areas:
        _fail(f"--area {area!r}: expected the code of an area in the store", BAD_INPUT)
    return areas.subtree(area)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str) if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _show(rows: list[dict[str, Any]], columns: list[str], title: str, csv_path: Path | None = None) -> None:
    """Print rows as a table (the SYNTHETIC DATA line first when any row is synthetic); write them all as CSV."""
    if any(r.get("synthetic") for r in rows):
        out.print(SYNTHETIC_NOTICE, markup=False)
    table = Table(*columns, title=f"{title} ({len(rows)})")
    for row in rows:
        table.add_row(*(str(_plain(row.get(c))) for c in columns))
    out.print(table)
    if csv_path is not None:
        names = list(dict.fromkeys(k for r in rows for k in r)) or columns
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                writer.writerow([_plain(row.get(n)) for n in names])
        out.print(f"wrote {len(rows)} row(s) to {csv_path}")


def _run(action, *args: Any, headline: str = "nothing was written") -> Any:  # noqa: ANN001
    try:
        return action(*args)
    except PROBLEMS as exc:
        count = f"{exc.count} problem(s); " if isinstance(exc, InputError) else ""
        _fail(str(exc), BAD_INPUT, f"{count}{headline}")


def _import(kind: str, file: Path, db: str | None, user: str | None) -> None:
    with _store(db) as engine:
        summary = _run(import_ops, engine, kind, file, operator(_user(user)), headline=f"{file}: nothing was imported")
    extra = "".join(f", {v} {k.replace('_', ' ')}" for k, v in summary.extra.items() if v)
    out.print(f"{summary.file}: {summary.rows_read} row(s) read: {summary.new} new, {summary.changed} changed, "
              f"{summary.unchanged} unchanged{extra}")


def _import_command(kind: str):  # noqa: ANN202
    def command(file: FileArg, db: DbOpt = None, user: UserOpt = None) -> None:
        _import(kind, file, db, user)
    spec = KINDS[kind]
    command.__doc__ = (f"{kind.capitalize()}: {','.join(spec.required)}"
                       + (f" (+ {', '.join(spec.optional)})" if spec.optional else "") + ".")
    return command


for _kind in KINDS:
    import_app.command(_kind)(_import_command(_kind))


@app.command("policy")
def policy_show(rules: Annotated[Optional[str], typer.Option("--rules", help="Only this rule set")] = None) -> None:
    """What each level allows enterprises to do, per rule set, and the sectors counted as essential."""
    rows = [p.__dict__ for p in policy.policies(rules)]
    if not rows:
        _fail(f"--rules {rules!r}: no resumption policy (expected one of {', '.join(policy.rule_set_ids())})",
              BAD_INPUT)
    _show(rows, ["rule_set", "level", "allows", "zh", "en"], "resumption policy per level")
    out.print("essential sectors: " + ", ".join(s.id for s in policy.sectors().values() if s.essential))


@duties_app.command("list")
def duties_list(active: Annotated[bool, typer.Option("--active", help="Only the items in use")] = False,
                db: DbOpt = None) -> None:
    """The ten duties and their checklist items."""
    with _store(db) as engine:
        items = [i.__dict__ for i in checklist.list_items(engine, active)]
    _show(items, ["code", "duty_code", "text_zh", "text_en", "active"], "checklist items")


@duties_app.command("add")
def duties_add(duty: Annotated[str, typer.Option("--duty", help="The duty's code, e.g. D04")],
               zh: Annotated[str, typer.Option("--zh", help="The item in Chinese")],
               en: Annotated[str, typer.Option("--en", help="The item in English")],
               code: Annotated[Optional[str], typer.Option("--code", help="The item's code (default: next)")] = None,
               db: DbOpt = None, user: UserOpt = None) -> None:
    """Add a checklist item to a duty."""
    with _store(db) as engine:
        item = _run(checklist.add_item, engine, operator(_user(user)), duty, zh, en, code)
    out.print(f"added item {item.code} to {item.duty_code}")


@duties_app.command("edit")
def duties_edit(code: Annotated[str, typer.Argument(help="The item's code")],
                zh: Annotated[Optional[str], typer.Option("--zh", help="New Chinese text")] = None,
                en: Annotated[Optional[str], typer.Option("--en", help="New English text")] = None,
                active: Annotated[Optional[bool], typer.Option("--active/--inactive", help="Use the item, or stop "
                                                                                        "using it")] = None,
                db: DbOpt = None, user: UserOpt = None) -> None:
    """Reword a checklist item, or switch it off or on."""
    with _store(db) as engine:
        item = _run(checklist.edit_item, engine, operator(_user(user)), code, zh, en, active)
    out.print(f"item {item.code}: {item.text_zh} / {item.text_en}{'' if item.active else ' (inactive)'}", markup=False)


@enterprises_app.command("list")
def enterprises_list(area: AreaOpt = None,
                     sector: Annotated[Optional[str], typer.Option("--sector", help="Only this sector")] = None,
                     csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """The registered enterprises."""
    with _reading(db) as (_, connection, areas):
        rows = [r._asdict() for r in connection.execute(
            enterprises.registry(operator("cli"), _subtree(areas, area), sector))]
    _show(rows, ["code", "name", "area_code", "sector", "size_class", "key_enterprise", "workforce",
                 "plan_approved_on"], "enterprises", csv_path)


@enterprises_app.command("status")
def enterprises_status(code: Annotated[str, typer.Argument(help="The enterprise's code")], date: DateOpt = None,
                       db: DbOpt = None) -> None:
    """What the enterprise's area level allows on a date, whether it may operate, its latest report and flag."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, areas):
        status = _run(figures.enterprise_status, connection, areas, operator("cli"), code, day)
    if status["synthetic"]:
        out.print(SYNTHETIC_NOTICE, markup=False)
    e, level, rule = status["enterprise"], status["level"], status["policy"]
    out.print(f"{e['code']} {e['name']} ({e['sector']}, {e['size_class']}) in {e['area_code']} on {day}", markup=False)
    out.print(f"level: {level['level']} ({level['rule_set']}, {level['area_name']}, in force from "
              f"{level['effective_date']})" if level else "level: none published", markup=False)
    out.print(f"allows: {rule['allows']}: {rule['en']}" if rule else "allows: no policy for this level", markup=False)
    out.print(f"may operate: {_plain(status['may_operate']) or 'unknown'}")
    report = status["latest_report"]
    out.print(f"latest report: {report['date']} {report['status']}, {report['employees_on_site']}/"
              f"{report['employees_total']} on site, capacity {report['capacity_pct']}%" if report
              else "latest report: none")
    if status["flag"]:
        out.print(f"FLAGGED ({status['flag']['code']}): {status['flag']['en']}", markup=False)
    for b in status["open_bottlenecks"]:
        out.print(f"open bottleneck {b['id']} {b['category']} since {b['opened_on']}: {b['detail']}", markup=False)


@enterprises_app.command("approve")
def enterprises_approve(code: Annotated[str, typer.Argument(help="The enterprise's code")],
                        on: Annotated[Optional[str], typer.Option("--on", help="Approved on (default: today)")] = None,
                        withdraw: Annotated[bool, typer.Option("--withdraw", help="Withdraw the approval")] = False,
                        db: DbOpt = None, user: UserOpt = None) -> None:
    """Record that an enterprise's prevention plan was approved (or withdraw it)."""
    value = None if withdraw else _day(on, "--on")
    with _store(db) as engine:
        found = _run(enterprises.change, engine, operator(_user(user)), code, {"plan_approved_on": value})
    out.print(f"{found['code']}: prevention plan {'approved on ' + str(value) if value else 'not approved'}")


@accounts_app.command("link")
def accounts_link(name: Annotated[str, typer.Argument(help="The user (a reporter)")],
                  enterprise: Annotated[str, typer.Argument(help="The enterprise's code")],
                  db: DbOpt = None, user: UserOpt = None) -> None:
    """Let a reporter act for one enterprise only."""
    with _store(db) as engine:
        info = _run(enterprises.link_account, engine, operator(_user(user)), name, enterprise)
    out.print(f"{info.user} acts for {info.enterprise_code} {info.enterprise_name}", markup=False)


@accounts_app.command("unlink")
def accounts_unlink(name: Annotated[str, typer.Argument(help="The user")], db: DbOpt = None,
                    user: UserOpt = None) -> None:
    """Unlink a user from their enterprise."""
    with _store(db) as engine:
        info = _run(enterprises.unlink_account, engine, operator(_user(user)), name)
    out.print(f"{info.user} no longer acts for {info.enterprise_code}")


@accounts_app.command("list")
def accounts_list(db: DbOpt = None) -> None:
    """Users who act for one enterprise."""
    with _store(db) as engine:
        rows = [a.__dict__ for a in enterprises.list_accounts(engine)]
    _show(rows, ["user", "enterprise_code", "enterprise_name", "linked_by"], "enterprise accounts")


@app.command("resumption")
def resumption(start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD")],
               end: Annotated[Optional[str], typer.Option("--end", help="Last day (default: --start)")] = None,
               area: AreaOpt = None,
               by: Annotated[str, typer.Option("--by", help="county, city, sector, size_class or total")] = "county",
               sector: Annotated[Optional[str], typer.Option("--sector", help="Only this sector")] = None,
               size_class: Annotated[Optional[str], typer.Option("--size-class", help="Only this size class")] = None,
               csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Resumption rates (enterprises resumed, workforce back, flagged) by area, sector or size, day by day."""
    first = _day(start, "--start")
    last = _day(end, "--end", default_today=False) or first
    with _reading(db) as (_, connection, areas):
        rows = _run(figures.resumption, connection, areas, operator("cli"), first, last, by, _subtree(areas, area),
                    sector, size_class)
    _show(rows, ["date", "group", "group_name", "enterprises", "resumed", "fully_resumed", "resumption_rate", "on_site",
                 "workforce", "workforce_rate", "flagged"], f"resumption by {by}", csv_path)


@app.command("flags")
def flags(date: DateOpt = None, area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Enterprises operating beyond what their area's level allows on a date."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, areas):
        rows = figures.flags(connection, areas, operator("cli"), day, _subtree(areas, area))
    _show(rows, ["enterprise_code", "enterprise_name", "county_name", "sector", "status", "level", "allows", "flag"],
          f"flagged enterprises on {day}", csv_path)


@bottlenecks_app.command("list")
def bottlenecks_list(date: Annotated[Optional[str], typer.Option("--date", help="As of this day "
                                                                             "(default: now)")] = None,
                     area: AreaOpt = None,
                     category: Annotated[Optional[str], typer.Option("--category", help="Only this category")] = None,
                     state: Annotated[str, typer.Option("--state", help="open, resolved or all")] = "open",
                     csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Bottlenecks, oldest first (open ones by default)."""
    day = _day(date, "--date", default_today=False)
    if state not in ("open", "resolved", "all"):
        _fail(f"--state {state!r}: expected open, resolved or all", BAD_INPUT)
    with _reading(db) as (_, connection, areas):
        rows = [r._asdict() for r in connection.execute(reports.bottlenecks(
            operator("cli"), _subtree(areas, area), category, state, day))]
    _show(rows, ["id", "enterprise_code", "area_code", "category", "opened_on", "state", "resolved_on", "detail"],
          f"{state} bottlenecks", csv_path)


@bottlenecks_app.command("summary")
def bottlenecks_summary(date: Annotated[Optional[str], typer.Option("--date", help="As of this day "
                                                                                 "(default: now)")] = None,
                        area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Open bottlenecks counted per county and category, the county with most first."""
    day = _day(date, "--date", default_today=False)
    with _reading(db) as (_, connection, areas):
        rows = [r._asdict() for r in connection.execute(reports.bottlenecks(
            operator("cli"), _subtree(areas, area), date=day))]
    _show(figures.bottleneck_summary(rows, areas), ["county_code", "county_name", "category", "open",
                                                    "oldest_opened_on"], "open bottlenecks per county", csv_path)


@bottlenecks_app.command("resolve")
def bottlenecks_resolve(bottleneck: Annotated[int, typer.Argument(help="The bottleneck's id")],
                        date: DateOpt = None,
                        note: Annotated[str, typer.Option("--note", help="How it was resolved")] = "",
                        db: DbOpt = None, user: UserOpt = None) -> None:
    """Mark a bottleneck resolved."""
    day = _day(date, "--date")
    with _store(db) as engine:
        found = _run(reports.resolve, engine, operator(_user(user)), bottleneck, day, note)
    out.print(f"bottleneck {found['id']} ({found['enterprise_code']} {found['category']}) resolved on "
              f"{found['resolved_on']}")


@bottlenecks_app.command("reopen")
def bottlenecks_reopen(bottleneck: Annotated[int, typer.Argument(help="The bottleneck's id")],
                       note: Annotated[str, typer.Option("--note", help="Why it is open again")] = "",
                       db: DbOpt = None, user: UserOpt = None) -> None:
    """Open a resolved bottleneck again."""
    with _store(db) as engine:
        found = _run(reports.reopen, engine, operator(_user(user)), bottleneck, note)
    out.print(f"bottleneck {found['id']} ({found['enterprise_code']} {found['category']}) is open again")


@inspections_app.command("list")
def inspections_list(area: AreaOpt = None,
                     start: Annotated[Optional[str], typer.Option("--start", help="From this day")] = None,
                     end: Annotated[Optional[str], typer.Option("--end", help="To this day")] = None,
                     db: DbOpt = None) -> None:
    """Inspections, newest first."""
    first, last = _day(start, "--start", False), _day(end, "--end", False)
    with _reading(db) as (_, connection, areas):
        rows = [r._asdict() for r in connection.execute(inspections.inspections(_subtree(areas, area), first, last))]
    _show(rows, ["id", "area_code", "date", "inspector", "recorded_by"], "inspections")


@inspections_app.command("show")
def inspections_show(inspection: Annotated[int, typer.Argument(help="The inspection's id")],
                     db: DbOpt = None) -> None:
    """One inspection's findings."""
    with _reading(db) as (_, connection, _areas):
        rows = [r._asdict() for r in connection.execute(inspections.findings().where(
            inspections.Finding.inspection_id == inspection))]
    if not rows:
        _fail(f"no inspection with id {inspection} (or it has no findings)", BAD_INPUT)
    _show(rows, ["id", "item_code", "item_en", "result", "deadline", "closed_on", "note"],
          f"inspection {inspection}: {rows[0]['area_code']} on {rows[0]['date']} by {rows[0]['inspector']}")


@deficiencies_app.command("list")
def deficiencies_list(date: DateOpt = None, area: AreaOpt = None,
                      state: Annotated[str, typer.Option("--state", help="open, overdue, closed or all")] = "open",
                      csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Deficiencies as of a date, the oldest deadline first."""
    day = _day(date, "--date")
    if state not in ("open", "overdue", "closed", "all"):
        _fail(f"--state {state!r}: expected open, overdue, closed or all", BAD_INPUT)
    with _reading(db) as (_, connection, areas):
        rows = [r._asdict() for r in connection.execute(inspections.deficiencies(_subtree(areas, area), day, state))]
    _show(rows, ["id", "area_code", "date", "item_code", "deadline", "closed_on", "note"], f"{state} deficiencies",
          csv_path)


@deficiencies_app.command("close")
def deficiencies_close(finding: Annotated[int, typer.Argument(help="The finding's id")], date: DateOpt = None,
                       note: Annotated[str, typer.Option("--note", help="What was done")] = "",
                       db: DbOpt = None, user: UserOpt = None) -> None:
    """Follow-up: a deficiency was remedied."""
    day = _day(date, "--date")
    with _store(db) as engine:
        found = _run(inspections.close, engine, operator(_user(user)), finding, day, note)
    out.print(f"finding {found['id']} ({found['area_code']} {found['item_code']}) closed on {found['closed_on']}")


@app.command("compliance")
def compliance(area: AreaOpt = None,
               start: Annotated[Optional[str], typer.Option("--start", help="From this day")] = None,
               end: Annotated[Optional[str], typer.Option("--end", help="To this day")] = None,
               csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Compliance per county and duty over a period."""
    first, last = _day(start, "--start", False), _day(end, "--end", False)
    with _reading(db) as (_, connection, areas):
        rows = inspections.compliance(connection, areas, _subtree(areas, area), first, last)
    _show(rows, ["county_code", "county_name", "duty_code", "compliant", "deficient", "not_applicable", "rate"],
          "compliance", csv_path)


@app.command("dues")
def dues(date: DateOpt = None, area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Inspections due because an area's published level rose: done, pending or overdue on a date."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, areas):
        rows = [d.__dict__ for d in inspections.dues(connection, areas, day, _subtree(areas, area))]
    _show(rows, ["area_code", "area_name", "from_level", "to_level", "effective_date", "due_date", "inspected_on",
                 "state"], f"inspections due by {day}", csv_path)


BySupplyOpt = Annotated[str, typer.Option("--by", help="county, facility or total")]


@supplies_app.command("standing")
def supplies_standing(date: DateOpt = None, area: AreaOpt = None, by: BySupplyOpt = "county",
                      csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Stock, daily use and days of supply left on a date."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, areas):
        rows = supplies.standing(connection, areas, day, _subtree(areas, area), by)
    _show(rows, ["code", "name", "item", "stock", "daily_use", "days_left", "facilities"], f"supplies on {day}",
          csv_path)


@supplies_app.command("alerts")
def supplies_alerts(date: DateOpt = None, area: AreaOpt = None, by: BySupplyOpt = "county",
                    days: Annotated[Optional[float], typer.Option("--days", help="Threshold in days "
                                                                                "(default: supplies.yaml)")] = None,
                    csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Areas (or facilities) and items with fewer days of supply left than the threshold, worst first."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, areas):
        rows = supplies.alerts(connection, areas, day, days, _subtree(areas, area), by)
    _show(rows, ["code", "name", "item", "stock", "daily_use", "days_left", "threshold_days"],
          f"supply alerts on {day}", csv_path)


@app.command("overview")
def overview(area: Annotated[str, typer.Argument(help="The area's code, e.g. a county")], date: DateOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON")] = False,
             alert_days: Annotated[Optional[float], typer.Option(
                 "--alert-days", help="Supply alert threshold (default: supplies.yaml)")] = None,
             db: DbOpt = None) -> None:
    """An area on a date: its level and what it allows, resumption, bottlenecks, inspections and supplies."""
    day = _day(date, "--date")
    with _reading(db) as (_, connection, _areas):
        found = _run(area_overview, connection, operator("cli"), area, day, alert_days)
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
        return
    from epizone.ops.render import print_overview
    print_overview(out, found)


@app.command("demo")
def demo(db: DbOpt = None,
         levels: Annotated[bool, typer.Option("--levels/--no-levels", help="Also load the Fujian areas and counts, "
                                                                          "grade and publish them day by day when "
                                                                          "the store has no areas")] = True,
         user: UserOpt = None) -> None:
    """Load the SYNTHETIC Fujian operations demo (enterprises, reports, inspections, hospitals) into the store."""
    from epizone.services.demo_seed import load_demo
    with _store(db) as engine:
        loaded = _run(load_demo, engine, user or "epizone-demo", levels)
    out.print(SYNTHETIC_NOTICE, markup=False)
    out.print(loaded.describe(), markup=False)
