"""Rich rendering of the engine commands' answers: summaries, explanations, the demo table, rule sets,
conformance; and the progress bar of long commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from epizone.cli.common import err, out
from epizone.domain.rules import RuleSet
from epizone.services.assess import Summary
from epizone.services.compare import Comparison
from epizone.services.conformance import Report
from epizone.services.demo import DemoReport
from epizone.services.explain import Explanation

LEVEL_STYLE = {"low": "green", "medium": "dark_orange", "high": "bold red", "unknown": "grey50"}


def _say(*objects: object, **options: object) -> None:
    """Print on stdout, long lines wrapped for reading (the console keeps record lines whole by default)."""
    out.print(*objects, **{"soft_wrap": False, **options})


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar (``advance(done, total)``) on stderr, on an interactive terminal only."""
    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    task = progress.add_task(label, total=None)
    with progress:
        yield lambda done, total: progress.update(task, completed=done, total=total)


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
    if summary.state:
        table.add_row("checkpoint", summary.state)
    table.add_row("seconds", f"{summary.seconds:.2f}")
    _say(table)
    print_unassigned(summary)


def print_unassigned(summary: Summary) -> None:
    if not summary.unassigned:
        return
    shown = ", ".join(f"{u.area_code} {u.count} {u.series}" for u in summary.unassigned[:10])
    more = f" and {len(summary.unassigned) - 10} more areas" if len(summary.unassigned) > 10 else ""
    err.print(f"[yellow]warning:[/] records above or outside the unit kind {summary.unit!r} are counted as "
              f"unassigned, not graded: {escape(shown)}{more}", soft_wrap=True)


def print_explanation(e: Explanation) -> None:
    _say(f"[bold]{escape(e.area_name)}[/] ({escape(e.area_code)}, {e.unit}) on {e.date}: {_level(e.level)} ({e.level_label})")
    _say(f"rule set {e.rule_set}: {e.rule_title}")
    _say(f"data through {e.data_through}" + ("  [grey50](not covered by the data)[/]" if e.stale else ""))
    table = Table("indicator", "value", "meaning")
    for name, (value, meaning) in e.indicators.items():
        window = e.windows.get(name)
        table.add_row(name, "-" if value is None else str(value),
                      meaning + (f" ({window[0]} .. {window[1]})" if window else ""))
    _say(table)
    clauses = Table("clause", "condition", "holds", "level")
    fired = False
    for c in e.clauses:
        mark = "yes" if c.held else "no"
        if c.held and not fired and not e.stale:
            mark, fired = "[bold]yes <- fired[/]", True
        clauses.add_row(c.code, c.when, mark, _level(c.level))
    _say(clauses)
    _say(f"reason {escape('[' + e.reason_code + ']')}: {escape(e.reason)}")
    if e.last_move:
        _say(f"last timed move: {escape(e.last_move)}")


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
    _say(table)
    _say("units by level: " + ", ".join(f"{_level(k)} {v}" for k, v in report.summary.last_day_by_level.items()))
    _print_comparison("official list of 2020-02-23, assessed with data to the 22nd (lag:1)", report.comparison,
                      report.notes)
    _print_comparison("for contrast, data to the 23rd itself (lag:0)", report.same_day, report.notes)
    _say("full series " + ", ".join(str(p) for p in report.series_files)
              + f": {report.series_summary.rows:,} rows ({report.series_summary.start} .. {report.series_summary.end})")


def _print_comparison(title: str, c: Comparison, notes: dict[str, str]) -> None:
    _say(f"\n[bold]{title}[/]: {c.agree} of {c.compared} units agree")
    for d in c.disagreements:
        _say(f"  {escape(d.area_name)} ({d.area_code}): official {_level(d.official)}, "
                  f"computed {_level(d.computed)}: {escape(d.explanation)}")
        if d.area_code in notes:
            _say(f"    data note: {escape(notes[d.area_code])}")


def print_rule_sets(rule_sets: list[RuleSet]) -> None:
    table = Table("id", "version", "unit", "levels", "title", "document date")
    for rs in rule_sets:
        table.add_row(rs.id, str(rs.version), rs.unit, " / ".join(rs.level_ids), rs.title.en, str(rs.document.date))
    _say(table)


def print_rule_set(rs: RuleSet, lang: str) -> None:
    pick = (lambda t: t.zh) if lang == "zh" else (lambda t: t.en)
    _say(f"[bold]{rs.ref}[/] {pick(rs.title)}")
    _say(f"{pick(rs.authority)}: {pick(rs.document)} ({rs.document.date}); " + " ".join(rs.document.urls))
    _say(f"unit: {rs.unit}; effective from {rs.effective.from_}")
    table = Table("indicator", "kind", "meaning")
    for name, ind in rs.indicators.items():
        table.add_row(name, ind.kind, pick(ind))
    _say(table)
    clauses = Table("#", "clause", "when", "level", "in words")
    for i, c in enumerate(rs.clauses, 1):
        clauses.add_row(str(i), c.code, c.when, _level(c.level), c.reason(lang))
    _say(clauses)
    _say("The first clause that holds sets the level; days whose data cutoff is not covered are unknown.")
    if rs.states:
        _print_machine(rs, pick)


def _print_machine(rs: RuleSet, pick: Callable) -> None:
    states = Table("timed state", "level", "in words")
    for s in rs.states:
        states.add_row(s.code, _level(s.level), pick(s))
    _say(states)
    moves = Table("move", "from → to", "run: each day", "days", "on the last day", "takes effect")
    for m in rs.moves:
        moves.add_row(m.code, f"{', '.join(m.from_)} → {m.to}", m.when, f"{m.days} ({m.calendar})", m.last_day or "",
                      f"{m.takes_effect} day(s) later")
    _say(moves)
    for m in rs.moves:
        _say(f"  {m.code}: {escape(pick(m))}")
    _say("Outside every timed state (none) the clauses decide; runs count from the day after a state took "
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
    _say(table)
    _say(f"rows without an official level (not compared): {report.without_official:,}")
    for title, rows in (("complete inputs", complete), ("inputs withheld", partial)):
        wrong = [r for r in rows if not r.agrees]
        if wrong:
            _say(f"\n[bold]disagreements, {title}[/]: {len(wrong):,}")
        for r in wrong:
            _say(f"  line {r.row.line}: {escape(r.row.area_name)} ({r.row.area_code}) {r.row.date}: official "
                      f"{_level(r.row.official or '-')}: {escape(r.explanation())}", soft_wrap=True)
