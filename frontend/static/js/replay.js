// /calls/ID/replay: the recording with a player over a timeline (one lane per participant, markers
// for nudges, findings and comments), the transcript following playback, and comments.
// #t=123.4 opens the replay at that moment. A call with no recording replays its timeline and
// transcript without the player: a click moves the cursor.
import { ApiError, api, clock, el, me, notice, rubrics, rubricTitle, t, topbar } from "./common.js";

const COMMENT_ROLES = new Set(["lead", "trainer", "admin"]);
const root = document.getElementById("replay");
const callId = decodeURIComponent(location.pathname.split("/")[2]);
const base = `/v1/calls/${encodeURIComponent(callId)}`;

let call;
let user;
let info = {};
let comments = [];
let audio = null;
let cursor = 0; // the current moment when there is no player
let rangeEnd = null;
let duration = 1;
const ui = {};

function now() {
  return audio ? audio.currentTime : cursor;
}

function seek(seconds) {
  const s = Math.max(0, Math.min(duration, Number(seconds) || 0));
  if (audio) {
    if (audio.readyState >= 1) audio.currentTime = s;
    else audio.addEventListener("loadedmetadata", () => (audio.currentTime = s), { once: true });
  }
  cursor = s;
  update(true);
}

function fromHash() {
  const m = /(?:^#|&)t=([0-9.]+)/.exec(location.hash);
  if (m) seek(parseFloat(m[1]));
}

const pos = (s) => `${(100 * Math.max(0, Math.min(duration, s))) / duration}%`;

function timeline() {
  const lanes = call.participants.map((p) =>
    el(
      "div",
      {},
      el("div", { class: "lane-label", dir: "auto" }, `${p.name || p.id} · ${p.role}`),
      el(
        "div",
        { class: `lane ${p.role}`, dataset: { speaker: p.id } },
        call.utterances.filter((u) => u.speaker === p.id).map((u) => el("div", { class: "seg", style: { left: pos(u.start), width: `${(100 * Math.max(0.2, u.end - u.start)) / duration}%` }, title: u.text })),
      ),
    ),
  );
  const markers = el(
    "div",
    { class: "markers", id: "markers" },
    call.nudges.map((n) => el("span", { class: `marker m-nudge ${n.severity}`, style: { left: pos(n.at) }, title: `${clock(n.at)} ${rubricTitle(info, n.rubric)}: ${n.text}`, dataset: { t: n.at } }, "▲")),
    call.findings.map((f) => el("span", { class: "marker m-finding", style: { left: pos(f.at) }, title: `${clock(f.at)} ${rubricTitle(info, f.rubric)}: ${f.kind}`, dataset: { t: f.at } }, "◆")),
    comments.map((c) => el("span", { class: "marker m-comment", style: { left: pos(c.start) }, title: `${clock(c.start)} ${c.author}: ${c.text}`, dataset: { t: c.start, commentId: c.id } }, "●")),
  );
  const bands = comments.filter((c) => c.end !== null && c.end !== undefined).map((c) => el("div", { class: "band", style: { left: pos(c.start), width: `${(100 * (c.end - c.start)) / duration}%` } }));
  ui.playhead = el("div", { class: "playhead", id: "playhead" });
  const box = el("div", { class: "timeline", id: "timeline" }, markers, ...lanes, ...bands, ui.playhead);
  box.addEventListener("click", (e) => {
    const target = e.target.closest("[data-t]");
    if (target) return seek(parseFloat(target.dataset.t));
    const r = box.getBoundingClientRect();
    seek(((e.clientX - r.left) / r.width) * duration);
  });
  return box;
}

function player() {
  if (!call.has_audio) return el("p", { class: "muted", id: "no-audio" }, t("no_audio"));
  audio = el("audio", { src: `${base}/audio`, preload: "metadata", id: "audio" });
  const play = el("button", { type: "button", id: "play" }, t("play"));
  play.addEventListener("click", () => (audio.paused ? audio.play() : audio.pause()));
  audio.addEventListener("play", () => (play.textContent = t("pause")));
  audio.addEventListener("pause", () => (play.textContent = t("play")));
  audio.addEventListener("timeupdate", () => update(false));
  audio.addEventListener("seeked", () => update(true));
  const speed = el("select", { id: "rate", onchange: (e) => (audio.playbackRate = Number(e.target.value)) }, [1, 1.25, 1.5, 1.75, 2].map((r) => el("option", { value: r }, `${r}×`)));
  ui.range = el("input", { type: "range", min: 0, max: duration, step: 0.1, value: 0, id: "seek", style: { flex: 1 }, oninput: (e) => seek(e.target.value) });
  return el("div", { class: "player" }, audio, play, (ui.time = el("span", { class: "time" })), ui.range, el("label", {}, `${t("speed")} `, speed));
}

function transcript() {
  const roles = Object.fromEntries(call.participants.map((p) => [p.id, p]));
  ui.lines = call.utterances.map((u) =>
    el(
      "div",
      { class: `line final role-${u.role}`, dataset: { start: u.start, end: u.end }, onclick: () => seek(u.start) },
      el("span", { class: "who", dir: "auto" }, roles[u.speaker]?.name || u.speaker),
      el("span", { class: "when muted" }, clock(u.start)),
      el("p", { class: "text", dir: "auto" }, u.text),
    ),
  );
  ui.transcriptBox = el("div", { class: "transcript replay-transcript", id: "transcript" }, ui.lines);
  return ui.transcriptBox;
}

/** Scroll the transcript box (only it, never the page) so that `line` is in view. */
function follow(line, jump) {
  const box = ui.transcriptBox;
  const top = line.offsetTop; // the box is the lines' offset parent (position: relative)
  if (top < box.scrollTop || top + line.offsetHeight > box.scrollTop + box.clientHeight) {
    box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: jump ? "auto" : "smooth" });
  }
}

let lastCurrent = null;
function update(jump) {
  const s = now();
  if (ui.playhead) ui.playhead.style.left = pos(s);
  if (ui.time) ui.time.textContent = `${clock(s)} / ${clock(duration)}`;
  if (ui.range && document.activeElement !== ui.range) ui.range.value = s;
  if (ui.cursorTime) ui.cursorTime.textContent = clock(s);
  if (ui.addLabel) ui.addLabel.textContent = t("add_comment", { t: clock(s) + (rangeEnd !== null ? `–${clock(rangeEnd)}` : "") });
  let current = null;
  for (const line of ui.lines) {
    if (Number(line.dataset.start) <= s + 0.05) current = line;
    else break;
  }
  if (current !== lastCurrent) {
    lastCurrent?.classList.remove("current");
    current?.classList.add("current");
    lastCurrent = current;
    if (current && (jump || (audio && !audio.paused))) follow(current, jump);
  }
}

// ---- comments ----
function commentItem(c) {
  const item = el(
    "div",
    { class: "comment", dataset: { commentId: c.id } },
    el(
      "div",
      { class: "meta" },
      el("a", { href: `#t=${c.start}`, class: "comment-time" }, clock(c.start) + (c.end !== null && c.end !== undefined ? `–${clock(c.end)}` : "")),
      ` · ${c.author}`,
      c.updated_at ? " · ✎" : "",
    ),
    el("p", { class: "comment-text", dir: "auto" }, c.text),
  );
  if (c.mine) {
    const edit = el("button", { type: "button", class: "link edit-comment" }, t("edit"));
    const del = el("button", { type: "button", class: "link delete-comment" }, t("delete"));
    edit.addEventListener("click", () => {
      const area = el("textarea", { class: "edit-text", dir: "auto" });
      area.value = c.text;
      const save = el("button", { type: "button", class: "save-edit" }, t("save"));
      const cancel = el("button", { type: "button", class: "link" }, t("cancel"));
      save.addEventListener("click", async () => {
        try {
          await api(`/v1/comments/${c.id}`, { method: "PATCH", body: { text: area.value } });
          await loadComments();
        } catch (err) {
          notice(err.message);
        }
      });
      cancel.addEventListener("click", () => renderComments());
      item.replaceChildren(item.firstChild, area, el("div", { class: "row" }, save, cancel));
    });
    del.addEventListener("click", async () => {
      try {
        await api(`/v1/comments/${c.id}`, { method: "DELETE" });
        await loadComments();
      } catch (err) {
        notice(err.message);
      }
    });
    item.append(el("div", {}, edit, del));
  }
  return item;
}

function renderComments() {
  ui.comments.replaceChildren(...(comments.length ? comments.map(commentItem) : [el("p", { class: "muted small" }, t("no_comments"))]));
  const tl = timeline();
  ui.timeline.replaceWith(tl);
  ui.timeline = tl;
  update(false);
}

async function loadComments() {
  comments = await api(`${base}/comments`);
  renderComments();
}

function commentForm() {
  if (!COMMENT_ROLES.has(user.role)) return null;
  const text = el("textarea", { id: "comment-text", placeholder: t("comment_placeholder"), dir: "auto", maxlength: 4000 });
  ui.addLabel = el("span", {});
  const endButton = el("button", { type: "button", class: "link", id: "set-end" }, t("set_end"));
  endButton.addEventListener("click", () => {
    if (rangeEnd === null) {
      rangeEnd = now();
      endButton.textContent = t("clear_end");
    } else {
      rangeEnd = null;
      endButton.textContent = t("set_end");
    }
    update(false);
  });
  const form = el("form", { id: "comment-form" }, el("div", { class: "small muted" }, ui.addLabel, " ", endButton), text, el("button", { type: "submit", id: "add-comment" }, t("save")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    let start = now();
    let end = rangeEnd;
    if (end !== null && end < start) [start, end] = [end, start];
    try {
      await api(`${base}/comments`, { method: "POST", body: { start, end, text: text.value } });
      text.value = "";
      rangeEnd = null;
      endButton.textContent = t("set_end");
      await loadComments();
    } catch (err) {
      notice(err.message);
    }
  });
  return form;
}

async function main() {
  user = await topbar("calls");
  info = await rubrics();
  try {
    call = await api(base);
    comments = await api(`${base}/comments`);
  } catch (err) {
    root.replaceChildren(el("h1", {}, err instanceof ApiError ? String(err.status) : t("error")), el("p", {}, err.message));
    return;
  }
  duration = Math.max(call.duration || 0, ...call.utterances.map((u) => u.end), 1);
  ui.timeline = el("div");
  ui.comments = el("div", { id: "comments" });
  root.replaceChildren(
    el("h1", { class: "call-heading", dir: "auto" }, `${t("replay_title")}: `, el("a", { href: `/calls/${encodeURIComponent(callId)}` }, call.title || call.id)),
    el("section", { class: "card" }, player(), ui.timeline, el("div", { class: "legend" }, el("span", {}, `▲ ${t("legend_nudge")}`), el("span", {}, `◆ ${t("legend_finding")}`), el("span", {}, `● ${t("legend_comment")}`))),
    el(
      "div",
      { class: "replay-cols" },
      el("section", { class: "card" }, el("h2", {}, t("transcript")), transcript()),
      el("section", { class: "card" }, el("h2", {}, t("comments")), ui.comments, commentForm()),
    ),
  );
  renderComments();
  fromHash();
  window.addEventListener("hashchange", fromHash);
  update(true);
}

main().catch((err) => notice(err.message));
