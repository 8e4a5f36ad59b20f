"""The ``epizone`` command: parses arguments, calls the services, prints with Rich."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from epizone import console
from epizone.domain.problems import InputError
from epizone.domain.rules import RuleSetError, builtin_ids, load_rule_set
from epizone.domain.cutoff import DataThrough
from epizone.services.assess import Request, assess_to_file
from epizone.services.conformance import conformance as check_conformance
from epizone.services.demo import run_demo
from epizone.services.explain import explain as explain_one
from epizone.services.ruledocs import render_markdown

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Zoned, graded, precise epidemic control: risk levels for every area and day.")
rules_app = typer.Typer(no_args_is_help=True, help="The built-in rule sets.")
app.add_typer(rules_app, name="rules")

BAD_INPUT = 2

AreasOpt = Annotated[Path, typer.Option("--areas", help="Areas CSV/Parquet: code,name,parent_code,kind,population")]
CasesOpt = Annotated[Optional[Path], typer.Option("--cases", help="Case line list CSV/Parquet")]
CountsOpt = Annotated[Optional[Path], typer.Option("--counts", help="Daily counts CSV/Parquet: area_code,date,metric,value")]
MetricsOpt = Annotated[Optional[Path], typer.Option("--metrics", help="Metrics CSV/Parquet: area_code,date,metric,value")]
GroupsOpt = Annotated[Optional[Path], typer.Option("--area-groups", help="Groups of a second hierarchy: "
                                                                        "group_code,area_code")]
HolidaysOpt = Annotated[Optional[Path], typer.Option("--holidays", help="Public holidays CSV/Parquet: date[,area_code] "
                                                                        "(for working-day calendars)")]
RulesOpt = Annotated[str, typer.Option("--rules", help="Rule-set id (see `epizone rules list`) or a YAML file")]
UnitOpt = Annotated[Optional[str], typer.Option("--unit", help="Area kind to grade (default: the rule set's unit)")]
ThroughOpt = Annotated[str, typer.Option("--data-through", help="lag:N (data to N days before each day) or a date")]
DataEndOpt = Annotated[Optional[str], typer.Option("--data-end", help="Last date the inputs are complete for "
                                                                       "(default: the last date in them)")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of reasons: en or zh")]


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: expected a date YYYY-MM-DD", param_hint=option) from None


def _request(areas: Path, cases: Path | None, counts: Path | None, metrics: Path | None, rules: str,
             unit: str | None, start: str | None, end: str | None, data_through: str, data_end: str | None,
             lang: str, groups: Path | None = None, holidays: Path | None = None) -> Request:
    if lang not in ("en", "zh"):
        raise typer.BadParameter(f"{lang!r}: expected en or zh", param_hint="--lang")
    if cases is None and counts is None and metrics is None:
        raise typer.BadParameter("give --cases, --counts or --metrics (or several)", param_hint="--cases/--counts")
    try:
        through = DataThrough.parse(data_through)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--data-through") from None
    return Request(areas, cases, counts, metrics, groups, rules, unit, _date(start, "--start"), _date(end, "--end"),
                   through, _date(data_end, "--data-end"), lang, holidays=holidays)


def _fail(exc: Exception, headline: str = "") -> None:
    if isinstance(exc, InputError):
        headline = "; ".join(filter(None, [f"{exc.count} problem(s) in the inputs", headline]))
    console.error(str(exc), headline)
    raise typer.Exit(BAD_INPUT)


@app.command()
def assess(
    areas: AreasOpt,
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .json")],
    start: Annotated[str, typer.Option("--start", help="First day to grade, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--end", help="Last day to grade, YYYY-MM-DD")],
    cases: CasesOpt = None,
    counts: CountsOpt = None,
    metrics: MetricsOpt = None,
    area_groups: GroupsOpt = None,
    holidays: HolidaysOpt = None,
    rules: RulesOpt = "cn-2020-02",
    unit: UnitOpt = None,
    data_through: ThroughOpt = "lag:0",
    data_end: DataEndOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Grade every unit for every day from START to END and write one row per unit per day."""
    req = _request(areas, cases, counts, metrics, rules, unit, start, end, data_through, data_end, lang,
                   area_groups, holidays)
    try:
        with console.progress_bar() as advance:
            summary = assess_to_file(req, out, progress=advance)
    except (InputError, RuleSetError, ValueError) as exc:
        _fail(exc, "no output file was written")
    console.print_summary(summary, out)


@app.command()
def explain(
    areas: AreasOpt,
    area: Annotated[str, typer.Option("--area", help="Code or exact name of the unit")],
    date: Annotated[str, typer.Option("--date", help="The day, YYYY-MM-DD")],
    cases: CasesOpt = None,
    counts: CountsOpt = None,
    metrics: MetricsOpt = None,
    area_groups: GroupsOpt = None,
    holidays: HolidaysOpt = None,
    rules: RulesOpt = "cn-2020-02",
    unit: UnitOpt = None,
    data_through: ThroughOpt = "lag:0",
    data_end: DataEndOpt = None,
    lang: LangOpt = "en",
) -> None:
    """Show the indicators and the clause that set one unit's level on one day."""
    req = _request(areas, cases, counts, metrics, rules, unit, None, None, data_through, data_end, lang,
                   area_groups, holidays)
    day = _date(date, "--date")
    try:
        result = explain_one(req, area, day)
    except (InputError, RuleSetError, ValueError) as exc:
        _fail(exc)
    console.print_explanation(result)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the full series")] = Path("out/demo"),
    lang: LangOpt = "en",
) -> None:
    """Grade every Fujian county on 2020-02-23 (data to the 22nd) and compare with the official list."""
    report = run_demo(out_dir, lang)
    console.print_demo(report)


@app.command()
def conformance(
    rule_set: Annotated[str, typer.Argument(help="Rule-set id whose published levels the file holds")],
    file: Annotated[Path, typer.Argument(help="The file the authority published")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Write every row (official vs computed) as CSV")] = None,
) -> None:
    """Recompute the levels in an authority's published file and report agreement, row by row."""
    try:
        report = check_conformance(rule_set, file, out)
    except (InputError, RuleSetError, ValueError) as exc:
        _fail(exc)
    console.print_conformance(report)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                "help_option_names": []}, add_help_option=False)
def db(ctx: typer.Context) -> None:
    """The operational store (SQLite or PostgreSQL): schema, imports with history, users (`epizone db --help`)."""
    try:  # loaded on use: the store's libraries would slow every other command's start
        from epizone.store.cli import app as store_app
    except ImportError as exc:
        _fail(ValueError(f"the store needs its optional dependencies: pip install 'epizone[store]' ({exc})"))
    store_app(args=ctx.args, prog_name="epizone db")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                "help_option_names": []}, add_help_option=False)
def ops(ctx: typer.Context) -> None:
    """Work resumption, duty supervision and front-line supplies on the store (`epizone ops --help`)."""
    try:  # loaded on use, like `db`
        from epizone.ops.cli import app as ops_app
    except ImportError as exc:
        _fail(ValueError(f"operations need the store's optional dependencies: pip install 'epizone[store]' ({exc})"))
    ops_app(args=ctx.args, prog_name="epizone ops")


@app.command()
def serve(
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $EPIZONE_DATABASE_URL, "
                                                            "else sqlite:///epizone.db)")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8000,
    public_read: Annotated[bool, typer.Option("--public-read", help="Anyone may read published levels and "
                                                                    "announcements without a token")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Serve the bundled Fujian demo (built in out/demo-store "
                                                      "on first use), with public read on")] = False,
) -> None:
    """Start the service on the store (FastAPI on uvicorn): dashboard at /, API under /api/v1, docs at /docs."""
    try:  # loaded on use, like `db`
        from epizone.api.serve import serve as run_service
    except ImportError as exc:
        _fail(ValueError(f"the service needs its optional dependencies: pip install 'epizone[api]' ({exc})"))
    run_service(db, host, port, public_read, demo)


@rules_app.command("list")
def rules_list() -> None:
    """List the built-in rule sets."""
    console.print_rule_sets([load_rule_set(i) for i in builtin_ids()])


@rules_app.command("show")
def rules_show(rule_set: Annotated[str, typer.Argument(help="Rule-set id or YAML file")],
               lang: LangOpt = "en",
               markdown: Annotated[bool, typer.Option("--markdown", help="Print the reference page")] = False) -> None:
    """Show a rule set: its source, indicators and clauses in words."""
    try:
        rs = load_rule_set(rule_set)
    except RuleSetError as exc:
        _fail(exc)
    if markdown:
        sys.stdout.write(render_markdown(rs))
        return
    console.print_rule_set(rs, lang)


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # e.g. `epizone rules list | head`
        sys.stderr.close()


if __name__ == "__main__":
    main()
