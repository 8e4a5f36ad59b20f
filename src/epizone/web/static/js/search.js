// Finding an area: by name in simplified or traditional characters, pinyin (with or without tones and spaces),
// English, or code; a combobox operable with the keyboard (arrows, Enter, Escape).

import { areaName, ctx, ensureAreas, normalise } from "./data.js";
import { t } from "./i18n.js";
import { escape } from "./map.js";

const SHOWN = 10;

export function matches(query) {
  const wanted = normalise(query);
  if (!wanted) return [];
  const found = [];
  for (const area of ctx.areas.values()) {
    if (!area.published) continue;
    const names = area.keys;
    const rank = area.code.startsWith(query.trim()) ? 0
      : names.some((n) => n.startsWith(wanted)) ? 1 : names.some((n) => n.includes(wanted)) ? 2 : -1;
    if (rank >= 0) found.push([rank, area.code]);
  }
  return found.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).slice(0, SHOWN).map(([, code]) => code);
}

export function wireSearch(input, list, navigate) {
  let active = -1;
  let shown = [];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (i) => {
    active = i;
    for (const [j, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(j === i));
    if (i >= 0) input.setAttribute("aria-activedescendant", `search-option-${i}`);
  };
  const choose = (code) => {
    close();
    input.value = "";
    // from the operations page, to the chosen area's operations; elsewhere, to its area page
    const page = location.hash.startsWith("#/ops") ? "ops" : "area";
    navigate(`#/${page}/${encodeURIComponent(code)}?date=${ctx.state.date ?? ""}`);
  };
  input.addEventListener("focus", () => { ensureAreas().catch(() => {}); });
  input.addEventListener("input", async () => {
    if (!ctx.areasLoaded) {
      list.innerHTML = `<li class="none" role="option" aria-disabled="true">${t("loading")}</li>`;
      list.hidden = !input.value.trim();
      await ensureAreas();
    }
    shown = matches(input.value);
    if (!input.value.trim()) return close();
    list.innerHTML = shown.length
      ? shown.map((code, i) => `<li id="search-option-${i}" role="option" data-code="${escape(code)}" aria-selected="false">
          ${escape(areaName(code))} <span class="code">${escape(code)}</span></li>`).join("")
      : `<li class="none" role="option" aria-disabled="true">${t("search.none")}</li>`;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(shown.length ? 0 : -1);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" && shown.length) {
      event.preventDefault();
      highlight((active + 1) % shown.length);
    } else if (event.key === "ArrowUp" && shown.length) {
      event.preventDefault();
      highlight((active - 1 + shown.length) % shown.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(shown[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  list.addEventListener("mousedown", (event) => {
    const li = event.target.closest("li[data-code]");
    if (li) {
      event.preventDefault();
      choose(li.dataset.code);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
