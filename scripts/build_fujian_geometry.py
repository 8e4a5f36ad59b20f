"""Build the dashboard's Fujian map from ../shared/data/fujian-geo (see src/epizone/web/geo/SOURCE.md).

One GeoJSON FeatureCollection keyed by the demo's area codes: the 84 county units with a polygon of their
own, the four economic zones that have none (a point at an approximate position inside their host polygon,
``shape: point``), Kinmen as context (``assessed: false``) and the nine city outlines (``kind: city``).
Coordinates are rounded to 4 decimals (about 10 m), nothing else is changed.

    python scripts/build_fujian_geometry.py [SHARED_GEO_FOLDER]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "epizone" / "web" / "geo" / "fujian.geojson"
AREAS = ROOT / "src" / "epizone" / "data" / "fujian2020" / "areas.csv"
# The zones have no boundary of their own: approximate positions inside the host polygon, for display only.
ZONES = {
    "湄洲湾北岸经济开发区": (119.05, 25.21),
    "湄洲岛": (119.125, 25.075),
    "泉州经济技术开发区": (118.56, 24.87),
    "泉州台商投资区": (118.76, 24.93),
}


def rounded(value):  # noqa: ANN001, ANN201
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return round(value, 4)


def main(folder: Path) -> None:
    counties = json.loads((folder / "fujian_counties_datav.geojson").read_text(encoding="utf-8"))
    cities = json.loads((folder / "fujian_prefectures_datav.geojson").read_text(encoding="utf-8"))
    polygons = {str(f["properties"]["adcode"]): f["geometry"] for f in counties["features"]}
    with AREAS.open(encoding="utf-8") as handle:
        units = {(r["name"]): r for r in csv.DictReader(handle) if r["kind"] == "county"}
    features = []
    with (folder / "fujian_88_units_crosswalk.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            relation, adcode = row["relation"], row["polygon_adcode"]
            geometry = {"type": polygons[adcode]["type"], "coordinates": rounded(polygons[adcode]["coordinates"])}
            if relation == "polygon_only":
                features.append(_feature(adcode, row["polygon_name"], "county", geometry, assessed=False))
                continue
            unit = units[row["unit_name"]]
            if relation == "economic_zone_inside_polygon":
                lon, lat = ZONES[row["unit_name"]]
                geometry = {"type": "Point", "coordinates": [lon, lat]}
                features.append(_feature(unit["code"], unit["name"], "county", geometry, host=adcode))
            else:
                features.append(_feature(unit["code"], unit["name"], "county", geometry))
    for f in cities["features"]:
        geometry = {"type": f["geometry"]["type"], "coordinates": rounded(f["geometry"]["coordinates"])}
        features.append(_feature(str(f["properties"]["adcode"]), f["properties"]["name"], "city", geometry,
                                 assessed=False))
    assessed = [f for f in features if f["properties"]["assessed"]]
    assert len(assessed) == len(units) == 88, (len(assessed), len(units))
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                              separators=(",", ":")), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(assessed)} units, {len(features)} features, {OUT.stat().st_size:,} bytes")


def _feature(code: str, name: str, kind: str, geometry: dict, assessed: bool = True, host: str | None = None) -> dict:
    properties = {"code": code, "name": name, "kind": kind, "assessed": assessed,
                  "shape": "point" if geometry["type"] == "Point" else "polygon"}
    if host:
        properties["host"] = host
    return {"type": "Feature", "properties": properties, "geometry": geometry}


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "fujian-geo")
