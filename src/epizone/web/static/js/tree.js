// The map page's areas by parent (drill-down): the children of one area on a date, each an area with how many of
// its units are at each level (a bar), or a unit in the colour of its level. One small answer per view and date
// (GET /dashboard/grid), so a national store (42,750 townships) is drawn as its 31 provinces, then a province's
// cities, a city's counties, a county's townships.

import { get } from "./api.js";
import { ctx, fillOf, levelLabel, ruleSet } from "./data.js";
import { escape } from "./html.js";
import { lang, t } from "./i18n.js";

const WIDTH = 800;
const BOX = { width: 186, height: 66, gap: 8 };
const TILE = 40;

/** The grid of ``area`` (null: the top) on ``date``. */
export function readTree(date, area) {
  return get("/dashboard/grid", { date, area: area ?? undefined });
}

export function shownName(area) {
  return lang === "zh" ? area.name : area.name_en ?? area.name;
}

/** The rule set of a unit's level (from the announcement that published it), else the one of the date. */
export function refOf(answer, tile) {
  return ctx.ruleSetOfAnnouncement.get(tile.announcement) ?? answer.rule_set;
}

/** Levels in the rule set's order (lowest risk first), then any other level found. */
export function levelOrder(ref, counts) {
  const known = (ruleSet(ref)?.levels ?? []).map((l) => l.id);
  return [...known.filter((id) => counts[id]), ...Object.keys(counts).filter((id) => !known.includes(id))];
}

/** Draw the tiles of ``answer`` into ``svg`` (emptied first); each gets ``data-code`` and the class ``unit``
 * (areas: also ``group``), a ``data-tip`` and an aria-label. */
export function drawTree(svg, answer) {
  svg.selectAll("*").remove();
  const layer = svg.append("g").attr("class", "tree");
  const groups = answer.tiles.filter((tile) => tile.levels);
  const units = answer.tiles.filter((tile) => !tile.levels);
  let y = 10;
  const columns = Math.max(1, Math.floor((WIDTH - 20 + BOX.gap) / (BOX.width + BOX.gap)));
  groups.forEach((tile, i) => {
    const x = 10 + (i % columns) * (BOX.width + BOX.gap);
    const top = y + Math.floor(i / columns) * (BOX.height + BOX.gap);
    areaBox(layer.append("g").attr("transform", `translate(${x},${top})`), answer, tile);
  });
  if (groups.length) y += Math.ceil(groups.length / columns) * (BOX.height + BOX.gap) + 6;
  if (units.length) {
    if (groups.length) {
      layer.append("text").attr("class", "group-label").attr("x", 10).attr("y", y + 14)
        .text(answer.focus ? shownName(answer.focus) : "");
      y += 22;
    }
    const per = Math.max(1, Math.floor((WIDTH - 20) / (TILE + 4)));
    units.forEach((tile, i) => {
      const g = layer.append("g").attr("transform",
        `translate(${10 + (i % per) * (TILE + 4)},${y + Math.floor(i / per) * (TILE + 4)})`);
      unitTile(g, answer, tile);
    });
    y += Math.ceil(units.length / per) * (TILE + 4);
  }
  svg.attr("viewBox", `0 0 ${WIDTH} ${Math.max(y + 10, 200)}`);
}

function areaBox(g, answer, tile) {
  const name = shownName(tile);
  const order = levelOrder(answer.rule_set, tile.levels);
  const graded = order.reduce((n, id) => n + tile.levels[id], 0);
  const counts = order.map((id) => `${escape(levelLabel(answer.rule_set, id))} ${tile.levels[id]}`);
  g.append("rect").attr("class", "unit group").attr("data-code", tile.code).attr("data-kind", tile.kind)
    .attr("width", BOX.width).attr("height", BOX.height).attr("rx", 4).attr("fill", "#fff")
    .attr("aria-label", `${name}: ${t("units", { n: tile.units })}; ${order.map((id) =>
      `${levelLabel(answer.rule_set, id)} ${tile.levels[id]}`).join(", ")}`)
    .attr("data-tip", `<strong>${escape(name)}</strong> <span class="code">${escape(tile.code)}</span><br>` +
      `${t("units", { n: tile.units })}<br>${counts.join("<br>")}`);
  g.append("text").attr("class", "box-name").attr("x", 8).attr("y", 18).text(clip(name, 22));
  g.append("text").attr("class", "box-count").attr("x", 8).attr("y", 34).text(t("units", { n: tile.units }));
  const bar = g.append("g").attr("class", "box-bar").attr("transform", "translate(8,44)").attr("aria-hidden", "true");
  let x = 0;
  const width = BOX.width - 16;
  for (const id of order) {
    const w = graded ? (tile.levels[id] / graded) * width : 0;
    bar.append("rect").attr("data-level", id).attr("data-count", tile.levels[id]).attr("x", x)
      .attr("width", Math.max(w, 0)).attr("height", 14).attr("fill", fillOf(answer.rule_set, id));
    x += w;
  }
  bar.append("rect").attr("width", width).attr("height", 14).attr("fill", "none").attr("stroke", "#555");
}

function unitTile(g, answer, tile) {
  const name = shownName(tile);
  const ref = refOf(answer, tile);
  const level = tile.level ? levelLabel(ref, tile.level) : null;
  g.append("rect").attr("class", "unit tile").attr("data-code", tile.code).attr("data-level", tile.level ?? "")
    .attr("width", TILE).attr("height", TILE).attr("rx", 3)
    .attr("fill", tile.level ? fillOf(ref, tile.level) : "url(#hatch)")
    .attr("aria-label", level ? `${name}: ${level}` : name)
    .attr("data-tip", `<strong>${escape(name)}</strong> <span class="code">${escape(tile.code)}</span>` +
      (level ? `<br>${escape(level)}` : ""));
  g.append("text").attr("class", "tile-label").attr("x", TILE / 2).attr("y", TILE / 2 + 4)
    .attr("text-anchor", "middle").attr("aria-hidden", "true")
    .text(/[\u4e00-\u9fff]/.test(name) ? name.slice(0, 2) : name.slice(0, 4));
}

/** The way down to the area shown: "All areas › province › city", each a link but the last. */
export function crumbs(nav, answer, date) {
  const steps = [{ code: null, label: t("areas.all") }, ...answer.path.map((a) => ({ code: a.code, label: shownName(a) }))];
  nav.innerHTML = steps.map((step, i) => i === steps.length - 1
    ? `<span aria-current="location">${escape(step.label)}</span>`
    : `<a href="#/map?date=${date}${step.code ? `&area=${encodeURIComponent(step.code)}` : ""}" data-code="${escape(step.code ?? "")}">${escape(step.label)}</a>`)
    .join(` <span aria-hidden="true">›</span> `);
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
