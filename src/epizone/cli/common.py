"""What every command shares: the two consoles, ``attempt`` (one way to report an error), the date and moment
parsers and the options the store commands repeat.

Exit codes: 0 success; 2 bad input or bad options (every problem listed, nothing written); 1 the store cannot be
used (unreachable, or no schema yet: run ``epizone db init``). An error's code is its own ``exit_code``
(``epizone.domain.errors``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from epizone.domain.errors import EpizoneError, InvalidInput, Unavailable
from epizone.domain.problems import InputError

BAD_INPUT = 2
T = TypeVar("T")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
if not out.is_terminal:  # logs and pipes: wide enough for the tables, rather than 80 columns
    out.width = max(out.width, 140)

DbOpt = Annotated[Optional[str], typer.Option(
    "--db", help="Database URL, e.g. sqlite:///epizone.db or postgresql://user@host/db "
                 "(default: $EPIZONE_DATABASE_URL, else sqlite:///epizone.db)")]
UserOpt = Annotated[Optional[str], typer.Option("--user", help="Who does it, for the audit log "
                                                              "(default: $EPIZONE_USER, else $USER)")]
FileArg = Annotated[Path, typer.Argument(help="CSV, or Parquet when the name ends in .parquet")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of reasons: en or zh")]


class BadOption(InvalidInput):
    """A value an option cannot take: ``--start '2020-02-30': expected a date YYYY-MM-DD``."""

    def __init__(self, option: str, value: object, expected: str):
        self.option, self.problem = option, f"{value!r}: expected {expected}"
        super().__init__(f"{option} {self.problem}")


def day(text: str | None, option: str) -> dt.date | None:
    """The date ``text`` given to ``option`` (None when not given); BadOption when it is no date."""
    return _parsed(dt.date.fromisoformat, text, option, "a date YYYY-MM-DD")


def moment(text: str | None, option: str) -> dt.datetime | None:
    """The moment ``text`` given to ``option`` (None when not given); BadOption when it is no moment."""
    return _parsed(dt.datetime.fromisoformat, text, option,
                   "a moment YYYY-MM-DDTHH:MM:SS (UTC unless a zone is given)")


def _parsed(parse: Callable[[str], T], text: str | None, option: str, expected: str) -> T | None:
    if text is None:
        return None
    try:
        return parse(text)
    except ValueError:
        raise BadOption(option, text, expected) from None


def fail(message: str, code: int = BAD_INPUT, headline: str = "") -> NoReturn:
    """Print an error on stderr, one problem a line, never wrapped (paths and values stay greppable); exit."""
    if headline:
        err.print(f"[bold red]error:[/] {escape(headline)}")
    err.print(message if headline else f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def attempt(action: Callable[[], T], headline: str = "", problems_in: str = "") -> T:
    """``action()``; an error of the request ends the command with its message and exit code, under ``headline``
    (what was not done). An InputError's headline counts its problems (``N problem(s) in <problems_in>``). A
    plain ValueError, which some services raise for a bad request, is bad input. The store being unavailable is
    no fault of the request: it passes on, to be named by the store's context and reported by the command."""
    try:
        return action()
    except Unavailable:
        raise
    except (EpizoneError, ValueError) as exc:
        fail(str(exc), getattr(exc, "exit_code", BAD_INPUT), _headline(exc, headline, problems_in))


def _headline(exc: Exception, headline: str, problems_in: str) -> str:
    if not isinstance(exc, InputError):
        return headline
    count = f"{exc.count} problem(s)" + (f" in {problems_in}" if problems_in else "")
    return "; ".join(filter(None, [count, headline]))


def reported(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` run inside ``attempt`` (an error it raises, a bad option say, is reported, not a traceback);
    an unavailable store reported alone, exit 1."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            attempt(lambda: command(*args, **kwargs))
        except Unavailable as exc:
            fail(str(exc), exc.exit_code)
    return run


class Commands(typer.Typer):
    """A Typer app whose every command runs inside ``attempt`` (see ``reported``)."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
        register = super().command(*args, **kwargs)

        def decorator(command: Callable[..., None]) -> Callable[..., None]:
            register(reported(command))
            return command
        return decorator
