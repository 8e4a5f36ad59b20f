"""What can go wrong in operations, each mapped to one answer by the API and one exit code by the CLI."""

from __future__ import annotations


class OpsError(ValueError):
    """The request cannot be done as asked (a bad value, a state that does not allow it): API 422, exit 2."""


class NotFound(LookupError):
    """No such enterprise, bottleneck, inspection, finding, facility, item or account: API 404, exit 2."""


class Forbidden(PermissionError):
    """The caller's role, scope or enterprise does not allow it; nothing was written: API 403, exit 2."""


class OutsideScope(Forbidden):
    """Rows name areas or enterprises outside the caller's scope; nothing was written."""

    def __init__(self, file: str, what: str, codes: list[str]):
        self.file, self.codes = file, codes
        shown = ", ".join(codes[:20]) + (f" and {len(codes) - 20} more" if len(codes) > 20 else "")
        super().__init__(f"{file}: {len(codes)} {what} outside your scope: {shown}; nothing was written")
