// Operations of one area on one date (#/ops/CODE?date=): its level and what that level allows, the resumption of
// its enterprises (rates, a chart over time, enterprises operating beyond the level), open bottlenecks oldest
// first, its inspection record and its front-line supplies. One call (GET /ops/overview/{area}) plus the labels
// (GET /ops/catalogue) and the series of the chart (GET /ops/resumption). The demo's data are SYNTHETIC: the
// service says so in every answer and the page shows it in a banner.

import { ApiError, get } from "./api.js";
import { areaName, ctx, dates, fillOf, levelLabel } from "./data.js";
import { card } from "./html.js";
import { formatDate, lang, pick, t } from "./i18n.js";
import { escape } from "./map.js";

/** The province (the area with no parent among those shown): the page for province-wide lists. */
export function rootArea() {
  for (const area of ctx.areas.values()) if (!area.parent_code || !ctx.areas.has(area.parent_code)) return area.code;
  return null;
}

export function percent(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

function days(value) {
  return value === null || value === undefined ? "–" : value.toFixed(1);
}

export function render(root, { code, navigate }) {
  const period = dates();
  if (!period.includes(ctx.state.date)) ctx.state.date = period[period.length - 1];
  const date = ctx.state.date;
  code = code || ctx.state.area || rootArea();
  if (!code) {
    root.innerHTML = `<p class="notice">${t("nothing_published")}</p>`;
    return () => {};
  }
  ctx.state.area = code;
  const hash = `#/ops/${encodeURIComponent(code)}?date=${date}`;  // the address names the area and the date shown
  if (location.hash !== hash) history.replaceState(null, "", hash);
  const province = rootArea();
  root.innerHTML = `
    <article class="ops-page" data-code="${escape(code)}">
      <p class="ops-links"><a href="#/area/${encodeURIComponent(code)}?date=${date}" class="to-area">← ${t("ops.to_area")}</a>
        ${province && province !== code ? ` · <a href="#/ops/${encodeURIComponent(province)}?date=${date}" class="to-province">${t("ops.province")}</a>` : ""}</p>
      <h1 id="ops-title">${t("ops.title", { name: escape(areaName(code)) })}</h1>
      <form class="controls ops-controls">
        <label class="pick">${t("date")} <input id="ops-date" type="date" value="${date}" min="${period[0] ?? ""}"
          max="${period.at(-1) ?? ""}" required></label>
      </form>
      <p class="loading">${t("loading")}</p>
    </article>`;
  for (const link of root.querySelectorAll(".ops-links a")) {
    link.addEventListener("click", (event) => { event.preventDefault(); navigate(link.getAttribute("href")); });
  }
  root.querySelector("#ops-date").addEventListener("change", (event) => {
    if (period.includes(event.target.value)) navigate(`#/ops/${encodeURIComponent(code)}?date=${event.target.value}`);
  });
  let alive = true;
  load(root, code, date, () => alive).catch((error) => {
    if (!alive) return;
    const article = root.querySelector(".ops-page");
    article.querySelector(".loading")?.remove();
    const needsToken = error instanceof ApiError && (error.status === 401 || error.status === 403);
    article.insertAdjacentHTML("beforeend", `<p class="notice error" role="alert" id="ops-error"></p>`);
    article.querySelector("#ops-error").textContent = needsToken ? t("ops.needs_token") : t("error", { detail: error.message });
    if (error instanceof ApiError && error.status === 401) document.querySelector("details.token").open = true;
  });
  return () => { alive = false; };
}

async function load(root, code, date, alive) {
  const [overview, catalogue] = await Promise.all([
    get(`/ops/overview/${encodeURIComponent(code)}`, { date }), get("/ops/catalogue")]);
  if (!alive()) return;
  const labels = (list) => new Map((list ?? []).map((item) => [item.id, item]));
  const cat = { sectors: labels(catalogue.sectors), categories: labels(catalogue.bottleneck_categories),
    items: labels(catalogue.supply_items), permissions: labels(catalogue.permissions) };
  const article = root.querySelector(".ops-page");
  article.querySelector(".loading").remove();
  article.dataset.synthetic = String(Boolean(overview.synthetic));
  article.insertAdjacentHTML("beforeend", `
    ${overview.synthetic ? `<p class="synthetic-banner" role="note" id="synthetic"><strong>${t("ops.synthetic")}</strong>
      <span class="notice-text">${escape(overview.notice)}</span></p>` : ""}
    ${levelCard(overview)}
    ${resumptionCard(overview, cat)}
    ${bottleneckCard(overview, cat)}
    ${inspectionCard(overview)}
    ${supplyCard(overview, cat)}`);
  for (const link of article.querySelectorAll("a[data-area]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      location.hash = link.getAttribute("href");
    });
  }
  chart(root, code, date).catch(() => {
    const box = root.querySelector("#resumption-chart");
    if (box) box.textContent = t("ops.no_series");
  });
}

function areaLink(code, name, date) {
  return `<a href="#/ops/${encodeURIComponent(code)}?date=${date}" data-area="${escape(code)}">${escape(areaName(code, name))}</a>`;
}

function levelCard(o) {
  if (o.level) {
    const ref = o.level.rule_set;
    return card("ops-level", t("ops.level", { date: formatDate(o.date) }), `<p class="level-line"><svg width="28" height="20" aria-hidden="true"><rect width="28" height="20" rx="3"
          fill="${fillOf(ref, o.level.level)}" stroke="#444"></rect></svg>
        <strong class="level-label">${escape(levelLabel(ref, o.level.level))}</strong>
        <span class="muted">${t("area.since", { date: formatDate(o.level.effective_date) })}</span></p>
      <h3>${t("ops.allows")}</h3>
      ${o.policy ? `<p class="policy" data-allows="${escape(o.policy.allows)}">${escape(pick(o.policy))}</p>
        <p class="muted source">${t("ops.source")}: ${escape(o.policy.source)}</p>`
        : `<p class="policy none">${t("ops.no_policy")}</p>`}
      ${o.measures.length ? `<h3>${t("area.measures")}</h3><ul class="ops-measures">${o.measures.map((m) => `<li>${escape(pick(m))}</li>`).join("")}</ul>` : ""}`, ` id="ops-level" data-level="${escape(o.level.level)}"`);
  }
  const below = Object.entries(o.levels_below ?? {});
  const ref = ctx.period?.publications.at(-1)?.rule_set;
  return card("ops-level", t("ops.levels_below", { date: formatDate(o.date) }), `<ul class="legend inline">${below.map(([level, n]) => `<li data-level="${escape(level)}"><svg width="18" height="14" aria-hidden="true"><rect width="18" height="14" fill="${fillOf(ref, level)}" stroke="#555"></rect></svg>
      ${escape(levelLabel(ref, level))}: ${n}</li>`).join("") || `<li class="none">–</li>`}</ul>`, ` id="ops-level"`);
}

function resumptionCard(o, cat) {
  const total = o.resumption.total;
  const flagged = o.resumption.flagged ?? [];
  const group = (rows, name) => rows.length ? `<table class="ops-table"><thead><tr><th scope="col">${name}</th>
      <th scope="col">${t("ops.enterprises")}</th><th scope="col">${t("ops.rate")}</th><th scope="col">${t("ops.workforce_rate")}</th></tr></thead>
      <tbody>${rows.map((r) => `<tr><th scope="row">${escape(pick(cat.sectors.get(r.group)) || r.group_name || r.group)}</th>
      <td>${r.enterprises}</td><td>${percent(r.resumption_rate)}</td><td>${percent(r.workforce_rate)}</td></tr>`).join("")}</tbody></table>` : "";
  return card("ops-resumption", t("ops.resumption"), `${total ? `<dl class="figures">
      <div><dt>${t("ops.rate")}</dt><dd id="resumption-rate" data-value="${total.resumption_rate}">${percent(total.resumption_rate)}</dd>
        <dd class="muted">${t("ops.resumed_of", { n: total.resumed, total: total.enterprises })}</dd></div>
      <div><dt>${t("ops.workforce_rate")}</dt><dd id="workforce-rate" data-value="${total.workforce_rate}">${percent(total.workforce_rate)}</dd>
        <dd class="muted">${t("ops.on_site_of", { n: total.on_site, total: total.workforce })}</dd></div>
      <div><dt>${t("ops.flagged")}</dt><dd id="flagged-count" class="${total.flagged ? "bad" : ""}">${total.flagged}</dd></div>
    </dl>` : `<p class="none">${t("ops.no_enterprises")}</p>`}
    <div id="resumption-chart" class="ops-chart"></div>
    <h3 id="flagged-title">${t("ops.flagged_title")}</h3>
    ${flagged.length ? `<ul id="flagged" class="flagged">${flagged.map((f) => `<li data-enterprise="${escape(f.enterprise_code)}" data-flag="${escape(f.flag)}">
        <strong>${escape(f.enterprise_name)}</strong> <code>${escape(f.enterprise_code)}</code>
        (${escape(pick(cat.sectors.get(f.sector)) || f.sector)}): ${escape(lang === "zh" ? f.reason_zh : f.reason_en)}</li>`).join("")}</ul>`
      : `<p id="flagged" class="none">${t("ops.none_flagged")}</p>`}
    ${o.resumption.by_sector?.length ? `<details class="numbers"><summary>${t("ops.by_sector")}</summary>${group(o.resumption.by_sector, t("ops.sector"))}</details>` : ""}`, ` id="ops-resumption"`);
}

function bottleneckCard(o, cat) {
  const b = o.bottlenecks;
  const categories = Object.entries(b.by_category ?? {});
  return card("ops-bottlenecks", t("ops.bottlenecks"), `<p>${t("ops.open_bottlenecks")}: <strong id="bottlenecks-open" data-value="${b.open}">${b.open}</strong></p>
    ${categories.length ? `<ul class="by-category">${categories.map(([id, n]) => `<li data-category="${escape(id)}">${escape(pick(cat.categories.get(id)) || id)}: ${n}</li>`).join("")}</ul>` : ""}
    ${b.oldest.length ? `<table class="ops-table" id="bottlenecks-oldest"><caption>${t("ops.oldest_first")}</caption>
      <thead><tr><th scope="col">${t("ops.opened")}</th><th scope="col">${t("ops.category")}</th><th scope="col">${t("ops.enterprise")}</th><th scope="col">${t("ops.detail")}</th></tr></thead>
      <tbody>${b.oldest.map((r) => `<tr data-id="${r.id}"><td>${formatDate(r.opened_on)}</td><td>${escape(pick(cat.categories.get(r.category)) || r.category)}</td>
        <td>${escape(r.enterprise_name)}</td><td>${escape(r.detail)}</td></tr>`).join("")}</tbody></table>` : `<p class="none">${t("ops.no_bottlenecks")}</p>`}`, ` id="ops-bottlenecks"`);
}

function inspectionCard(o) {
  const i = o.inspections;
  const results = (f) => ["compliant", "deficient", "not_applicable"].map((k) => `${t(`ops.${k}`)} ${f[k] ?? 0}`).join(" · ");
  const weak = (i.compliance ?? []).filter((c) => c.deficient > 0).sort((a, b) => a.rate - b.rate || a.duty_code.localeCompare(b.duty_code));
  return card("ops-inspections", t("ops.inspections"), `<p>${t("ops.open_deficiencies")}: <strong id="deficiencies-open">${i.open_deficiencies}</strong> ·
      ${t("ops.overdue")}: <strong id="deficiencies-overdue" class="${i.overdue.length ? "bad" : ""}">${i.overdue.length}</strong></p>
    <h3>${t("ops.recent")}</h3>
    ${i.recent.length ? `<ul id="inspections-recent">${i.recent.map((r) => `<li>${formatDate(r.date)} · ${escape(areaName(r.area_code))} · ${escape(r.inspector)}: ${results(r.findings)}</li>`).join("")}</ul>`
      : `<p class="none">${t("ops.no_inspections")}</p>`}
    ${i.overdue.length ? `<h3>${t("ops.overdue_title")}</h3><table class="ops-table" id="overdue"><thead><tr><th scope="col">${t("ops.deadline")}</th>
      <th scope="col">${t("col.area")}</th><th scope="col">${t("ops.item")}</th><th scope="col">${t("ops.note")}</th></tr></thead>
      <tbody>${i.overdue.map((d) => `<tr><td>${formatDate(d.deadline)}</td><td>${areaLink(d.area_code, d.area_name, o.date)}</td>
        <td><code>${escape(d.item_code)}</code> ${escape(lang === "zh" ? d.item_zh ?? "" : d.item_en ?? "")}</td><td>${escape(d.note ?? "")}</td></tr>`).join("")}</tbody></table>` : ""}
    ${i.due.length ? `<h3>${t("ops.due")}</h3><ul id="inspections-due">${i.due.map((d) => `<li data-state="${escape(d.state)}">${escape(areaName(d.area_code, d.area_name))}:
      ${escape(levelLabel(d.rule_set, d.from_level))} → ${escape(levelLabel(d.rule_set, d.to_level))} ${formatDate(d.effective_date)},
      ${t("ops.due_by", { date: formatDate(d.due_date) })} — <span class="due-${escape(d.state)}">${t(`ops.due.${d.state}`)}</span>${d.inspected_on ? ` (${formatDate(d.inspected_on)})` : ""}</li>`).join("")}</ul>` : ""}
    ${weak.length ? `<details class="numbers"><summary>${t("ops.compliance")}</summary><table class="ops-table"><thead><tr><th scope="col">${t("ops.duty")}</th>
      <th scope="col">${t("col.area")}</th><th scope="col">${t("ops.compliant")}</th><th scope="col">${t("ops.deficient")}</th><th scope="col">${t("ops.rate")}</th></tr></thead>
      <tbody>${weak.map((c) => `<tr><td>${escape(lang === "zh" ? c.duty_zh : c.duty_en)}</td><td>${escape(areaName(c.county_code, c.county_name))}</td>
        <td>${c.compliant}</td><td>${c.deficient}</td><td>${percent(c.rate)}</td></tr>`).join("")}</tbody></table></details>` : ""}`, ` id="ops-inspections"`);
}

function supplyCard(o, cat) {
  const s = o.supplies;
  const label = (id) => escape(pick(cat.items.get(id)) || id);
  return card("ops-supplies", t("ops.supplies"), `<p class="muted">${t("ops.facilities", { n: s.facilities, days: s.threshold_days })}</p>
    ${s.items.length ? `<table class="ops-table" id="supply-items"><thead><tr><th scope="col">${t("ops.item")}</th><th scope="col">${t("ops.stock")}</th>
      <th scope="col">${t("ops.daily_use")}</th><th scope="col">${t("ops.days_left")}</th></tr></thead>
      <tbody>${s.items.map((r) => `<tr data-item="${escape(r.item)}" class="${r.days_left !== null && r.days_left < s.threshold_days ? "bad" : ""}">
        <th scope="row">${label(r.item)}</th><td>${r.stock}</td><td>${r.daily_use ?? "–"}</td><td class="days-left">${days(r.days_left)}</td></tr>`).join("")}</tbody></table>`
      : `<p class="none">${t("ops.no_supplies")}</p>`}
    <h3>${t("ops.alerts")}</h3>
    ${s.alerts.length ? `<ol id="supply-alerts" class="alerts">${s.alerts.map((a) => `<li data-item="${escape(a.item)}" data-code="${escape(a.code)}">
        <strong>${days(a.days_left)}</strong> ${t("ops.days")} · ${label(a.item)} · ${areaLink(a.code, a.name, o.date)}</li>`).join("")}</ol>`
      : `<p id="supply-alerts" class="none">${t("ops.no_alerts")}</p>`}`, ` id="ops-supplies"`);
}

async function chart(root, code, date) {
  const first = dates()[0];
  const series = (await get("/ops/resumption", { start: first, end: date, by: "total", area: code })).items;
  const box = root.querySelector("#resumption-chart");
  if (!box || !series.length) return;
  const parse = (iso) => new Date(`${iso}T00:00:00Z`);
  const width = Math.max(320, Math.min(760, box.clientWidth || 640));
  const height = 200;
  const margin = { left: 44, right: 12, top: 10, bottom: 26 };
  const x = d3.scaleUtc([parse(series[0].date), parse(series.at(-1).date)], [margin.left, width - margin.right]);
  const y = d3.scaleLinear([0, 1], [height - margin.bottom, margin.top]);
  const svg = d3.select(box).append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
    .attr("class", "resumption-chart").attr("aria-label", t("ops.chart"));
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(6).tickFormat((d) => formatDate(d.toISOString().slice(0, 10)).replace(/^\d+年/, "")));
  svg.append("g").attr("transform", `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(d3.format(".0%")));
  const lines = [["resumption_rate", "#33302e", null], ["workforce_rate", "#d95f0e", "5 3"]];
  for (const [key, colour, dash] of lines) {
    svg.append("path").datum(series).attr("class", `line ${key}`).attr("fill", "none").attr("stroke", colour)
      .attr("stroke-width", 2).attr("stroke-dasharray", dash)
      .attr("d", d3.line().x((r) => x(parse(r.date))).y((r) => y(r[key] ?? 0)));
  }
  const legend = d3.select(box).append("ul").attr("class", "legend inline");
  for (const [key, colour, dash] of lines) {
    legend.append("li").html(`<svg width="24" height="10" aria-hidden="true"><line x1="0" y1="5" x2="24" y2="5" stroke="${colour}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ""}></line></svg> ${t(key === "resumption_rate" ? "ops.rate" : "ops.workforce_rate")}`);
  }
  const table = d3.select(box).append("details").attr("class", "numbers");
  table.append("summary").text(t("ops.chart"));
  table.append("table").html(`<thead><tr><th scope="col">${t("col.date")}</th><th scope="col">${t("ops.rate")}</th><th scope="col">${t("ops.workforce_rate")}</th></tr></thead>
    <tbody>${series.map((r) => `<tr><th scope="row">${formatDate(r.date)}</th><td>${percent(r.resumption_rate)}</td><td>${percent(r.workforce_rate)}</td></tr>`).join("")}</tbody>`);
  box.dataset.points = String(series.length);
}
