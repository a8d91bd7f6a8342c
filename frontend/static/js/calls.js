// /calls: the calls table — filters and sorting on the server, pagination for thousands of calls.
// The state lives in the URL (?rep=...&sort=-score&offset=50), so a filtered view is a link.
import { api, clock, dateTime, el, lang, notice, outcomeLabel, rubrics, rubricTitle, t, topbar } from "./common.js";

const form = document.getElementById("filters");
const table = document.getElementById("calls-table");
const pager = document.getElementById("pager");
const FILTERS = ["date_from", "date_to", "rep", "customer", "language", "outcome", "churn_reason", "min_score", "max_score", "failed", "status"];
const MINUTES = ["min_duration", "max_duration"]; // minutes on the form, seconds in the query
const COLUMNS = [
  ["started_at", "date"],
  ["rep", "rep"],
  ["customer", "customer_col"],
  ["language", "language_col"],
  ["duration", "duration"],
  ["outcome", "outcome"],
  ["churn_reason", "churn_reason"],
  ["score", "score"],
  [null, "failed_rubrics"],
];
const REASONS = ["price", "product", "service", "non_usage", "unknown"];
let rubricInfo = {};

function query() {
  return new URLSearchParams(location.search);
}

function buildForm() {
  const q = query();
  const input = (name, attrs = {}) => el("input", { name, id: `f-${name}`, value: q.get(name) ?? "", ...attrs });
  const select = (name, options) =>
    el(
      "select",
      { name, id: `f-${name}` },
      el("option", { value: "" }, t("all")),
      options.map(([v, label]) => el("option", { value: v, selected: q.get(name) === v }, label)),
    );
  const field = (key, control) => el("label", {}, t(key), control);
  form.replaceChildren(
    field("from", input("date_from", { type: "date" })),
    field("to", input("date_to", { type: "date" })),
    field("rep", input("rep", { size: 10 })),
    field("customer_col", input("customer", { size: 10 })),
    field("language_col", select("language", [["he", "עברית"], ["en", "English"]])),
    field("outcome", select("outcome", ["saved", "churned", "undecided"].map((o) => [o, outcomeLabel(o)]))),
    field("min_minutes", el("input", { name: "min_duration", id: "f-min_duration", type: "number", min: 0, step: 0.5, value: q.get("min_duration") ? Number(q.get("min_duration")) / 60 : "", style: { width: "5rem" } })),
    field("max_minutes", el("input", { name: "max_duration", id: "f-max_duration", type: "number", min: 0, step: 0.5, value: q.get("max_duration") ? Number(q.get("max_duration")) / 60 : "", style: { width: "5rem" } })),
    field("churn_reason", select("churn_reason", REASONS.map((r) => [r, r.replace("_", " ")]))),
    field("min_score", input("min_score", { type: "number", min: 0, max: 100, style: { width: "5rem" } })),
    field("max_score", input("max_score", { type: "number", min: 0, max: 100, style: { width: "5rem" } })),
    field("failed_rubric", select("failed", Object.keys(rubricInfo).map((id) => [id, rubricTitle(rubricInfo, id)]))),
    field("status", select("status", [["live", t("status_live")], ["ended", t("status_ended")]])),
    el("button", { type: "submit", id: "apply-filters" }, t("filter")),
    el("button", { type: "button", class: "secondary", onclick: () => go(new URLSearchParams()) }, t("reset")),
  );
}

function go(q) {
  history.pushState(null, "", `/calls${q.toString() ? `?${q}` : ""}`);
  load();
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = query();
  const data = new FormData(form);
  for (const name of FILTERS) {
    const v = String(data.get(name) ?? "").trim();
    if (v) q.set(name, v);
    else q.delete(name);
  }
  for (const name of MINUTES) {
    const v = String(data.get(name) ?? "").trim();
    if (v) q.set(name, String(Math.round(Number(v) * 60)));
    else q.delete(name);
  }
  q.delete("offset");
  go(q);
});

function sortBy(column) {
  const q = query();
  const current = q.get("sort") || "-started_at";
  const next = current === `-${column}` ? column : `-${column}`;
  q.set("sort", next);
  q.delete("offset");
  go(q);
}

function scoreClass(s) {
  if (s === null || s === undefined) return "";
  return s < 50 ? "score-low" : s < 75 ? "score-mid" : "score-high";
}

function row(c) {
  const customer = c.participants.find((p) => p.role === "customer");
  const href = `/calls/${encodeURIComponent(c.id)}`;
  return el(
    "tr",
    { dataset: { callId: c.id } },
    el("td", {}, el("a", { href }, dateTime(c.started_at))),
    el("td", { dir: "auto" }, c.rep_id || "–"),
    el("td", { dir: "auto" }, customer?.name || "–"),
    el("td", {}, c.language.toUpperCase()),
    el("td", {}, clock(c.duration)),
    el("td", {}, c.status === "live" ? t("status_live") : outcomeLabel(c.outcome)),
    el("td", {}, c.churn_reason ? c.churn_reason.replace("_", " ") : "–"),
    el("td", {}, el("span", { class: `score-badge ${scoreClass(c.score)}` }, c.score ?? "–")),
    el(
      "td",
      {},
      c.failed_rubrics.map((r) => el("span", { class: "chip", dataset: { rubric: r } }, rubricTitle(rubricInfo, r))),
      " ",
      el("a", { href: `${href}/replay`, class: "small" }, t("replay")),
    ),
  );
}

async function load() {
  const q = query();
  const limit = Number(q.get("limit") || 25);
  const offset = Number(q.get("offset") || 0);
  const apiQ = new URLSearchParams(q);
  apiQ.set("limit", String(limit));
  apiQ.set("offset", String(offset));
  if (!apiQ.get("sort")) apiQ.set("sort", "-started_at");
  buildForm();
  let page;
  try {
    page = await api(`/v1/calls?${apiQ}`);
    notice("");
  } catch (err) {
    notice(err.message);
    return;
  }
  const sort = apiQ.get("sort");
  table.replaceChildren(
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        COLUMNS.map(([col, key]) =>
          el(
            "th",
            {},
            col
              ? el(
                  "button",
                  {
                    type: "button",
                    dataset: { sort: col },
                    "aria-sort": sort === col ? "ascending" : sort === `-${col}` ? "descending" : null,
                    onclick: () => sortBy(col),
                  },
                  t(key),
                )
              : t(key),
          ),
        ),
      ),
    ),
    el("tbody", {}, page.items.length ? page.items.map(row) : el("tr", {}, el("td", { colspan: COLUMNS.length, class: "muted" }, t("no_calls")))),
  );
  const to = Math.min(offset + limit, page.total);
  const move = (o) => {
    const next = query();
    next.set("offset", String(Math.max(0, o)));
    go(next);
  };
  pager.replaceChildren(
    el("button", { type: "button", class: "secondary", disabled: offset <= 0, onclick: () => move(offset - limit), id: "prev-page" }, lang === "he" ? `→ ${t("prev")}` : `← ${t("prev")}`),
    el("span", { id: "page-info" }, t("page_of", { from: page.total ? offset + 1 : 0, to, total: page.total })),
    el("button", { type: "button", class: "secondary", disabled: to >= page.total, onclick: () => move(offset + limit), id: "next-page" }, lang === "he" ? `${t("next")} ←` : `${t("next")} →`),
    el(
      "label",
      { class: "small" },
      el(
        "select",
        {
          onchange: (e) => {
            const next = query();
            next.set("limit", e.target.value);
            next.delete("offset");
            go(next);
          },
        },
        [25, 50, 100, 200].map((n) => el("option", { value: n, selected: n === limit }, n)),
      ),
      ` ${t("per_page")}`,
    ),
  );
}

window.addEventListener("popstate", load);

async function main() {
  await topbar("calls");
  rubricInfo = await rubrics();
  await load();
}
main().catch((err) => notice(err.message));
