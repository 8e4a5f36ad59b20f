"""Store settings, read from an environment mapping that tests inject (never the real one unless asked)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_URL = "sqlite:///epizone.db"
URL_VARIABLE = "EPIZONE_DATABASE_URL"
USER_VARIABLE = "EPIZONE_USER"


@dataclass(frozen=True)
class StoreSettings:
    """Where the store lives and who acts on it when no ``--user`` is given."""

    database_url: str = DEFAULT_URL
    user: str = "unknown"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "StoreSettings":
        """``EPIZONE_DATABASE_URL`` (default ``sqlite:///epizone.db``) and ``EPIZONE_USER`` (default ``$USER``)."""
        env = os.environ if environ is None else environ
        user = env.get(USER_VARIABLE) or env.get("USER") or env.get("USERNAME") or "unknown"
        return cls(database_url=env.get(URL_VARIABLE) or DEFAULT_URL, user=user)
