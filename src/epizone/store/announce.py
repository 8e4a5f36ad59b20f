"""Announcements in words: the JSON body of a publication or retraction, and its text in Chinese and English.

Pure functions of the body: the body is stored with the texts, so an announcement reads the same forever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from epizone.domain.rules import RuleSet

UNKNOWN = {"zh": "未知", "en": "Unknown"}
NOT_PUBLISHED = {"zh": "未公布等级", "en": "no published level"}


def labels(rules: RuleSet) -> dict[str, dict[str, str]]:
    """Level id -> {"zh": ..., "en": ...}, with ``unknown``."""
    return {**{lvl.id: {"zh": lvl.zh, "en": lvl.en} for lvl in rules.levels}, "unknown": dict(UNKNOWN)}


def level_counts(rules: RuleSet, levels: dict[str, str]) -> list[dict[str, Any]]:
    """How many areas are at each level (rule-set order, levels with no area left out)."""
    names = labels(rules)
    counted = {level: sum(1 for v in levels.values() if v == level) for level in names}
    return [{"level": level, **names[level], "areas": n} for level, n in counted.items() if n]


def render(body: dict[str, Any]) -> tuple[str, str]:
    """(Chinese text, English text) of an announcement body."""
    if body["kind"] == "retraction":
        return _retraction_zh(body), _retraction_en(body)
    return _publish_zh(body), _publish_en(body)


def _zh_date(text: str) -> str:
    d = dt.date.fromisoformat(text)
    return f"{d.year}年{d.month}月{d.day}日"


def _label(body: dict[str, Any], level: str | None, lang: str) -> str:
    if level is None:
        return NOT_PUBLISHED[lang]
    return body["labels"].get(level, {}).get(lang, level)


def _name_en(item: dict[str, Any]) -> str:
    english = item.get("area_name_en")
    return f"{english} ({item['area_name']}, {item['area_code']})" if english else \
        f"{item['area_name']} ({item['area_code']})"


def _publish_zh(b: dict[str, Any]) -> str:
    lines = [f"第{b['number']}号公告:自{_zh_date(b['effective_date'])}起执行的风险等级",
             f"依据:{b['rule_set']['title']['zh']}({b['rule_set']['ref']})。评估批次{b['run']['id']},"
             f"评估日期{_zh_date(b['date'])},数据截至{_zh_date(b['data_through'])}。"]
    changes = b["changes"]
    if changes:
        lines.append(f"以下{len(changes)}个地区风险等级调整:")
        for c in changes:
            move = (f"首次公布为{_label(b, c['to'], 'zh')}" if c["from"] is None else
                    f"由{_label(b, c['from'], 'zh')}调整为{_label(b, c['to'], 'zh')}")
            lines.append(f"- {c['area_name']}({c['area_code']}):{move}。依据:{c['reason']['zh']}。")
    else:
        lines.append("各地区风险等级均无调整。")
    lines.append("现行风险等级:" + ",".join(f"{x['zh']}{x['areas']}个" for x in b["levels"]) + "。")
    if b["measures"]:
        lines.append("各等级防控措施:")
        for m in b["measures"]:
            lines.append(f"- {m['zh']}:" + ";".join(i["zh"] for i in m["items"]) + "。")
    return "\n".join(lines) + "\n"


def _publish_en(b: dict[str, Any]) -> str:
    lines = [f"Announcement No. {b['number']}: risk levels in force from {b['effective_date']}",
             f"Under {b['rule_set']['title']['en']} ({b['rule_set']['ref']}); assessment run {b['run']['id']} "
             f"for {b['date']}, data through {b['data_through']}."]
    changes = b["changes"]
    if changes:
        lines.append(f"{len(changes)} area(s) change level:")
        for c in changes:
            move = (f"first published as {_label(b, c['to'], 'en')}" if c["from"] is None else
                    f"{_label(b, c['from'], 'en')} -> {_label(b, c['to'], 'en')}")
            lines.append(f"- {_name_en(c)}: {move}. Reason: {c['reason']['en']}.")
    else:
        lines.append("No area changes level.")
    lines.append("Levels in force: " + ", ".join(f"{x['en']} {x['areas']}" for x in b["levels"]) + ".")
    if b["measures"]:
        lines.append("Measures in force:")
        for m in b["measures"]:
            lines.append(f"- {m['en']}: " + "; ".join(i["en"] for i in m["items"]) + ".")
    return "\n".join(lines) + "\n"


def _retraction_zh(b: dict[str, Any]) -> str:
    r = b["retracts"]
    lines = [f"第{b['number']}号公告:撤回第{r['number']}号公告",
             f"撤回第{r['number']}号公告(自{_zh_date(r['effective_date'])}起执行的风险等级),原因:{b['reason']}。"]
    before = f"第{b['again_in_force']}号公告" if b["again_in_force"] else "此前"
    if b["reverts"]:
        lines.append(f"自{_zh_date(r['effective_date'])}起恢复执行{before}公布的等级,以下{len(b['reverts'])}个地区等级恢复:")
        for c in b["reverts"]:
            lines.append(f"- {c['area_name']}({c['area_code']}):由{_label(b, c['from'], 'zh')}"
                         f"恢复为{_label(b, c['to'], 'zh')}。")
    else:
        lines.append("各地区风险等级不变。")
    return "\n".join(lines) + "\n"


def _retraction_en(b: dict[str, Any]) -> str:
    r = b["retracts"]
    lines = [f"Announcement No. {b['number']}: retraction of announcement No. {r['number']}",
             f"Announcement No. {r['number']} (risk levels in force from {r['effective_date']}) is withdrawn. "
             f"Reason: {b['reason']}."]
    before = f"announcement No. {b['again_in_force']}" if b["again_in_force"] else "earlier announcements"
    if b["reverts"]:
        lines.append(f"From {r['effective_date']} the levels of {before} apply again; "
                     f"{len(b['reverts'])} area(s) revert:")
        for c in b["reverts"]:
            lines.append(f"- {_name_en(c)}: {_label(b, c['from'], 'en')} -> {_label(b, c['to'], 'en')}.")
    else:
        lines.append("No area changes level.")
    return "\n".join(lines) + "\n"
