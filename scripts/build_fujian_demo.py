#!/usr/bin/env python3
"""Build the bundled Fujian Feb 2020 demo data (src/epizone/data/fujian2020/).

Inputs: the raw files in the shared data directory (``--shared``, default ``../shared/data``
relative to the repository root):

- fujian-2020-county/  county snapshots, selected-day county breakdowns, official risk lists
- fujian-geo/          88-unit crosswalk, 2020 census population, NBS 2019 township codes
- china-city-daily-cheongsa/  city-level daily series (by reporting city)

Outputs (``--out``, default src/epizone/data/fujian2020): areas.csv, counts.csv, snapshots.csv,
official_levels.csv and SOURCE.md. The script is deterministic (stdlib only, exact arithmetic
with fractions, fixed iteration orders): running it twice gives byte-identical files.

Run:  .venv/bin/python scripts/build_fujian_demo.py [--shared DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FIRST_DAY = dt.date(2020, 1, 20)
LAST_DAY = dt.date(2020, 3, 9)

PROVINCE = "350000"
PINGTAN_UNIT = "平潭综合实验区"
PINGTAN_CODE = "350128"

# Economic zones: not official codes; host county code + suffix.
ZONE_CODES = {
    ("莆田市", "湄洲湾北岸经济开发区"): "350305-BA",
    ("莆田市", "湄洲岛"): "350305-MZD",
    ("泉州市", "泉州经济技术开发区"): "350502-JK",
    ("泉州市", "泉州台商投资区"): "350521-TS",
}
# NBS townships that belong to a zone rather than to the host county.
TOWNSHIP_PARENT_OVERRIDES = {
    "350305108": "350305-MZD",  # 湄洲镇 = 湄洲岛
    "350502400": "350502-JK",  # 清濛经济开发区 = 泉州经济技术开发区
}
# NBS placeholders for areas not administered by the mainland.
TOWNSHIP_DROP = {"350527000", "350122400"}

# The selected-days file labels one bulletin with its publication date rather than the day it
# covers: the "2020-02-03" breakdown is the bulletin for 2 Feb 0-24h ("3日,我省报告新增…20例",
# "截至2月2日24时…累计179例", fj.cri.cn, published 4 Feb). Every other row is labelled with the
# day it covers ("X日0-24时"). The script checks the evidence in the city series (see
# check_date_correction) before applying this.
DATE_CORRECTIONS = {"2020-02-03": "2020-02-02"}

CITY_EN = {
    "福州市": "Fuzhou", "厦门市": "Xiamen", "莆田市": "Putian", "三明市": "Sanming",
    "泉州市": "Quanzhou", "漳州市": "Zhangzhou", "南平市": "Nanping", "龙岩市": "Longyan",
    "宁德市": "Ningde", PINGTAN_UNIT: "Pingtan",
}


class BuildError(RuntimeError):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise BuildError(msg)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def days(first: dt.date, last: dt.date) -> list[str]:
    n = (last - first).days
    return [(first + dt.timedelta(days=i)).isoformat() for i in range(n + 1)]


ALL_DAYS = days(FIRST_DAY, LAST_DAY)


# --------------------------------------------------------------------------------------------
# min-cost flow (successive shortest paths, Bellman-Ford; exact Fraction costs, fixed order)
# --------------------------------------------------------------------------------------------
class MinCostFlow:
    def __init__(self, n: int):
        self.n = n
        self.graph: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[Fraction] = []

    def add_edge(self, u: int, v: int, cap: int, cost: Fraction) -> int:
        e = len(self.to)
        self.to += [v, u]
        self.cap += [cap, 0]
        self.cost += [cost, -cost]
        self.graph[u].append(e)
        self.graph[v].append(e + 1)
        return e

    def run(self, s: int, t: int, need: int) -> int:
        flow = 0
        while flow < need:
            dist: list[Fraction | None] = [None] * self.n
            prev = [-1] * self.n
            dist[s] = Fraction(0)
            for _ in range(self.n):
                changed = False
                for u in range(self.n):
                    du = dist[u]
                    if du is None:
                        continue
                    for e in self.graph[u]:
                        if self.cap[e] > 0:
                            v = self.to[e]
                            nd = du + self.cost[e]
                            if dist[v] is None or nd < dist[v]:
                                dist[v] = nd
                                prev[v] = e
                                changed = True
                if not changed:
                    break
            if dist[t] is None:
                break
            push = need - flow
            v = t
            while v != s:
                e = prev[v]
                push = min(push, self.cap[e])
                v = self.to[e ^ 1]
            v = t
            while v != s:
                e = prev[v]
                self.cap[e] -= push
                self.cap[e ^ 1] += push
                v = self.to[e ^ 1]
            flow += push
        return flow


def allocate(rows: list[tuple[object, int]], cols: list[tuple[str, int]]) -> dict:
    """Integer table with the given row and column sums (which must be equal).

    The fractional maximum-entropy table x_ij = s_i * t_j / T (every row is spread over the
    days in proportion to the column target) is rounded to integers with both margins kept
    (controlled rounding as a min-cost flow that prefers rounding up the largest fractions).
    """
    total = sum(s for _, s in rows)
    check(total == sum(t for _, t in cols), "allocate: unbalanced margins")
    out = {(r, c): 0 for r, _ in rows for c, _ in cols}
    if total == 0:
        return out
    frac = {}
    row_left = {}
    col_left = {c: t for c, t in cols}
    for r, s in rows:
        row_left[r] = s
        for c, t in cols:
            x = Fraction(s * t, total)
            fl = x.numerator // x.denominator
            out[(r, c)] = fl
            frac[(r, c)] = x - fl
            row_left[r] -= fl
            col_left[c] -= fl
    need = sum(row_left.values())
    if need == 0:
        return out
    n_rows, n_cols = len(rows), len(cols)
    src, snk = n_rows + n_cols, n_rows + n_cols + 1
    mcf = MinCostFlow(n_rows + n_cols + 2)
    for i, (r, _) in enumerate(rows):
        if row_left[r]:
            mcf.add_edge(src, i, row_left[r], Fraction(0))
    for j, (c, _) in enumerate(cols):
        if col_left[c]:
            mcf.add_edge(n_rows + j, snk, col_left[c], Fraction(0))
    cell_edges = []
    for i, (r, _) in enumerate(rows):
        for j, (c, _) in enumerate(cols):
            if frac[(r, c)] > 0:
                cell_edges.append(((r, c), mcf.add_edge(i, n_rows + j, 1, -frac[(r, c)])))
    got = mcf.run(src, snk, need)
    check(got == need, "allocate: controlled rounding failed")
    for key, e in cell_edges:
        out[key] += 1 - mcf.cap[e]
    return out


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------
def load_units(geo: Path):
    """The 88 bulletin units: list of dicts in crosswalk order, plus (city, name) -> code."""
    census = {r["adcode"]: r for r in read_csv(geo / "fujian_county_population_census2020.csv")}
    units = []
    for r in read_csv(geo / "fujian_88_units_crosswalk.csv"):
        rel = r["relation"]
        key = (r["unit_city"], r["unit_name"])
        if rel == "polygon_only":
            continue
        if rel == "same":
            code = r["polygon_adcode"]
            check(r["polygon_name"] == r["unit_name"], f"name mismatch {key}")
            parent = census[code]["adcode"][:4] + "00"
            pop = census[code]["population"]
            check(pop == r["census2020_population"], f"population mismatch {key}")
        elif rel == "same_area_other_name":
            check(key == (PINGTAN_UNIT, PINGTAN_UNIT), f"unexpected {key}")
            code, parent = PINGTAN_CODE, PROVINCE
            pop = census[code]["population"]
        elif rel == "economic_zone_inside_polygon":
            code = ZONE_CODES[key]
            check(code.startswith(r["polygon_adcode"] + "-"), f"zone host mismatch {key}")
            parent = r["polygon_adcode"][:4] + "00"
            pop = ""
        else:
            raise BuildError(f"unknown relation {rel}")
        units.append({"code": code, "name": r["unit_name"], "city": r["unit_city"],
                      "parent": parent, "population": pop})
    check(len(units) == 88, f"expected 88 units, got {len(units)}")
    codes = [u["code"] for u in units]
    check(len(set(codes)) == 88, "duplicate unit code")
    check(set(ZONE_CODES.values()) <= set(codes), "zone missing")
    return units, census


def build_areas(geo: Path, units, census):
    rows = []
    prov = census[PROVINCE]
    rows.append((PROVINCE, prov["name"], "", "province", prov["population"]))
    cities = sorted((r for r in census.values() if r["level"] == "city"), key=lambda r: r["adcode"])
    check(len(cities) == 9, "expected 9 cities")
    for r in cities:
        rows.append((r["adcode"], r["name"], PROVINCE, "city", r["population"]))
    for u in sorted(units, key=lambda u: u["code"]):
        rows.append((u["code"], u["name"], u["parent"], "county", u["population"]))
    unit_codes = {u["code"] for u in units}
    towns = []
    for r in read_csv(geo / "fujian_townships_nbs2019.csv"):
        code = r["code9"]
        if code in TOWNSHIP_DROP:
            continue
        parent = TOWNSHIP_PARENT_OVERRIDES.get(code, r["county_code"])
        check(parent in unit_codes, f"township {code} has no county unit {parent}")
        towns.append((code, r["name"], parent, "township", ""))
    towns.sort()
    rows += towns
    return rows


def load_city_series(cheong: Path):
    """City daily new confirmed by reporting city, as first differences of the accumulated
    table (see SOURCE.md), plus the cells where the daily table disagrees."""

    def load(name):
        path = cheong / name
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rd = csv.reader(fh)
            hdr = next(rd)
            dates = [h[:10] for h in hdr[4:]]
            out = {}
            for r in rd:
                if r[1] != "Fujian":
                    continue
                out[r[2]] = {d: (int(float(v)) if v.strip() else None) for d, v in zip(dates, r[4:])}
        return out, dates

    daily, dates = load("China_daily_new_infections.csv")
    acc, dates2 = load("China_accumulated_infections.csv")
    check(dates == dates2 and set(daily) == set(acc) and len(acc) == 9, "city tables differ in shape")
    series: dict[str, dict[str, int]] = {}
    daily_diffs = []
    last_known = {}
    for city in sorted(acc):
        prev = 0
        s = {}
        for d in dates:
            a = acc[city][d]
            if a is None:
                if prev == 0 and d < "2020-02-01":  # leading NaN: nothing reported yet
                    a = 0
                else:
                    continue
            s[d] = a - prev
            check(s[d] >= 0, f"accumulated series falls: {city} {d}")
            dv = daily[city][d] or 0
            if dv != s[d]:
                daily_diffs.append((city, d, dv, s[d]))
            prev = a
            last_known[city] = d
        series[city] = s
    return series, acc, daily, daily_diffs, last_known


# --------------------------------------------------------------------------------------------
# reconstruction
# --------------------------------------------------------------------------------------------
def build(shared: Path, out_dir: Path) -> str:
    county_dir = shared / "fujian-2020-county"
    geo = shared / "fujian-geo"
    cheong = shared / "china-city-daily-cheongsa"

    units, census = load_units(geo)
    code_of = {(u["city"], u["name"]): u["code"] for u in units}
    unit_by_code = {u["code"]: u for u in units}
    areas = build_areas(geo, units, census)
    area_order = {r[0]: i for i, r in enumerate(areas)}
    county_codes = sorted((u["code"] for u in units), key=area_order.__getitem__)
    city_name_of = {u["code"]: u["city"] for u in units}

    # ---- snapshots (wide, by unit the case belongs to)
    wide = read_csv(county_dir / "fujian_county_cumulative_confirmed_wide.csv")
    snap_dates = [c for c in wide[0] if c[:4] == "2020"]
    snap = {s: {} for s in snap_dates}
    for r in wide:
        code = code_of[(r["city"], r["county"])]
        for s in snap_dates:
            snap[s][code] = int(r[s])
    check(all(len(v) == 88 for v in snap.values()), "wide file does not cover 88 units")

    # ---- long file, by (reporting city, unit or out-of-province place)
    long_rows = read_csv(county_dir / "fujian_county_cumulative_confirmed.csv")
    L: dict[str, dict[tuple, int]] = {s: defaultdict(int) for s in snap_dates}
    prov_total = defaultdict(int)
    for r in long_rows:
        s = r["as_of_2400"]
        n = int(r["cumulative_confirmed"])
        prov_total[s] += n
        if r["attribution"] == "out_of_province_residence":
            key = (r["reporting_city"], "oop:" + r["county"])
        else:
            key = (r["reporting_city"], code_of[(r["county_city"], r["county"])])
        L[s][key] += n
    for s in snap_dates:
        by_unit = defaultdict(int)
        for (rc, k), n in L[s].items():
            if not k.startswith("oop:"):
                by_unit[k] += n
        for code in county_codes:
            check(by_unit[code] == snap[s][code], f"long/wide disagree {s} {code}")
        oop = sum(n for (rc, k), n in L[s].items() if k.startswith("oop:"))
        check(sum(snap[s].values()) == prov_total[s] - oop, f"province total check {s}")
    row_keys = sorted({k for s in snap_dates for k in L[s]},
                      key=lambda k: (k[0], area_order.get(k[1], 10**6), k[1]))

    # ---- city series (by reporting city)
    series, acc, daily_tab, daily_diffs, last_known = load_city_series(cheong)
    cities = sorted(series, key=lambda c: area_order[code_of_city(c, census)])

    # ---- selected days (fixed county-level daily counts)
    sel_rows = read_csv(county_dir / "fujian_county_daily_new_confirmed_selected_days.csv")
    fixed_raw: dict[str, dict[str, int]] = defaultdict(dict)
    prov_new = {}
    for r in sel_rows:
        fixed_raw[r["report_date"]][code_of[(r["city"], r["county"])]] = int(r["new_confirmed"])
        prov_new[r["report_date"]] = int(r["province_new_confirmed"])
    for d, m in fixed_raw.items():
        check(len(m) == 88 and sum(m.values()) == prov_new[d], f"selected day {d} incomplete")
    date_note = check_date_correction(fixed_raw, series, city_name_of, cities)
    fixed = {DATE_CORRECTIONS.get(d, d): m for d, m in fixed_raw.items()}

    # city series beyond its coverage (02-27 ..): zero, justified by the unchanged province total
    last_series_day = min(last_known.values())
    prov_acc_last = sum(acc[c][last_series_day] for c in acc)
    last_snap = snap_dates[-1]
    check(prov_total[last_snap] == prov_acc_last,
          "province total changed after the end of the city series")
    R: dict[str, dict[str, int]] = {}
    for c in cities:
        R[c] = {d: series[c].get(d, 0) if d <= last_series_day else 0 for d in ALL_DAYS}

    # fixed days must match the city series by reporting city
    for d, m in sorted(fixed.items()):
        per_city = defaultdict(int)
        for code, n in m.items():
            per_city[city_name_of[code]] += n
        for c in cities:
            check(per_city[c] == R[c][d], f"selected day {d}: {c} {per_city[c]} != series {R[c][d]}")
        check(per_city[PINGTAN_UNIT] == 0, "Pingtan case on a selected day")

    # ---- re-attributions: a (reporting city, unit) cumulative that falls
    reattr = []
    adjL = {s: dict(L[s]) for s in snap_dates}
    for i in range(len(snap_dates) - 1):
        s0, s1 = snap_dates[i], snap_dates[i + 1]
        for key in row_keys:
            drop = adjL[s0].get(key, 0) - adjL[s1].get(key, 0)
            if drop <= 0:
                continue
            rc, code = key
            check(not code.startswith("oop:"), "out-of-province row falls")
            fixed_in = lambda c: sum(fixed[d].get(c, 0) for d in fixed if s0 < d <= s1)
            cands = []
            for k2 in row_keys:
                if k2[0] != rc or k2 == key or k2[1].startswith("oop:"):
                    continue
                free_gain = adjL[s1].get(k2, 0) - adjL[s0].get(k2, 0) - fixed_in(k2[1])
                if free_gain >= drop:
                    cands.append((-free_gain, area_order[k2[1]], k2))
            check(bool(cands), f"no receiving unit for the drop of {key} after {s0}")
            recv = sorted(cands)[0][2]
            for s in snap_dates[: i + 1]:
                adjL[s][key] = adjL[s].get(key, 0) - drop
                adjL[s][recv] = adjL[s].get(recv, 0) + drop
            reattr.append({"from": code, "to": recv[1], "n": drop, "between": (s0, s1),
                           "snapshots": snap_dates[: i + 1],
                           "candidates": [(c[2][1], -c[0]) for c in sorted(cands)]})
    for s in snap_dates:
        for key in row_keys:
            check(adjL[s].get(key, 0) >= 0, f"negative after re-attribution {s} {key}")

    # ---- allocation, interval by interval, reporting city by reporting city
    x = {code: {d: 0 for d in ALL_DAYS} for code in county_codes}
    for d, m in fixed.items():
        for code, n in m.items():
            x[code][d] = n
    oop_alloc = defaultdict(lambda: defaultdict(int))  # city -> day -> cases excluded (oop)
    cross_alloc = []  # (reporting city, unit, day, n)
    forced = []  # (city, day, series, reconstructed) -- city-days that could not be matched
    choices = []  # tables after the first snapshot whose split over days is not unique
    bounds = [None] + snap_dates
    for i in range(1, len(bounds)):
        lo, hi = bounds[i - 1], bounds[i]
        span = [d for d in ALL_DAYS if (lo is None or d > lo) and d <= hi]
        free = [d for d in span if d not in fixed]
        for rc in cities + [PINGTAN_UNIT]:
            rows = []
            for key in row_keys:
                if key[0] != rc:
                    continue
                inc = adjL[hi].get(key, 0) - (adjL[lo].get(key, 0) if lo else 0)
                code = key[1]
                if not code.startswith("oop:") and city_name_of[code] == rc:
                    inc -= sum(fixed[d].get(code, 0) for d in span if d in fixed)
                check(inc >= 0, f"fixed days exceed the increment: {key} {lo}..{hi}")
                if inc:
                    rows.append((key, inc))
            supply = sum(n for _, n in rows)
            targets = [(d, R[rc][d] if rc in R else 0) for d in free]
            demand = sum(t for _, t in targets)
            if supply != demand:
                targets = rebalance(targets, supply)
                for (d, t0), (_, t1) in zip([(d, R[rc][d] if rc in R else 0) for d in free], targets):
                    if t0 != t1:
                        forced.append((rc, d, t0, t1))
            table = allocate(rows, targets)
            if lo and len(rows) > 1 and sum(1 for _, t in targets if t) > 1:
                choices.append((rc, [k[1] for k, _ in rows], [d for d, t in targets if t]))
            for (key, d), n in table.items():
                if not n:
                    continue
                code = key[1]
                if code.startswith("oop:"):
                    oop_alloc[rc][d] += n
                else:
                    x[code][d] += n
                    if city_name_of[code] != rc:
                        cross_alloc.append((rc, code, d, n))

    # ---- verification
    for code in county_codes:
        for d in ALL_DAYS:
            check(x[code][d] >= 0, "negative count")
    for d, m in fixed.items():
        for code, n in m.items():
            check(x[code][d] == n, f"fixed day not held {d} {code}")
    reattr_cells = {(r["from"], s) for r in reattr for s in r["snapshots"]} | {
        (r["to"], s) for r in reattr for s in r["snapshots"]}
    snap_report = []
    for s in snap_dates:
        bad = []
        for code in county_codes:
            cum = sum(x[code][d] for d in ALL_DAYS if d <= s)
            if cum != snap[s][code]:
                bad.append((code, snap[s][code], cum))
                check((code, s) in reattr_cells, f"snapshot not held {s} {code}: {cum}")
        snap_report.append((s, 88 - len(bad), bad))
    # reporting-city totals vs the city series
    recon_city = {c: defaultdict(int) for c in cities}
    for code in county_codes:
        for d in ALL_DAYS:
            recon_city.setdefault(city_name_of[code], defaultdict(int))[d] += x[code][d]
    for rc, code, d, n in cross_alloc:
        recon_city[rc][d] += n
        recon_city[city_name_of[code]][d] -= n
    for c in cities:
        for d, n in oop_alloc[c].items():
            recon_city[c][d] += n
    city_mismatch = {c: [(d, R[c][d], recon_city[c][d]) for d in ALL_DAYS
                         if R[c][d] != recon_city[c][d]] for c in cities}
    check(sum(len(v) for v in city_mismatch.values()) == len(forced),
          "unexplained city-day mismatch")
    # known facts
    name_code = {u["name"]: u["code"] for u in units}
    facts = [("2020-02-18", "古田县"), ("2020-02-24", "晋江市"), ("2020-02-26", "闽侯县"),
             ("2020-02-26", "荔城区")]
    for d, nm in facts:
        c = city_name_of[name_code[nm]]
        check(x[name_code[nm]][d] == 1 and R[c][d] == 1, f"known fact fails: {nm} {d}")
    songxi = name_code["松溪县"]
    check(max(d for d in ALL_DAYS if x[songxi][d] > 0) == "2020-02-09", "松溪县 last case")
    total = sum(x[c][d] for c in county_codes for d in ALL_DAYS)
    check(total == sum(snap[last_snap].values()), "grand total")

    # ---- official lists
    official = []
    for r in read_csv(county_dir / "fujian_official_county_risk_lists.csv"):
        code = code_of[(r["city"], r["county"])]
        official.append((r["as_of_2400"], area_order[code], [
            code, r["county"], r["city"], r["as_of_2400"], r["scheme"], r["official_level"],
            r["official_category_zh"], r["derivation"], r["source_url"]]))
    official.sort(key=lambda t: (t[0], t[1]))
    by_date = defaultdict(set)
    for d, _, row in official:
        by_date[d].add(row[0])
    check(all(len(v) == 88 for v in by_date.values()) and len(official) == 3 * 88, "official lists")

    # ---- write
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "areas.csv", ["code", "name", "parent_code", "kind", "population"], areas)
    counts = [(code, d, "new_confirmed", x[code][d]) for d in ALL_DAYS for code in county_codes]
    write_csv(out_dir / "counts.csv", ["area_code", "date", "metric", "value"], counts)
    snaps = [(code, s, snap[s][code]) for s in snap_dates for code in county_codes]
    write_csv(out_dir / "snapshots.csv", ["area_code", "as_of", "cumulative_confirmed"], snaps)
    write_csv(out_dir / "official_levels.csv",
              ["area_code", "area_name", "city", "as_of", "scheme", "official_level",
               "official_category_zh", "derivation", "source_url"],
              [row for _, _, row in official])

    recon = reconciliation_text(
        snap_report, reattr, unit_by_code, cities, city_mismatch, forced, oop_alloc, cross_alloc,
        daily_diffs, date_note, last_series_day, choices)
    (out_dir / "SOURCE.md").write_text(source_md(areas, recon, snap_dates), encoding="utf-8")
    return recon


def code_of_city(city: str, census) -> str:
    for r in census.values():
        if r["level"] == "city" and r["name"] == city:
            return r["adcode"]
    raise BuildError(f"unknown city {city}")


def rebalance(targets: list[tuple[str, int]], supply: int) -> list[tuple[str, int]]:
    """Fallback when a reporting city's interval totals differ from the city series: scale the
    day targets to the county total (largest remainder, earliest day first on ties). Not needed
    for the current inputs; every use is reported as a city-day mismatch."""
    demand = sum(t for _, t in targets)
    if not targets:
        raise BuildError("cases in an interval without free days")
    weights = [t for _, t in targets] if demand else [1] * len(targets)
    wsum = sum(weights)
    raw = [Fraction(supply * w, wsum) for w in weights]
    base = [r.numerator // r.denominator for r in raw]
    left = supply - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [(d, b) for (d, _), b in zip(targets, base)]


def check_date_correction(fixed_raw, series, city_name_of, cities) -> dict:
    """Verify that each corrected selected day matches the city series on the corrected date
    (per city) and not on the labelled date; return the figures for SOURCE.md."""
    note = {}
    for bad, good in DATE_CORRECTIONS.items():
        per_city = defaultdict(int)
        for code, n in fixed_raw[bad].items():
            per_city[city_name_of[code]] += n
        on_good = {c: series[c].get(good, 0) for c in series}
        on_bad = {c: series[c].get(bad, 0) for c in series}
        check(all(per_city[c] == on_good[c] for c in series), f"date correction {bad}: no match on {good}")
        check(any(per_city[c] != on_bad[c] for c in series), f"date correction {bad} unnecessary")
        note[bad] = {"to": good, "diff_if_literal": {c: per_city[c] - on_bad[c] for c in cities
                                                     if per_city[c] != on_bad[c]},
                     "total": sum(per_city.values()), "series_bad": sum(on_bad.values()),
                     "series_good": sum(on_good.values())}
    return note


def write_csv(path: Path, header: list[str], rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    path.write_bytes(buf.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------------------------
# documentation
# --------------------------------------------------------------------------------------------
def reconciliation_text(snap_report, reattr, unit_by_code, cities, city_mismatch, forced,
                        oop_alloc, cross_alloc, daily_diffs, date_note, last_series_day,
                        choices) -> str:
    city_name_of = {c: u["city"] for c, u in unit_by_code.items()}

    def nm(code):
        return f"{unit_by_code[code]['name']} {code}"

    lines = ["Snapshots (reconstructed cumulative = snapshot, of 88 units):", ""]
    for s, ok, bad in snap_report:
        extra = "; ".join(f"{nm(c)}: snapshot {a}, reconstructed {b}" for c, a, b in bad)
        lines.append(f"- {s}: {ok}/88" + (f" (differs: {extra})" if extra else ""))
    lines += ["", "Re-attributions (a unit's cumulative falls between snapshots):", ""]
    if not reattr:
        lines.append("- none")
    for r in reattr:
        cands = ", ".join(f"{nm(c)} +{g}" for c, g in r["candidates"])
        lines.append(
            f"- {nm(r['from'])} falls by {r['n']} between {r['between'][0]} and {r['between'][1]}; "
            f"the case is counted from its report date in {nm(r['to'])} (units of the same "
            f"reporting city with an unexplained gain in that interval: {cands}; largest gain, "
            f"then lowest code).")
    lines += ["", "City series (by reporting city) vs the reconstruction, per city: days not matched:", ""]
    for c in cities:
        mm = city_mismatch[c]
        txt = "none" if not mm else "; ".join(f"{d}: series {a}, reconstructed {b}" for d, a, b in mm)
        lines.append(f"- {c} ({CITY_EN[c]}): {txt}")
    lines += ["", "Explained differences between the city series and the sum of the city's own "
              "county units (the city series counts them, the county files do not or count them "
              "in another city):", ""]
    for c in cities:
        parts = []
        oop = oop_alloc.get(c, {})
        if oop:
            days_ = ", ".join(f"{d[5:]}×{n}" if n > 1 else d[5:] for d, n in sorted(oop.items()))
            k = sum(oop.values())
            parts.append(f"{k} out-of-province resident{'s' if k > 1 else ''} placed on {days_}")
        for rc, code, d, n in cross_alloc:
            if rc == c:
                parts.append(f"{n} case of {nm(code)} ({city_name_of[code]}) placed on {d}")
            if city_name_of[code] == c:
                parts.append(f"{n} case of {nm(code)} reported by {rc} on {d}")
        if parts:
            lines.append(f"- {c}: " + "; ".join(parts))
    lines += ["", "After the first snapshot, the split over days is a choice (not fixed by the "
              "inputs) only here (units; days with city-series cases):", ""]
    for rc, codes, ds in choices:
        lines.append(f"- {rc}: {', '.join(nm(c) for c in codes)}; {', '.join(ds)}")
    if not choices:
        lines.append("- nowhere")
    lines += ["", "Input corrections:", ""]
    for bad, n in date_note.items():
        diff = ", ".join(f"{c} {v:+d}" for c, v in n["diff_if_literal"].items())
        lines.append(
            f"- The selected-day breakdown labelled {bad} ({n['total']} cases) is placed on "
            f"{n['to']}: it equals the city series of {n['to']} city by city (series total "
            f"{n['series_good']}), while the series has {n['series_bad']} on {bad}. Taken "
            f"literally it would put these city differences on {bad} (balanced by opposite "
            f"ones on other days of the interval): {diff}.")
    for c, d, dv, sv in daily_diffs:
        lines.append(
            f"- {c} {d}: China_daily_new_infections.csv has {dv}, the first difference of "
            f"China_accumulated_infections.csv is {sv}; the accumulated table agrees with the "
            f"bulletin totals, so the difference is used.")
    lines.append(
        f"- The city series ends on {last_series_day}; the later days are taken as 0 because "
        f"the province total is the same on {last_series_day} and on 2020-03-09.")
    if forced:
        lines += ["", "City-day targets that had to be changed to keep the county totals exact:", ""]
        for c, d, a, b in forced:
            lines.append(f"- {c} {d}: series {a}, used {b}")
    return "\n".join(lines) + "\n"


def source_md(areas, recon: str, snap_dates) -> str:
    kinds = defaultdict(int)
    for r in areas:
        kinds[r[3]] += 1
    return f"""# Fujian, 20 Jan – 9 Mar 2020: bundled demo data

Built by `scripts/build_fujian_demo.py` from the raw files in `shared/data/` (the directories named
below). Do not edit these files by hand; change the script and run it again (it is deterministic).

## Files

| file | rows | content |
|---|---|---|
| `areas.csv` | {len(areas)} | `code,name,parent_code,kind,population`: 1 province, {kinds['city']} cities, {kinds['county']} county-level bulletin units, {kinds['township']} townships |
| `counts.csv` | {88 * len(ALL_DAYS)} | `area_code,date,metric,value`: `new_confirmed` for each of the 88 units on each day {ALL_DAYS[0]} … {ALL_DAYS[-1]}, zeros included (reconstructed, see below) |
| `snapshots.csv` | {88 * len(snap_dates)} | `area_code,as_of,cumulative_confirmed`: the county snapshots as published |
| `official_levels.csv` | 264 | the three official county lists (2020-02-13, 2020-02-16, 2020-02-23), 88 rows each |

## Origin and licences

- `fujian-2020-county/` (county snapshots `fujian_county_cumulative_confirmed.csv` and `…_wide.csv`,
  `fujian_county_daily_new_confirmed_selected_days.csv`, `fujian_official_county_risk_lists.csv`):
  transcribed by hand from reposts of the Fujian Provincial Health Commission (福建省卫健委) daily
  bulletins and county-classification announcements; a source URL is kept on every row of
  `official_levels.csv`. Government statistics reproduced as facts; the news pages state no licence.
- `fujian-geo/fujian_county_population_census2020.csv`: 2020 census (七普) resident population from
  `leiii/census` (`census_county_2020_v1.xlsx`, 7th census yearbook by county); MIT licence.
- `fujian-geo/fujian_townships_nbs2019.csv`: NBS 统计用区划代码 2019 edition (in force in Feb 2020) from
  `modood/Administrative-divisions-of-China` @ f7151351; WTFPL.
- `fujian-geo/fujian_88_units_crosswalk.csv`: the 88 bulletin units matched to DataV/NBS adcodes (DataV
  GeoAtlas boundaries, pre-2021 county set; no licence stated).
- `china-city-daily-cheongsa/`: city-level daily counts from `cheongsa/Coronavirus-COVID-19-statistics-in-China`
  @ 4242b376 (Liu, Yen & Cheong, arXiv:2003.11716); CC0 1.0.

## Codes

- Province `350000`, cities `350100` … `350900`: official codes.
- 83 units use their own 2020 DataV/NBS adcode (pre-2021: 梅列区 350402 and 三元区 350403 separate,
  沙县 350427, 长泰县 350625, 龙海市 350681).
- 平潭综合实验区 = `350128` (平潭县, same area). The bulletins report it as its own unit outside
  Fuzhou, so its parent is `350000`; the census figure of 福州市 still includes it.
- **Not official codes**: the four economic zones have no code of their own. They get the host
  county's code plus a suffix: `350305-BA` 湄洲湾北岸经济开发区, `350305-MZD` 湄洲岛 (host 秀屿区),
  `350502-JK` 泉州经济技术开发区 (host 鲤城区), `350521-TS` 泉州台商投资区 (host 惠安县). Their parent is
  the city.
- Townships: NBS 9-digit codes ({kinds['township']} of the file's 1,167), parent = their county unit. Dropped: the placeholders 350527000 金门县
  and 350122400 马祖乡. 350305108 湄洲镇 is placed under `350305-MZD` and 350502400 清濛经济开发区 under
  `350502-JK`; all other townships of the zones' hosts stay under the host (the zones' other towns are
  not established from these files). Townships have no population and no counts.
- Population: census 2020 resident population (reference time 2020-11-01, not the Feb 2020 population).
  Empty for the four zones: their residents are counted in the host county's figure.

## How `counts.csv` was reconstructed

A date is the day whose 0–24h a bulletin covers (published the next morning), i.e. the report date.
Cases count in the unit they belong to (the county files' attribution), not the reporting city.

1. Fixed days: the county breakdowns of the selected-days file hold exactly (after the date correction
   below): 2020-02-02, 02-06, 02-09, 02-12, 02-14, 02-17, 02-22, 02-23, 03-09.
2. Snapshots: for every unit the cumulative sum up to each snapshot date ({', '.join(snap_dates)})
   equals the published cumulative, except for the re-attribution cells listed below.
3. The rest of each interval between snapshots (before 02-09: from zero) is spread over its free
   days so that each **reporting city**'s daily total equals the city series. The county files are
   split by reporting city with the long file `fujian_county_cumulative_confirmed.csv`: a reporting
   city's table has one row per unit it lists (its own units, plus cases of other cities' units it
   reported, e.g. 古田县 under 福州市 and 石狮市 under 厦门市) and one row per out-of-province place
   (湖北省武汉市 under 福州市 and 厦门市, 湖北省孝感市 under 南平市). Those out-of-province residents
   are in the city series but excluded from the county files (12 cases, all before 02-09); they
   absorb city-series cases in the allocation and are then dropped. Pingtan has no city series and no
   cases.
4. Allocation within a (city, interval) table: the maximum-entropy table (each row spread over the
   free days in proportion to the city series) rounded to integers with both margins kept
   (controlled rounding via a min-cost flow that rounds up the largest fractions; exact fractions,
   fixed order, so deterministic). The county totals are never changed; if a city's margins could
   not both hold, the day targets would be rescaled and listed below (this does not happen).
5. After the end of the city series (2020-02-26) all days are 0: the province total is 296 on 02-26
   and on 03-09.

The split of a unit's cases across the free days up to 2020-02-09 is a plausible allocation, not an
observed series: only the city-level timing, the fixed days and the unit totals are known. After
02-09 the intervals are short and almost everything is forced; the few remaining choices are listed
in the reconciliation. Unit totals over 02-09 … 02-22 and 02-10 … 02-23 (the 14-day windows for the
02-23 list) follow from the snapshots and fixed days alone. Known facts that hold: Ningde +1 on
02-18 is 古田县, Quanzhou +1 on 02-24 is 晋江市, Fuzhou +1 and Putian +1 on 02-26 are 闽侯县 and
荔城区, 松溪县's last case is on 02-09.

## Reconciliation

{recon}
## Caveats

- 集美区 (see the re-attribution above): the case is counted in 思明区 from its (unknown) report date
  before 02-09. Which 集美区 case was re-attributed is not known; the reconstruction keeps the
  bulletin's 集美区 case of 02-09 in 集美区 (the selected days hold). If the re-attributed case was
  that one, 集美区's last case would be before 02-09 (this matters for a 14-day window starting on
  02-09, e.g. the 02-23 list with data to 02-22). The receiving unit (思明区, tie with 海沧区 broken by
  code) is a judgement call; it is consistent with the new suspected cases of the 02-09 bulletin (海沧区 2,
  湖里区 1, 翔安区 2; the page cited for 02-09, not transcribed in the shared files), which match
  those units' new confirmed cases of 02-10 … 02-12 and leave one of 思明区's two as the moved case.
- The city series counts by reporting city and the county files by the unit the case belongs to;
  cross-city and out-of-province cases are placed on days by the allocation, not from a source.
- Official lists: the 2020-02-13 较多病例疫情区 names were derived as the complement of the other
  categories (`derivation` column); the stated per-category counts confirm them.
- The economic zones are reported separately only from the county bulletins; the census and the
  boundaries include them in their host county.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO / ".." / "shared" / "data",
                    help="shared data directory (default: ../shared/data from the repository root)")
    ap.add_argument("--out", type=Path, default=REPO / "src" / "epizone" / "data" / "fujian2020",
                    help="output directory")
    args = ap.parse_args(argv)
    try:
        recon = build(args.shared.resolve(), args.out)
    except BuildError as exc:
        print(f"build_fujian_demo: {exc}", file=sys.stderr)
        return 1
    print(recon, end="")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
