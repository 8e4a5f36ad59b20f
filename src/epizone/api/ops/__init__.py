"""The operations endpoints under ``/api/v1/ops``: work resumption, duty supervision, supplies and the officer's
overview of an area. Who may use them, enterprise accounts included, is the registry's (``epizone.ops.access``)."""

from __future__ import annotations

from epizone.api.ops import duties, resumption, supplies

ROUTERS = (resumption.router, duties.router, supplies.router, supplies.overview_router)
