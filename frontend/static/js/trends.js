// /trends: score over time (overall and per rep) and failure rate per rubric, with Chart.js.
/* global Chart */
import { api, el, lang, notice, rubrics, rubricTitle, t, topbar } from "./common.js";

const form = document.getElementById("trend-filters");
const summary = document.getElementById("trend-summary");
const PALETTE = ["#2f6fde", "#d9822b", "#1f8a4c", "#8e44ad", "#c8322f", "#16a2b8", "#7f8c8d", "#b7950b"];
let scoreChart = null;
let rubricChart = null;
let info = {};

function query() {
  return new URLSearchParams(location.search);
}

async function buildForm(user) {
  const q = query();
  let teams = {};
  try {
    teams = await api("/v1/stats/teams");
  } catch {
    teams = {};
  }
  const reps = [...new Set(Object.values(teams).flat())].sort();
  const select = (name, options) =>
    el("select", { name, id: `t-${name}` }, el("option", { value: "" }, t("all")), options.map((v) => el("option", { value: v, selected: q.get(name) === v }, v)));
  form.replaceChildren(
    user.role !== "rep" ? el("label", {}, t("team"), select("team", Object.keys(teams))) : null,
    user.role !== "rep" ? el("label", {}, t("rep"), reps.length ? select("rep", reps) : el("input", { name: "rep", value: q.get("rep") ?? "", size: 10 })) : null,
    el("label", {}, t("days"), el("input", { name: "days", type: "number", min: 1, max: 3660, value: q.get("days") ?? 90, style: { width: "6rem" } })),
    el("label", {}, t("bucket"), el("select", { name: "bucket" }, ["day", "week"].map((b) => el("option", { value: b, selected: (q.get("bucket") || "day") === b }, t(`bucket_${b}`))))),
    el("button", { type: "submit" }, t("filter")),
  );
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
  history.pushState(null, "", `/trends?${q}`);
  load();
});

async function load() {
  const q = query();
  let data;
  try {
    data = await api(`/v1/stats/trends?${q}`);
    notice("");
  } catch (err) {
    notice(err.message);
    return;
  }
  summary.textContent = t("calls_count", { n: data.calls });
  const datasets = [
    { label: t("average"), data: data.score, borderColor: "#1d2430", backgroundColor: "#1d2430", borderWidth: 3, tension: 0.25, spanGaps: true },
    ...Object.entries(data.per_rep)
      .slice(0, PALETTE.length)
      .map(([rep, values], i) => ({ label: rep, data: values, borderColor: PALETTE[i], backgroundColor: PALETTE[i], borderWidth: 1.5, tension: 0.25, spanGaps: true })),
  ];
  scoreChart?.destroy();
  scoreChart = new Chart(document.getElementById("score-chart"), {
    type: "line",
    data: { labels: data.periods, datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: t("score") } } },
      plugins: { legend: { rtl: lang === "he", position: "bottom" } },
    },
  });
  rubricChart?.destroy();
  rubricChart = new Chart(document.getElementById("rubric-chart"), {
    type: "bar",
    data: {
      labels: data.rubrics.map((r) => rubricTitle(info, r.rubric)),
      datasets: [{ label: t("failure_rate"), data: data.rubrics.map((r) => Math.round(r.failure_rate * 100)), backgroundColor: "#c8322f" }],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } }, y: { position: lang === "he" ? "right" : "left" } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.raw}% (${data.rubrics[c.dataIndex].failed}/${data.rubrics[c.dataIndex].applicable})` } },
      },
    },
  });
}

window.addEventListener("popstate", load);

async function main() {
  const user = await topbar("trends");
  info = await rubrics();
  await buildForm(user);
  await load();
}
main().catch((err) => notice(err.message));
