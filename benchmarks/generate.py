"""Seeded generator of a national-scale epizone input: an areas CSV and a case line list.

Hierarchy: province (<= 31) > city (~ counties / 8.4) > county > township (N per county), with
6-digit codes PPCCXX for province/city/county and 9-digit PPCCXXTTT for townships. Provinces are roots.

Cases are drawn from outbreaks that are clustered in space (a few "hot" counties, one focal township
each, some spill-over into neighbouring counties of the same city) and in time (national waves in
early 2020, small 2021 flare-ups, large spring and December 2022 waves), with heavy-tailed sizes.
Within an outbreak, most cases belong to clusters of consecutive (in time) cases sharing a township.
About half the counties never report a case. A few exact duplicate rows are added (a case id
repeated with identical content counts once).

Outputs in --out (cached: nothing is regenerated when meta.json matches the options):
  areas.csv                 code,name,parent_code,kind,population
  cases.parquet             case_id, report_date (date32), area_code, classification, cluster_id
  cases_strdate.parquet     the same with report_date as 'YYYY-MM-DD' text    (--string-dates)
  cases.csv                 the same as CSV                                   (--csv)
  meta.json                 the options and a few statistics

Example (small): python benchmarks/generate.py --counties 100 --cases 50000 --out benchmarks/work/small
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

START = dt.date(2020, 1, 1)
EPOCH = dt.date(1970, 1, 1)
VERSION = 1  # bump when the generated data would change for the same options


def _digits(values: np.ndarray, width: int, prefix: bytes = b"") -> pa.Array:
    """Zero-padded decimal text of non-negative ints, vectorised (no Python strings)."""
    values = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((values[:, None] // powers) % 10 + ord("0")).astype(np.uint8)
    if prefix:
        head = np.frombuffer(prefix, dtype=np.uint8)
        digits = np.concatenate([np.broadcast_to(head, (values.size, head.size)), digits], axis=1)
    raw = np.ascontiguousarray(digits).view(f"S{digits.shape[1]}").ravel()
    return pa.array(raw, pa.binary()).cast(pa.string())


def make_areas(rng: np.random.Generator, counties: int, townships: int) -> dict:
    n_cities = max(1, round(counties * 340 / 2850))
    n_prov = min(31, n_cities)
    # cities per province and counties per city: at least one each, uneven like the real country
    city_prov = np.sort(np.concatenate([np.arange(n_prov),
                                        rng.choice(n_prov, n_cities - n_prov, p=rng.dirichlet(np.full(n_prov, 3.0)))]))
    per_city = 1 + rng.multinomial(counties - n_cities, rng.dirichlet(np.full(n_cities, 4.0)))
    county_city = np.repeat(np.arange(n_cities), per_city)
    if per_city.max() >= 100 or np.bincount(city_prov).max() >= 100 or townships >= 1000:
        raise SystemExit("too many children for the 2-digit/3-digit codes: use fewer counties per city")
    prov_code = 11 + np.arange(n_prov)
    city_rank = np.arange(n_cities) - np.searchsorted(city_prov, city_prov)
    city_code = prov_code[city_prov] * 100 + city_rank + 1
    county_rank = np.arange(counties) - np.searchsorted(county_city, county_city)
    county_code = city_code[county_city] * 100 + county_rank + 1
    twp_county = np.repeat(np.arange(counties), townships)
    twp_code = county_code[twp_county].astype(np.int64) * 1000 + np.tile(np.arange(1, townships + 1), counties)

    county_pop = np.round(rng.lognormal(np.log(350_000), 0.6, counties)).astype(np.int64)
    twp_share = rng.dirichlet(np.full(townships, 2.0), counties)
    twp_pop = np.round(county_pop[:, None] * twp_share).astype(np.int64).ravel()
    city_pop = np.bincount(county_city, county_pop, minlength=n_cities).astype(np.int64)
    prov_pop = np.bincount(city_prov, city_pop, minlength=n_prov).astype(np.int64)

    def part(codes, width, kind, parents, pops):
        code = _digits(codes, width)
        return {"code": code, "name": pc.binary_join_element_wise(kind.capitalize() + " ", code, ""),
                "parent_code": parents, "kind": pa.array([kind] * len(codes)), "population": pa.array(pops)}

    parts = [
        part(prov_code * 10000, 6, "province", pa.array([""] * n_prov), prov_pop),
        part(city_code * 100, 6, "city", _digits(prov_code[city_prov] * 10000, 6), city_pop),
        part(county_code, 6, "county", _digits(city_code[county_city] * 100, 6), county_pop),
        part(twp_code, 9, "township", _digits(county_code[twp_county], 6), twp_pop),
    ]
    table = pa.concat_tables([pa.table(p) for p in parts])
    return {"table": table, "county_city": county_city, "per_city": per_city,
            "city_code": city_code, "county_code": county_code, "twp_code": twp_code}


def _wave_weights(days: int) -> np.ndarray:
    """Relative chance that an outbreak starts on each day (national epidemic waves)."""
    t = np.arange(days, dtype=float)
    w = np.full(days, 0.15)
    for centre, sd, height in [(25, 12, 6.0), (60, 20, 0.8), (380, 15, 0.6), (560, 20, 0.8),
                               (680, 25, 0.7), (800, 30, 3.0), (850, 25, 2.0), (1040, 25, 4.0)]:
        w += height * np.exp(-0.5 * ((t - centre * days / 1096) / (sd * max(days / 1096, 0.05))) ** 2)
    return w / w.sum()


def make_cases(rng: np.random.Generator, areas: dict, townships: int, n_cases: int, days: int,
               dup_rate: float) -> tuple[pa.Table, dict]:
    counties = areas["county_code"].size
    county_city, per_city = areas["county_city"], areas["per_city"]
    city_first = np.concatenate([[0], np.cumsum(per_city)[:-1]])

    # Hot counties: about 45% ever have an outbreak, with very uneven propensity.
    affected = rng.random(counties) < 0.45
    if not affected.any():
        affected[rng.integers(counties)] = True
    propensity = np.where(affected, rng.lognormal(0.0, 1.6, counties), 0.0)
    propensity /= propensity.sum()

    n_background = int(n_cases * 0.02)
    target = n_cases - n_background
    # Heavy-tailed outbreak sizes (Pareto), capped at 6% of all cases; draw until the total is reached.
    cap = max(5, int(0.06 * target))
    sizes = []
    total = 0
    while total < target:
        s = np.minimum(np.floor(3 * (1 + rng.pareto(0.95, 4096))).astype(np.int64), cap)
        sizes.append(s)
        total += int(s.sum())
    sizes = np.concatenate(sizes)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), target) + 1]
    sizes[-1] -= int(sizes.sum()) - target
    sizes = sizes[sizes > 0]
    n_ob = sizes.size
    ob_county = rng.choice(counties, n_ob, p=propensity)
    ob_start = rng.choice(days, n_ob, p=_wave_weights(days))
    ob_dur = np.clip(4 + 3 * sizes ** 0.4, 5, 120)
    ob_focus = rng.integers(0, townships, n_ob)

    ob = np.repeat(np.arange(n_ob, dtype=np.int32), sizes)
    day = ob_start[ob] + np.floor(rng.gamma(2.0, ob_dur[ob] / 3.0)).astype(np.int64)
    day = np.where(day < days, day, rng.integers(np.minimum(ob_start[ob], days - 1), days))
    order = np.lexsort((day, ob))
    ob, day = ob[order], day[order]

    # Place each case: mostly the outbreak's county, 6% in another affected county of the same city.
    county = ob_county[ob].astype(np.int64)
    spill = rng.random(ob.size) < 0.06
    city = county_city[county[spill]]
    target_county = city_first[city] + rng.integers(0, per_city[city])
    county[spill] = np.where(affected[target_county], target_county, county[spill])
    twp = np.where(rng.random(ob.size) < 0.6, ob_focus[ob], rng.integers(0, townships, ob.size))

    # Clusters: 60% of outbreak cases, runs of consecutive cases (mean 5) within an outbreak,
    # sharing the place of the cluster's first case.
    clustered = rng.random(ob.size) < 0.6
    idx = np.flatnonzero(clustered)
    new = rng.random(idx.size) < 0.2
    if idx.size:
        new[0] = True
        new[1:] |= ob[idx[1:]] != ob[idx[:-1]]
    cluster_of = np.cumsum(new) - 1                      # cluster number of each clustered case
    first = idx[np.flatnonzero(new)]                       # first case of each cluster
    county[idx] = county[first][cluster_of]
    twp[idx] = twp[first][cluster_of]
    cluster = np.full(ob.size, -1, dtype=np.int64)
    cluster[idx] = cluster_of

    # Background sporadic cases (imported, travel-related): no cluster, affected counties only.
    bg_county = rng.choice(counties, n_background, p=np.where(affected, 1.0, 0.0) / affected.sum())
    county = np.concatenate([county, bg_county])
    twp = np.concatenate([twp, rng.integers(0, townships, n_background)])
    day = np.concatenate([day, rng.integers(0, days, n_background)])
    cluster = np.concatenate([cluster, np.full(n_background, -1)])

    n = county.size
    # Classification: mostly confirmed in 2020, mostly asymptomatic in 2022 (Omicron).
    p_conf = np.interp(day, [0, 365, 730, days], [0.85, 0.75, 0.30, 0.25])
    confirmed = rng.random(n) < p_conf
    # Area code level: 92% township, 7% county only, 1% city only (unassigned at county unit).
    level = rng.choice(3, n, p=[0.92, 0.07, 0.01])
    twp_index = county * townships + twp
    codes = pa.concat_arrays([_digits(areas["twp_code"], 9), _digits(areas["county_code"], 6),
                              _digits(areas["city_code"] * 100, 6)])
    area_idx = np.where(level == 0, twp_index,
                        np.where(level == 1, areas["twp_code"].size + county,
                                 areas["twp_code"].size + counties + county_city[county]))

    # Duplicates: a few cases appear twice with identical content.
    dups = rng.choice(n, int(n * dup_rate), replace=False) if dup_rate > 0 else np.zeros(0, np.int64)
    case_no = np.concatenate([np.arange(n), dups])
    rows = np.concatenate([np.arange(n), dups])
    # Report order: by date (a line list is appended day by day); ids follow first appearance.
    order = np.lexsort((case_no, day[rows]))
    rows, case_no = rows[order], case_no[order]
    first_seen = np.empty(n, dtype=np.int64)
    uniq, pos = np.unique(case_no, return_index=True)
    first_seen[uniq] = np.argsort(np.argsort(pos))
    case_id = _digits(first_seen[case_no] + 1, 8, b"CN")

    cluster_codes = _digits(np.arange(int(cluster.max()) + 1 if cluster.size and cluster.max() >= 0 else 0), 7, b"K")
    cluster_codes = pa.concat_arrays([cluster_codes, pa.array([""], pa.string())])
    cl = cluster[rows]
    table = pa.table({
        "case_id": case_id,
        "report_date": pa.array((day[rows] + (START - EPOCH).days).astype(np.int32)).view(pa.date32()),
        "area_code": codes.take(pa.array(area_idx[rows])),
        "classification": pa.array(np.array(["asymptomatic", "confirmed"])[confirmed[rows].astype(int)]),
        "cluster_id": cluster_codes.take(pa.array(np.where(cl >= 0, cl, len(cluster_codes) - 1))),
    })
    stats = {"rows": table.num_rows, "distinct_cases": n, "duplicate_rows": int(dups.size),
             "outbreaks": int(n_ob), "clusters": int(cluster.max() + 1) if cluster.size else 0,
             "confirmed": int(confirmed.sum()), "counties_with_cases": int(np.unique(county).size),
             "area_level_counts": {"township": int((level == 0).sum()), "county": int((level == 1).sum()),
                                   "city": int((level == 2).sum())}}
    return table, stats


def string_dates(table: pa.Table) -> pa.Table:
    i = table.schema.get_field_index("report_date")
    return table.set_column(i, "report_date", pc.strftime(table["report_date"], "%Y-%m-%d"))


def generate(out: Path, counties: int, townships: int, cases: int, days: int, seed: int,
             csv: bool = False, strdates: bool = False, dup_rate: float = 0.0005, force: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    options = {"version": VERSION, "counties": counties, "townships_per_county": townships, "cases": cases,
               "days": days, "seed": seed, "dup_rate": dup_rate}
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    fresh = not force and meta.get("options") == options and (out / "areas.csv").exists() \
        and (out / "cases.parquet").exists()
    if not fresh:
        began = time.perf_counter()
        rng = np.random.default_rng(seed)
        areas = make_areas(rng, counties, townships)
        table, stats = make_cases(rng, areas, townships, cases, days, dup_rate)
        pacsv.write_csv(areas["table"], out / "areas.csv")
        pq.write_table(table, out / "cases.parquet", compression="zstd")
        for stale in ("cases_strdate.parquet", "cases.csv"):
            (out / stale).unlink(missing_ok=True)
        first = START.isoformat()
        last = (START + dt.timedelta(days=days - 1)).isoformat()
        meta = {"options": options, "start": first, "end": last, "stats": stats,
                "areas": {k: int(v) for k, v in zip(*np.unique(areas["table"]["kind"].to_numpy(zero_copy_only=False),
                                                                return_counts=True))},
                "seconds": round(time.perf_counter() - began, 2)}
        meta_path.write_text(json.dumps(meta, indent=2))
    table = None
    if strdates and not (out / "cases_strdate.parquet").exists():
        table = pq.read_table(out / "cases.parquet")
        pq.write_table(string_dates(table), out / "cases_strdate.parquet", compression="zstd")
    if csv and not (out / "cases.csv").exists():
        table = table if table is not None else pq.read_table(out / "cases.parquet")
        pacsv.write_csv(string_dates(table), out / "cases.csv")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=2850)
    parser.add_argument("--townships-per-county", type=int, default=15)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=1096, help="days from 2020-01-01 (1096 = to 2022-12-31)")
    parser.add_argument("--seed", type=int, default=20200217)
    parser.add_argument("--dup-rate", type=float, default=0.0005, help="share of cases repeated identically")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "work" / "full")
    parser.add_argument("--csv", action="store_true", help="also write cases.csv")
    parser.add_argument("--string-dates", action="store_true", help="also write cases_strdate.parquet")
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args(argv)
    meta = generate(args.out, args.counties, args.townships_per_county, args.cases, args.days, args.seed,
                    args.csv, args.string_dates, args.dup_rate, args.force)
    json.dump(meta, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
