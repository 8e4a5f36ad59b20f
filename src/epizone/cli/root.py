"""The ``epizone`` command: the engine commands, and the store's (``db``, ``ops``, ``serve``) whose libraries
load only when one of them runs, so that ``epizone assess`` starts fast."""

from __future__ import annotations

import sys

import typer

from epizone.cli import engine, serve
from epizone.cli.common import fail

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Zoned, graded, precise epidemic control: risk levels for every area and day.")
on_use = typer.Typer()
PASS_THROUGH = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True,
                                     "help_option_names": []}, "add_help_option": False}


@on_use.command(**PASS_THROUGH)
def db(ctx: typer.Context) -> None:
    """The operational store (SQLite or PostgreSQL): schema, imports with history, users (`epizone db --help`)."""
    try:
        from epizone.cli.db import app as store_app
    except ImportError as exc:
        fail(f"the store needs its optional dependencies: pip install 'epizone[store]' ({exc})")
    store_app(args=ctx.args, prog_name="epizone db")


@on_use.command(**PASS_THROUGH)
def ops(ctx: typer.Context) -> None:
    """Work resumption, duty supervision and front-line supplies on the store (`epizone ops --help`)."""
    try:
        from epizone.cli.ops import app as ops_app
    except ImportError as exc:
        fail(f"operations need the store's optional dependencies: pip install 'epizone[store]' ({exc})")
    ops_app(args=ctx.args, prog_name="epizone ops")


app.add_typer(engine.app)
app.add_typer(on_use)
app.add_typer(serve.app)
app.add_typer(engine.rules_app, name="rules")


def main() -> None:
    """The ``epizone`` console script."""
    try:
        app()
    except BrokenPipeError:  # e.g. `epizone rules list | head`
        sys.stderr.close()
