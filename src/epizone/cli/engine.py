"""``epizone assess|explain|demo|conformance`` and ``epizone rules`` (``rules_app``): the engine on files, from
the command line.

Bad options are usage errors (exit 2, with the usage line); bad inputs are listed, nothing written (exit 2).
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from epizone.cli import render
from epizone.cli.common import BadOption, LangOpt, attempt, day
from epizone.domain.rules import builtin_ids, load_rule_set
from epizone.domain.cutoff import DataThrough
from epizone.engine.run import OUTPUTS
from epizone.services.assess import Request, Summary, assess_to_file
from epizone.services.conformance import conformance as check_conformance
from epizone.services.demo import run_demo
from epizone.services.explain import explain as explain_one
from epizone.services.ruledocs import render_markdown
from epizone.services.state import StateDir

app = typer.Typer()
rules_app = typer.Typer(no_args_is_help=True, help="The built-in rule sets.")

INPUTS = "the inputs"
Output = enum.Enum("Output", {name: name for name in OUTPUTS}, type=str)  # --output dense|periods

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


def _day(text: str | None, option: str) -> dt.date | None:
    """The date given to ``option``; a bad one is a usage error."""
    try:
        return day(text, option)
    except BadOption as exc:
        raise typer.BadParameter(exc.problem, param_hint=exc.option) from None


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
    return Request(areas, cases, counts, metrics, groups, rules, unit, _day(start, "--start"), _day(end, "--end"),
                   through, _day(data_end, "--data-end"), lang, holidays=holidays)


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
    output: Annotated[Output, typer.Option("--output",
                                           help="dense: one row per unit per day; periods: one row per unit per "
                                             "period of constant level (start, end inclusive)")] = Output.dense,
    state: Annotated[Optional[Path], typer.Option(
        "--state", help="Folder of checkpoints: continue from the newest valid one and keep one at --end "
                        "(the output then holds the days graded from the checkpoint on)")] = None,
    full: Annotated[bool, typer.Option("--full", help="With --state: replay fully all the same, then keep a "
                                                      "checkpoint")] = False,
) -> None:
    """Grade every unit for every day from START to END and write one row per unit per day (or per period)."""
    req = _request(areas, cases, counts, metrics, rules, unit, start, end, data_through, data_end, lang,
                   area_groups, holidays)
    if full and state is None:
        raise typer.BadParameter("--full goes with --state", param_hint="--full")
    req.state, req.full = (None if state is None else StateDir(state)), full

    def grade() -> Summary:
        with render.progress_bar("grading units") as advance:
            return assess_to_file(req, out, progress=advance, output=output.value)
    render.print_summary(attempt(grade, "no output file was written", INPUTS), out)


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
    on = _day(date, "--date")
    render.print_explanation(attempt(lambda: explain_one(req, area, on), problems_in=INPUTS))


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the full series")] = Path("out/demo"),
    lang: LangOpt = "en",
) -> None:
    """Grade every Fujian county on 2020-02-23 (data to the 22nd) and compare with the official list."""
    report = run_demo(out_dir, lang)
    render.print_demo(report)


@app.command()
def conformance(
    rule_set: Annotated[str, typer.Argument(help="Rule-set id whose published levels the file holds")],
    file: Annotated[Path, typer.Argument(help="The file the authority published")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Write every row (official vs computed) as CSV")] = None,
) -> None:
    """Recompute the levels in an authority's published file and report agreement, row by row."""
    render.print_conformance(attempt(lambda: check_conformance(rule_set, file, out), problems_in=INPUTS))


@rules_app.command("list")
def rules_list() -> None:
    """List the built-in rule sets."""
    render.print_rule_sets([load_rule_set(i) for i in builtin_ids()])


@rules_app.command("show")
def rules_show(rule_set: Annotated[str, typer.Argument(help="Rule-set id or YAML file")],
               lang: LangOpt = "en",
               markdown: Annotated[bool, typer.Option("--markdown", help="Print the reference page")] = False) -> None:
    """Show a rule set: its source, indicators and clauses in words."""
    rs = attempt(lambda: load_rule_set(rule_set))
    if markdown:
        sys.stdout.write(render_markdown(rs))
        return
    render.print_rule_set(rs, lang)

