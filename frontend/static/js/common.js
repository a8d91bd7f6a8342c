// Shared by every page: strings in the page's language, API calls, the top bar, small helpers.
import en from "../i18n/en.js";
import he from "../i18n/he.js";

const DICTS = { en, he };
export const lang = document.documentElement.lang === "he" ? "he" : "en";
const dict = DICTS[lang];

/** The string `key` in the page's language, with `{name}` placeholders filled in. */
export function t(key, vars = {}) {
  const text = dict[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Switch the language: a cookie the server reads, then reload (the page comes back rtl/ltr). */
export function setLang(next) {
  document.cookie = `hakshev_lang=${next}; path=/; max-age=31536000; samesite=lax`;
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.replace(url.toString());
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** fetch() against the API with the session cookie; JSON in and out; 401 → the sign-in page. */
export async function api(path, { method = "GET", body, raw = false } = {}) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
    throw new ApiError(401, "not signed in");
  }
  if (!res.ok) {
    let detail = res.statusText;
    try {
      const data = await res.json();
      detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail);
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, detail);
  }
  return raw ? res : res.json();
}

/** A DOM element: el("div", {class: "x", onclick: fn}, child, "text", ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Seconds as m:ss (or h:mm:ss). */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds ?? 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function pct(x) {
  return x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`;
}

export function dateTime(iso) {
  if (!iso) return "–";
  return new Date(iso).toLocaleString(lang === "he" ? "he-IL" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
  });
}

let mePromise = null;
/** The signed-in user: {username, display_name, role, team}. */
export function me() {
  mePromise ??= api("/v1/auth/me");
  return mePromise;
}

let rubricsPromise = null;
/** Rubric titles, rules and "why" by id, in the page's language. */
export async function rubrics() {
  rubricsPromise ??= api("/v1/rubrics")
    .then((list) => Object.fromEntries(list.map((r) => [r.id, r])))
    .catch(() => ({}));
  return rubricsPromise;
}

export function rubricTitle(all, id) {
  const r = all[id];
  return r ? r.title[lang] ?? r.title.en : id.replaceAll("_", " ");
}

export function rubricWhy(all, id) {
  const r = all[id];
  return r ? r.why[lang] ?? r.why.en : "";
}

const LEAD_ROLES = new Set(["lead", "trainer", "admin"]);

/** The top bar: brand, the pages this role uses, who is signed in, language, sign out. */
export async function topbar(active, { compact = false } = {}) {
  const user = await me();
  const links = [["panel", "/panel", "nav_panel"]];
  if (LEAD_ROLES.has(user.role)) links.push(["live", "/live", "nav_live"]);
  links.push(["calls", "/calls", "nav_calls"], ["trends", "/trends", "nav_trends"]);
  const bar = el(
    "header",
    { class: `topbar${compact ? " compact" : ""}` },
    el("a", { class: "brand", href: "/" }, t("brand")),
    el(
      "nav",
      {},
      links.map(([id, href, key]) =>
        el("a", { href, class: id === active ? "active" : "", "aria-current": id === active ? "page" : null }, t(key)),
      ),
    ),
    el(
      "div",
      { class: "user" },
      el("span", { class: "who", title: user.role }, user.display_name || user.username),
      el(
        "button",
        { class: "link lang-switch", type: "button", onclick: () => setLang(lang === "he" ? "en" : "he"), title: t("language") },
        lang === "he" ? "EN" : "עב",
      ),
      el("button", { class: "link", type: "button", id: "sign-out", onclick: signOut }, t("sign_out")),
    ),
  );
  document.body.prepend(bar);
  return user;
}

export async function signOut() {
  await fetch("/v1/auth/logout", { method: "POST", credentials: "same-origin" });
  location.assign("/login");
}

export function wsUrl(path) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}

/** Show an error in the page's #notice. */
export function notice(message, kind = "error") {
  const box = document.getElementById("notice");
  if (!box) return;
  box.textContent = message;
  box.className = `notice ${kind}`;
  box.hidden = !message;
}

export function outcomeLabel(o) {
  return o ? t(`outcome_${o}`) : "–";
}

// Static strings in the page's HTML: <h1 data-t="key">English</h1>.
for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
