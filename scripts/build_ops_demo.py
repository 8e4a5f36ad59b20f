#!/usr/bin/env python3
"""Build the SYNTHETIC operations demo for Fujian, February 2020 (src/epizone/data/fujian2020_ops/).

Nothing here is real: the enterprises, their reports, the inspections and the hospitals are generated, with
one seeded random generator, on top of the real bundled areas (src/epizone/data/fujian2020/areas.csv) and the
county levels that epizone computes from the bundled counts (cn-2020-02, data to the day before, the same run
`epizone serve --demo` and `epizone ops demo` publish). Every file has a `synthetic` column set to true, and
every name starts with [合成] ("synthetic").

What is modelled (see SOURCE.md in the output folder for the details):
- enterprises: a few per county in proportion to its population, placed in a random township of the county;
  sectors weighted by city (footwear and textiles in Quanzhou, electronics in Xiamen and Fuzhou);
- daily reports 1-29 Feb: essential sectors operate throughout; the others may resume from 10 Feb (Fujian's
  date) and, while their county is at medium risk, only once their prevention plan is approved - except a few
  that do not wait (they are the enterprises epizone flags); employees come back gradually, some stay away in
  other provinces; bottlenecks (transport, labour, logistics, market, protective supplies) open and are
  resolved by officers some days later, some remain open at the end of February;
- inspections: a routine inspection of every county in mid-February, and one soon after a county's level rose
  (some late); deficiencies get deadlines and are mostly remedied, some late, some not at all;
- hospitals: one per county (the designated hospital of each city at its most populous county), daily stock,
  use and deliveries of six protective supplies, with shortages early in February.

Run:  .venv/bin/python scripts/build_ops_demo.py [--out DIR] [--seed N]
The output is byte-identical for the same seed and the same bundled data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "epizone" / "data"
SEED = 20200223
START, END = dt.date(2020, 2, 1), dt.date(2020, 2, 29)
RESUME_FROM = dt.date(2020, 2, 10)      # Fujian: enterprises resume work no earlier than 9 Feb, 24:00
REPORTS_FROM = dt.date(2020, 2, 3)      # non-essential enterprises report from 3 Feb
SYN = "[合成]"
SECTOR_WEIGHTS = {"manufacturing": 22, "textiles_footwear": 10, "electronics": 7, "food": 10, "construction": 8,
                  "logistics": 6, "services": 10, "hospitality": 6, "daily_necessities": 7, "medical_supplies": 4,
                  "utilities": 3, "energy_materials": 5}
CITY_BOOST = {"350500": {"textiles_footwear": 3.0}, "350200": {"electronics": 3.0}, "350100": {"electronics": 1.5}}
ESSENTIAL = {"medical_supplies", "utilities", "food", "daily_necessities", "logistics", "energy_materials"}
SECTOR_WORD = {"manufacturing": "机械制造", "textiles_footwear": "鞋服", "electronics": "电子", "food": "食品",
               "construction": "建工", "logistics": "物流", "services": "服务", "hospitality": "餐饮",
               "daily_necessities": "商贸", "medical_supplies": "医疗用品", "utilities": "水务", "energy_materials": "能源"}
SIZES = (("large", 0.06, (1000, 4000)), ("medium", 0.22, (300, 999)), ("small", 0.50, (20, 299)),
         ("micro", 0.22, (5, 19)))
HOME_PROVINCES = ("江西", "四川", "贵州", "湖南", "湖北", "河南", "安徽", "重庆", "云南", "广西")
INSPECTORS = tuple(f"{SYN}省督查组第{n}组" for n in range(1, 7))
ITEMS = ("n95", "surgical_mask", "gown", "goggles", "gloves", "disinfectant")
USE_PER_100K = {"n95": 12, "surgical_mask": 150, "gown": 5, "goggles": 2, "gloves": 60, "disinfectant": 8}
BOTTLENECK_TEXT = {
    "transport": ("员工返岗交通不便,公交及客运班线尚未恢复", "返岗员工途经卡口通行受阻"),
    "labour": ("{away}名员工滞留{place}等地未能返岗",),
    "logistics": ("原材料物流运输不畅,到货延迟", "成品发运受限,快递物流未恢复"),
    "market": ("上游供应链未恢复,关键零部件短缺", "订单减少,下游客户尚未复工"),
    "protective_supplies": ("口罩缺口约{masks}只/天,体温枪不足", "消毒液及口罩储备不足3天"),
}
RESOLUTION_TEXT = {
    "transport": "协调开通返岗专线包车", "labour": "协调包车点对点接返员工,并对接本地用工",
    "logistics": "纳入重点物资运输保障,开通绿色通道", "market": "协助对接上下游企业,落实订单",
    "protective_supplies": "调配口罩及消毒物资",
}
DEFICIENCY_NOTES = ("台账记录不完整", "措施落实不到位", "人员排查存在遗漏", "未按要求每日报送", "现场检查发现漏洞")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _text(row.get(c)) for c in columns})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def days(first: dt.date = START, last: dt.date = END) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def county_levels() -> dict[str, dict[dt.date, str]]:
    """cn-2020-02 levels of every county, 20 Jan to 29 Feb, data to the day before (as the demo publishes)."""
    from epizone.domain.cutoff import DataThrough
    from epizone.services.assess import Request, assess_table
    from epizone.services.demo import SERIES_START, demo_file
    table, _ = assess_table(Request(areas=demo_file("areas.csv"), counts=demo_file("counts.csv"), rules="cn-2020-02",
                                    start=SERIES_START, end=END, data_through=DataThrough(lag=1)))
    levels: dict[str, dict[dt.date, str]] = defaultdict(dict)
    for row in table.select(["area_code", "date", "level"]).to_pylist():
        levels[row["area_code"]][row["date"]] = row["level"]
    return levels


def rises(levels: dict[str, dict[dt.date, str]]) -> list[tuple[str, dt.date]]:
    rank = {"low": 0, "medium": 1, "high": 2}
    found = []
    for code, series in sorted(levels.items()):
        previous = None
        for day in sorted(series):
            level = series[day]
            if previous in rank and level in rank and rank[level] > rank[previous] and START <= day <= END:
                found.append((code, day))
            previous = level
    return found


class Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        areas = read_csv(DATA / "fujian2020" / "areas.csv")
        self.counties = [a for a in areas if a["kind"] == "county"]
        self.townships: dict[str, list[dict]] = defaultdict(list)
        for area in areas:
            if area["kind"] == "township":
                self.townships[area["parent_code"]].append(area)
        self.levels = county_levels()

    def level(self, county: str, day: dt.date) -> str:
        return self.levels.get(county, {}).get(day, "unknown")

    def enterprises(self) -> list[dict]:
        found = []
        for county in self.counties:
            population = int(county["population"] or 0)
            count = min(9, max(2, round(population / 130_000)))
            weights = dict(SECTOR_WEIGHTS)
            for sector, boost in CITY_BOOST.get(county["parent_code"], {}).items():
                weights[sector] *= boost
            for k in range(1, count + 1):
                sector = self.rng.choices(list(weights), list(weights.values()))[0]
                size, _, (low, high) = self.rng.choices(SIZES, [s[1] for s in SIZES])[0]
                towns = self.townships.get(county["code"])
                area = self.rng.choice(towns)["code"] if towns else county["code"]
                essential = sector in ESSENTIAL
                if essential:  # running throughout, under the epidemic-control guarantee: approved before February
                    approved = START - dt.timedelta(days=self.rng.randint(1, 6))
                elif self.rng.random() < 0.8:
                    approved = dt.date(2020, 2, 7) + dt.timedelta(days=min(17, int(self.rng.expovariate(1 / 5))))
                else:
                    approved = None
                found.append({
                    "code": f"SYN-{county['code']}-{k:02d}",
                    "name": f"{SYN}{county['name']}{SECTOR_WORD[sector]}企业{k}号",
                    "area_code": area, "sector": sector, "size_class": size,
                    "key_enterprise": size == "large" or (size == "medium" and self.rng.random() < 0.4)
                    or (essential and self.rng.random() < 0.3),
                    "workforce": self.rng.randint(low, high), "plan_approved_on": approved, "synthetic": True,
                    "_county": county["code"], "_essential": essential, "_defiant": not essential and
                    self.rng.random() < 0.06, "_never": not essential and size in ("small", "micro") and
                    self.rng.random() < 0.1,
                    "_homes": self.rng.sample(HOME_PROVINCES, self.rng.randint(1, 3))})
        return found

    def resume_day(self, e: dict) -> dt.date | None:
        """The day the enterprise starts operating (partly)."""
        if e["_essential"]:
            return START + dt.timedelta(days=self.rng.randint(0, 4))
        if e["_never"]:
            return None
        day = RESUME_FROM + dt.timedelta(days=self.rng.randint(0, 8))
        while day <= END:
            approved = e["plan_approved_on"] is not None and e["plan_approved_on"] <= day
            if e["_defiant"] or self.level(e["_county"], day) == "low" or approved:
                return day
            day += dt.timedelta(days=1)
        return None

    def reports(self, enterprises: list[dict]) -> tuple[list[dict], list[dict]]:
        reports, resolutions = [], []
        for e in enterprises:
            resume = self.resume_day(e)
            full = None if resume is None else resume + dt.timedelta(days=self.rng.randint(2, 10))
            first = START if e["_essential"] else REPORTS_FROM
            episodes = self.episodes(e, resume)
            for day in days(first):
                forced = day in (first, resume, full) or any(day == ep[1] for ep in episodes)
                if not forced and self.rng.random() > 0.9:
                    continue
                reports.append(self.report(e, day, resume, full, episodes))
            for category, opened, resolved in episodes:
                if resolved <= END:
                    resolutions.append({"enterprise_code": e["code"], "category": category, "resolved_on": resolved,
                                        "note": RESOLUTION_TEXT[category], "synthetic": True})
        return reports, resolutions

    def episodes(self, e: dict, resume: dt.date | None) -> list[tuple[str, dt.date, dt.date]]:
        """(category, opened on, resolved on) of the enterprise's bottlenecks."""
        found = []
        anchor = resume or RESUME_FROM
        chances = {"transport": (0.2, anchor, 6), "labour": (0.35, anchor, 8), "logistics": (0.2, anchor, 7),
                   "market": (0.2, anchor + dt.timedelta(days=7), 9),
                   "protective_supplies": (0.35, max(START, anchor - dt.timedelta(days=3)), 5)}
        for category, (chance, around, length) in chances.items():
            if self.rng.random() < chance:
                opened = max(START if e["_essential"] else REPORTS_FROM, around + dt.timedelta(
                    days=self.rng.randint(-2, 3)))
                if opened > END:
                    continue
                resolved = opened + dt.timedelta(days=self.rng.randint(2, length * 2))
                found.append((category, opened, resolved))
        return found

    def report(self, e: dict, day: dt.date, resume: dt.date | None, full: dt.date | None,
               episodes: list[tuple[str, dt.date, dt.date]]) -> dict:
        total = e["workforce"]
        progress = (day - START).days / (END - START).days
        if resume is None or day < resume:
            status, share, capacity = "closed", 0.0, 0
        elif full is None or day < full:
            status, share = "partial", 0.3 + 0.4 * self.rng.random()
            capacity = self.rng.randint(20, 60)
        else:
            status, share = "full", 0.8 + 0.18 * self.rng.random()
            capacity = self.rng.randint(70, 100)
        on_site = min(total, round(total * share))
        away = round((total - on_site) * max(0.1, 0.7 - 0.6 * progress))
        places = self.split(away, e["_homes"])
        row = {"enterprise_code": e["code"], "date": day, "status": status, "employees_on_site": on_site,
               "employees_total": total, "employees_away": away,
               "away_from": "; ".join(f"{p}:{n}" for p, n in places.items() if n), "capacity_pct": capacity,
               "synthetic": True}
        for category, opened, resolved in episodes:
            if opened <= day < resolved:
                text = self.rng.choice(BOTTLENECK_TEXT[category])
                row[category] = text.format(away=max(away, 1), place=e["_homes"][0], masks=max(10, total // 2))
        return row

    def split(self, away: int, homes: list[str]) -> dict[str, int]:
        shares = [self.rng.random() + 0.2 for _ in homes]
        counts = [int(away * s / sum(shares)) for s in shares]
        return dict(zip(homes, counts))

    def inspections(self) -> tuple[list[dict], list[dict]]:
        from epizone.ops.checklist import settings
        items = [item["code"] for duty in settings()["duties"] for item in duty["items"]]
        followed = [i for i in items if i.split(".")[0] in ("D02", "D03", "D06", "D09", "D10")]
        rows, closures = [], []
        visits = [(c["code"], dt.date(2020, 2, 11) + dt.timedelta(days=self.rng.randint(0, 10)), items)
                  for c in self.counties]
        for code, day in rises(self.levels):
            if self.rng.random() < 0.75:
                visits.append((code, day + dt.timedelta(days=self.rng.randint(1, 5)), followed))
        for code, day, checked in sorted(visits):
            if day > END:
                continue
            inspector = self.rng.choice(INSPECTORS)
            for item in checked:
                draw = self.rng.random()
                result = "compliant" if draw < 0.84 else ("deficient" if draw < 0.95 else "not_applicable")
                deadline = day + dt.timedelta(days=self.rng.randint(3, 7)) if result == "deficient" else None
                note = self.rng.choice(DEFICIENCY_NOTES) if deadline else None
                rows.append({"area_code": code, "date": day, "inspector": inspector, "item": item, "result": result,
                             "note": note, "deadline": deadline, "synthetic": True})
                if deadline is None:
                    continue
                fate = self.rng.random()
                closed = (max(day, deadline - dt.timedelta(days=self.rng.randint(0, 2))) if fate < 0.65 else
                          deadline + dt.timedelta(days=self.rng.randint(1, 4)) if fate < 0.8 else None)
                if closed is not None and closed <= END:
                    closures.append({"area_code": code, "date": day, "inspector": inspector, "item": item,
                                     "closed_on": closed, "note": "已整改到位", "synthetic": True})
        return rows, closures

    def facilities(self) -> list[dict]:
        biggest: dict[str, str] = {}
        for county in self.counties:
            city = county["parent_code"]
            if int(county["population"] or 0) > int(next((c["population"] for c in self.counties
                                                          if c["code"] == biggest.get(city)), 0) or 0):
                biggest[city] = county["code"]
        found = []
        for county in self.counties:
            designated = biggest.get(county["parent_code"]) == county["code"]
            found.append({"code": f"SYN-H-{county['code']}", "name": f"{SYN}{county['name']}总医院",
                          "area_code": county["code"],
                          "kind": "designated_hospital" if designated else "general_hospital", "synthetic": True,
                          "_population": int(county["population"] or 60_000), "_designated": designated})
        return found

    def supplies(self, facilities: list[dict]) -> list[dict]:
        """Stock kept by reordering: when less than four days' use is left, an order arrives after a lead time;
        before 12 Feb (the national shortage) orders take longer and are only partly filled."""
        rows = []
        for f in facilities:
            scale = f["_population"] / 100_000 * (2.5 if f["_designated"] else 1.0)
            for item in ITEMS:
                use = max(1.0, USE_PER_100K[item] * scale)
                stock = round(use * self.rng.uniform(2, 8))
                pending: tuple[dt.date, int] | None = None
                for day in days():
                    received = 0
                    if pending is not None and day >= pending[0]:
                        received, pending = pending[1], None
                    consumed = min(stock + received, round(use * self.rng.uniform(0.8, 1.25)))
                    stock = stock + received - consumed
                    if pending is None and stock < 4 * use:
                        short = day < dt.date(2020, 2, 12)
                        lead = self.rng.randint(2, 5) if short else self.rng.randint(1, 2)
                        fill = self.rng.uniform(0.4, 0.8) if short else self.rng.uniform(0.9, 1.1)
                        pending = (day + dt.timedelta(days=lead),
                                   max(0, round((use * self.rng.uniform(8, 12) - stock) * fill)))
                    rows.append({"facility_code": f["code"], "date": day, "item": item, "stock": stock,
                                 "consumed": consumed, "received": received, "synthetic": True})
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA / "fujian2020_ops")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    builder = Builder(args.seed)
    enterprises = builder.enterprises()
    reports, resolutions = builder.reports(enterprises)
    inspections, closures = builder.inspections()
    facilities = builder.facilities()
    supplies = builder.supplies(facilities)
    write_csv(args.out / "enterprises.csv", ["code", "name", "area_code", "sector", "size_class", "key_enterprise",
                                              "workforce", "plan_approved_on", "synthetic"], enterprises)
    write_csv(args.out / "reports.csv", ["enterprise_code", "date", "status", "employees_on_site", "employees_total",
                                          "employees_away", "away_from", "capacity_pct", "transport", "labour",
                                          "logistics", "market", "protective_supplies", "synthetic"], reports)
    write_csv(args.out / "resolutions.csv", ["enterprise_code", "category", "resolved_on", "note", "synthetic"],
              resolutions)
    write_csv(args.out / "inspections.csv", ["area_code", "date", "inspector", "item", "result", "note", "deadline",
                                              "synthetic"], inspections)
    write_csv(args.out / "closures.csv", ["area_code", "date", "inspector", "item", "closed_on", "note", "synthetic"],
              closures)
    write_csv(args.out / "facilities.csv", ["code", "name", "area_code", "kind", "synthetic"], facilities)
    write_csv(args.out / "supplies.csv", ["facility_code", "date", "item", "stock", "consumed", "received",
                                           "synthetic"], supplies)
    print(f"{args.out}: {len(enterprises)} enterprises, {len(reports)} reports, {len(resolutions)} resolutions, "
          f"{len(inspections)} findings, {len(closures)} closures, {len(facilities)} facilities, "
          f"{len(supplies)} supply reports (seed {args.seed})")


if __name__ == "__main__":
    main()
