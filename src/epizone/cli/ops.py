"""``epizone ops ...``: work resumption, duty supervision and supplies from the command line (loaded on use by
``epizone ops``). The command line acts as the store's operator, with every right, like ``epizone db``.

Exit codes as for every command (``epizone.cli.common``). Answers built on generated demo rows start with a
SYNTHETIC DATA line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer
from sqlalchemy import Connection

from epizone.cli.common import BadOption, Commands, DbOpt, FileArg, UserOpt, attempt, day, out
from epizone.cli.ops_render import plain, print_overview, show
from epizone.cli.store import opened, user_name
from epizone.domain.errors import InvalidInput, NotFound
from epizone.ops import checklist, enterprises, figures, inspections, policy, reports, supplies
from epizone.ops.access import operator
from epizone.ops.areas import Areas, current_areas
from epizone.ops.imports import KINDS, import_ops
from epizone.ops.overview import SYNTHETIC_NOTICE, overview as area_overview
from epizone.store.db import reading
from epizone.store.migrate import require_schema

NOT_WRITTEN = "nothing was written"
T = TypeVar("T")

app = Commands(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Operations steered by the levels: work resumption, duty supervision, front-line supplies.")
import_app = Commands(no_args_is_help=True, help="Import a file: one transaction, all or nothing, audited.")
enterprises_app = Commands(no_args_is_help=True, help="The enterprise registry.")
accounts_app = Commands(no_args_is_help=True, help="Users who act for one enterprise.")
bottlenecks_app = Commands(no_args_is_help=True, help="Bottlenecks named in the reports.")
duties_app = Commands(no_args_is_help=True, help="The checklist of the ten standing duties.")
inspections_app = Commands(no_args_is_help=True, help="Inspections and their findings.")
deficiencies_app = Commands(no_args_is_help=True, help="Deficiencies found by inspections, and follow-up.")
supplies_app = Commands(no_args_is_help=True, help="Front-line medical supplies.")
for sub, name in ((import_app, "import"), (enterprises_app, "enterprises"), (accounts_app, "accounts"),
                  (bottlenecks_app, "bottlenecks"), (duties_app, "duties"), (inspections_app, "inspections"),
                  (deficiencies_app, "deficiencies"), (supplies_app, "supplies")):
    app.add_typer(sub, name=name)

AreaOpt = Annotated[Optional[str], typer.Option("--area", help="Only this area and the areas below it")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="The day, YYYY-MM-DD (default: today)")]
CsvOpt = Annotated[Optional[Path], typer.Option("--csv", help="Also write every row to this CSV file")]


def _on(text: str | None, option: str) -> dt.date:
    """The date given to ``option``, else today (UTC)."""
    return day(text, option) or dt.datetime.now(dt.timezone.utc).date()


@contextmanager
def _reading(db: str | None) -> Iterator[tuple[Connection, Areas]]:
    """One read transaction on a store at the latest schema, with its current areas."""
    with opened(db) as engine, reading(engine) as connection:
        require_schema(connection)
        yield connection, current_areas(connection)


def _subtree(areas: Areas, area: str | None) -> set[str] | None:
    if area is None:
        return None
    if area not in areas:
        raise BadOption("--area", area, "the code of an area in the store")
    return areas.subtree(area)


def _write(db: str | None, user: str | None, action: Callable[..., T], *args: Any) -> T:
    """``action(engine, the operator, *args)`` on the store; nothing is written when it fails."""
    with opened(db) as engine:
        return attempt(lambda: action(engine, operator(user_name(user)), *args), NOT_WRITTEN)


def _import(kind: str, file: Path, db: str | None, user: str | None) -> None:
    with opened(db) as engine:
        summary = attempt(lambda: import_ops(engine, kind, file, operator(user_name(user))),
                          f"{file}: nothing was imported")
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
        raise InvalidInput(f"--rules {rules!r}: no resumption policy (expected one of "
                           f"{', '.join(policy.rule_set_ids())})")
    show(rows, ["rule_set", "level", "allows", "zh", "en"], "resumption policy per level")
    out.print("essential sectors: " + ", ".join(s.id for s in policy.sectors().values() if s.essential))


@duties_app.command("list")
def duties_list(active: Annotated[bool, typer.Option("--active", help="Only the items in use")] = False,
                db: DbOpt = None) -> None:
    """The ten duties and their checklist items."""
    with opened(db) as engine:
        items = [i.__dict__ for i in checklist.list_items(engine, active)]
    show(items, ["code", "duty_code", "text_zh", "text_en", "active"], "checklist items")


@duties_app.command("add")
def duties_add(duty: Annotated[str, typer.Option("--duty", help="The duty's code, e.g. D04")],
               zh: Annotated[str, typer.Option("--zh", help="The item in Chinese")],
               en: Annotated[str, typer.Option("--en", help="The item in English")],
               code: Annotated[Optional[str], typer.Option("--code", help="The item's code (default: next)")] = None,
               db: DbOpt = None, user: UserOpt = None) -> None:
    """Add a checklist item to a duty."""
    item = _write(db, user, checklist.add_item, duty, zh, en, code)
    out.print(f"added item {item.code} to {item.duty_code}")


@duties_app.command("edit")
def duties_edit(code: Annotated[str, typer.Argument(help="The item's code")],
                zh: Annotated[Optional[str], typer.Option("--zh", help="New Chinese text")] = None,
                en: Annotated[Optional[str], typer.Option("--en", help="New English text")] = None,
                active: Annotated[Optional[bool], typer.Option("--active/--inactive", help="Use the item, or stop "
                                                                                        "using it")] = None,
                db: DbOpt = None, user: UserOpt = None) -> None:
    """Reword a checklist item, or switch it off or on."""
    item = _write(db, user, checklist.edit_item, code, zh, en, active)
    out.print(f"item {item.code}: {item.text_zh} / {item.text_en}{'' if item.active else ' (inactive)'}", markup=False)


@enterprises_app.command("list")
def enterprises_list(area: AreaOpt = None,
                     sector: Annotated[Optional[str], typer.Option("--sector", help="Only this sector")] = None,
                     csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """The registered enterprises."""
    with _reading(db) as (connection, areas):
        rows = [r._asdict() for r in connection.execute(
            enterprises.registry(operator("cli"), _subtree(areas, area), sector))]
    show(rows, ["code", "name", "area_code", "sector", "size_class", "key_enterprise", "workforce",
                "plan_approved_on"], "enterprises", csv_path)


@enterprises_app.command("status")
def enterprises_status(code: Annotated[str, typer.Argument(help="The enterprise's code")], date: DateOpt = None,
                       db: DbOpt = None) -> None:
    """What the enterprise's area level allows on a date, whether it may operate, its latest report and flag."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, areas):
        status = attempt(lambda: figures.enterprise_status(connection, areas, operator("cli"), code, on_day),
                         NOT_WRITTEN)
    if status["synthetic"]:
        out.print(SYNTHETIC_NOTICE, markup=False)
    e, level, rule = status["enterprise"], status["level"], status["policy"]
    out.print(f"{e['code']} {e['name']} ({e['sector']}, {e['size_class']}) in {e['area_code']} on {on_day}",
              markup=False)
    out.print(f"level: {level['level']} ({level['rule_set']}, {level['area_name']}, in force from "
              f"{level['effective_date']})" if level else "level: none published", markup=False)
    out.print(f"allows: {rule['allows']}: {rule['en']}" if rule else "allows: no policy for this level", markup=False)
    out.print(f"may operate: {plain(status['may_operate']) or 'unknown'}")
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
    value = None if withdraw else _on(on, "--on")
    found = _write(db, user, enterprises.change, code, {"plan_approved_on": value})
    out.print(f"{found['code']}: prevention plan {'approved on ' + str(value) if value else 'not approved'}")


@accounts_app.command("link")
def accounts_link(name: Annotated[str, typer.Argument(help="The user (a reporter)")],
                  enterprise: Annotated[str, typer.Argument(help="The enterprise's code")],
                  db: DbOpt = None, user: UserOpt = None) -> None:
    """Let a reporter act for one enterprise only."""
    info = _write(db, user, enterprises.link_account, name, enterprise)
    out.print(f"{info.user} acts for {info.enterprise_code} {info.enterprise_name}", markup=False)


@accounts_app.command("unlink")
def accounts_unlink(name: Annotated[str, typer.Argument(help="The user")], db: DbOpt = None,
                    user: UserOpt = None) -> None:
    """Unlink a user from their enterprise."""
    info = _write(db, user, enterprises.unlink_account, name)
    out.print(f"{info.user} no longer acts for {info.enterprise_code}")


@accounts_app.command("list")
def accounts_list(db: DbOpt = None) -> None:
    """Users who act for one enterprise."""
    with opened(db) as engine:
        rows = [a.__dict__ for a in enterprises.list_accounts(engine)]
    show(rows, ["user", "enterprise_code", "enterprise_name", "linked_by"], "enterprise accounts")


@app.command("resumption")
def resumption(start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD")],
               end: Annotated[Optional[str], typer.Option("--end", help="Last day (default: --start)")] = None,
               area: AreaOpt = None,
               by: Annotated[str, typer.Option("--by", help="county, city, sector, size_class or total")] = "county",
               sector: Annotated[Optional[str], typer.Option("--sector", help="Only this sector")] = None,
               size_class: Annotated[Optional[str], typer.Option("--size-class", help="Only this size class")] = None,
               csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Resumption rates (enterprises resumed, workforce back, flagged) by area, sector or size, day by day."""
    first = _on(start, "--start")
    last = day(end, "--end") or first
    with _reading(db) as (connection, areas):
        subtree = _subtree(areas, area)
        rows = attempt(lambda: figures.resumption(connection, areas, operator("cli"), first, last, by, subtree, sector,
                                                  size_class), NOT_WRITTEN)
    show(rows, ["date", "group", "group_name", "enterprises", "resumed", "fully_resumed", "resumption_rate", "on_site",
                "workforce", "workforce_rate", "flagged"], f"resumption by {by}", csv_path)


@app.command("flags")
def flags(date: DateOpt = None, area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Enterprises operating beyond what their area's level allows on a date."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, areas):
        rows = figures.flags(connection, areas, operator("cli"), on_day, _subtree(areas, area))
    show(rows, ["enterprise_code", "enterprise_name", "county_name", "sector", "status", "level", "allows", "flag"],
         f"flagged enterprises on {on_day}", csv_path)


@bottlenecks_app.command("list")
def bottlenecks_list(date: Annotated[Optional[str], typer.Option("--date", help="As of this day "
                                                                             "(default: now)")] = None,
                     area: AreaOpt = None,
                     category: Annotated[Optional[str], typer.Option("--category", help="Only this category")] = None,
                     state: Annotated[str, typer.Option("--state", help="open, resolved or all")] = "open",
                     csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Bottlenecks, oldest first (open ones by default)."""
    on_day = day(date, "--date")
    if state not in ("open", "resolved", "all"):
        raise BadOption("--state", state, "open, resolved or all")
    with _reading(db) as (connection, areas):
        rows = [r._asdict() for r in connection.execute(reports.bottlenecks(
            operator("cli"), _subtree(areas, area), category, state, on_day))]
    show(rows, ["id", "enterprise_code", "area_code", "category", "opened_on", "state", "resolved_on", "detail"],
         f"{state} bottlenecks", csv_path)


@bottlenecks_app.command("summary")
def bottlenecks_summary(date: Annotated[Optional[str], typer.Option("--date", help="As of this day "
                                                                                 "(default: now)")] = None,
                        area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Open bottlenecks counted per county and category, the county with most first."""
    on_day = day(date, "--date")
    with _reading(db) as (connection, areas):
        rows = [r._asdict() for r in connection.execute(reports.bottlenecks(
            operator("cli"), _subtree(areas, area), date=on_day))]
    show(figures.bottleneck_summary(rows, areas), ["county_code", "county_name", "category", "open",
                                                   "oldest_opened_on"], "open bottlenecks per county", csv_path)


@bottlenecks_app.command("resolve")
def bottlenecks_resolve(bottleneck: Annotated[int, typer.Argument(help="The bottleneck's id")],
                        date: DateOpt = None,
                        note: Annotated[str, typer.Option("--note", help="How it was resolved")] = "",
                        db: DbOpt = None, user: UserOpt = None) -> None:
    """Mark a bottleneck resolved."""
    on_day = _on(date, "--date")
    found = _write(db, user, reports.resolve, bottleneck, on_day, note)
    out.print(f"bottleneck {found['id']} ({found['enterprise_code']} {found['category']}) resolved on "
              f"{found['resolved_on']}")


@bottlenecks_app.command("reopen")
def bottlenecks_reopen(bottleneck: Annotated[int, typer.Argument(help="The bottleneck's id")],
                       note: Annotated[str, typer.Option("--note", help="Why it is open again")] = "",
                       db: DbOpt = None, user: UserOpt = None) -> None:
    """Open a resolved bottleneck again."""
    found = _write(db, user, reports.reopen, bottleneck, note)
    out.print(f"bottleneck {found['id']} ({found['enterprise_code']} {found['category']}) is open again")


@inspections_app.command("list")
def inspections_list(area: AreaOpt = None,
                     start: Annotated[Optional[str], typer.Option("--start", help="From this day")] = None,
                     end: Annotated[Optional[str], typer.Option("--end", help="To this day")] = None,
                     db: DbOpt = None) -> None:
    """Inspections, newest first."""
    first, last = day(start, "--start"), day(end, "--end")
    with _reading(db) as (connection, areas):
        rows = [r._asdict() for r in connection.execute(inspections.inspections(_subtree(areas, area), first, last))]
    show(rows, ["id", "area_code", "date", "inspector", "recorded_by"], "inspections")


@inspections_app.command("show")
def inspections_show(inspection: Annotated[int, typer.Argument(help="The inspection's id")],
                     db: DbOpt = None) -> None:
    """One inspection's findings."""
    with _reading(db) as (connection, _areas):
        rows = [r._asdict() for r in connection.execute(inspections.findings().where(
            inspections.Finding.inspection_id == inspection))]
    if not rows:
        raise NotFound(f"no inspection with id {inspection} (or it has no findings)")
    show(rows, ["id", "item_code", "item_en", "result", "deadline", "closed_on", "note"],
         f"inspection {inspection}: {rows[0]['area_code']} on {rows[0]['date']} by {rows[0]['inspector']}")


@deficiencies_app.command("list")
def deficiencies_list(date: DateOpt = None, area: AreaOpt = None,
                      state: Annotated[str, typer.Option("--state", help="open, overdue, closed or all")] = "open",
                      csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Deficiencies as of a date, the oldest deadline first."""
    on_day = _on(date, "--date")
    if state not in ("open", "overdue", "closed", "all"):
        raise BadOption("--state", state, "open, overdue, closed or all")
    with _reading(db) as (connection, areas):
        rows = [r._asdict() for r in connection.execute(inspections.deficiencies(_subtree(areas, area), on_day, state))]
    show(rows, ["id", "area_code", "date", "item_code", "deadline", "closed_on", "note"], f"{state} deficiencies",
         csv_path)


@deficiencies_app.command("close")
def deficiencies_close(finding: Annotated[int, typer.Argument(help="The finding's id")], date: DateOpt = None,
                       note: Annotated[str, typer.Option("--note", help="What was done")] = "",
                       db: DbOpt = None, user: UserOpt = None) -> None:
    """Follow-up: a deficiency was remedied."""
    on_day = _on(date, "--date")
    found = _write(db, user, inspections.close, finding, on_day, note)
    out.print(f"finding {found['id']} ({found['area_code']} {found['item_code']}) closed on {found['closed_on']}")


@app.command("compliance")
def compliance(area: AreaOpt = None,
               start: Annotated[Optional[str], typer.Option("--start", help="From this day")] = None,
               end: Annotated[Optional[str], typer.Option("--end", help="To this day")] = None,
               csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Compliance per county and duty over a period."""
    first, last = day(start, "--start"), day(end, "--end")
    with _reading(db) as (connection, areas):
        rows = inspections.compliance(connection, areas, _subtree(areas, area), first, last)
    show(rows, ["county_code", "county_name", "duty_code", "compliant", "deficient", "not_applicable", "rate"],
         "compliance", csv_path)


@app.command("dues")
def dues(date: DateOpt = None, area: AreaOpt = None, csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Inspections due because an area's published level rose: done, pending or overdue on a date."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, areas):
        rows = [d.__dict__ for d in inspections.dues(connection, areas, on_day, _subtree(areas, area))]
    show(rows, ["area_code", "area_name", "from_level", "to_level", "effective_date", "due_date", "inspected_on",
                "state"], f"inspections due by {on_day}", csv_path)


BySupplyOpt = Annotated[str, typer.Option("--by", help="county, facility or total")]


@supplies_app.command("standing")
def supplies_standing(date: DateOpt = None, area: AreaOpt = None, by: BySupplyOpt = "county",
                      csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Stock, daily use and days of supply left on a date."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, areas):
        rows = supplies.standing(connection, areas, on_day, _subtree(areas, area), by)
    show(rows, ["code", "name", "item", "stock", "daily_use", "days_left", "facilities"], f"supplies on {on_day}",
         csv_path)


@supplies_app.command("alerts")
def supplies_alerts(date: DateOpt = None, area: AreaOpt = None, by: BySupplyOpt = "county",
                    days: Annotated[Optional[float], typer.Option("--days", help="Threshold in days "
                                                                                "(default: supplies.yaml)")] = None,
                    csv_path: CsvOpt = None, db: DbOpt = None) -> None:
    """Areas (or facilities) and items with fewer days of supply left than the threshold, worst first."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, areas):
        rows = supplies.alerts(connection, areas, on_day, days, _subtree(areas, area), by)
    show(rows, ["code", "name", "item", "stock", "daily_use", "days_left", "threshold_days"],
         f"supply alerts on {on_day}", csv_path)


@app.command("overview")
def overview(area: Annotated[str, typer.Argument(help="The area's code, e.g. a county")], date: DateOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print the whole answer as JSON")] = False,
             alert_days: Annotated[Optional[float], typer.Option(
                 "--alert-days", help="Supply alert threshold (default: supplies.yaml)")] = None,
             db: DbOpt = None) -> None:
    """An area on a date: its level and what it allows, resumption, bottlenecks, inspections and supplies."""
    on_day = _on(date, "--date")
    with _reading(db) as (connection, _areas):
        found = attempt(lambda: area_overview(connection, operator("cli"), area, on_day, alert_days), NOT_WRITTEN)
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
        return
    print_overview(found)


@app.command("demo")
def demo(db: DbOpt = None,
         levels: Annotated[bool, typer.Option("--levels/--no-levels", help="Also load the Fujian areas and counts, "
                                                                          "grade and publish them day by day when "
                                                                          "the store has no areas")] = True,
         user: UserOpt = None) -> None:
    """Load the SYNTHETIC Fujian operations demo (enterprises, reports, inspections, hospitals) into the store."""
    from epizone.services.demo_seed import load_demo
    with opened(db) as engine:
        loaded = attempt(lambda: load_demo(engine, user or "epizone-demo", levels), NOT_WRITTEN)
    out.print(SYNTHETIC_NOTICE, markup=False)
    out.print(loaded.describe(), markup=False)
