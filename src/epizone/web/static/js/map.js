// The map page: the units coloured by level on a date (choropleth; a tile grid where there are no boundaries; the
// areas by parent, drilling down, for a national store), legend with counts, date slider with play/pause, the
// day's changes; hover for names, click for reasons.

import { areaName, ctx, currentRun, dates, ensureAreas, fillOf, large, levelLabel, levelsOn, ruleSet } from "./data.js";
import { escape } from "./html.js";
import { formatDate, pick, t } from "./i18n.js";
import { crumbs, drawTree, readTree, refOf, shownName } from "./tree.js";

const WIDTH = 800;
const HEIGHT = 760;
const TILE = 40;
const FRAME_MS = 700;

export function render(root, { navigate, setDate, params }) {
  const days = dates();
  if (!days.length) {
    root.innerHTML = `<p class="notice">${t("nothing_published")}</p>`;
    return () => {};
  }
  if (!days.includes(ctx.state.date)) ctx.state.date = days[days.length - 1];
  const features = ctx.geometry.features;
  const mapped = features.some((f) => f.properties.published);
  const view = chooseView(mapped);
  if (view !== "areas" && !ctx.areasLoaded) {  // a national store's areas are read when first needed
    root.innerHTML = `<p class="loading">${t("loading")}</p>`;
    ensureAreas().then(() => navigate(location.hash, { rerender: true }));
    return () => {};
  }
  const focus = view === "areas" ? params.get("area") : null;
  const units = view === "areas" ? new Set()
    : new Set([...ctx.areas.values()].filter((a) => a.published).map((a) => a.code));

  root.innerHTML = `
    <section class="map-page">
      <h1 id="map-title">${t("map.title")}</h1>
      <div class="controls">
        <div class="date-control">
          <label for="date-slider">${t("date")}</label>
          <input id="date-slider" type="range" min="0" max="${days.length - 1}" step="1">
          <output id="date-label" for="date-slider"></output>
          <button id="play" type="button" aria-pressed="false"></button>
        </div>
        <label class="pick">${t("source")}
          <select id="source">
            <option value="published">${t("source.published")}</option>
            ${ctx.runs.map((r) => `<option value="${r.id}" ${view === "areas" ? "disabled" : ""}>${t("source.run", { id: r.id, rule_set: r.rule_set })}</option>`).join("")}
          </select></label>
        <label class="pick">${t("palette")}
          <select id="palette">
            <option value="accessible">${t("palette.accessible")}</option>
            <option value="official">${t("palette.official")}</option>
          </select></label>
        <label class="pick">${t("view")}
          <select id="view-mode">
            <option value="map" ${mapped ? "" : "disabled"}>${t("view.map")}</option>
            <option value="grid" ${large() ? "disabled" : ""}>${t("view.grid")}</option>
            <option value="areas">${t("view.areas")}</option>
          </select></label>
      </div>
      <div class="map-layout">
        <figure class="map-frame">
          ${view === "areas" ? `<nav id="crumbs" class="crumbs" aria-label="${t("areas.path")}"></nav>` : ""}
          <svg id="map" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-view="${view}" role="group"></svg>
          <div id="tooltip" class="tooltip" role="tooltip" hidden></div>
          <figcaption class="hint">${{ grid: t("grid.note"), areas: t("areas.note") }[view] ?? t("hover.hint")}</figcaption>
          <div id="off-map" class="off-map" hidden><h2>${t("off_map")}</h2><ul></ul></div>
        </figure>
        <aside class="side">
          <h2>${t("legend")}</h2>
          <ul id="legend" class="legend"></ul>
          <h2 id="changes-title"></h2>
          <ul id="changes" class="changes"></ul>
        </aside>
      </div>
    </section>`;

  const slider = root.querySelector("#date-slider");
  const label = root.querySelector("#date-label");
  const play = root.querySelector("#play");
  const svg = d3.select(root.querySelector("#map"));
  const tooltip = root.querySelector("#tooltip");
  root.querySelector("#source").value = String(ctx.state.source);
  root.querySelector("#palette").value = ctx.state.palette;
  root.querySelector("#view-mode").value = view;

  const open = (code) => navigate(`#/area/${encodeURIComponent(code)}?date=${ctx.state.date}`);
  const drill = (code) => navigate(`#/map?date=${ctx.state.date}&area=${encodeURIComponent(code)}`);
  const shapes = view === "map" ? drawMap(svg, features, units) : view === "grid" ? drawGrid(svg, units)
    : { context: false };
  const offMap = view === "map" ? [...units].filter((code) => !features.some((f) => f.properties.code === code)) : [];
  drawOffMap(root.querySelector("#off-map"), offMap);
  const all = root.querySelectorAll(".unit");
  for (const el of all) wire(el, tooltip, open);

  let current = new Map();
  let answer = null;
  let ticket = 0;
  async function show(date) {
    const mine = ++ticket;
    ctx.state.date = date;
    slider.value = String(days.indexOf(date));
    slider.setAttribute("aria-valuetext", formatDate(date));
    label.textContent = formatDate(date);
    root.querySelector("#map-title").textContent = t("map.heading", { date: formatDate(date) });
    svg.attr("aria-label", t("map.aria", { date: formatDate(date) }));
    setDate(date);
    if (view === "areas") {
      const found = await readTree(date, focus);
      if (mine !== ticket) return;  // a later date was asked for meanwhile
      answer = found;
      paintTree(date);
      return;
    }
    const [items, before] = await Promise.all([levelsOn(date), previousLevels(days, date)]);
    if (mine !== ticket) return;
    current = new Map(items.map((item) => [item.area_code, item]));
    for (const el of root.querySelectorAll(".unit")) paint(el, current.get(el.dataset.code));
    svg.attr("data-date", date);
    const [ref, counts] = countsOf(items);
    legend(root.querySelector("#legend"), ref, counts, shapes.context);
    changes(root, movedOf(items, before), null, date, open);
  }

  function paintTree(date) {
    drawTree(svg, answer);
    crumbs(root.querySelector("#crumbs"), answer, date);
    for (const el of root.querySelectorAll("#map .unit")) {
      wire(el, tooltip, el.classList.contains("group") ? drill : open);
    }
    svg.attr("data-focus", answer.focus?.code ?? "").attr("data-date", date);
    legend(root.querySelector("#legend"), answer.rule_set, new Map(Object.entries(answer.levels)), false);
    changes(root, answer.changes.items.map((item) => ({ code: item.code, name: shownName(item), from: item.from,
      to: item.to, ref: refOf(answer, item) })), answer.changes.total, date, open);
  }

  let playing = null;
  function setPlaying(on) {
    if (on && !playing) {
      if (days.indexOf(ctx.state.date) === days.length - 1) show(days[0]);
      playing = true;
      tick();
    } else if (!on) {
      clearTimeout(playing);
      playing = null;
    }
    play.setAttribute("aria-pressed", String(Boolean(playing)));
    play.textContent = playing ? `❚❚ ${t("pause")}` : `▶ ${t("play")}`;
  }
  async function tick() {
    const next = days.indexOf(ctx.state.date) + 1;
    if (!playing) return;
    if (next >= days.length) return setPlaying(false);
    await show(days[next]);
    if (playing) playing = setTimeout(tick, FRAME_MS);
  }

  // a slider dragged moves the label at once and fetches the day it stops on; a key press fetches at once
  let pending = null;
  let keyed = false;
  slider.addEventListener("keydown", () => { keyed = true; });
  slider.addEventListener("input", () => {
    const date = days[Number(slider.value)];
    label.textContent = formatDate(date);
    clearTimeout(pending);
    if (keyed) show(date);
    else pending = setTimeout(() => show(date), 80);
    keyed = false;
  });
  play.addEventListener("click", () => setPlaying(!playing));
  root.querySelector("#source").addEventListener("change", (event) => {
    const value = event.target.value;
    ctx.state.source = value === "published" ? "published" : Number(value);
    navigate(`#/map?date=${ctx.state.date}`, { rerender: true });
  });
  root.querySelector("#palette").addEventListener("change", (event) => {
    ctx.state.palette = event.target.value;
    localStorage.setItem("epizone.palette", ctx.state.palette);
    if (view === "areas") {
      if (answer) paintTree(ctx.state.date);
      return;
    }
    for (const el of root.querySelectorAll(".unit")) paint(el, current.get(el.dataset.code));
    const [ref, counts] = countsOf([...current.values()]);
    legend(root.querySelector("#legend"), ref, counts, shapes.context);
  });
  root.querySelector("#view-mode").addEventListener("change", (event) => {
    ctx.state.view = event.target.value;
    if (ctx.state.view === "areas") ctx.state.source = "published";  // the areas by parent: published levels
    navigate(`#/map?date=${ctx.state.date}`, { rerender: true });
  });
  root.querySelector("#crumbs")?.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link) return;
    event.preventDefault();
    navigate(link.getAttribute("href"));
  });

  setPlaying(false);
  show(ctx.state.date);
  return () => {
    clearTimeout(pending);
    setPlaying(false);
  };
}

function previousLevels(days, date) {
  const i = days.indexOf(date);
  return i > 0 ? levelsOn(days[i - 1]) : Promise.resolve(null);
}

function drawMap(svg, features, units) {
  const projection = d3.geoMercator().fitExtent([[10, 10], [WIDTH - 10, HEIGHT - 10]],
    { type: "FeatureCollection", features });
  const path = d3.geoPath(projection);
  const polygons = features.filter((f) => f.geometry.type !== "Point" && f.properties.kind !== "city");
  const context = polygons.filter((f) => !units.has(f.properties.code));
  svg.append("g").attr("class", "context").selectAll("path").data(context).join("path")
    .attr("d", path).attr("fill", "#f4f4f4").attr("stroke", "#9a9a9a").attr("stroke-dasharray", "3 2")
    .append("title").text((f) => `${f.properties.name}: ${t("not_assessed")}`);
  svg.append("g").attr("class", "units").selectAll("path")
    .data(polygons.filter((f) => units.has(f.properties.code))).join("path")
    .attr("class", "unit").attr("d", path).attr("data-code", (f) => f.properties.code);
  svg.append("g").attr("class", "cities").attr("aria-hidden", "true").selectAll("path")
    .data(features.filter((f) => f.properties.kind === "city")).join("path").attr("d", path);
  svg.append("g").attr("class", "points").selectAll("circle")
    .data(features.filter((f) => f.geometry.type === "Point" && units.has(f.properties.code))).join("circle")
    .attr("class", "unit point").attr("r", 8).attr("data-code", (f) => f.properties.code)
    .attr("cx", (f) => projection(f.geometry.coordinates)[0]).attr("cy", (f) => projection(f.geometry.coordinates)[1]);
  return { context: context.length > 0 };
}

/** A tile per unit, grouped by the area above it (in code order): for hierarchies without boundaries. */
function drawGrid(svg, units) {
  const groups = d3.groups([...units].sort(), (code) => ctx.areas.get(code)?.parent_code ?? "");
  const columns = Math.max(1, Math.floor((WIDTH - 20) / (TILE + 4)));
  let y = 10;
  const layer = svg.append("g").attr("class", "grid");
  for (const [parent, codes] of groups) {
    layer.append("text").attr("class", "group-label").attr("x", 10).attr("y", y + 14)
      .text(parent ? areaName(parent) : "");
    y += 22;
    codes.forEach((code, i) => {
      const x = 10 + (i % columns) * (TILE + 4);
      const top = y + Math.floor(i / columns) * (TILE + 4);
      const tile = layer.append("g").attr("transform", `translate(${x},${top})`);
      tile.append("rect").attr("class", "unit tile").attr("data-code", code).attr("width", TILE).attr("height", TILE)
        .attr("rx", 3);
      tile.append("text").attr("class", "tile-label").attr("x", TILE / 2).attr("y", TILE / 2 + 4)
        .attr("text-anchor", "middle").attr("aria-hidden", "true").text(short(code));
    });
    y += Math.ceil(codes.length / columns) * (TILE + 4) + 8;
  }
  svg.attr("viewBox", `0 0 ${WIDTH} ${Math.max(y + 10, 200)}`);
  return { context: false };
}

function short(code) {
  const name = areaName(code);
  return /[\u4e00-\u9fff]/.test(name) ? name.slice(0, 2) : name.slice(0, 4);
}

function drawOffMap(box, codes) {
  if (!codes.length) return;
  box.hidden = false;
  const list = box.querySelector("ul");
  for (const code of codes) {
    const item = document.createElement("li");
    item.innerHTML = `<svg width="18" height="18" aria-hidden="true"><rect class="unit off" width="18" height="18" rx="3" data-code="${code}"></rect></svg> ${areaName(code)}`;
    list.append(item);
  }
}

function wire(el, tooltip, open) {
  el.setAttribute("tabindex", "0");
  el.setAttribute("role", "link");
  const code = el.dataset.code;
  const showTip = (x, y) => {
    tooltip.innerHTML = el.dataset.tip ?? "";
    tooltip.hidden = false;
    const frame = tooltip.parentElement.getBoundingClientRect();
    tooltip.style.left = `${Math.min(x - frame.left + 14, frame.width - tooltip.offsetWidth - 4)}px`;
    tooltip.style.top = `${Math.max(y - frame.top - tooltip.offsetHeight - 10, 0)}px`;
  };
  el.addEventListener("mousemove", (event) => showTip(event.clientX, event.clientY));
  el.addEventListener("mouseleave", () => { tooltip.hidden = true; });
  el.addEventListener("focus", () => {
    const box = el.getBoundingClientRect();
    showTip(box.left + box.width / 2, box.top + box.height / 2);
  });
  el.addEventListener("blur", () => { tooltip.hidden = true; });
  el.addEventListener("click", () => open(code));
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(code);
    }
  });
}

function paint(el, item) {
  const code = el.dataset.code;
  const name = areaName(code, item?.area_name);
  if (!item) {
    el.setAttribute("fill", "url(#hatch)");
    el.dataset.level = "";
    el.setAttribute("aria-label", name);
    el.dataset.tip = `<strong>${escape(name)}</strong>`;
    return;
  }
  const level = levelLabel(item.rule_set, item.level);
  el.setAttribute("fill", fillOf(item.rule_set, item.level));
  el.dataset.level = item.level;
  el.setAttribute("aria-label", `${name}: ${level}`);
  el.dataset.tip = `<strong>${escape(name)}</strong> <span class="code">${escape(code)}</span><br>${escape(level)}`;
}

/** The rule set most units are graded by, and their counts by level. */
function countsOf(items) {
  const counts = d3.rollup(items, (v) => v.length, (d) => d.rule_set, (d) => d.level);
  const refs = [...counts.keys()].sort((a, b) => d3.sum(counts.get(b).values()) - d3.sum(counts.get(a).values()));
  const ref = refs[0] ?? currentRun()?.rule_set ?? ctx.period?.publications.at(-1)?.rule_set;
  return [ref, counts.get(ref) ?? new Map()];
}

function legend(list, ref, counts, context) {
  const rules = ruleSet(ref ?? ctx.period?.publications.at(-1)?.rule_set);
  list.innerHTML = "";
  if (!rules) return;
  list.dataset.ruleSet = rules.ref;
  const title = document.createElement("li");
  title.className = "legend-title";
  title.textContent = pick(rules.title);
  list.append(title);
  for (const level of rules.levels) {
    const n = counts.get(level.id) ?? 0;
    if (level.id === "unknown" && n === 0) continue;
    const item = document.createElement("li");
    item.dataset.level = level.id;
    item.innerHTML = `<svg width="22" height="16" aria-hidden="true"><rect width="22" height="16" rx="2" fill="${fillOf(rules.ref, level.id)}" stroke="#555"></rect></svg>
      <span class="legend-label">${escape(pick(level))}</span><span class="legend-count">${t("units", { n })}</span>`;
    list.append(item);
  }
  if (context) {
    const item = document.createElement("li");
    item.innerHTML = `<svg width="22" height="16" aria-hidden="true"><rect width="22" height="16" fill="#f4f4f4" stroke="#9a9a9a" stroke-dasharray="3 2"></rect></svg>
      <span class="legend-label">${t("not_assessed")}</span>`;
    list.append(item);
  }
}

/** The units whose level differs from the day before's: code, name, from, to, ref. */
function movedOf(items, before) {
  if (!before) return [];
  const previous = new Map(before.map((item) => [item.area_code, item.level]));
  return items.filter((item) => previous.has(item.area_code) && previous.get(item.area_code) !== item.level)
    .map((item) => ({ code: item.area_code, name: areaName(item.area_code, item.area_name),
      from: previous.get(item.area_code), to: item.level, ref: item.rule_set }));
}

/** The day's changes (``total``: how many there are, when only some are listed). */
function changes(root, moved, total, date, open) {
  root.querySelector("#changes-title").textContent = t("changes.on", { date: formatDate(date) });
  const list = root.querySelector("#changes");
  list.innerHTML = "";
  if (!moved.length) {
    list.innerHTML = `<li class="none">${t("changes.none")}</li>`;
    return;
  }
  for (const item of moved) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#/area/${encodeURIComponent(item.code)}?date=${date}`;
    link.textContent = item.name;
    link.addEventListener("click", (event) => { event.preventDefault(); open(item.code); });
    li.append(link, ` ${levelLabel(item.ref, item.from)} → ${levelLabel(item.ref, item.to)}`);
    list.append(li);
  }
  if (total && total > moved.length) {
    const li = document.createElement("li");
    li.className = "more";
    li.textContent = t("changes.more", { n: total - moved.length });
    list.append(li);
  }
}

/** The view asked for if this store can show it (the map needs boundaries, the tile grid of every unit at most
 * GRID_LIMIT units); else the map, else the grid; beyond GRID_LIMIT units the areas by parent. */
function chooseView(mapped) {
  const asked = ctx.state.view;
  if (asked === "areas" || (asked === "map" && mapped) || (asked === "grid" && !large())) return asked;
  if (large()) return "areas";
  return mapped ? "map" : "grid";
}

export { escape };
