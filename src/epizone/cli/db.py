"""``epizone db ...``: the operational store from the command line (loaded on use by ``epizone db``).

Exit codes as for every command (``epizone.cli.common``): 2 bad input or bad options, 1 the database cannot be
used (unreachable, or no schema yet: run ``epizone db init``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from epizone.cli import db_service
from epizone.cli.common import Commands, DbOpt, FileArg, UserOpt, attempt, out
from epizone.cli.render import progress_bar
from epizone.cli.store import on_store, opened, user_name
from epizone.store import migrate
from epizone.store.db import safe_url
from epizone.store.imports import ImportResult, import_file
from epizone.store.models import ROLES
from epizone.store.queries import Status, status as store_status
from epizone.store.users import add_user, list_users, update_user

app = Commands(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
               help="The operational store: schema, imports with history, users.")
import_app = Commands(no_args_is_help=True, help="Import a file: one transaction, idempotent, corrections kept.")
users_app = Commands(no_args_is_help=True, help="Users of the store.")


@app.command()
def init(db: DbOpt = None) -> None:
    """Create the store's schema in an empty database, or upgrade it to the latest version."""
    with opened(db, create=True) as engine:
        migrate.upgrade(engine)
        out.print(f"{safe_url(str(engine.url))}: schema at revision {migrate.head_revision()}")


@app.command()
def status(db: DbOpt = None) -> None:
    """Schema revision, records held (current and all versions) and the latest import batches."""
    with opened(db) as engine:
        _print_status(safe_url(str(engine.url)), store_status(engine))


def _print_status(url: str, s: Status) -> None:
    if s.schema_revision is None:
        out.print(f"{url}: no epizone schema (run `epizone db init`)")
        return
    behind = "" if s.schema_revision == s.head_revision else f" (latest is {s.head_revision}: run `epizone db init`)"
    out.print(f"{url}: schema at revision {s.schema_revision}{behind}")
    for kind in s.current:
        out.print(f"  {kind}: {s.current[kind]:,} current, {s.versions[kind]:,} versions")
    out.print(f"  audit log: {s.audit_entries:,} entries")
    if s.batches:
        table = Table("batch", "kind", "file", "by", "recorded at (UTC)", "read", "new", "revised", "unchanged",
                      title="latest imports")
        for b in s.batches:
            table.add_row(str(b["id"]), b["kind"], b["file_name"], b["user_name"], f"{b['recorded_at']:%Y-%m-%d %H:%M:%S}",
                          *(f"{b[k]:,}" for k in ("rows_read", "rows_new", "rows_revised", "rows_unchanged")))
        out.print(table)


def _import(kind: str, file: Path, db: str | None, user: str | None) -> None:
    with opened(db) as engine, progress_bar(f"staging {kind}") as advance:
        result = attempt(lambda: import_file(engine, kind, file, user_name(user), advance), "nothing was imported",
                         problems_in=str(file))
    out.print(_describe(result))


def _describe(r: ImportResult) -> str:
    if r.same_file_as is not None:
        return f"{r.file}: nothing to do, the same content was imported as batch {r.same_file_as}"
    counts = f"{r.rows_read:,} rows read: {r.new:,} new, {r.revised:,} revised, {r.unchanged:,} unchanged"
    if r.aliases_new:
        counts += f", {r.aliases_new:,} new aliases"
    if not r.changed:
        return f"{r.file}: nothing changed ({counts})"
    return f"{r.file}: imported as batch {r.batch_id} ({counts})"


@import_app.command("areas")
def import_areas(file: FileArg, db: DbOpt = None, user: UserOpt = None) -> None:
    """Areas: code,name,parent_code,kind,population (+ valid_from, valid_to, name_traditional, name_pinyin,
    name_english, aliases)."""
    _import("areas", file, db, user)


@import_app.command("cases")
def import_cases(file: FileArg, db: DbOpt = None, user: UserOpt = None) -> None:
    """Case line list: case_id,report_date,area_code,classification,cluster_id (+ onset_date, imported)."""
    _import("cases", file, db, user)


@import_app.command("counts")
def import_counts(file: FileArg, db: DbOpt = None, user: UserOpt = None) -> None:
    """Daily counts: area_code,date,metric,value."""
    _import("counts", file, db, user)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}")],
    scope: Annotated[Optional[str], typer.Option("--scope", help="Area code a reporter reports for")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Add a user."""
    info = on_store(db, add_user, name, role, scope, user_name(user))
    out.print(f"added {info.name} ({info.role}{', scope ' + info.scope_area_code if info.scope_area_code else ''})")


@users_app.command("list")
def users_list(db: DbOpt = None) -> None:
    """List the users."""
    for info in on_store(db, list_users):
        out.print(f"{info.name}\t{info.role}\t{info.scope_area_code or ''}" + ("\tdisabled" if info.disabled else ""))


@users_app.command("update")
def users_update(
    name: Annotated[str, typer.Argument(help="The user's name")],
    role: Annotated[Optional[str], typer.Option("--role", help=f"New role: one of {', '.join(ROLES)}")] = None,
    scope: Annotated[Optional[str], typer.Option("--scope", help="New scope (a reporter's area code)")] = None,
    disabled: Annotated[Optional[bool], typer.Option("--disable/--enable", help="Refuse (or accept again) "
                                                                              "the user's tokens")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Change a user's role, scope, or disable them."""
    info = on_store(db, update_user, name, user_name(user), role, scope, disabled)
    out.print(f"{info.name}: {info.role}{', scope ' + info.scope_area_code if info.scope_area_code else ''}"
              f"{', disabled' if info.disabled else ''}")


app.add_typer(db_service.app)
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
app.add_typer(db_service.runs_app, name="runs")
app.add_typer(db_service.announcements_app, name="announcements")
app.add_typer(db_service.measures_app, name="measures")
app.add_typer(db_service.tokens_app, name="tokens")
