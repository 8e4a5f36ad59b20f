"""Rich rendering of the operations commands' answers: rows as a table (and CSV), an area's overview."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from epizone.cli.common import out
from epizone.ops.overview import SYNTHETIC_NOTICE


def plain(value: Any) -> Any:
    """A value as a table cell or CSV field: ISO dates, JSON objects, empty for None, true/false."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str) if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def show(rows: list[dict[str, Any]], columns: list[str], title: str, csv_path: Path | None = None) -> None:
    """Print rows as a table (the SYNTHETIC DATA line first when any row is synthetic); write them all as CSV."""
    if any(r.get("synthetic") for r in rows):
        out.print(SYNTHETIC_NOTICE, markup=False)
    table = Table(*columns, title=f"{title} ({len(rows)})")
    for row in rows:
        table.add_row(*(str(plain(row.get(c))) for c in columns))
    out.print(table)
    if csv_path is not None:
        names = list(dict.fromkeys(k for r in rows for k in r)) or columns
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                writer.writerow([plain(row.get(n)) for n in names])
        out.print(f"wrote {len(rows)} row(s) to {csv_path}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_overview(found: dict[str, Any]) -> None:
    if found["synthetic"]:
        out.print(found["notice"], markup=False, style="bold yellow")
    area, level, policy = found["area"], found["level"], found["policy"]
    out.print(f"{area['name']} ({area['code']}, {area['kind']}) on {found['date']}", markup=False, style="bold")
    if level:
        out.print(f"level: {level['level']} under {level['rule_set']} (published for {level['area_name']}, in "
                  f"force from {level['effective_date']}, announcement No. {level['announcement']}): "
                  f"{level['reason_en']}", markup=False)
    else:
        below = ", ".join(f"{k} {v}" for k, v in sorted(found["levels_below"].items())) or "none"
        out.print(f"level: none published for this area; units below by level: {below}", markup=False)
    out.print(f"allows: {policy['en']} ({policy['zh']})" if policy else "allows: no resumption policy for this "
              "level", markup=False)
    for measure in found["measures"]:
        out.print(f"  measure: {measure['en']}", markup=False)
    _resumption(found["resumption"])
    _bottlenecks(found["bottlenecks"])
    _inspections(found["inspections"])
    _supplies(found["supplies"])


def _resumption(part: dict[str, Any]) -> None:
    total = part["total"]
    if total is None:
        out.print("resumption: no enterprises registered")
        return
    out.print(f"resumption: {total['resumed']} of {total['enterprises']} enterprises resumed "
              f"({_pct(total['resumption_rate'])}, {total['fully_resumed']} fully), workforce back "
              f"{total['on_site']} of {total['workforce']} ({_pct(total['workforce_rate'])}), "
              f"{total['flagged']} flagged")
    table = Table("sector", "enterprises", "resumed", "rate", "workforce back", title="by sector")
    for row in part["by_sector"]:
        table.add_row(row["group_name"], str(row["enterprises"]), str(row["resumed"]), _pct(row["resumption_rate"]),
                      _pct(row["workforce_rate"]))
    out.print(table)
    for flag in part["flagged"]:
        out.print(f"  FLAGGED {flag['enterprise_code']} {flag['enterprise_name']}: {flag['status']} under "
                  f"{flag['level']} ({flag['flag']})", markup=False)


def _bottlenecks(part: dict[str, Any]) -> None:
    by_category = ", ".join(f"{k} {v}" for k, v in part["by_category"].items()) or "none"
    out.print(f"open bottlenecks: {part['open']} ({by_category}); oldest first:")
    for row in part["oldest"]:
        out.print(f"  {row['opened_on']} {row['category']} {row['enterprise_code']}: {row['detail']}", markup=False)


def _inspections(part: dict[str, Any]) -> None:
    out.print(f"inspections: {len(part['recent'])} recent, {part['open_deficiencies']} open deficiencies, "
              f"{len(part['overdue'])} overdue")
    for row in part["recent"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row["findings"].items()))
        out.print(f"  {row['date']} {row['area_code']} by {row['inspector']}: {counts}", markup=False)
    for row in part["overdue"]:
        out.print(f"  OVERDUE {row['item_code']} ({row['area_code']}, deadline {row['deadline']}): "
                  f"{row['note'] or ''}", markup=False)
    for due in part["due"]:
        out.print(f"  due by {due['due_date']} ({due['area_name']} rose {due['from_level']} -> {due['to_level']} "
                  f"on {due['effective_date']}): {due['state']}", markup=False)


def _supplies(part: dict[str, Any]) -> None:
    out.print(f"supplies: {part['facilities']} facilities; alert below {part['threshold_days']} days")
    table = Table("item", "stock", "daily use", "days left", title="supplies")
    for row in part["items"]:
        table.add_row(row["item"], str(row["stock"]), str(row["daily_use"]),
                      "-" if row["days_left"] is None else str(row["days_left"]))
    out.print(table)
    for row in part["alerts"]:
        out.print(f"  ALERT {row['name']} {row['item']}: {row['days_left']} days left", markup=False)
