// An area's page: its level on the date with the clause that fired and the indicator values behind it, the level
// over time (timeline), the measures in force for its level, and the announcements that concerned it.

import { all, ApiError, get } from "./api.js";
import { alias, areaName, ctx, currentRun, dates, fillOf, levelLabel, levelsOn, ruleSet } from "./data.js";
import { card } from "./html.js";
import { formatDate, lang, pick, t } from "./i18n.js";
import { escape } from "./map.js";

export function render(root, { code, navigate }) {
  const days = dates();
  if (!days.includes(ctx.state.date)) ctx.state.date = days[days.length - 1];
  const date = ctx.state.date;
  const area = ctx.areas.get(code);
  ctx.state.area = code;  // the operations page opens on the area last shown
  const parent = area?.parent_code ? ctx.areas.get(area.parent_code) : null;
  const names = area ? [area.name, alias(code, "traditional"), alias(code, "english") ?? alias(code, "pinyin")]
    .filter((n, i, list) => n && list.indexOf(n) === i && n !== areaName(code)) : [];
  root.innerHTML = `
    <article class="area-page" data-code="${escape(code)}">
      <p><a href="#/map?date=${date}" class="back">← ${t("area.back")}</a> ·
        <a href="#/ops/${encodeURIComponent(code)}?date=${date}" class="to-ops">${t("area.ops")}</a></p>
      <h1 id="area-name">${escape(areaName(code))}</h1>
      <p class="other-names">${names.map(escape).join(" · ")}</p>
      <dl class="facts">
        <dt>${t("area.code")}</dt><dd><code>${escape(code)}</code></dd>
        ${parent ? `<dt>${t("area.parent")}</dt><dd>${escape(areaName(parent.code))}</dd>` : ""}
      </dl>
      ${card("level", t("area.level_on", { date: formatDate(date) }), `<p class="loading">${t("loading")}</p>`,
        ` id="level-card"`)}
      <section id="run-card" class="card" hidden></section>
      ${card("history", t("area.history"), `<div id="timeline"></div><ul id="history-changes" class="changes"></ul>`)}
      ${card("measures", t("area.measures"), `<ul id="measures"></ul>`)}
      ${card("ann", t("area.announcements"), `<ul id="area-announcements" class="announcement-list"></ul>`)}
    </article>`;
  root.querySelector(".back").addEventListener("click", (event) => {
    event.preventDefault();
    navigate(`#/map?date=${date}`);
  });
  levelCard(root, code, date);
  runCard(root, code, date);
  timeline(root, code, date);
  announcements(root, code);
  return () => {};
}

async function levelCard(root, code, date) {
  const box = root.querySelector("#level-card");
  let found;
  try {
    found = await get(`/dashboard/areas/${encodeURIComponent(code)}/reasons`, { date });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      box.querySelector(".loading").textContent = t("area.not_found", { date: formatDate(date) });
      root.querySelector("#measures").innerHTML = `<li class="none">${t("area.no_measures")}</li>`;
      return;
    }
    throw error;
  }
  box.dataset.level = found.level;
  box.innerHTML = `
    <h2 id="level-title">${t("area.level_on", { date: formatDate(date) })}</h2>
    ${levelBlock(found.rule_set, found.level, found.reason_code, found, found.indicators, found.data_through,
    found.level_since)}
    <p class="rule-set">${t("area.rule_set")}: ${escape(pick(ruleSet(found.rule_set)?.title) || found.rule_set)}</p>`;
  measures(root, found.rule_set, found.level);
}

function levelBlock(ref, level, clause, reasons, indicators, dataThrough, since = null) {
  const rules = ruleSet(ref);
  const rows = Object.entries(indicators ?? {}).map(([name, value]) => `
    <tr data-indicator="${escape(name)}"><th scope="row">${escape(pick(rules?.indicators[name]) || name)}</th>
      <td class="value">${escape(shown(value))}</td><td><code>${escape(name)}</code></td></tr>`).join("");
  return `
    <p class="level-line"><svg width="28" height="20" aria-hidden="true"><rect width="28" height="20" rx="3"
        fill="${fillOf(ref, level)}" stroke="#444"></rect></svg>
      <strong class="level-label" data-level="${escape(level)}">${escape(levelLabel(ref, level))}</strong>
      ${since ? `<span class="since muted">${t("area.since", { date: formatDate(since) })}</span>` : ""}</p>
    <p>${t("area.clause")}: <code class="clause">${escape(clause)}</code></p>
    <p class="reason">${t("area.reason")}: ${escape(lang === "zh" ? reasons.reason_zh : reasons.reason_en)}</p>
    <table class="indicators">
      <caption>${t("area.indicators", { date: formatDate(dataThrough) })}</caption>
      <thead><tr><th scope="col">${t("area.indicator")}</th><th scope="col">${t("area.value")}</th><th scope="col"></th></tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}

function shown(value) {
  if (value === true) return t("yes");
  if (value === false) return t("no");
  if (value === null || value === undefined) return "–";
  return String(value);
}

async function runCard(root, code, date) {
  const run = currentRun();
  if (!run) return;
  const item = (await levelsOn(date)).find((row) => row.area_code === code);
  if (!item) return;
  const box = root.querySelector("#run-card");
  box.hidden = false;
  box.innerHTML = `<h2>${t("area.run", { id: run.id })}: ${escape(pick(ruleSet(run.rule_set)?.title) || run.rule_set)}</h2>
    ${levelBlock(run.rule_set, item.level, item.reason_code, item, item.indicators, item.data_through)}`;
}

async function measures(root, ref, level) {
  const list = root.querySelector("#measures");
  const found = await all("/measures", { rule_set: ref.split("@")[0], level });
  list.innerHTML = found.length
    ? found.map((m) => `<li>${escape(lang === "zh" ? m.text_zh : m.text_en)}</li>`).join("")
    : `<li class="none">${t("area.no_measures")}</li>`;
}

async function timeline(root, code, date) {
  const history = await all(`/areas/${encodeURIComponent(code)}/levels`);
  const box = root.querySelector("#timeline");
  if (!history.length) return;
  const ref = ctx.ruleSetOfAnnouncement.get(history.at(-1).announcement);
  const rules = ruleSet(ref);
  const used = new Set(history.map((h) => h.level));
  const levels = (rules?.levels ?? []).filter((l) => l.id !== "unknown" || used.has("unknown")).map((l) => l.id);
  const parse = (iso) => new Date(`${iso}T00:00:00Z`);
  const first = history[0].effective_date;
  const last = ctx.period?.last ?? history.at(-1).effective_date;
  const end = d3.utcDay.offset(parse(last > date ? last : date), 1);
  const segments = [];  // one per stretch of days at the same level
  history.forEach((h, i) => {
    const stop = i + 1 < history.length ? parse(history[i + 1].effective_date) : end;
    const last = segments.at(-1);
    if (last && last.level === h.level) last.end = stop;
    else segments.push({ level: h.level, start: parse(h.effective_date), end: stop });
  });
  const width = Math.max(320, Math.min(960, box.clientWidth || 720));
  const height = 40 + levels.length * 34;
  const margin = { left: 110, right: 12, top: 8, bottom: 26 };
  const x = d3.scaleUtc([parse(first), end], [margin.left, width - margin.right]);
  const y = d3.scaleBand(levels.slice().reverse(), [margin.top, height - margin.bottom]).padding(0.15);
  const svg = d3.select(box).append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
    .attr("class", "timeline").attr("aria-labelledby", "history-title");
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(6).tickFormat((d) => formatDate(d.toISOString().slice(0, 10)).replace(/^\d+年/, "")));
  svg.append("g").attr("transform", `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).tickFormat((id) => levelLabel(ref, id)));
  svg.append("g").selectAll("rect").data(segments).join("rect")
    .attr("class", "segment").attr("data-level", (s) => s.level)
    .attr("data-start", (s) => s.start.toISOString().slice(0, 10))
    .attr("data-end", (s) => d3.utcDay.offset(s.end, -1).toISOString().slice(0, 10))
    .attr("x", (s) => x(s.start)).attr("width", (s) => Math.max(1, x(s.end) - x(s.start)))
    .attr("y", (s) => y(s.level)).attr("height", y.bandwidth())
    .attr("fill", (s) => fillOf(ref, s.level)).attr("stroke", "#444").attr("stroke-width", 0.5);
  const today = parse(date);
  svg.append("line").attr("class", "today").attr("x1", x(today)).attr("x2", x(today))
    .attr("y1", margin.top).attr("y2", height - margin.bottom);
  const list = root.querySelector("#history-changes");
  const moves = history.filter((h, i) => i === 0 || h.level !== history[i - 1].level);
  list.innerHTML = moves.map((h, i) => `<li>${formatDate(h.effective_date)}: ${i === 0 ? "" : `${escape(levelLabel(ref, history[history.indexOf(h) - 1].level))} → `}${escape(levelLabel(ref, h.level))}
     <span class="muted">(${escape(lang === "zh" ? h.reason_zh : h.reason_en)})</span></li>`).join("");
}

async function announcements(root, code) {
  const list = root.querySelector("#area-announcements");
  const found = (await all("/announcements")).filter((a) =>
    (a.body.changes ?? []).some((c) => c.area_code === code) || (a.body.reverts ?? []).some((c) => c.area_code === code));
  if (!found.length) {
    list.innerHTML = `<li class="none">${t("area.no_announcements")}</li>`;
    return;
  }
  list.innerHTML = found.map((a) => {
    const change = (a.body.changes ?? a.body.reverts ?? []).find((c) => c.area_code === code);
    const ref = a.rule_set;
    const to = escape(levelLabel(ref, change.to));
    const move = change.from ? `${escape(levelLabel(ref, change.from))} → ${to}` : `${to} (${t("first")})`;
    const reason = change.reason ? ` — ${escape(pick(change.reason))}` : "";
    const title = a.kind === "retraction" ? t("announcement.retraction") : t("announcement.no", { n: a.number });
    return `<li data-number="${a.number}"><a href="#/announcements?number=${a.number}">${escape(title)}</a>
      ${formatDate(a.effective_date)}: ${move}${reason}</li>`;
  }).join("");
}
