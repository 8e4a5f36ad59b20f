// Overview: how many units were at each published level, day by day (stacked areas), and the latest changes.

import { all, get } from "./api.js";
import { areaName, ctx, fillOf, levelLabel, ruleSet } from "./data.js";
import { card } from "./html.js";
import { formatDate, pick, t } from "./i18n.js";
import { escape } from "./map.js";

const LATEST = 20;

export function render(root, { navigate }) {
  root.innerHTML = `
    <section class="overview">
      <h1>${t("overview.title")}</h1>
      ${card("counts", t("overview.counts"), `<div id="stacked"></div>`)}
      ${card("latest", t("overview.latest"), `<table class="latest"><thead><tr><th scope="col">${t("col.date")}</th>
        <th scope="col">${t("col.area")}</th><th scope="col">${t("col.change")}</th><th scope="col">${t("col.reason")}</th>
        </tr></thead><tbody></tbody></table>`)}
    </section>`;
  if (!ctx.period?.first) {
    root.querySelector(".overview").insertAdjacentHTML("beforeend", `<p class="notice">${t("nothing_published")}</p>`);
    return () => {};
  }
  stacked(root.querySelector("#stacked"));
  latest(root.querySelector(".latest tbody"), navigate);
  return () => {};
}

async function stacked(box) {
  const counts = await get("/levels/counts", { start: ctx.period.first, end: ctx.period.last });
  const ref = ctx.period.publications.at(-1).rule_set;
  const rules = ruleSet(ref);
  const seen = new Set(counts.flatMap((c) => Object.keys(c.levels)));
  const keys = (rules?.levels ?? []).map((l) => l.id).filter((id) => id !== "unknown" || seen.has(id));
  const rows = counts.map((c) => ({ date: new Date(`${c.date}T00:00:00Z`), iso: c.date,
    ...Object.fromEntries(keys.map((k) => [k, c.levels[k] ?? 0])) }));
  const width = Math.max(320, Math.min(960, box.clientWidth || 760));
  const height = Math.round(Math.max(220, Math.min(340, width * 0.42)));
  const margin = { left: 44, right: 12, top: 10, bottom: 28 };
  const series = d3.stack().keys(keys)(rows);
  const x = d3.scaleUtc(d3.extent(rows, (r) => r.date), [margin.left, width - margin.right]);
  const y = d3.scaleLinear([0, d3.max(series.at(-1) ?? [[0, 1]], (d) => d[1]) || 1], [height - margin.bottom, margin.top]).nice();
  const area = d3.area().curve(d3.curveStepAfter).x((d) => x(d.data.date)).y0((d) => y(d[0])).y1((d) => y(d[1]));
  const svg = d3.select(box).append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
    .attr("aria-labelledby", "counts-title").attr("class", "stacked");
  svg.append("g").selectAll("path").data(series).join("path")
    .attr("class", "layer").attr("data-level", (s) => s.key).attr("d", area)
    .attr("fill", (s) => fillOf(ref, s.key)).attr("stroke", "#444").attr("stroke-width", 0.5)
    .append("title").text((s) => levelLabel(ref, s.key));
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(7).tickFormat((d) => formatDate(d.toISOString().slice(0, 10)).replace(/^\d+年/, "")));
  svg.append("g").attr("transform", `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(5));
  const key = d3.select(box).append("ul").attr("class", "legend inline");
  for (const id of keys) {
    key.append("li").html(`<svg width="18" height="14" aria-hidden="true"><rect width="18" height="14" fill="${fillOf(ref, id)}" stroke="#555"></rect></svg> ${escape(levelLabel(ref, id))}`);
  }
  // the same numbers as a table, for screen readers and for reading exact values
  const table = d3.select(box).append("details").attr("class", "numbers");
  table.append("summary").text(t("overview.counts"));
  table.append("table").html(`<thead><tr><th scope="col">${t("col.date")}</th>${keys.map((k) => `<th scope="col">${escape(levelLabel(ref, k))}</th>`).join("")}</tr></thead>
    <tbody>${rows.map((r) => `<tr><th scope="row">${formatDate(r.iso)}</th>${keys.map((k) => `<td>${r[k]}</td>`).join("")}</tr>`).join("")}</tbody>`);
}

async function latest(body, navigate) {
  const announcements = await all("/announcements", { kind: "publish" });
  const rows = [];
  for (const a of announcements) {  // newest first
    if (a.retracted_by) continue;
    for (const change of a.body.changes ?? []) {
      if (change.from === null) continue;  // a first publication is not a change
      rows.push({ a, change });
    }
    if (rows.length >= LATEST) break;
  }
  if (!rows.length) {
    body.innerHTML = `<tr><td colspan="4" class="none">${t("overview.none")}</td></tr>`;
    return;
  }
  body.innerHTML = rows.slice(0, LATEST).map(({ a, change }) => `<tr>
      <td>${formatDate(a.effective_date)}</td>
      <td><a href="#/area/${encodeURIComponent(change.area_code)}?date=${a.effective_date}">${escape(areaName(change.area_code, change.area_name))}</a></td>
      <td>${escape(levelLabel(a.rule_set, change.from))} → ${escape(levelLabel(a.rule_set, change.to))}</td>
      <td>${escape(pick(change.reason))}</td></tr>`).join("");
  for (const link of body.querySelectorAll("a")) {
    link.addEventListener("click", (event) => { event.preventDefault(); navigate(link.getAttribute("href")); });
  }
}
