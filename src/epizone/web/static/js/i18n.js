// Texts of the dashboard in Chinese and English. Rule-set texts (levels, clauses, indicators) and announcements
// come from the service in both languages; everything the page itself says is here.

const STRINGS = {
  zh: {
    "skip": "跳到内容",
    "brand": "分区分级风险地图",
    "nav": "主导航",
    "nav.map": "地图",
    "nav.overview": "概览",
    "nav.announcements": "公告",
    "search.label": "查找地区",
    "search.placeholder": "地区名称、拼音或代码",
    "search.none": "没有匹配的地区",
    "token.summary": "令牌",
    "token.label": "API 令牌(查看未发布的运行结果)",
    "token.save": "保存",
    "token.clear": "清除",
    "token.set": "已使用令牌。",
    "token.unset": "未使用令牌:只显示已发布的等级。",
    "footer": "epizone · 数据、脚本与地图均由本服务提供,不访问互联网",
    "loading": "正在加载…",
    "error": "无法读取数据:{detail}",
    "needs_token": "此服务需要令牌才能查看风险等级:请在右上角“令牌”中填写。",
    "nothing_published": "尚未发布任何风险等级。",
    "map.title": "风险等级地图",
    "map.heading": "{date}各地区风险等级",
    "map.aria": "{date} 各地区风险等级地图",
    "date": "日期",
    "play": "播放",
    "pause": "暂停",
    "source": "数据",
    "source.published": "已发布的等级",
    "source.run": "运行 #{id}({rule_set},未发布)",
    "palette": "配色",
    "palette.accessible": "无障碍配色(色盲友好)",
    "palette.official": "规则集原配色",
    "view": "视图",
    "view.map": "地图",
    "view.grid": "方块图",
    "grid.note": "这些地区没有边界数据:按上级地区排列的方块图。",
    "off_map": "没有边界的地区",
    "legend": "图例",
    "units": "{n}个地区",
    "not_assessed": "未评估(仅供参考)",
    "changes.on": "{date}的变化",
    "changes.none": "当日无等级变化",
    "hover.hint": "悬停查看名称,点击查看原因。",
    "area.level_on": "{date}的风险等级",
    "area.since": "自{date}起",
    "area.clause": "触发条款",
    "area.reason": "原因",
    "area.indicators": "指标(数据截至 {date})",
    "area.indicator": "指标",
    "area.value": "数值",
    "area.history": "等级变化时间线",
    "area.measures": "现行措施",
    "area.no_measures": "此等级没有登记措施。",
    "area.announcements": "涉及本地区的公告",
    "area.no_announcements": "没有涉及本地区的公告。",
    "area.parent": "上级地区",
    "area.code": "代码",
    "area.rule_set": "规则集",
    "area.not_found": "{date} 没有该地区已发布的风险等级。",
    "area.back": "返回地图",
    "area.run": "运行 #{id} 的结果",
    "yes": "是",
    "no": "否",
    "overview.title": "概览",
    "overview.counts": "各风险等级地区数量",
    "overview.latest": "最近的等级变化",
    "overview.none": "没有等级变化。",
    "announcements.title": "公告",
    "announcement.no": "第{n}号公告",
    "announcement.retraction": "撤销公告",
    "announcement.retracted": "已被第{n}号公告撤销",
    "announcement.effective": "自{date}起执行",
    "announcement.changes": "{n}个地区等级调整",
    "col.date": "日期",
    "col.area": "地区",
    "col.change": "调整",
    "col.reason": "原因",
    "first": "首次发布",
  },
  en: {
    "skip": "Skip to content",
    "brand": "Zoned risk levels",
    "nav": "Main",
    "nav.map": "Map",
    "nav.overview": "Overview",
    "nav.announcements": "Announcements",
    "search.label": "Find an area",
    "search.placeholder": "Name, pinyin or code",
    "search.none": "No area matches",
    "token.summary": "Token",
    "token.label": "API token (to see unpublished runs)",
    "token.save": "Save",
    "token.clear": "Clear",
    "token.set": "A token is in use.",
    "token.unset": "No token: published levels only.",
    "footer": "epizone · data, scripts and maps all come from this service; nothing is fetched from the internet",
    "loading": "Loading…",
    "error": "Could not read the data: {detail}",
    "needs_token": "This service needs a token to show risk levels: enter one under “Token”, top right.",
    "nothing_published": "No risk levels have been published yet.",
    "map.title": "Risk level map",
    "map.heading": "Risk levels in force on {date}",
    "map.aria": "Map of the areas' risk levels on {date}",
    "date": "Date",
    "play": "Play",
    "pause": "Pause",
    "source": "Data",
    "source.published": "Published levels",
    "source.run": "Run #{id} ({rule_set}, unpublished)",
    "palette": "Colours",
    "palette.accessible": "Accessible (colour-blind safe)",
    "palette.official": "Rule set's own colours",
    "view": "View",
    "view.map": "Map",
    "view.grid": "Tile grid",
    "grid.note": "No boundaries for these areas: a tile grid, grouped by the area above them.",
    "off_map": "Areas without a boundary",
    "legend": "Legend",
    "units": "{n} areas",
    "not_assessed": "Not assessed (context only)",
    "changes.on": "Changes on {date}",
    "changes.none": "No level changed on this day",
    "hover.hint": "Hover for names, click for the reasons.",
    "area.level_on": "Risk level on {date}",
    "area.since": "since {date}",
    "area.clause": "Clause that fired",
    "area.reason": "Reason",
    "area.indicators": "Indicators (data to {date})",
    "area.indicator": "Indicator",
    "area.value": "Value",
    "area.history": "Level over time",
    "area.measures": "Measures in force",
    "area.no_measures": "No measures are registered for this level.",
    "area.announcements": "Announcements concerning this area",
    "area.no_announcements": "No announcement concerned this area.",
    "area.parent": "Part of",
    "area.code": "Code",
    "area.rule_set": "Rule set",
    "area.not_found": "No published level of this area is in force on {date}.",
    "area.back": "Back to the map",
    "area.run": "Run #{id}",
    "yes": "yes",
    "no": "no",
    "overview.title": "Overview",
    "overview.counts": "Areas at each risk level",
    "overview.latest": "Latest level changes",
    "overview.none": "No level changes.",
    "announcements.title": "Announcements",
    "announcement.no": "Announcement No. {n}",
    "announcement.retraction": "Retraction",
    "announcement.retracted": "Retracted by announcement No. {n}",
    "announcement.effective": "in force from {date}",
    "announcement.changes": "{n} areas changed level",
    "col.date": "Date",
    "col.area": "Area",
    "col.change": "Change",
    "col.reason": "Reason",
    "first": "first publication",
  },
};

const saved = localStorage.getItem("epizone.lang");
export let lang = saved === "zh" || saved === "en" ? saved : (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";

export function setLang(value) {
  lang = value;
  localStorage.setItem("epizone.lang", value);
}

export function t(key, params = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** A {zh, en} pair from the service in the current language. */
export function pick(pair) {
  if (pair == null) return "";
  return pair[lang] ?? pair.en ?? pair.zh ?? "";
}

/** The static texts of the page (data-i18n, data-i18n-placeholder, data-i18n-aria) in the current language. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  document.title = `epizone · ${t("brand")}`;
}

export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  if (lang === "zh") return `${y}年${m}月${d}日`;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${d} ${months[m - 1]} ${y}`;
}
