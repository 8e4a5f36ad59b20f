"""The overview of an area on a date, printed for the command line (Rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def print_overview(console: Console, found: dict[str, Any]) -> None:
    if found["synthetic"]:
        console.print(found["notice"], markup=False, style="bold yellow")
    area, level, policy = found["area"], found["level"], found["policy"]
    console.print(f"{area['name']} ({area['code']}, {area['kind']}) on {found['date']}", markup=False, style="bold")
    if level:
        console.print(f"level: {level['level']} under {level['rule_set']} (published for {level['area_name']}, in "
                      f"force from {level['effective_date']}, announcement No. {level['announcement']}): "
                      f"{level['reason_en']}", markup=False)
    else:
        below = ", ".join(f"{k} {v}" for k, v in sorted(found["levels_below"].items())) or "none"
        console.print(f"level: none published for this area; units below by level: {below}", markup=False)
    console.print(f"allows: {policy['en']} ({policy['zh']})" if policy else "allows: no resumption policy for this "
                  "level", markup=False)
    for measure in found["measures"]:
        console.print(f"  measure: {measure['en']}", markup=False)
    _resumption(console, found["resumption"])
    _bottlenecks(console, found["bottlenecks"])
    _inspections(console, found["inspections"])
    _supplies(console, found["supplies"])


def _resumption(console: Console, part: dict[str, Any]) -> None:
    total = part["total"]
    if total is None:
        console.print("resumption: no enterprises registered")
        return
    console.print(f"resumption: {total['resumed']} of {total['enterprises']} enterprises resumed "
                  f"({_pct(total['resumption_rate'])}, {total['fully_resumed']} fully), workforce back "
                  f"{total['on_site']} of {total['workforce']} ({_pct(total['workforce_rate'])}), "
                  f"{total['flagged']} flagged")
    table = Table("sector", "enterprises", "resumed", "rate", "workforce back", title="by sector")
    for row in part["by_sector"]:
        table.add_row(row["group_name"], str(row["enterprises"]), str(row["resumed"]), _pct(row["resumption_rate"]),
                      _pct(row["workforce_rate"]))
    console.print(table)
    for flag in part["flagged"]:
        console.print(f"  FLAGGED {flag['enterprise_code']} {flag['enterprise_name']}: {flag['status']} under "
                      f"{flag['level']} ({flag['flag']})", markup=False)


def _bottlenecks(console: Console, part: dict[str, Any]) -> None:
    by_category = ", ".join(f"{k} {v}" for k, v in part["by_category"].items()) or "none"
    console.print(f"open bottlenecks: {part['open']} ({by_category}); oldest first:")
    for row in part["oldest"]:
        console.print(f"  {row['opened_on']} {row['category']} {row['enterprise_code']}: {row['detail']}", markup=False)


def _inspections(console: Console, part: dict[str, Any]) -> None:
    console.print(f"inspections: {len(part['recent'])} recent, {part['open_deficiencies']} open deficiencies, "
                  f"{len(part['overdue'])} overdue")
    for row in part["recent"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row["findings"].items()))
        console.print(f"  {row['date']} {row['area_code']} by {row['inspector']}: {counts}", markup=False)
    for row in part["overdue"]:
        console.print(f"  OVERDUE {row['item_code']} ({row['area_code']}, deadline {row['deadline']}): "
                      f"{row['note'] or ''}", markup=False)
    for due in part["due"]:
        console.print(f"  due by {due['due_date']} ({due['area_name']} rose {due['from_level']} -> {due['to_level']} "
                      f"on {due['effective_date']}): {due['state']}", markup=False)


def _supplies(console: Console, part: dict[str, Any]) -> None:
    console.print(f"supplies: {part['facilities']} facilities; alert below {part['threshold_days']} days")
    table = Table("item", "stock", "daily use", "days left", title="supplies")
    for row in part["items"]:
        table.add_row(row["item"], str(row["stock"]), str(row["daily_use"]),
                      "-" if row["days_left"] is None else str(row["days_left"]))
    console.print(table)
    for row in part["alerts"]:
        console.print(f"  ALERT {row['name']} {row['item']}: {row['days_left']} days left", markup=False)
