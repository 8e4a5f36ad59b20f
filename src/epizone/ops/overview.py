"""An officer's overview of one area on one date, in one answer: its published level and what that level
allows (with the measures in force), the resumption of its enterprises (rates, by sector and size, flagged
enterprises, open bottlenecks oldest first), its inspection record (recent inspections, compliance by duty,
open and overdue deficiencies, inspections due after a rise) and its front-line supplies (days left, alerts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Connection, func, select

from epizone.domain.errors import Forbidden, NotFound
from epizone.ops import inspections as inspecting
from epizone.ops import supplies
from epizone.ops.access import Actor, require
from epizone.ops.areas import current_areas
from epizone.ops.figures import bottleneck_summary, flags, level_out, policy_out, resumption
from epizone.ops.levels import Levels
from epizone.ops.models import Finding
from epizone.ops.reports import bottlenecks
from epizone.store.measures import measures_in

SYNTHETIC_NOTICE = ("SYNTHETIC DATA: the enterprises, reports, inspections and hospitals shown are generated "
                    "(scripts/build_ops_demo.py, seeded), not real. 合成数据:企业、报表、检查和医院均为生成数据,非真实。")
OLDEST = 10
RECENT = 5


def scoped(actor: Actor, areas_subtree: set[str]) -> set[str]:
    return areas_subtree if actor.areas is None else areas_subtree & actor.areas


def overview(connection: Connection, actor: Actor, area_code: str, date: dt.date,
             alert_days: float | None = None) -> dict[str, Any]:
    require(actor, "ops_read")
    if actor.is_enterprise:
        raise Forbidden("an enterprise account reads its own enterprise's status, not an area overview")
    areas = current_areas(connection)
    if area_code not in areas:
        raise NotFound(f"no area with code {area_code!r}")
    if not actor.sees_area(area_code):
        raise Forbidden(f"area {area_code} is outside your scope")
    inside = scoped(actor, areas.subtree(area_code))
    timeline = Levels(connection, areas, date)
    levels = timeline.at(date)
    level = levels.of(area_code)
    place = areas.places[area_code]
    answer: dict[str, Any] = {
        "area": {"code": area_code, "name": place.name, "kind": place.kind, "parent_code": place.parent_code},
        "date": date,
        "level": level_out(level),
        "levels_below": dict(Counter(lv.level for code, lv in levels.levels.items() if code in inside
                                     and code != area_code)),
        "policy": policy_out(level.policy if level else None),
        "measures": [{"zh": m.text_zh, "en": m.text_en}
                     for m in measures_in(connection, level.rule_set_id, level.level)] if level else [],
        "resumption": _resumption(connection, areas, actor, date, inside, timeline),
        "bottlenecks": _bottlenecks(connection, areas, actor, date, inside),
        "inspections": _inspections(connection, areas, date, inside),
        "supplies": _supplies(connection, areas, date, inside, alert_days),
    }
    synthetic = any(_synthetic(part) for part in (answer["resumption"], answer["bottlenecks"], answer["inspections"],
                                                 answer["supplies"]))
    answer["synthetic"] = synthetic
    answer["notice"] = SYNTHETIC_NOTICE if synthetic else None
    return answer


def _synthetic(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value.get("synthetic")) or any(_synthetic(v) for v in value.values())
    if isinstance(value, list):
        return any(_synthetic(v) for v in value)
    return False


def _resumption(connection: Connection, areas, actor: Actor, date: dt.date, inside: set[str],  # noqa: ANN001
                timeline: Levels) -> dict[str, Any]:
    total = resumption(connection, areas, actor, date, date, "total", inside, levels=timeline)
    return {"total": total[0] if total else None,
            "by_sector": resumption(connection, areas, actor, date, date, "sector", inside, levels=timeline),
            "by_size_class": resumption(connection, areas, actor, date, date, "size_class", inside, levels=timeline),
            "flagged": flags(connection, areas, actor, date, inside, levels=timeline)}


def _bottlenecks(connection: Connection, areas, actor: Actor, date: dt.date,  # noqa: ANN001
                 inside: set[str]) -> dict[str, Any]:
    rows = [r._asdict() for r in connection.execute(bottlenecks(actor, inside, date=date))]
    by_category = Counter(r["category"] for r in rows)
    return {"open": len(rows), "by_category": dict(sorted(by_category.items())),
            "by_county": bottleneck_summary(rows, areas), "oldest": rows[:OLDEST],
            "synthetic": any(r["synthetic"] for r in rows)}


def _inspections(connection: Connection, areas, date: dt.date, inside: set[str]) -> dict[str, Any]:  # noqa: ANN001
    recent = [r._asdict() for r in connection.execute(inspecting.inspections(inside, end=date).limit(RECENT))]
    ids = [r["id"] for r in recent]
    counts: dict[int, Counter] = {i: Counter() for i in ids}
    if ids:
        for inspection_id, result, n in connection.execute(
                select(Finding.inspection_id, Finding.result, func.count()).where(Finding.inspection_id.in_(ids))
                .group_by(Finding.inspection_id, Finding.result)):
            counts[inspection_id][result] = n
    for r in recent:
        r["findings"] = dict(counts[r["id"]])
    open_rows = [r._asdict() for r in connection.execute(inspecting.deficiencies(inside, date, "open"))]
    return {"recent": recent,
            "compliance": inspecting.compliance(connection, areas, inside, None, date),
            "open_deficiencies": len(open_rows),
            "overdue": [r for r in open_rows if r["deadline"] < date],
            "due": [d.__dict__ for d in inspecting.dues(connection, areas, date, inside)],
            "synthetic": any(r["synthetic"] for r in recent)}


def _supplies(connection: Connection, areas, date: dt.date, inside: set[str], alert_days: float | None,  # noqa: ANN001
              ) -> dict[str, Any]:
    threshold = supplies.settings()["alert_days"] if alert_days is None else alert_days
    facility_rows = connection.execute(supplies.facilities(inside)).all()
    return {"facilities": len(facility_rows), "threshold_days": threshold,
            "items": supplies.standing(connection, areas, date, inside, "total"),
            "alerts": supplies.alerts(connection, areas, date, threshold, inside, "county"),
            "facility_alerts": supplies.alerts(connection, areas, date, threshold, inside, "facility"),
            "synthetic": any(r.synthetic for r in facility_rows)}
