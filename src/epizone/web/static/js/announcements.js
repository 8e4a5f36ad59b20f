// Announcements, newest first, each with its text in the current language (as the service rendered it).

import { all } from "./api.js";
import { formatDate, lang, t } from "./i18n.js";
import { escape } from "./map.js";

export function render(root, { params }) {
  root.innerHTML = `
    <section class="announcements">
      <h1>${t("announcements.title")}</h1>
      <ol id="announcements" class="announcement-list" reversed><li>${t("loading")}</li></ol>
    </section>`;
  fill(root.querySelector("#announcements"), Number(params.get("number")) || null);
  return () => {};
}

async function fill(list, wanted) {
  const found = await all("/announcements");
  if (!found.length) {
    list.innerHTML = `<li class="none">${t("nothing_published")}</li>`;
    return;
  }
  list.innerHTML = found.map((a) => {
    const title = a.kind === "retraction" ? `${t("announcement.no", { n: a.number })} · ${t("announcement.retraction")}`
      : t("announcement.no", { n: a.number });
    const changes = a.kind === "publish" ? ` · ${t("announcement.changes", { n: (a.body.changes ?? []).length })}` : "";
    const retracted = a.retracted_by ? `<p class="retracted">${t("announcement.retracted", { n: a.retracted_by })}</p>` : "";
    return `<li id="announcement-${a.number}" data-number="${a.number}" data-kind="${a.kind}">
      <details ${a.number === wanted ? "open" : ""}>
        <summary><strong>${escape(title)}</strong> · ${t("announcement.effective", { date: formatDate(a.effective_date) })}${changes}</summary>
        ${retracted}
        <pre class="announcement-text">${escape(lang === "zh" ? a.text_zh : a.text_en)}</pre>
      </details></li>`;
  }).join("");
  if (wanted) {
    const target = list.querySelector(`#announcement-${wanted}`);
    target?.scrollIntoView({ block: "start" });
    target?.querySelector("summary")?.focus();
  }
}
