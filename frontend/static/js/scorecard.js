// /calls/ID: the score, each rubric's verdict with its reason and evidence quotes (each a link to
// that moment of the replay), the classifications and the call's metrics.
import { ApiError, api, clock, dateTime, el, notice, outcomeLabel, pct, rubrics, rubricTitle, t, topbar } from "./common.js";

const root = document.getElementById("scorecard");
const callId = decodeURIComponent(location.pathname.split("/")[2]);

function metric(key, value) {
  return el("div", { class: "metric" }, el("div", { class: "v" }, value), el("div", { class: "k" }, t(key)));
}

function byRole(map) {
  return Object.entries(map || {})
    .map(([role, v]) => `${role} ${typeof v === "number" && v <= 1 ? pct(v) : clock(v)}`)
    .join(" · ") || "–";
}

async function main() {
  await topbar("calls");
  const info = await rubrics();
  let call;
  let card;
  try {
    call = await api(`/v1/calls/${encodeURIComponent(callId)}`);
    card = call.status === "ended" ? await api(`/v1/calls/${encodeURIComponent(callId)}/scorecard`) : null;
  } catch (err) {
    root.replaceChildren(el("h1", {}, err instanceof ApiError ? String(err.status) : t("error")), el("p", {}, err.message));
    return;
  }
  const replay = `/calls/${encodeURIComponent(callId)}/replay`;
  const head = el(
    "section",
    { class: "card" },
    el("h1", { dir: "auto" }, call.title || call.id),
    el("p", { class: "muted" }, `${dateTime(call.started_at)} · ${call.rep_id || "–"} · ${call.language.toUpperCase()} · ${clock(call.duration)}`),
    el("p", { class: "small", dir: "auto" }, `${t("participants")}: `, call.participants.map((p) => `${p.name || p.id} (${p.role})`).join(", ")),
    el("a", { href: replay, class: "button", id: "open-replay" }, t("replay")),
  );
  if (!card) {
    root.replaceChildren(head, el("section", { class: "card" }, el("p", {}, t("still_live")), el("a", { href: `/panel?call=${encodeURIComponent(callId)}` }, t("open_panel"))));
    return;
  }
  const m = card.metrics || {};
  const order = { fail: 0, pass: 1, na: 2 };
  const verdicts = Object.entries(card.verdicts || {}).sort((a, b) => order[a[1].verdict] - order[b[1].verdict]);
  root.replaceChildren(
    head,
    el(
      "section",
      { class: "card summary-grid" },
      el("div", {}, el("div", { class: "score-big", id: "score" }, card.score ?? "–"), el("div", { class: "muted" }, t("score"))),
      el("div", {}, el("div", { class: "muted small" }, t("outcome")), el("strong", {}, outcomeLabel(card.outcome))),
      el("div", {}, el("div", { class: "muted small" }, t("churn_reason")), el("strong", {}, card.churn_reason || "–")),
      el("div", {}, el("div", { class: "muted small" }, t("churn_stage")), el("strong", {}, card.churn_stage || "–")),
    ),
    el(
      "section",
      { class: "card" },
      el("h2", {}, t("metrics")),
      el(
        "div",
        { class: "metrics-grid" },
        metric("talk_share", `${t("company")} ${pct(m.company_share)} · ${t("customer")} ${pct(m.customer_share)}`),
        metric("take_overs", m.take_overs ?? 0),
        metric("longest_monologue", byRole(m.longest_monologue)),
        metric("reply_gap", m.median_reply_gap === null || m.median_reply_gap === undefined ? "–" : `${m.median_reply_gap.toFixed(1)} s`),
        metric("offers", m.offers ?? 0),
      ),
    ),
    el(
      "section",
      { class: "card", id: "verdicts" },
      el("h2", {}, t("scorecard")),
      verdicts.map(([id, v]) =>
        el(
          "div",
          { class: "verdict", dataset: { rubric: id, verdict: v.verdict } },
          el("div", { class: "verdict-head" }, el("span", { class: `badge ${v.verdict}` }, t(`verdict_${v.verdict}`)), el("strong", {}, rubricTitle(info, id))),
          el("p", { class: "small", dir: "auto" }, v.reason),
          v.evidence?.length
            ? el(
                "ul",
                { class: "evidence" },
                v.evidence.map((e) =>
                  el(
                    "li",
                    {},
                    el("a", { href: `${replay}#t=${e.start}`, class: "evidence-link", dataset: { t: e.start } }, clock(e.start)),
                    " ",
                    el("q", { dir: "auto" }, e.text),
                  ),
                ),
              )
            : null,
        ),
      ),
    ),
  );
}

main().catch((err) => notice(err.message));
