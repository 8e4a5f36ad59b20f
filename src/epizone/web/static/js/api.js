// Reading the service: the REST API under /api/v1 (same origin only), with the token if one is saved.

const BASE = "/api/v1";
const cache = new Map();

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function token() {
  return localStorage.getItem("epizone.token") || "";
}

export function setToken(value) {
  if (value) localStorage.setItem("epizone.token", value);
  else localStorage.removeItem("epizone.token");
  cache.clear();
}

/** GET a JSON answer (cached for the page's life: published data do not change under a reader's eyes). */
export function get(path, params = {}, { fresh = false } = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null));
  const url = `${BASE}${path}${query.size ? `?${query}` : ""}`;
  if (!fresh && cache.has(url)) return cache.get(url);
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const answer = fetch(url, { headers, credentials: "omit" }).then(async (response) => {
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail ?? detail; } catch { /* not JSON */ }
      throw new ApiError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return response.json();
  });
  cache.set(url, answer);
  answer.catch(() => cache.delete(url));
  return answer;
}

/** Every item of a paged list. */
export async function all(path, params = {}) {
  const first = await get(path, { ...params, limit: 10000, offset: 0 });
  let items = first.items;
  while (items.length < first.total) {
    const next = await get(path, { ...params, limit: 10000, offset: items.length });
    if (!next.items.length) break;
    items = items.concat(next.items);
  }
  return items;
}
