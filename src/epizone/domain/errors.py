"""The base errors of epizone: every error a use case raises derives from one of them.

Each base class is mapped once to an HTTP status (``status``) and a command-line exit code (``exit_code``); the
API registers one handler per base class and the CLI has one ``attempt`` that reads the same two numbers, so a
new error needs no change in any interface.

| base | HTTP | exit | when |
|---|---|---|---|
| ``InvalidInput`` | 422 | 2 | a value, file or request that cannot be used as given; nothing was written |
| ``NotFound`` | 404 | 2 | no such thing (run, announcement, user, enterprise, ...) |
| ``Conflict`` | 409 | 2 | it conflicts with what is recorded or published |
| ``Forbidden`` | 403 | 2 | the caller's role, scope or enterprise does not allow it; nothing was written |
| ``Unavailable`` | 503 | 1 | the store cannot be used (unreachable, no schema or an old one) |
"""

from __future__ import annotations


class EpizoneError(Exception):
    """The root of epizone's errors (not raised itself)."""

    status = 500
    exit_code = 1


class InvalidInput(EpizoneError, ValueError):
    """The request cannot be done as asked: a bad value, file or state; nothing was written."""

    status = 422
    exit_code = 2


class NotFound(EpizoneError, LookupError):
    """No such thing."""

    status = 404
    exit_code = 2


class Conflict(InvalidInput):
    """It conflicts with what is recorded or published (a later publication in force, already retracted, ...)."""

    status = 409


class Forbidden(EpizoneError, PermissionError):
    """The caller's role, scope or enterprise does not allow it; nothing was written."""

    status = 403
    exit_code = 2


class OutsideScope(Forbidden):
    """Rows of a file name areas (or enterprises) outside the caller's scope; nothing was written."""

    def __init__(self, file: str, what: str, codes: list[str], done: str = "nothing was written"):
        self.file, self.codes = file, codes
        shown = ", ".join(codes[:20]) + (f" and {len(codes) - 20} more" if len(codes) > 20 else "")
        super().__init__(f"{file}: {len(codes)} {what} outside your scope: {shown}; {done}")


class Unavailable(EpizoneError, RuntimeError):
    """The store cannot be used: unreachable, or without the schema this version needs."""

    status = 503
    exit_code = 1


BASES: tuple[type[EpizoneError], ...] = (InvalidInput, NotFound, Conflict, Forbidden, Unavailable)
