// The rep's side panel: live transcript, nudges, floor/rant timer, talk share, offers.
// /panel?call=ID shows one call; /panel?rep=ID (or /panel, for a rep: their own) follows a rep's
// current live call and switches when the next one starts.
import { api, clock, el, me, notice, pct, rubrics, rubricTitle, rubricWhy, t, topbar, wsUrl } from "./common.js";
import { startMic } from "./mic.js";

const RANT_AMBER = 90;
const RANT_RED = 120;
const NUDGE_FADE_S = 60; // a nudge fades after a minute of call time
const SEVERITY = { critical: 0, warning: 1, info: 2 };

const params = new URLSearchParams(location.search);
const root = document.getElementById("panel");
let user;
let rubricInfo = {};

// ---- state of the call shown ----
const state = {
  callId: null,
  call: null,
  lines: new Map(), // key → {speaker, role, start, end, text, final}
  nudges: [], // {key, rubric, kind, at, text, severity, why, to}
  dismissed: new Set(),
  seen: new Set(), // nudges shown before: no highlight again after a reconnect
  metrics: null,
  now: 0,
  status: "idle",
  scorecard: null,
};
let socket = null;
let retry = 0;
let followRep = null;

function reset(callId) {
  state.callId = callId;
  state.call = null;
  state.lines = new Map();
  state.nudges = [];
  state.metrics = null;
  state.now = 0;
  state.scorecard = null;
  state.dismissed = new Set();
  state.seen = new Set();
  state.status = callId ? "connecting" : "idle";
}

// ---- layout ----
const ui = {};
function layout() {
  root.replaceChildren(
    el(
      "section",
      { class: "call-head" },
      el("div", { class: "title-row" }, (ui.title = el("h1", { class: "call-title", dir: "auto" }, t("panel_waiting"))), (ui.status = el("span", { class: "status-pill" }))),
      (ui.sub = el("div", { class: "muted small" })),
    ),
    el(
      "section",
      { class: "cues", "aria-label": "live cues" },
      el("div", { class: "cue floor-cue" }, el("div", { class: "cue-label" }, t("floor")), (ui.floor = el("div", { class: "floor", id: "floor" }, "–")), (ui.rant = el("div", { class: "rant-timer", id: "rant-timer" }, "0:00"))),
      el(
        "div",
        { class: "cue share-cue" },
        el("div", { class: "cue-label" }, t("talk_share")),
        (ui.shareBar = el("div", { class: "share-bar" }, (ui.shareCompany = el("span", { class: "company" })), (ui.shareCustomer = el("span", { class: "customer" })))),
        (ui.shareText = el("div", { class: "small muted" }, "–")),
      ),
      el("div", { class: "cue offers-cue" }, el("div", { class: "cue-label" }, t("offers")), (ui.offers = el("div", { class: "offers", id: "offers" }, "0/2"))),
    ),
    el("section", { class: "nudges", "aria-live": "polite" }, el("h2", {}, t("nudges")), (ui.nudges = el("div", { id: "nudges" })), (ui.earlier = el("details", { class: "earlier", hidden: true }, el("summary", {}, t("earlier_nudges")), (ui.earlierList = el("div", {}))))),
    el("section", { class: "transcript-box" }, el("h2", {}, t("transcript")), (ui.transcript = el("div", { id: "transcript", class: "transcript" }, el("p", { class: "muted" }, t("no_transcript"))))),
    (ui.after = el("section", { class: "after", hidden: true })),
    (ui.tryIt = el("section", { class: "try-it" })),
  );
}

// ---- events socket, reconnecting by itself ----
function connect(callId) {
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
  reset(callId);
  render();
  if (!callId) return;
  open();
}

function open() {
  const callId = state.callId;
  const ws = new WebSocket(wsUrl(`/v1/calls/${encodeURIComponent(callId)}/events`));
  socket = ws;
  ws.onmessage = (msg) => {
    retry = 0;
    handle(JSON.parse(msg.data));
  };
  ws.onclose = (ev) => {
    if (socket !== ws || state.callId !== callId) return;
    if (ev.code === 1000 && state.scorecard) {
      state.status = "ended";
      render();
      return;
    }
    if (ev.code === 1008) {
      state.status = "error";
      notice(ev.reason || t("error"));
      render();
      return;
    }
    // Dropped (network, server restart, 1013 too far behind): reconnect; the server sends the
    // call so far again, and lines are keyed, so nothing is lost or doubled.
    state.status = "reconnecting";
    render();
    retry = Math.min(retry + 1, 5);
    setTimeout(() => state.callId === callId && open(), 400 * retry);
  };
}

function lineKey(e) {
  return e.utterance_id !== undefined && e.utterance_id !== null ? `${e.speaker}#${e.utterance_id}` : `${e.speaker}@${e.start}`;
}

function handle(e) {
  switch (e.type) {
    case "call":
      // First message of every (re)connection: the history follows.
      state.call = e;
      state.nudges = [];
      for (const [k, line] of state.lines) if (line.final) state.lines.delete(k);
      state.status = e.status === "ended" ? "ended" : "live";
      state.now = Math.max(state.now, e.at ?? 0);
      break;
    case "transcript": {
      const key = lineKey(e);
      const old = state.lines.get(key);
      if (old && old.final && !e.final) break;
      state.lines.set(key, { ...e });
      state.now = Math.max(state.now, e.end ?? 0);
      break;
    }
    case "nudge": {
      const key = `${e.rubric}|${e.kind}|${e.at}`;
      if (!state.nudges.some((n) => n.key === key)) state.nudges.push({ ...e, key, fresh: !state.seen.has(key) });
      state.seen.add(key);
      state.now = Math.max(state.now, e.at ?? 0);
      break;
    }
    case "metrics":
      state.metrics = e;
      state.now = Math.max(state.now, e.at ?? 0);
      break;
    case "suspended":
      state.status = "suspended";
      break;
    case "resumed":
      state.status = "live";
      break;
    case "scorecard":
      state.scorecard = e.scorecard;
      state.status = "ended";
      if (e.scorecard?.metrics) state.metrics = { ...(state.metrics || {}), ...e.scorecard.metrics, floor: null, floor_seconds: 0 };
      break;
    case "error":
      notice(e.message || t("error"));
      break;
    default:
      return;
  }
  scheduleRender();
}

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

// ---- rendering ----
function speakerName(id) {
  const p = state.call?.participants?.find((x) => x.id === id);
  return p ? p.name || p.role : id;
}
function speakerRole(id) {
  return state.call?.participants?.find((x) => x.id === id)?.role ?? "";
}

function render() {
  const c = state.call;
  ui.title.textContent = c ? c.title || c.call_id : state.callId || (followRep ? t("panel_following", { rep: followRep }) : t("panel_waiting"));
  ui.status.textContent = state.status === "idle" ? "" : t(`status_${state.status === "connecting" ? "reconnecting" : state.status}`) ?? state.status;
  ui.status.className = `status-pill ${state.status}`;
  ui.status.id = "call-status";
  ui.sub.textContent = c ? `${clock(state.now)} · ${c.language?.toUpperCase() ?? ""} · ${(c.participants || []).map((p) => p.name || p.role).join(", ")}` : "";
  renderCues();
  renderNudges();
  renderTranscript();
  renderAfter();
}

function renderCues() {
  const m = state.metrics;
  const seconds = m?.floor_seconds ?? 0;
  if (m && m.floor && state.status !== "ended") {
    ui.floor.textContent = `${speakerName(m.floor_speaker)} (${m.floor})`;
    ui.floor.dataset.role = m.floor;
  } else {
    ui.floor.textContent = t("floor_nobody");
    ui.floor.dataset.role = "";
  }
  ui.rant.textContent = clock(m?.floor ? seconds : 0);
  ui.rant.className = `rant-timer ${m?.floor && seconds >= RANT_RED ? "red" : m?.floor && seconds >= RANT_AMBER ? "amber" : ""}`;
  const company = m?.company_share ?? 0;
  const customer = m?.customer_share ?? 0;
  const total = company + customer || 1;
  ui.shareCompany.style.width = `${(100 * company) / total}%`;
  ui.shareCustomer.style.width = `${(100 * customer) / total}%`;
  ui.shareText.textContent = m ? `${t("company")} ${pct(company)} · ${t("customer")} ${pct(customer)}` : "–";
  const offers = m?.offers ?? 0;
  ui.offers.textContent = `${offers}/2`;
  ui.offers.className = `offers ${offers > 2 ? "red" : offers === 2 ? "amber" : ""}`;
}

function nudgeActive(n, list) {
  if (state.dismissed.has(n.key)) return false;
  if (list.some((o) => o.rubric === n.rubric && o.at > n.at)) return false; // superseded
  return state.status !== "ended" && state.now - n.at < NUDGE_FADE_S;
}

function nudgeCard(n, active) {
  const card = el(
    "article",
    { class: `nudge ${n.severity} ${active ? "" : "faded"} ${active && n.fresh ? "fresh" : ""}`, dataset: { rubric: n.rubric, kind: n.kind } },
    el("div", { class: "nudge-head" }, el("span", { class: "nudge-rubric" }, rubricTitle(rubricInfo, n.rubric)), el("span", { class: "nudge-at muted" }, clock(n.at))),
    el("p", { class: "nudge-text", dir: "auto" }, n.text),
    el("p", { class: "nudge-why small", dir: "auto" }, el("strong", {}, `${t("why")}: `), n.why || rubricWhy(rubricInfo, n.rubric)),
    active
      ? el(
          "button",
          {
            class: "link handled",
            type: "button",
            onclick: () => {
              state.dismissed.add(n.key);
              render();
            },
          },
          t("handled"),
        )
      : null,
  );
  n.fresh = false;
  return card;
}

function renderNudges() {
  const list = state.nudges;
  const active = list.filter((n) => nudgeActive(n, list));
  active.sort((a, b) => (SEVERITY[a.severity] ?? 3) - (SEVERITY[b.severity] ?? 3) || b.at - a.at);
  const earlier = list.filter((n) => !active.includes(n)).sort((a, b) => b.at - a.at);
  ui.nudges.replaceChildren(...(active.length ? active.map((n) => nudgeCard(n, true)) : [el("p", { class: "muted small" }, t("no_nudges"))]));
  ui.earlier.hidden = earlier.length === 0;
  ui.earlierList.replaceChildren(...earlier.map((n) => nudgeCard(n, false)));
}

function renderTranscript() {
  const box = ui.transcript;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const lines = [...state.lines.values()].sort((a, b) => a.start - b.start);
  if (!lines.length) {
    box.replaceChildren(el("p", { class: "muted" }, t("no_transcript")));
    return;
  }
  box.replaceChildren(
    ...lines.map((l) =>
      el(
        "div",
        { class: `line ${l.final ? "final" : "partial"} role-${l.role || speakerRole(l.speaker)}`, dataset: { start: l.start } },
        el("span", { class: "who" }, speakerName(l.speaker)),
        el("span", { class: "when muted" }, clock(l.start)),
        el("p", { class: "text", dir: "auto" }, l.text),
      ),
    ),
  );
  if (nearBottom) box.scrollTop = box.scrollHeight;
}

function renderAfter() {
  if (state.status !== "ended" || !state.callId) {
    ui.after.hidden = true;
    return;
  }
  ui.after.hidden = false;
  const score = state.scorecard?.score;
  ui.after.replaceChildren(
    el("p", {}, `${t("score")}: `, el("strong", { id: "final-score" }, score ?? "–")),
    el("a", { href: `/calls/${encodeURIComponent(state.callId)}`, class: "button" }, t("open_scorecard")),
  );
}

// ---- follow a rep ----
async function follow(rep) {
  followRep = rep;
  const poll = async () => {
    try {
      const got = await api(`/v1/live?rep=${encodeURIComponent(rep)}`);
      if (got.current && got.current !== state.callId) connect(got.current);
    } catch (err) {
      if (err.status === 403) notice(err.message);
    }
  };
  await poll();
  setInterval(poll, 1500);
}

// ---- try it: simulate a call, or use the microphone ----
async function tryIt() {
  let calls = [];
  try {
    calls = await api("/v1/demo/calls");
  } catch {
    calls = [];
  }
  const select = el("select", { id: "demo-call", "aria-label": t("simulate") }, calls.map((c) => el("option", { value: c.name }, `${c.language.toUpperCase()} · ${clock(c.duration)} · ${c.title.slice(0, 70)}`)));
  const speed = el("select", { id: "demo-speed", "aria-label": t("speed") }, [1, 2, 4, 8].map((s) => el("option", { value: s }, `${s}×`)));
  const simulate = async (e) => {
    notice("");
    const button = e.currentTarget;
    button.disabled = true;
    button.textContent = t("preparing");
    try {
      const body = { call: select.value, speed: Number(speed.value) };
      if (followRep && followRep !== user.username) body.rep = followRep;
      const got = await api("/v1/demo/simulate", { method: "POST", body });
      if (followRep) connect(got.call_id);
      else location.assign(got.panel);
    } catch (err) {
      notice(err.message);
    } finally {
      button.disabled = false;
      button.textContent = t("start");
    }
  };
  const sim = el(
    "details",
    { class: "sim", open: !state.callId },
    el("summary", {}, t("simulate")),
    el("p", { class: "small muted" }, t("simulate_help")),
    calls.length ? el("div", { class: "row" }, select) : null,
    el("div", { class: "row" }, el("label", {}, `${t("speed")} `, speed), el("button", { type: "button", id: "simulate", onclick: simulate, disabled: !calls.length }, t("start"))),
  );
  ui.tryIt.replaceChildren(el("h2", {}, t("try_it")), sim, micControls());
}

function micControls() {
  const language = el("select", { id: "mic-language" }, el("option", { value: "he" }, "עברית"), el("option", { value: "en" }, "English"));
  const file = el("input", { type: "file", id: "customer-file", accept: "audio/*" });
  const device = el("select", { id: "customer-device", hidden: true });
  const source = el(
    "select",
    {
      id: "customer-source",
      onchange: async () => {
        const useDevice = source.value === "device";
        file.hidden = useDevice;
        device.hidden = !useDevice;
        if (useDevice && !device.options.length) {
          const devices = await navigator.mediaDevices.enumerateDevices();
          device.replaceChildren(...devices.filter((d) => d.kind === "audioinput").map((d, i) => el("option", { value: d.deviceId }, d.label || `input ${i + 1}`)));
        }
      },
    },
    el("option", { value: "file" }, t("customer_file")),
    el("option", { value: "device" }, t("customer_device")),
  );
  const status = el("p", { class: "small", id: "mic-status" });
  let session = null;
  const button = el("button", { type: "button", id: "mic-start" }, t("start"));
  button.addEventListener("click", async () => {
    notice("");
    if (session) {
      button.disabled = true;
      await session.stop();
      session = null;
      button.disabled = false;
      button.textContent = t("start");
      status.textContent = t("mic_stopped");
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia || !window.AudioWorkletNode) {
      notice(t("mic_unsupported"));
      return;
    }
    try {
      session = await startMic({
        language: language.value,
        customerFile: source.value === "file" ? file.files[0] : null,
        customerDeviceId: source.value === "device" ? device.value : null,
        repName: user.display_name || user.username,
        onEnd: (reason) => {
          session = null;
          button.textContent = t("start");
          if (reason) notice(reason);
        },
      });
      button.textContent = t("stop");
      status.textContent = t("mic_started");
      connect(session.callId);
      history.replaceState(null, "", `/panel?call=${encodeURIComponent(session.callId)}`);
    } catch (err) {
      session = null;
      notice(err.message || String(err));
    }
  });
  return el(
    "details",
    { class: "mic" },
    el("summary", {}, t("use_mic")),
    el("p", { class: "small muted" }, t("mic_help")),
    el("div", { class: "row" }, el("label", {}, `${t("call_language")} `, language)),
    el("div", { class: "row" }, el("label", {}, `${t("customer_source")}: `, source)),
    el("div", { class: "row" }, file, device),
    el("div", { class: "row" }, button),
    status,
  );
}

// ---- start ----
async function main() {
  user = await topbar("panel", { compact: true });
  rubricInfo = await rubrics();
  layout();
  const call = params.get("call");
  const rep = params.get("rep") || (!call && user.role === "rep" ? user.username : null);
  if (call) connect(call);
  else render();
  await tryIt();
  if (!call && rep) await follow(rep);
  setInterval(() => state.callId && state.status === "live" && renderNudges(), 1000);
}

main().catch((err) => notice(err.message || String(err)));
