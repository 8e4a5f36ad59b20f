"""The store's endpoints: areas, data submission, published levels, assessment runs, publications (announcements
and measures), users, tokens and the audit log."""

from __future__ import annotations

from epizone.api.core import areas, imports, levels, publications, runs, users

ROUTERS = (areas.router, imports.router, levels.router, runs.router, publications.router, users.router)
