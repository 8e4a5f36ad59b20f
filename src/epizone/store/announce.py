"""Announcements in words: the JSON body of a publication or retraction, and its text in Chinese and English.

Pure functions of the body: the body is stored with the texts, so an announcement reads the same forever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from epizone.domain.rules import RuleSet

UNKNOWN = {"zh": "未知", "en": "Unknown"}
NOT_PUBLISHED = {"zh": "未公布等级", "en": "no published level"}
WORDS = {  # the sentences of an announcement in each language
    "zh": {
        "publish": "第{number}号公告:自{effective}起执行的风险等级",
        "basis": "依据:{title}({ref})。评估批次{run},评估日期{date},数据截至{through}。",
        "changes": "以下{count}个地区风险等级调整:",
        "first": "首次公布为{to}",
        "moved": "由{before}调整为{to}",
        "change": "- {area}:{move}。依据:{reason}。",
        "unchanged": "各地区风险等级均无调整。",
        "in_force": "现行风险等级:{levels}。",
        "in_force_item": "{label}{areas}个",
        "comma": ",",
        "measures": "各等级防控措施:",
        "measure": "- {label}:{items}。",
        "semicolon": ";",
        "retraction": "第{number}号公告:撤回第{retracted}号公告",
        "withdrawn": "撤回第{retracted}号公告(自{effective}起执行的风险等级),原因:{reason}。",
        "before": "第{number}号公告",
        "before_none": "此前",
        "reverts": "自{effective}起恢复执行{before}公布的等级,以下{count}个地区等级恢复:",
        "revert": "- {area}:由{before}恢复为{to}。",
        "no_revert": "各地区风险等级不变。",
        "by_area": "按上级地区统计:",
        "group": "- {area}:{count}个({moves})。",
        "group_move": "{to}{count}个",
        "first_lines": "前{shown}个:",
        "attached": "完整名单({count}个地区)见附件:{csv}(CSV)或{json}(JSON)。",
    },
    "en": {
        "publish": "Announcement No. {number}: risk levels in force from {effective}",
        "basis": "Under {title} ({ref}); assessment run {run} for {date}, data through {through}.",
        "changes": "{count} area(s) change level:",
        "first": "first published as {to}",
        "moved": "{before} -> {to}",
        "change": "- {area}: {move}. Reason: {reason}.",
        "unchanged": "No area changes level.",
        "in_force": "Levels in force: {levels}.",
        "in_force_item": "{label} {areas}",
        "comma": ", ",
        "measures": "Measures in force:",
        "measure": "- {label}: {items}.",
        "semicolon": "; ",
        "retraction": "Announcement No. {number}: retraction of announcement No. {retracted}",
        "withdrawn": "Announcement No. {retracted} (risk levels in force from {effective}) is withdrawn. "
                     "Reason: {reason}.",
        "before": "announcement No. {number}",
        "before_none": "earlier announcements",
        "reverts": "From {effective} the levels of {before} apply again; {count} area(s) revert:",
        "revert": "- {area}: {before} -> {to}.",
        "no_revert": "No area changes level.",
        "by_area": "By area:",
        "group": "- {area}: {count} ({moves}).",
        "group_move": "{to} {count}",
        "first_lines": "The first {shown}:",
        "attached": "The full list ({count} areas) is attached: {csv} (CSV) or {json} (JSON).",
    },
}


def labels(rules: RuleSet) -> dict[str, dict[str, str]]:
    """Level id -> {"zh": ..., "en": ...}, with ``unknown``."""
    return {**{lvl.id: {"zh": lvl.zh, "en": lvl.en} for lvl in rules.levels}, "unknown": dict(UNKNOWN)}


def level_counts(rules: RuleSet, levels: dict[str, str]) -> list[dict[str, Any]]:
    """How many areas are at each level (rule-set order, levels with no area left out)."""
    counted: dict[str, int] = {}
    for level in levels.values():
        counted[level] = counted.get(level, 0) + 1
    return counts_by_level(rules, counted)


def counts_by_level(rules: RuleSet, counted: dict[str, int]) -> list[dict[str, Any]]:
    """``counted`` (areas per level) in rule-set order, levels with no area left out."""
    names = labels(rules)
    return [{"level": level, **names[level], "areas": counted[level]} for level in names if counted.get(level)]


def render(body: dict[str, Any]) -> tuple[str, str]:
    """(Chinese text, English text) of an announcement body."""
    write = _retraction if body["kind"] == "retraction" else _publication
    return write(body, "zh"), write(body, "en")


def _zh_date(text: str) -> str:
    d = dt.date.fromisoformat(text)
    return f"{d.year}年{d.month}月{d.day}日"


def _label(body: dict[str, Any], level: str | None, lang: str) -> str:
    if level is None:
        return NOT_PUBLISHED[lang]
    return body["labels"].get(level, {}).get(lang, level)


def _area(item: dict[str, Any], lang: str) -> str:
    if lang == "zh":
        return f"{item['area_name']}({item['area_code']})"
    english = item.get("area_name_en")
    return f"{english} ({item['area_name']}, {item['area_code']})" if english else \
        f"{item['area_name']} ({item['area_code']})"


def _date(text: str, lang: str) -> str:
    return _zh_date(text) if lang == "zh" else text


def _publication(b: dict[str, Any], lang: str) -> str:
    w = WORDS[lang]
    lines = [w["publish"].format(number=b["number"], effective=_date(b["effective_date"], lang)),
             w["basis"].format(title=b["rule_set"]["title"][lang], ref=b["rule_set"]["ref"], run=b["run"]["id"],
                               date=_date(b["date"], lang), through=_date(b["data_through"], lang))]
    changes = b["changes"]
    if changes:
        lines.append(w["changes"].format(count=b.get("changes_count", len(changes))))
        lines.extend(_summary(b, "changes", lang))
        for c in changes:
            to = _label(b, c["to"], lang)
            move = (w["first"].format(to=to) if c["from"] is None else
                    w["moved"].format(before=_label(b, c["from"], lang), to=to))
            lines.append(w["change"].format(area=_area(c, lang), move=move, reason=c["reason"][lang]))
        lines.extend(_attached(b, "changes", lang))
    else:
        lines.append(w["unchanged"])
    lines.append(w["in_force"].format(levels=w["comma"].join(
        w["in_force_item"].format(label=x[lang], areas=x["areas"]) for x in b["levels"])))
    if b["measures"]:
        lines.append(w["measures"])
        for m in b["measures"]:
            lines.append(w["measure"].format(label=m[lang], items=w["semicolon"].join(i[lang] for i in m["items"])))
    return "\n".join(lines) + "\n"


def _retraction(b: dict[str, Any], lang: str) -> str:
    w, r = WORDS[lang], b["retracts"]
    effective = _date(r["effective_date"], lang)
    lines = [w["retraction"].format(number=b["number"], retracted=r["number"]),
             w["withdrawn"].format(retracted=r["number"], effective=effective, reason=b["reason"])]
    before = w["before"].format(number=b["again_in_force"]) if b["again_in_force"] else w["before_none"]
    if b["reverts"]:
        lines.append(w["reverts"].format(effective=effective, before=before,
                                         count=b.get("reverts_count", len(b["reverts"]))))
        lines.extend(_summary(b, "reverts", lang))
        for c in b["reverts"]:
            lines.append(w["revert"].format(area=_area(c, lang), before=_label(b, c["from"], lang),
                                            to=_label(b, c["to"], lang)))
        lines.extend(_attached(b, "reverts", lang))
    else:
        lines.append(w["no_revert"])
    return "\n".join(lines) + "\n"


def _summarised(b: dict[str, Any], key: str) -> bool:
    return "by_area" in b and b.get(f"{key}_count", len(b[key])) > len(b[key])


def _summary(b: dict[str, Any], key: str, lang: str) -> list[str]:
    """The counts by parent area, and the heading of the first lines, of a summarised body (else nothing)."""
    if not _summarised(b, key):
        return []
    w = WORDS[lang]
    groups = [w["group"].format(area=_area(g, lang), count=g["areas"], moves=w["comma"].join(
        w["group_move"].format(to=_label(b, to, lang), count=n) for to, n in g["to"].items()))
        for g in b["by_area"]]
    return [w["by_area"], *groups, w["first_lines"].format(shown=len(b[key]))]


def _attached(b: dict[str, Any], key: str, lang: str) -> list[str]:
    """Where the full list of a summarised body is (else nothing)."""
    if not _summarised(b, key):
        return []
    path = b["attachment"]
    return [WORDS[lang]["attached"].format(count=b[f"{key}_count"], csv=f"{path}?format=csv", json=path)]
