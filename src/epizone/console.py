"""Rich rendering for the command line: summaries, explanations, the demo table, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from epizone.domain.rules import RuleSet
from epizone.services.assess import Summary
from epizone.services.compare import Comparison
from epizone.services.conformance import Report
from epizone.services.demo import DemoReport
from epizone.services.explain import Explanation

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
if not out.is_terminal:  # logs and pipes: wide enough for the tables, rather than 80 columns
    out.width = max(out.width, 140)

LEVEL_STYLE = {"low": "green", "medium": "dark_orange", "high": "bold red", "unknown": "grey50"}


def error(message: str, headline: str = "") -> None:
    """Print an error to stderr, one problem a line, never wrapped (paths and values stay greppable)."""
    if headline:
        err.print(f"[bold red]error:[/] {escape(headline)}")
    err.print(message if headline else f"error: {message}", markup=False, soft_wrap=True)


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar over units, on an interactive terminal only."""
    progress = Progress(TextColumn("grading units"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    task = progress.add_task("grade", total=None)

    def advance(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield advance


def _level(level: str) -> str:
    return f"[{LEVEL_STYLE.get(level, 'white')}]{level}[/]"


def print_summary(summary: Summary, path: Path) -> None:
    table = Table(title=f"epizone assess: {summary.rule_set}, unit {summary.unit}", show_header=False)
    table.add_row("output", f"{path} ({summary.rows:,} rows)")
    table.add_row("units x days", f"{summary.units:,} x {(summary.end - summary.start).days + 1:,} "
                                   f"({summary.start} .. {summary.end})")
    table.add_row("data", f"{summary.data_first} .. {summary.data_last}, through {summary.data_through}")
    table.add_row(f"units by level on {summary.end}",
                  ", ".join(f"{_level(k)} {v:,}" for k, v in summary.last_day_by_level.items()))
    table.add_row("unit-days by level", ", ".join(f"{_level(k)} {v:,}" for k, v in summary.unit_days_by_level.items()))
    table.add_row("unassigned cases", f"{summary.unassigned_cases:,}")
    table.add_row("seconds", f"{summary.seconds:.2f}")
    out.print(table)
    print_unassigned(summary)


def print_unassigned(summary: Summary) -> None:
    if not summary.unassigned:
        return
    shown = ", ".join(f"{u.area_code} {u.count} {u.series}" for u in summary.unassigned[:10])
    more = f" and {len(summary.unassigned) - 10} more areas" if len(summary.unassigned) > 10 else ""
    err.print(f"[yellow]warning:[/] records above or outside the unit kind {summary.unit!r} are counted as "
              f"unassigned, not graded: {escape(shown)}{more}", soft_wrap=True)


def print_explanation(e: Explanation) -> None:
    out.print(f"[bold]{escape(e.area_name)}[/] ({escape(e.area_code)}, {e.unit}) on {e.date}: {_level(e.level)} ({e.level_label})")
    out.print(f"rule set {e.rule_set}: {e.rule_title}")
    out.print(f"data through {e.data_through}" + ("  [grey50](not covered by the data)[/]" if e.stale else ""))
    table = Table("indicator", "value", "meaning")
    for name, (value, meaning) in e.indicators.items():
        window = e.windows.get(name)
        table.add_row(name, "-" if value is None else str(value),
                      meaning + (f" ({window[0]} .. {window[1]})" if window else ""))
    out.print(table)
    clauses = Table("clause", "condition", "holds", "level")
    fired = False
    for c in e.clauses:
        mark = "yes" if c.held else "no"
        if c.held and not fired and not e.stale:
            mark, fired = "[bold]yes <- fired[/]", True
        clauses.add_row(c.code, c.when, mark, _level(c.level))
    out.print(clauses)
    out.print(f"reason {escape('[' + e.reason_code + ']')}: {escape(e.reason)}")
    if e.last_move:
        out.print(f"last timed move: {escape(e.last_move)}")


def print_demo(report: DemoReport) -> None:
    rows = sorted(report.table.to_pylist(), key=lambda r: (report.cities[r["area_code"]][0], r["area_code"]))
    table = Table(title="Fujian county risk levels on 2020-02-23 (cn-2020-02, data to 2020-02-22)")
    for col in ("city", "county", "code", "level", "cumulative", "new in 14 days", "days since last", "clause"):
        table.add_column(col)
    city = None
    for r in rows:
        name = report.cities[r["area_code"]][1]
        since = r["days_since_last_confirmed"]
        table.add_row(name if name != city else "", r["area_name"], r["area_code"], _level(r["level"]),
                      str(r["cumulative_confirmed"]), str(r["new_confirmed_14d"]), "-" if since is None else str(since),
                      r["reason_code"])
        city = name
    out.print(table)
    out.print("units by level: " + ", ".join(f"{_level(k)} {v}" for k, v in report.summary.last_day_by_level.items()))
    _print_comparison("official list of 2020-02-23, assessed with data to the 22nd (lag:1)", report.comparison,
                      report.notes)
    _print_comparison("for contrast, data to the 23rd itself (lag:0)", report.same_day, report.notes)
    out.print("full series " + ", ".join(str(p) for p in report.series_files)
              + f": {report.series_summary.rows:,} rows ({report.series_summary.start} .. {report.series_summary.end})")


def _print_comparison(title: str, c: Comparison, notes: dict[str, str]) -> None:
    out.print(f"\n[bold]{title}[/]: {c.agree} of {c.compared} units agree")
    for d in c.disagreements:
        out.print(f"  {escape(d.area_name)} ({d.area_code}): official {_level(d.official)}, "
                  f"computed {_level(d.computed)}: {escape(d.explanation)}")
        if d.area_code in notes:
            out.print(f"    data note: {escape(notes[d.area_code])}")


def print_rule_sets(rule_sets: list[RuleSet]) -> None:
    table = Table("id", "version", "unit", "levels", "title", "document date")
    for rs in rule_sets:
        table.add_row(rs.id, str(rs.version), rs.unit, " / ".join(rs.level_ids), rs.title.en, str(rs.document.date))
    out.print(table)


def print_rule_set(rs: RuleSet, lang: str) -> None:
    pick = (lambda t: t.zh) if lang == "zh" else (lambda t: t.en)
    out.print(f"[bold]{rs.ref}[/] {pick(rs.title)}")
    out.print(f"{pick(rs.authority)}: {pick(rs.document)} ({rs.document.date}); " + " ".join(rs.document.urls))
    out.print(f"unit: {rs.unit}; effective from {rs.effective.from_}")
    table = Table("indicator", "kind", "meaning")
    for name, ind in rs.indicators.items():
        table.add_row(name, ind.kind, pick(ind))
    out.print(table)
    clauses = Table("#", "clause", "when", "level", "in words")
    for i, c in enumerate(rs.clauses, 1):
        clauses.add_row(str(i), c.code, c.when, _level(c.level), c.reason(lang))
    out.print(clauses)
    out.print("The first clause that holds sets the level; days whose data cutoff is not covered are unknown.")
    if rs.states:
        _print_machine(rs, pick)


def _print_machine(rs: RuleSet, pick: Callable) -> None:
    states = Table("timed state", "level", "in words")
    for s in rs.states:
        states.add_row(s.code, _level(s.level), pick(s))
    out.print(states)
    moves = Table("move", "from → to", "run: each day", "days", "on the last day", "takes effect")
    for m in rs.moves:
        moves.add_row(m.code, f"{', '.join(m.from_)} → {m.to}", m.when, f"{m.days} ({m.calendar})", m.last_day or "",
                      f"{m.takes_effect} day(s) later")
    out.print(moves)
    for m in rs.moves:
        out.print(f"  {m.code}: {escape(pick(m))}")
    out.print("Outside every timed state (none) the clauses decide; runs count from the day after a state took "
              "effect; the first listed move wins a tie." + (f" Public holidays: {', '.join(map(str, rs.holidays))}."
                                                             if rs.holidays else ""))


def print_conformance(report: Report) -> None:
    complete, partial = report.part(True), report.part(False)
    table = Table(title=f"conformance of {report.rule_set} with {report.file}", show_header=True)
    for col in ("rows with an official level", "rows", "agree", "agreement"):
        table.add_column(col)
    for name, rows in (("all", report.rows), ("complete inputs", complete), ("inputs withheld (counted apart)", partial)):
        agree = sum(r.agrees for r in rows)
        table.add_row(name, f"{len(rows):,}", f"{agree:,}", f"{agree / len(rows):.4%}" if rows else "-")
    out.print(table)
    out.print(f"rows without an official level (not compared): {report.without_official:,}")
    for title, rows in (("complete inputs", complete), ("inputs withheld", partial)):
        wrong = [r for r in rows if not r.agrees]
        if wrong:
            out.print(f"\n[bold]disagreements, {title}[/]: {len(wrong):,}")
        for r in wrong:
            out.print(f"  line {r.row.line}: {escape(r.row.area_name)} ({r.row.area_code}) {r.row.date}: official "
                      f"{_level(r.row.official or '-')}: {escape(r.explanation())}", soft_wrap=True)
