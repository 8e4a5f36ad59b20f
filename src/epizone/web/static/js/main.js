// The dashboard: a hash router over five pages (map, area, operations, overview, announcements), the language switch,
// the token and the search box. Everything is read from this service's own origin.

import { ApiError, setToken, token } from "./api.js";
import * as area from "./area.js";
import * as announcements from "./announcements.js";
import { ctx, ensureAreas, loadShared } from "./data.js";
import { applyStatic, lang, setLang, t } from "./i18n.js";
import * as map from "./map.js";
import * as ops from "./ops.js";
import * as overview from "./overview.js";
import { wireSearch } from "./search.js";

const view = document.querySelector("#view");
let cleanup = () => {};
let shownHash = null;

function route(hash) {
  const [path, query = ""] = (hash || "#/map").replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  return { page: parts[0] || "map", code: parts[1] ? decodeURIComponent(parts[1]) : null,
    params: new URLSearchParams(query) };
}

function navigate(hash, { rerender = false } = {}) {
  if (hash === location.hash && rerender) show();
  else location.hash = hash;
}

/** The date is part of the address (a link can be shared); the slider replaces it without a new history entry
 * (the other parameters, e.g. the map's area, stay). */
function setDate(date) {
  const { page, code, params } = route(location.hash);
  const base = (page === "area" || page === "ops") && code ? `#/${page}/${encodeURIComponent(code)}` : `#/${page}`;
  params.set("date", date);
  const hash = `${base}?${params}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
  shownHash = location.hash;
}

function show() {
  cleanup();
  const { page, code, params } = route(location.hash);
  if (params.get("date")) ctx.state.date = params.get("date");
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  view.dataset.page = page;
  const options = { navigate, setDate, code, params };
  // Each page renders into an element of its own: answers that arrive after the user moved on fill the
  // detached element of the page they were asked for, never the page now shown.
  const root = document.createElement("div");
  root.className = "page";
  view.replaceChildren(root);
  if (page !== "map" && !ctx.areasLoaded) {  // a national store's areas are read when first needed
    const asked = location.hash;
    root.innerHTML = `<p class="loading">${t("loading")}</p>`;
    cleanup = () => {};
    ensureAreas().then(() => { if (location.hash === asked) show(); }, failed);
    shownHash = location.hash;
    return;
  }
  try {
    if (page === "area" && code) cleanup = area.render(root, options);
    else if (page === "ops") cleanup = ops.render(root, options);
    else if (page === "overview") cleanup = overview.render(root, options);
    else if (page === "announcements") cleanup = announcements.render(root, options);
    else cleanup = map.render(root, options);
  } catch (error) {
    failed(error);
  }
  shownHash = location.hash;
}

function failed(error) {
  cleanup = () => {};
  const needsToken = error instanceof ApiError && error.status === 401;
  view.innerHTML = `<p class="notice error" role="alert"></p>`;
  view.querySelector("p").textContent = needsToken ? t("needs_token") : t("error", { detail: error.message });
  if (needsToken) document.querySelector("details.token").open = true;
}

function updateLanguageButton() {
  const button = document.querySelector("#lang");
  const other = lang === "zh" ? "en" : "zh";
  button.textContent = other === "en" ? "EN" : "中文";
  button.lang = other === "en" ? "en" : "zh-CN";
  button.setAttribute("aria-label", other === "en" ? "English" : "中文");
}

function updateTokenState() {
  document.querySelector("#token-state").textContent = token() ? t("token.set") : t("token.unset");
}

async function start() {
  applyStatic();
  updateLanguageButton();
  updateTokenState();
  document.querySelector("#lang").addEventListener("click", () => {
    setLang(lang === "zh" ? "en" : "zh");
    applyStatic();
    updateLanguageButton();
    updateTokenState();
    show();
  });
  document.querySelector("#token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    setToken(document.querySelector("#token").value.trim());
    document.querySelector("#token").value = "";
    await reload();
  });
  document.querySelector("#token-clear").addEventListener("click", async () => {
    setToken("");
    await reload();
  });
  wireSearch(document.querySelector("#search"), document.querySelector("#search-results"), navigate);
  window.addEventListener("hashchange", () => {
    if (location.hash !== shownHash) show();
  });
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason instanceof ApiError || event.reason instanceof TypeError) failed(event.reason);
  });
  await reload();
}

async function reload() {
  updateTokenState();
  view.innerHTML = `<p class="loading">${t("loading")}</p>`;
  try {
    await loadShared();
  } catch (error) {
    failed(error);
    return;
  }
  document.body.dataset.ready = "true";
  show();
}

start();
