"""HTTP caching and compression of the dashboard's data routes, as the API's level reads do
(``epizone.api.caching``, which this layer may not import): an ETag made of the store's state (``store.state``),
the request and the reader's scope, ``Cache-Control: no-cache`` (a later publication, retraction or import changes
the answer), a 304 on ``If-None-Match``, and the body gzipped when the client accepts it and it is worth it."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from fastapi import Request, Response

from epizone.domain.access import Actor

VARY = "Authorization, Accept-Encoding"
SMALL = 1400  # bytes: not worth compressing (one packet)


def etag_for(request: Request, who: Actor, state: str) -> str:
    scope = "all" if who.areas is None else hashlib.sha256(",".join(sorted(who.areas)).encode()).hexdigest()
    gzipped = _gzip_ok(request)
    text = "|".join(str(p) for p in (state, request.url.path, sorted(request.query_params.multi_items()), scope,
                                     gzipped))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": "no-cache", "Vary": VARY}


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 when the client's ``If-None-Match`` holds ``etag``, else None."""
    asked = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in asked or "*" in asked or f"W/{etag}" in asked:
        return Response(status_code=304, headers=headers(etag))
    return None


def json_answer(request: Request, body: Any, etag: str, media_type: str = "application/json") -> Response:
    """``body`` as JSON (dates as ISO text), gzipped when the client accepts it and it is larger than a packet."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_iso).encode()
    extra = headers(etag)
    if len(data) > SMALL and _gzip_ok(request):
        data = gzip.compress(data, compresslevel=5, mtime=0)
        extra["Content-Encoding"] = "gzip"
    return Response(data, media_type=media_type, headers=extra)


def _gzip_ok(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.strip() not in ("q=0", "q=0.0"):
            return True
    return False


def _iso(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
