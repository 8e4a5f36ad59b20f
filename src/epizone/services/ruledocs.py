"""The reference page of a rule set, generated from its YAML file (docs/rulesets/<id>.md)."""

from __future__ import annotations

from epizone.domain.rules import ClusterCount, ClusterWindow, Cumulative, DaysSince, Metric, RuleSet, UNKNOWN, WindowSum


def render_markdown(rules: RuleSet) -> str:
    lines = [
        f"# {rules.id} (version {rules.version})",
        "",
        f"{rules.title.en}  ",
        f"{rules.title.zh}",
        "",
        f"- Authority: {rules.authority.en} ({rules.authority.zh})",
        f"- Document: {rules.document.en} ({rules.document.zh}), {rules.document.date}",
        *[f"- Source: <{url}>" for url in rules.document.urls],
        f"- Effective from {rules.effective.from_}" + (f" to {rules.effective.to}" if rules.effective.to else ""),
        f"- Unit: {rules.unit}",
        "",
        "## Levels",
        "",
        "| level | en | zh | colour |",
        "|---|---|---|---|",
        *[f"| `{lvl.id}` | {lvl.en} | {lvl.zh} | `{lvl.color}` |" for lvl in rules.levels],
        f"| `{UNKNOWN}` | Unknown: the inputs do not allow a level | 未知 | |",
        "",
        "## Indicators",
        "",
        "| indicator | how it is computed | en | zh |",
        "|---|---|---|---|",
        *[f"| `{name}` | {_how(ind)} | {ind.en} | {ind.zh} |" for name, ind in rules.indicators.items()],
        "",
        "## Clauses (the first that holds sets the level)",
        "",
        "| # | code | condition | level | en | zh |",
        "|---|---|---|---|---|---|",
        *[f"| {i} | `{c.code}` | `{c.when}` | `{c.level}` | {c.en} | {c.zh} |" for i, c in enumerate(rules.clauses, 1)],
        "",
        *_transitions(rules),
        "A day whose data cutoff lies after the last date the inputs cover is `unknown` (`unknown.no_data`).",
        "",
        f"Generated from `src/epizone/rulesets/{rules.id}.yaml` by `epizone rules show {rules.id} --markdown`.",
        "",
    ]
    return "\n".join(lines)


def _transitions(rules: RuleSet) -> list[str]:
    if not rules.states:
        return []
    lines = ["## Timed states", "",
             "Outside every state (`none`) the clauses decide; in a state the level is the state's, whatever the "
             "clauses say (reason `<state>.in_force`).", "",
             "| state | level | en | zh |", "|---|---|---|---|",
             *[f"| `{s.code}` | `{s.level}` | {s.en} | {s.zh} |" for s in rules.states],
             "", "| move | from | to | condition on each day of the run | consecutive days | calendar | "
             "on the last day also | takes effect | en | zh |", "|---|---|---|---|---|---|---|---|---|---|"]
    for m in rules.moves:
        last = f"`{m.last_day}`" if m.last_day else ""
        lines.append(f"| `{m.code}` | {', '.join(f'`{s}`' for s in m.from_)} | `{m.to}` | `{m.when}` | {m.days} | "
                     f"{m.calendar} | {last} | {m.takes_effect} day(s) later | {m.en} | {m.zh} |")
    lines += ["", "Runs count from the day after the current state took effect; when several moves complete on one "
              "day the first listed wins; on `working_days` (Monday to Saturday) and `weekdays` (Monday to Friday) "
              "a day off or public holiday neither counts nor breaks a run; each move is reported in the `event` "
              "column."]
    if rules.holidays:
        lines += ["", "Public holidays of every unit: " + ", ".join(str(d) for d in rules.holidays)
                  + " (more, also by area, with `--holidays FILE`)."]
    return lines + [""]


def _source(s: object) -> str:
    text = f"`{s.metric}`"
    if s.per:
        text += f" / `{s.per}`" + (" x 100 (%)" if s.percent else "")
    return text + (" per 100,000 people" if s.per_100k else "")


def _how(ind: object) -> str:
    if isinstance(ind, Cumulative):
        if ind.metric:
            return f"sum of the reported `{ind.metric}` values dated up to the data cutoff"
        return f"all {ind.series} cases dated up to the data cutoff"
    if isinstance(ind, WindowSum):
        text = f"{ind.series} cases dated in the {ind.days} days ending at the data cutoff"
        if ind.mean:
            text = f"daily mean of {text}"
        return text + (", per 100,000 people" if ind.per_100k else "")
    if isinstance(ind, DaysSince):
        what = f"reported `{ind.metric}` above 0" if ind.metric else f"{ind.series} case"
        return f"days from the last {what} to the data cutoff (null when none)"
    if isinstance(ind, ClusterCount):
        local = ", once one of them is local (not marked imported)" if ind.involving_local else ""
        return (f"clusters of the unit with {ind.min_cases}+ cases ({', '.join(ind.classifications)}) dated up to the "
                f"data cutoff{local}, plus new clusters reported in counts")
    if isinstance(ind, ClusterWindow):
        local = " and a local case (not marked imported) by then" if ind.involving_local else ""
        return (f"true when one cluster has {ind.min_cases}+ cases ({', '.join(ind.classifications)}) of the unit "
                f"in the {ind.days} days ending at the data cutoff{local}, or counts report a new cluster then")
    if isinstance(ind, Metric):
        sources = " else ".join(_source(s) for s in ind.sources)
        return f"latest reported {sources}, dated within {ind.stale_days} days up to the data cutoff (null when none)"
    raise TypeError(type(ind).__name__)
