"""The ``epizone`` command: the engine commands, and the store's (``db``, ``ops``, ``serve``) whose libraries
load only when one of them runs, so that ``epizone assess`` starts fast."""

from __future__ import annotations

import importlib
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
    _pass_on(ctx, "db", "the store needs its")


@on_use.command(**PASS_THROUGH)
def ops(ctx: typer.Context) -> None:
    """Work resumption, duty supervision and front-line supplies on the store (`epizone ops --help`)."""
    _pass_on(ctx, "ops", "operations need the store's")


def _pass_on(ctx: typer.Context, name: str, who_needs: str) -> None:
    """Run the sub-app ``epizone.cli.<name>`` on the command's arguments, loading it (and the store) now."""
    try:
        sub_app = importlib.import_module(f"epizone.cli.{name}").app
    except ImportError as exc:
        fail(f"{who_needs} optional dependencies: pip install 'epizone[store]' ({exc})")
    sub_app(args=ctx.args, prog_name=f"epizone {name}")


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
