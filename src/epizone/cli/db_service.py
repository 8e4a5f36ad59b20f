"""``epizone db runs|publish|retract|announcements|measures|tokens``: the service's store commands (mounted on
``epizone db`` by ``epizone.cli.db``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import Annotated, Optional

import typer
from sqlalchemy import Engine

from epizone.cli.common import BadOption, Commands, DbOpt, UserOpt, attempt, day, err, moment, out
from epizone.cli.store import on_store, opened, user_name
from epizone.domain.cutoff import DataThrough
from epizone.store.changes import CHANGE_COLUMNS, as_row, changes_of
from epizone.store.measures import add_measure, edit_measure, list_measures, remove_measure
from epizone.store.publish import get_announcement, list_announcements, publish, retract
from epizone.services.runs import RunRequest, run_assessment
from epizone.store.db import reading
from epizone.store.levels import run_periods
from epizone.store.runs import get_run, list_runs, prune_runs
from epizone.store.tokens import create_token, list_tokens, revoke_token

app = Commands()  # publish, retract
runs_app = Commands(no_args_is_help=True, help="Assessment runs: the store's data graded as of a moment, frozen.")
announcements_app = Commands(no_args_is_help=True, help="Announcements of published levels and retractions.")
measures_app = Commands(no_args_is_help=True, help="The catalogue of measures per rule set and level.")
tokens_app = Commands(no_args_is_help=True, help="API tokens (shown once, stored hashed).")


@runs_app.command("create")
def runs_create(
    rules: Annotated[str, typer.Option("--rules", help="Built-in rule-set id")] = "cn-2020-02",
    date: Annotated[Optional[str], typer.Option("--date", help="Grade this one day (sets --start and --end)")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="First day to grade, YYYY-MM-DD")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="Last day to grade, YYYY-MM-DD")] = None,
    data_through: Annotated[str, typer.Option("--data-through", help="lag:N or a date")] = "lag:0",
    unit: Annotated[Optional[str], typer.Option("--unit", help="Area kind to grade (default: the rule set's)")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Use the data as known at this moment "
                                                                 "(default: as of the latest import)")] = None,
    data_end: Annotated[Optional[str], typer.Option("--data-end", help="Last date the data are complete for "
                                                                       "(default: the last date in them)")] = None,
    full: Annotated[bool, typer.Option("--full", help="Replay from the first data date even when a checkpoint "
                                                      "of an earlier run fits")] = False,
    keep: Annotated[Optional[str], typer.Option("--keep", help="Days whose values the run keeps for every unit: "
                                                               "all, last or dates YYYY-MM-DD,... (default: all "
                                                               "for at most 200,000 unit-days, else last)")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Grade the store's data and keep the run (rule set, period, data cutoff, moment of the data, who, when).

    The run continues from the checkpoint of an earlier run when one fits (same rule set, unit, areas and
    cutoff; a day before --start; no data changed on or before its cutoff since), and says so."""
    through = DataThrough.parse(data_through)
    first, last = day(start or date, "--start"), day(end or date, "--end")
    request = RunRequest(rules, first, last, through, unit, moment(as_of, "--as-of"), day(data_end, "--data-end"),
                         full, _keep(keep))
    with opened(db) as engine:
        run = attempt(lambda: run_assessment(engine, request, user_name(user)), "no run was made")
    levels = ", ".join(f"{k} {v}" for k, v in run.summary["last_day_by_level"].items())
    out.print(f"run {run.id}: {run.rule_set}, {run.units} {run.unit} units, {run.start_date} to {run.end_date}, "
              f"data through {run.data_through}, data as of {run.data_as_of:%Y-%m-%d %H:%M:%S} UTC; "
              f"on {run.end_date}: {levels}; {run.summary.get('state')}")


def _keep(text: str | None) -> str | list[dt.date] | None:
    if text is None or text in ("all", "last"):
        return text
    return [day(part.strip(), "--keep") for part in text.split(",")]


@runs_app.command("periods")
def runs_periods(
    run: Annotated[int, typer.Argument(help="The run's id")],
    area: Annotated[Optional[str], typer.Option("--area", help="Only this unit")] = None,
    db: DbOpt = None,
) -> None:
    """A run's levels as periods, one line per unit and run of days at one level: area, start, end, level,
    reason."""
    def read(engine: Engine) -> list:
        get_run(engine, run)
        with reading(engine) as connection:
            return connection.execute(run_periods(run, None if area is None else [area])).all()

    rows = attempt(lambda: on_store(db, read), "nothing to show")
    for r in rows:  # tab-separated, as written (no console layout)
        typer.echo(f"{r.area_code}\t{r.area_name}\t{r.start}\t{r.end}\t{r.level}\t{r.reason_en}")


@runs_app.command("prune")
def runs_prune(
    older_than: Annotated[int, typer.Option("--older-than", min=0, help="Drop draft runs made more than this "
                                                                        "many days ago")],
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Drop the draft runs (never published) older than --older-than days, with their levels and checkpoints."""
    with opened(db) as engine:
        ids = prune_runs(engine, dt.timedelta(days=older_than), user_name(user))
    out.print(f"{len(ids)} draft runs dropped" + (f": {', '.join(map(str, ids))}" if ids else ""))


@runs_app.command("list")
def runs_list(db: DbOpt = None) -> None:
    """List the assessment runs, newest first."""
    _, runs = on_store(db, list_runs)
    for r in runs:
        out.print(f"{r.id}\t{r.rule_set}\t{r.unit}\t{r.start_date}\t{r.end_date}\t{r.data_through}\t"
                  f"{r.data_as_of:%Y-%m-%d %H:%M:%S}\t{r.created_by}")


@app.command("publish")
def publish_run(
    run: Annotated[int, typer.Argument(help="The run's id")],
    date: Annotated[str, typer.Option("--date", help="Which graded day to publish, YYYY-MM-DD")],
    effective: Annotated[Optional[str], typer.Option("--effective", help="In force from (default: --date)")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Publish a run's levels on a date and print the announcement of the changes."""
    on, from_day = day(date, "--date"), day(effective, "--effective")
    with opened(db) as engine:
        done = attempt(lambda: publish(engine, run, on, user_name(user), from_day), "nothing was published")
    if not done.created:
        out.print(f"already published as announcement No. {done.announcement.number}")
    out.print(done.announcement.text_en, markup=False)


@app.command("retract")
def retract_announcement(
    number: Annotated[int, typer.Argument(help="The announcement's number")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (quoted in the retraction)")],
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Withdraw a publication with a new retraction announcement."""
    with opened(db) as engine:
        info = attempt(lambda: retract(engine, number, user_name(user), reason), "nothing was retracted")
    out.print(info.text_en, markup=False)


@announcements_app.command("list")
def announcements_list(db: DbOpt = None) -> None:
    """List the announcements, newest first."""
    _, found = on_store(db, list_announcements)
    for a in found:
        extra = f"retracts No. {a.retracts}" if a.retracts else (f"retracted by No. {a.retracted_by}"
                                                                  if a.retracted_by else "")
        out.print(f"{a.number}\t{a.kind}\t{a.effective_date}\t{a.rule_set}\t{a.created_by}\t{extra}".rstrip())


@announcements_app.command("show")
def announcements_show(
    number: Annotated[int, typer.Argument(help="The announcement's number")],
    lang: Annotated[str, typer.Option("--lang", help="en, zh, or json (the body)")] = "en",
    db: DbOpt = None,
) -> None:
    """Print one announcement in English, Chinese, or as JSON."""
    if lang not in ("en", "zh", "json"):
        raise BadOption("--lang", lang, "en, zh or json")
    a = on_store(db, get_announcement, number)
    text = {"en": a.text_en, "zh": a.text_zh}.get(lang) or json.dumps(a.body, ensure_ascii=False, indent=2) + "\n"
    out.print(text, markup=False, end="")


@announcements_app.command("changes")
def announcements_changes(
    number: Annotated[int, typer.Argument(help="The announcement's number")],
    format: Annotated[str, typer.Option("--format", help="csv (default) or json")] = "csv",  # noqa: A002
    db: DbOpt = None,
) -> None:
    """Print every change of an announcement (the full list a long announcement attaches) as CSV or JSON."""
    if format not in ("csv", "json"):
        raise BadOption("--format", format, "csv or json")
    lines = on_store(db, lambda engine: changes_of(engine, get_announcement(engine, number)))
    if format == "json":
        sys.stdout.write(json.dumps(lines, ensure_ascii=False, indent=1) + "\n")
        return
    writer = csv.DictWriter(sys.stdout, CHANGE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(as_row(line) for line in lines)


RulesOpt = Annotated[Optional[str], typer.Option("--rules", help="Rule-set id")]
LevelOpt = Annotated[Optional[str], typer.Option("--level", help="Level id")]


@measures_app.command("list")
def measures_list(rules: RulesOpt = None, level: LevelOpt = None, db: DbOpt = None) -> None:
    """List the measures (id, rule set, level, position, Chinese, English)."""
    for m in on_store(db, list_measures, rules, level):
        out.print(f"{m.id}\t{m.rule_set_id}\t{m.level}\t{m.position}\t{m.text_zh}\t{m.text_en}", markup=False)


@measures_app.command("add")
def measures_add(
    rules: Annotated[str, typer.Option("--rules", help="Rule-set id")],
    level: Annotated[str, typer.Option("--level", help="Level id")],
    zh: Annotated[str, typer.Option("--zh", help="The measure in Chinese")],
    en: Annotated[str, typer.Option("--en", help="The measure in English")],
    position: Annotated[Optional[int], typer.Option("--position", help="Order within the level "
                                                                       "(default: last)")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Add a measure to a level."""
    m = on_store(db, add_measure, rules, level, zh, en, user_name(user), position)
    out.print(f"added measure {m.id} ({m.rule_set_id} {m.level} #{m.position})")


@measures_app.command("edit")
def measures_edit(
    measure: Annotated[int, typer.Argument(help="The measure's id")],
    zh: Annotated[Optional[str], typer.Option("--zh", help="New Chinese text")] = None,
    en: Annotated[Optional[str], typer.Option("--en", help="New English text")] = None,
    position: Annotated[Optional[int], typer.Option("--position", help="New position")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Change a measure's text or position."""
    m = on_store(db, edit_measure, measure, user_name(user), zh, en, position)
    out.print(f"measure {m.id}: {m.text_zh} / {m.text_en}", markup=False)


@measures_app.command("remove")
def measures_remove(measure: Annotated[int, typer.Argument(help="The measure's id")], db: DbOpt = None,
                    user: UserOpt = None) -> None:
    """Remove a measure."""
    m = on_store(db, remove_measure, measure, user_name(user))
    out.print(f"removed measure {m.id}")


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as")],
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "",
    expires_days: Annotated[Optional[int], typer.Option("--expires-days", help="Expires after this many days "
                                                                               "(default: never)")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Create a token and print it (the only time it is shown)."""
    if expires_days is not None and expires_days < 1:
        raise BadOption("--expires-days", expires_days, "1 or more")
    expires = None if expires_days is None else \
        dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(days=expires_days)
    new = on_store(db, create_token, name, user_name(user), label, expires)
    print(new.token)  # alone on stdout, so that scripts can capture it
    err.print(f"token {new.info.id} for {name} (prefix {new.info.prefix}): it will not be shown again")


@tokens_app.command("list")
def tokens_list(
    name: Annotated[Optional[str], typer.Option("--for", help="Only this user's tokens")] = None,
    db: DbOpt = None,
) -> None:
    """List tokens (id, user, prefix, label, state); never the tokens themselves."""
    for t in on_store(db, list_tokens, name):
        out.print(f"{t.id}\t{t.user}\t{t.prefix}\t{t.label}\t{t.state}", markup=False)


@tokens_app.command("revoke")
def tokens_revoke(token: Annotated[int, typer.Argument(help="The token's id")], db: DbOpt = None,
                  user: UserOpt = None) -> None:
    """Revoke a token: it is refused from now on."""
    t = on_store(db, revoke_token, token, user_name(user))
    out.print(f"token {t.id} of {t.user} revoked")
