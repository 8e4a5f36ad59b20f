"""``epizone db ...``: the operational store from the command line (a Typer sub-app, mounted by epizone.cli).

Exit codes: 0 success; 2 bad input or bad options (every problem listed, nothing written); 1 the database
cannot be used (unreachable, or no schema yet: run ``epizone db init``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from epizone.domain.problems import InputError
from epizone.store import migrate
from epizone.store.db import make_engine, missing_sqlite_file, safe_url
from epizone.store.imports import ImportResult, import_file
from epizone.store.migrate import SchemaError
from epizone.store.models import ROLES
from epizone.store.queries import Status, status as store_status
from epizone.store.settings import StoreSettings
from epizone.store.users import UserError, UserNotFound, add_user, list_users, update_user

BAD_INPUT = 2
STORE_UNUSABLE = 1

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="The operational store: schema, imports with history, users.")
import_app = typer.Typer(no_args_is_help=True, help="Import a file: one transaction, idempotent, corrections kept.")
users_app = typer.Typer(no_args_is_help=True, help="Users of the store.")
runs_app = typer.Typer(no_args_is_help=True, help="Assessment runs: the store's data graded as of a moment, frozen.")
announcements_app = typer.Typer(no_args_is_help=True, help="Announcements of published levels and retractions.")
measures_app = typer.Typer(no_args_is_help=True, help="The catalogue of measures per rule set and level.")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens (shown once, stored hashed).")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")
app.add_typer(runs_app, name="runs")
app.add_typer(announcements_app, name="announcements")
app.add_typer(measures_app, name="measures")
app.add_typer(tokens_app, name="tokens")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # logs and pipes: wide enough for the tables
    out.width = max(out.width, 140)

DbOpt = Annotated[Optional[str], typer.Option(
    "--db", help="Database URL, e.g. sqlite:///epizone.db or postgresql://user@host/db "
                 "(default: $EPIZONE_DATABASE_URL, else sqlite:///epizone.db)")]
UserOpt = Annotated[Optional[str], typer.Option("--user", help="Who does it, for the audit log "
                                                              "(default: $EPIZONE_USER, else $USER)")]
FileArg = Annotated[Path, typer.Argument(help="CSV, or Parquet when the name ends in .parquet")]


def _fail(message: str, code: int, headline: str = "") -> NoReturn:
    if headline:
        err.print(f"[bold red]error:[/] {escape(headline)}")
    err.print(message if headline else f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _store(db: str | None, create: bool = False) -> Iterator[Engine]:
    """The engine for ``--db`` (or the settings), with the store's failures turned into exit codes.
    Only ``init`` creates a SQLite file; other commands refuse one that does not exist."""
    url = db or StoreSettings.from_environ().database_url
    missing = None if create else _missing_file(url)
    if missing:
        _fail(f"{missing}: no such database file (create it with `epizone db init`)", STORE_UNUSABLE)
    try:
        engine = make_engine(url)
    except (ArgumentError, ImportError) as exc:
        _fail(f"--db {url!r}: not a usable database URL ({exc})", BAD_INPUT)
    try:
        yield engine
    except SchemaError as exc:
        _fail(f"{safe_url(url)}: {exc}", STORE_UNUSABLE)
    except OperationalError as exc:
        _fail(f"cannot use the database {safe_url(url)}: {exc.orig}", STORE_UNUSABLE)
    finally:
        engine.dispose()


def _missing_file(url: str) -> str | None:
    try:
        return missing_sqlite_file(url)
    except ArgumentError as exc:
        _fail(f"--db {url!r}: not a usable database URL ({exc})", BAD_INPUT)


def _user(user: str | None) -> str:
    return user or StoreSettings.from_environ().user


@app.command()
def init(db: DbOpt = None) -> None:
    """Create the store's schema in an empty database, or upgrade it to the latest version."""
    with _store(db, create=True) as engine:
        migrate.upgrade(engine)
        out.print(f"{safe_url(str(engine.url))}: schema at revision {migrate.head_revision()}")


def _import(kind: str, file: Path, db: str | None, user: str | None) -> None:
    with _store(db) as engine, _progress(kind) as advance:
        try:
            result = import_file(engine, kind, file, _user(user), advance)
        except InputError as exc:
            _fail(str(exc), BAD_INPUT, f"{exc.count} problem(s) in {file}; nothing was imported")
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


@contextmanager
def _progress(kind: str) -> Iterator[Callable[[int, int], None]]:
    progress = Progress(TextColumn(f"staging {kind}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    task = progress.add_task(kind, total=None)
    with progress:
        yield lambda done, total: progress.update(task, completed=done, total=total)


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


@app.command()
def status(db: DbOpt = None) -> None:
    """Schema revision, records held (current and all versions) and the latest import batches."""
    with _store(db) as engine:
        found = store_status(engine)
        _print_status(safe_url(str(engine.url)), found)


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


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}")],
    scope: Annotated[Optional[str], typer.Option("--scope", help="Area code a reporter reports for")] = None,
    db: DbOpt = None,
    user: UserOpt = None,
) -> None:
    """Add a user."""
    with _store(db) as engine:
        try:
            info = add_user(engine, name, role, scope, _user(user))
        except UserError as exc:
            _fail(str(exc), BAD_INPUT)
    out.print(f"added {info.name} ({info.role}{', scope ' + info.scope_area_code if info.scope_area_code else ''})")


@users_app.command("list")
def users_list(db: DbOpt = None) -> None:
    """List the users."""
    with _store(db) as engine:
        for info in list_users(engine):
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
    with _store(db) as engine:
        try:
            info = update_user(engine, name, _user(user), role, scope, disabled)
        except (UserError, UserNotFound) as exc:
            _fail(str(exc), BAD_INPUT)
    out.print(f"{info.name}: {info.role}{', scope ' + info.scope_area_code if info.scope_area_code else ''}"
              f"{', disabled' if info.disabled else ''}")


from epizone.store.cli_service import register  # noqa: E402  (runs, publish, announcements, measures, tokens)

register(app, runs_app, announcements_app, measures_app, tokens_app)
