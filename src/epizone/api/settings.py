"""Service settings, read from an environment mapping that tests inject."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from epizone.store.settings import DEFAULT_URL, URL_VARIABLE

PUBLIC_READ_VARIABLE = "EPIZONE_PUBLIC_READ"
TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ApiSettings:
    """The database the service runs on, and whether anonymous callers may read published levels."""

    database_url: str = DEFAULT_URL
    public_read: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "ApiSettings":
        """``EPIZONE_DATABASE_URL`` and ``EPIZONE_PUBLIC_READ`` (1/true/yes/on)."""
        env = os.environ if environ is None else environ
        return cls(env.get(URL_VARIABLE) or DEFAULT_URL, env.get(PUBLIC_READ_VARIABLE, "").lower() in TRUE)
