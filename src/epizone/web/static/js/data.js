// What every view shares: rule sets with their palettes, the published period, the areas and their names,
// the boundaries, the source of the levels (published, or one run), and the levels on a date.

import { all, ApiError, get, token } from "./api.js";
import { lang, pick } from "./i18n.js";

export const HATCH = "url(#hatch)";

export const ctx = {
  rulesets: [],
  byRef: new Map(),
  period: null,           // {first, last, publications: [{announcement, rule_set, effective_date}]}
  ruleSetOfAnnouncement: new Map(),
  areas: new Map(),       // code -> {code, name, parent_code, kind, published, aliases, keys}
  areasLoaded: false,     // a national store's areas are read when first needed (search, an area's page)
  geometry: null,         // FeatureCollection of the boundaries that fit the store
  runs: [],               // readable with a token only
  state: {
    date: null,
    area: null,           // the area last shown (the operations page opens on it)
    source: "published",  // or a run id (number)
    palette: localStorage.getItem("epizone.palette") || "accessible",
    view: null,           // "map", "grid" or "areas" (null: map when there are boundaries, else grid; areas
                          // beyond GRID_LIMIT units)
  },
};

/** Beyond this many units the map page opens on the areas by parent (drill-down), reads no list of every area
 * before it draws, and offers no tile grid of every unit. */
export const GRID_LIMIT = 2000;

let areasLoading = null;

export async function loadShared() {
  const [rulesets, period, geometry] = await Promise.all([
    get("/dashboard/rulesets"), get("/dashboard/period"), get("/geometry")]);
  ctx.rulesets = rulesets;
  ctx.byRef = new Map(rulesets.flatMap((r) => [[r.ref, r], [r.id, r]]));
  ctx.period = period;
  ctx.ruleSetOfAnnouncement = new Map(period.publications.map((p) => [p.announcement, p.rule_set]));
  ctx.geometry = geometry;
  ctx.areas = new Map();
  ctx.areasLoaded = false;
  areasLoading = null;
  if (!large()) await ensureAreas();
  ctx.runs = [];
  if (token()) {
    try {
      ctx.runs = await all("/runs");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;  // a token without read access to runs: published only
    }
  }
  if (ctx.state.source !== "published" && !ctx.runs.some((r) => r.id === ctx.state.source)) {
    ctx.state.source = "published";
  }
}

/** Whether the store has more units than a tile grid of every unit can show (see GRID_LIMIT). */
export function large() {
  return (ctx.period?.units ?? 0) > GRID_LIMIT;
}

/** The areas with their names and aliases (read once; at national scale when first needed). */
export function ensureAreas() {
  if (!areasLoading) {
    areasLoading = get("/dashboard/areas").then((found) => {
      const areas = new Map();
      for (const [code, name, parent, kind, published] of found.rows) {
        const aliases = (found.aliases[code] ?? []).map(([k, alias]) => ({ kind: k, alias }));
        areas.set(code, { code, name, parent_code: parent, kind, published, aliases,
          keys: [name, ...aliases.map((a) => a.alias)].map(normalise) });
      }
      ctx.areas = areas;
      ctx.areasLoaded = true;
    });
    areasLoading.catch(() => { areasLoading = null; });
  }
  return areasLoading;
}

export function ruleSet(ref) {
  if (!ref) return null;
  return ctx.byRef.get(ref) ?? ctx.byRef.get(ref.split("@")[0]) ?? null;
}

export function currentRun() {
  return ctx.state.source === "published" ? null : ctx.runs.find((r) => r.id === ctx.state.source) ?? null;
}

/** The dates the slider moves over: the published period, or the run's period. */
export function dates() {
  const run = currentRun();
  const first = run ? run.start_date : ctx.period?.first;
  const last = run ? run.end_date : ctx.period?.last;
  if (!first || !last) return [];
  const found = [];
  for (let day = new Date(`${first}T00:00:00Z`); day <= new Date(`${last}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() + 1)) {
    found.push(day.toISOString().slice(0, 10));
  }
  return found;
}

/** The level of every unit on ``date`` from the current source, each with the ref of its rule set. */
export async function levelsOn(date) {
  const run = currentRun();
  if (run) {
    const items = await all(`/runs/${run.id}/levels`, { date });
    return items.map((item) => ({ ...item, rule_set: run.rule_set }));
  }
  const items = await all("/levels", { date });
  return items.map((item) => ({ ...item, rule_set: ctx.ruleSetOfAnnouncement.get(item.announcement) }));
}

/** The fill of a level under a rule set in the chosen palette (``url(#hatch)`` for unknown / no-data levels). */
export function fillOf(ref, level) {
  const rules = ruleSet(ref);
  const found = rules?.levels.find((l) => l.id === level);
  if (!found) return HATCH;
  if (ctx.state.palette === "official") return found.id === "unknown" ? HATCH : found.color;
  return found.fill === "hatch" ? HATCH : found.fill;
}

export function levelLabel(ref, level) {
  const found = ruleSet(ref)?.levels.find((l) => l.id === level);
  return found ? pick(found) : level;
}

export function alias(code, kind) {
  return ctx.areas.get(code)?.aliases.find((a) => a.kind === kind)?.alias ?? null;
}

/** An area's name in the current language (English: its English or pinyin alias, if the store has one). */
export function areaName(code, fallback = null) {
  const area = ctx.areas.get(code);
  const name = area?.name ?? fallback ?? code;
  if (lang === "zh") return name;
  return alias(code, "english") ?? alias(code, "pinyin") ?? name;
}

/** Text for matching: no case, no tone marks, no spaces, apostrophes or hyphens (Jin'an = jinan = JIN AN). */
export function normalise(text) {
  return (text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s'’\-·.]/g, "");
}
