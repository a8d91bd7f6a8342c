// /live: every call in progress as a tile, updated every second or so; a click opens its panel.
import { api, clock, el, notice, pct, rubrics, rubricTitle, t, topbar } from "./common.js";

const box = document.getElementById("tiles");
let rubricInfo = {};

function tile(c) {
  const failing = c.failing_rubrics.length > 0;
  const seconds = c.floor_seconds || 0;
  const rant = seconds >= 120 ? "red" : seconds >= 90 ? "amber" : "";
  return el(
    "a",
    { class: `tile${failing ? " failing" : ""}`, href: `/panel?call=${encodeURIComponent(c.call_id)}`, dataset: { callId: c.call_id } },
    failing ? el("span", { class: "red-mark", title: `${t("failing")}: ${c.failing_rubrics.map((r) => rubricTitle(rubricInfo, r)).join(", ")}` }) : null,
    el("h3", { dir: "auto" }, c.rep_id || "–"),
    el("div", { class: "muted small", dir: "auto" }, `${t("customer_col")}: ${c.customer || "–"}`),
    el("div", { class: "kv" }, el("span", {}, t("duration")), el("strong", {}, clock(c.duration))),
    el(
      "div",
      { class: "kv" },
      el("span", {}, t("floor")),
      el("span", { class: `rant-timer-small ${rant}` }, c.floor ? `${c.floor_name || c.floor} · ${clock(seconds)}` : t("floor_nobody")),
    ),
    el("div", { class: "kv" }, el("span", {}, t("talk_share")), el("span", {}, `${pct(c.company_share)} / ${pct(c.customer_share)}`)),
    el("div", { class: "kv" }, el("span", {}, t("offers")), el("span", {}, `${c.offers ?? 0}/2`)),
    c.latest_nudge
      ? el("div", { class: "nudge-line", dir: "auto" }, el("strong", {}, `${rubricTitle(rubricInfo, c.latest_nudge.rubric)}: `), c.latest_nudge.text)
      : null,
    failing ? el("div", {}, c.failing_rubrics.map((r) => el("span", { class: "chip" }, rubricTitle(rubricInfo, r)))) : null,
  );
}

async function refresh() {
  try {
    const { items } = await api("/v1/live");
    box.replaceChildren(...(items.length ? items.map(tile) : [el("p", { class: "muted" }, t("live_none"))]));
    notice("");
  } catch (err) {
    notice(err.message);
  }
}

async function main() {
  await topbar("live");
  rubricInfo = await rubrics();
  await refresh();
  setInterval(refresh, 1000);
}
main().catch((err) => notice(err.message));
