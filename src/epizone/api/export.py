"""One-response exports: rows streamed as CSV or GeoJSON in chunks, compressed with brotli or gzip when the client
asks for it (``Accept-Encoding``). Brotli comes from Google's ``brotli`` binding when it is installed (it is in
the ``api`` extra); without it ``br`` is never chosen."""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from epizone.api.render import json_value
from epizone.domain.values import as_text

try:
    import brotli
except ImportError:  # pragma: no cover - the api extra installs it
    brotli = None

CHUNK_ROWS = 2000
GZIP_LEVEL = 5
BROTLI_QUALITY = 4  # brotli's default (11) is far too slow for answers made on request
SLICE = 1 << 16


def accepted(request: Request) -> str | None:
    """``br`` when asked for and available, else ``gzip`` when asked for, else None (identity)."""
    codings = {}
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        weight = params.strip().removeprefix("q=")
        codings[name.strip().lower()] = weight not in ("0", "0.0", "0.00", "0.000")
    if brotli is not None and codings.get("br"):
        return "br"
    return "gzip" if codings.get("gzip") or codings.get("*") else None


def encoded(chunks: Iterable[bytes], coding: str | None) -> Iterator[bytes]:
    """``chunks`` compressed with ``coding`` (None: as they are)."""
    if coding is None:
        yield from chunks
        return
    packer = brotli.Compressor(quality=BROTLI_QUALITY) if coding == "br" else \
        zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = packer.process(chunk) if coding == "br" else packer.compress(chunk)
        if out:
            yield out
    yield packer.finish() if coding == "br" else packer.flush()


def streamed(request: Request, chunks: Iterable[bytes], media_type: str, headers: Mapping[str, str]
             ) -> StreamingResponse:
    """A streamed answer, compressed as the client asked."""
    coding = accepted(request)
    extra = {} if coding is None else {"Content-Encoding": coding}
    return StreamingResponse(encoded(chunks, coding), media_type=media_type, headers={**headers, **extra})


def compressed_answer(request: Request, body: bytes, coding: str, media_type: str, headers: Mapping[str, str]
                      ) -> StreamingResponse:
    """A body already compressed with ``coding``, streamed in slices: as it is when the client accepts it, else
    (gzip only) decompressed on the way."""
    if accepted(request) == coding:
        return StreamingResponse(_slices(body), media_type=media_type,
                                 headers={**headers, "Content-Encoding": coding})
    return StreamingResponse(_gunzipped(body), media_type=media_type, headers=headers)


def _slices(body: bytes) -> Iterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), SLICE):
        yield bytes(view[start:start + SLICE])


def _gunzipped(body: bytes) -> Iterator[bytes]:
    unpacker = zlib.decompressobj(31)
    for piece in _slices(body):
        yield unpacker.decompress(piece)
    yield unpacker.flush()


def csv_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> Iterator[bytes]:
    """A header line, then the rows (values in the order of ``columns``), ``CHUNK_ROWS`` at a time, as UTF-8
    CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow([v if v.__class__ is str else as_text(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def geojson_chunks(rows: Iterable[Sequence[Any]], columns: Sequence[str], geometry: Mapping[str, Any],
                   ) -> Iterator[bytes]:
    """A FeatureCollection, one feature per row, its values the properties (``geometry`` null without a known
    boundary); ``columns`` names the values and holds ``area_code``."""
    buffer = io.StringIO()
    buffer.write('{"type": "FeatureCollection", "features": [')
    code = list(columns).index("area_code")
    for n, row in enumerate(rows):
        feature = {"type": "Feature", "id": row[code], "geometry": geometry.get(row[code]),
                   "properties": {k: json_value(v) for k, v in zip(columns, row)}}
        buffer.write(("," if n else "") + json.dumps(feature, ensure_ascii=False))
        if (n + 1) % CHUNK_ROWS == 0:
            yield _drain(buffer)
    buffer.write("]}")
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


