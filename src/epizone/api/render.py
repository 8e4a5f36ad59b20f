"""Answers other than JSON: CSV for tables, GeoJSON for levels, plain text for announcements."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any

from fastapi import Response

from epizone.domain.values import as_text

CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"
TEXT_TYPE = "text/plain; charset=utf-8"


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        elif isinstance(value, list):
            flat[key] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            flat[key] = value
    return flat


def csv_response(items: Iterable[dict[str, Any]], total: int | None = None,
                 headers: dict[str, str] | None = None) -> Response:
    """Rows as CSV (nested objects become ``key.sub`` columns); the total goes in ``X-Total-Count``."""
    rows = [_flat(item) for item in items]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([as_text(row.get(c)) for c in columns])
    counted = {} if total is None else {"X-Total-Count": str(total)}
    return Response(buffer.getvalue(), media_type=CSV_TYPE, headers={**(headers or {}), **counted})


def geojson_response(features: list[dict[str, Any]], total: int, geometry: dict[str, Any],
                     headers: dict[str, str] | None = None) -> Response:
    """A FeatureCollection; an area without a known boundary has ``geometry: null`` (RFC 7946, 3.2)."""
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f["area_code"], "geometry": geometry.get(f["area_code"]),
         "properties": {k: json_value(v) for k, v in f.items()}} for f in features]}
    return Response(json.dumps(collection, ensure_ascii=False), media_type=GEOJSON_TYPE,
                    headers={**(headers or {}), "X-Total-Count": str(total)})


def json_value(value: Any) -> Any:
    """A value as JSON holds it (dates and moments in ISO 8601)."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def text_response(text: str) -> Response:
    return Response(text, media_type=TEXT_TYPE)


CSV_CONTENT = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
MAP_CONTENT = {200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                 "application/geo+json": {"schema": {"type": "object"}}}}}
TEXT_CONTENT = {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}
