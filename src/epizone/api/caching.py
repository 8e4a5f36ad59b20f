"""HTTP caching of the level reads: an answer keyed by a date changes with every publication, retraction or import,
so it gets an ETag (a digest of the store's state, the request and the reader's scope) with ``Cache-Control:
no-cache`` and a 304 on ``If-None-Match``; an answer keyed by an announcement never changes and is cached for a
year (``immutable``). The state is read from the store on each request, so every worker process agrees."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from fastapi import Request, Response

from epizone.domain.access import Actor
from epizone.store.state import store_state

__all__ = ["date_keyed", "etag_for", "immutable", "not_modified", "store_state"]

IMMUTABLE = "public, max-age=31536000, immutable"
VARY = "Authorization, Accept, Accept-Encoding"


def etag_for(request: Request, who: Actor, state: str, parts: Iterable[object] = ()) -> str:
    """A strong ETag of one answer: the store's state, the path, the query, the reader's scope, the shape asked
    (Accept, Accept-Encoding) and ``parts`` (e.g. the date a default resolved to)."""
    scope = "all" if who.areas is None else hashlib.sha256(",".join(sorted(who.areas)).encode()).hexdigest()
    text = "|".join(str(p) for p in (state, request.url.path, sorted(request.query_params.multi_items()), scope,
                                     request.headers.get("accept", ""), request.headers.get("accept-encoding", ""),
                                     *parts))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def date_keyed(etag: str) -> dict[str, str]:
    """The headers of an answer keyed by a date."""
    return {"ETag": etag, "Cache-Control": "no-cache", "Vary": VARY}


def immutable() -> dict[str, str]:
    """The headers of an answer that never changes."""
    return {"Cache-Control": IMMUTABLE, "Vary": VARY}


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 when the client's ``If-None-Match`` holds ``etag`` (or ``*``), else None."""
    asked = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in asked or "*" in asked or f"W/{etag}" in asked:
        return Response(status_code=304, headers=date_keyed(etag))
    return None
