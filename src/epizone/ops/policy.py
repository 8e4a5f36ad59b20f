"""What each risk level allows enterprises to do, as data (``resumption.yaml``), and the check of one
enterprise's operating status against it.

A rule set's level maps to one of three permissions: ``all`` (every enterprise may operate), ``plan_approved``
(an enterprise may operate once its prevention plan is approved) and ``essential_only`` (only enterprises of
essential sectors may operate). An enterprise that reports ``partial`` or ``full`` operation beyond what its
area's level allows on that date is *flagged*; ``closed`` is never flagged, and a level without a policy
(``unknown``, or a rule set the file does not cover) gives no verdict at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

ALLOWS = ("all", "plan_approved", "essential_only")
OPERATING = ("partial", "full")


@dataclass(frozen=True)
class Label:
    id: str
    zh: str
    en: str


@dataclass(frozen=True)
class Sector(Label):
    essential: bool = False


@dataclass(frozen=True)
class Policy:
    """What one level of one rule set allows."""

    rule_set: str
    level: str
    allows: str
    zh: str
    en: str
    source: str


@dataclass(frozen=True)
class Flag:
    """Why an enterprise operates beyond what its level allows."""

    code: str   # plan_not_approved or not_essential
    zh: str
    en: str


@cache
def _data() -> dict[str, Any]:
    text = resources.files("epizone.ops").joinpath("resumption.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _labels(key: str) -> dict[str, Label]:
    return {item["id"]: Label(item["id"], item["zh"], item["en"]) for item in _data()[key]}


def sectors() -> dict[str, Sector]:
    return {s["id"]: Sector(s["id"], s["zh"], s["en"], bool(s["essential"])) for s in _data()["sectors"]}


def size_classes() -> dict[str, Label]:
    return _labels("size_classes")


def statuses() -> dict[str, Label]:
    return _labels("statuses")


def categories() -> dict[str, Label]:
    return _labels("bottleneck_categories")


def permissions() -> dict[str, Label]:
    return {key: Label(key, value["zh"], value["en"]) for key, value in _data()["allows"].items()}


def rule_set_ids() -> list[str]:
    return list(_data()["rule_sets"])


def policies(rule_set: str | None = None) -> list[Policy]:
    """Every level's policy, rule set by rule set (only ``rule_set``'s when given)."""
    allows = permissions()
    found = []
    for rule_set_id, entry in _data()["rule_sets"].items():
        if rule_set is not None and rule_set_id != rule_set:
            continue
        for level, permission in entry["levels"].items():
            label = allows[permission]
            found.append(Policy(rule_set_id, level, permission, label.zh, label.en, " ".join(entry["source"].split())))
    return found


def policy_for(rule_set: str | None, level: str | None) -> Policy | None:
    """The policy of ``level`` under ``rule_set`` (an id, or ``id@version``); None when there is none."""
    if not rule_set or not level:
        return None
    rule_set_id = rule_set.split("@")[0]
    return next((p for p in policies(rule_set_id) if p.level == level), None)


def verdict(policy: Policy | None, status: str | None, sector: str, plan_approved_on: dt.date | None,
            date: dt.date) -> Flag | None:
    """The flag of an enterprise operating beyond ``policy`` on ``date`` (None: within it, or no verdict)."""
    if policy is None or status not in OPERATING:
        return None
    if policy.allows == "plan_approved" and (plan_approved_on is None or plan_approved_on > date):
        return Flag("plan_not_approved", "中风险地区复工须经防控方案审核同意,该企业防控方案未获批准",
                    "the level allows operating only with an approved prevention plan, and this enterprise's "
                    "plan is not approved")
    if policy.allows == "essential_only" and not sectors().get(sector, Sector(sector, "", "")).essential:
        return Flag("not_essential", "高风险地区仅保障必需行业企业运转,该企业所属行业非必需",
                    "the level allows only essential sectors to operate, and this enterprise's sector is not "
                    "essential")
    return None
