// The console's enhancements: live updates by short polling, forms posted with fetch(),
// focus management, Alt+Shift shortcuts, Esc to close a panel, a silenceable ring.
import { announce, postForm } from "./live.js";
import { contentKey, patchChildren } from "./patch.js";
import { Announcements } from "./announcements.js";
import { initActivity } from "./activity.js";
import { initDrafts } from "./drafts.js";
import { initCombobox } from "./combobox.js";
import { Ring } from "./ring.js";
import { initVoice } from "./voice.js";

const body = document.body;
const statusRegion = document.getElementById("status");
const alertRegion = document.getElementById("alert");
const log = document.getElementById("log");
const logList = document.getElementById("log-list");
const MAX_POLLS = 4 * 3600; // bounded: about four hours at one poll a second
let lastSeq = Number(body.dataset.lastSeq || 0);
let polls = 0;
let pollTimer = 0;
let linesKey = "";
let lampKey = "";
let news = null;
const ring = new Ring(body.dataset.tonePrefix ? `${body.dataset.tonePrefix}ringback.wav` : "");
let voice = null;

function byId(id) { return id ? document.getElementById(id) : null; }

function focusId(id) {
  let el = byId(id);
  if (!el && id && id.startsWith("transfer-hit")) el = byId("transfer-to");
  if (!el && id && id.startsWith("resume-")) el = byId("lines-heading");
  if (!el && id === "reply") el = byId("lines-heading");
  if (el) el.focus();
}

// A caller's reply is recorded with the action that caused it, a human gap ahead of the clock:
// it joins the log (and so is announced) when it is due, not the instant the action answers.
// Entries still waiting join at once when the trainee acts again (flushPending), so the log
// never shows an action before the reply that came first.
const pending = new Map(); // html -> timer

function appendEntry(html, dueMs = 0) {
  if (dueMs > 0) {
    if (pending.has(html)) return; // a poll in flight carries the same reply
    pending.set(html, window.setTimeout(() => { pending.delete(html); appendEntry(html); }, dueMs));
    return;
  }
  const tpl = document.createElement("template");
  tpl.innerHTML = html.trim();
  const item = tpl.content.firstElementChild;
  if (!item) return;
  // A poll already in flight when an action answers carries the same new entries (the caller's
  // reply is recorded with the action): each is added, and so announced, once.
  const seq = item.dataset.seq;
  if (seq !== undefined && logList.querySelector(`[data-seq="${CSS.escape(seq)}"]`)) return;
  logList.append(item);
  log.scrollTop = log.scrollHeight;
}

function flushPending() {
  for (const [html, timer] of pending) { window.clearTimeout(timer); appendEntry(html); }
  pending.clear();
  // Audio keeps its own timers: it plays when due, or stops on barge-in (voice.js).
}

// Quiet polling (docs/announcements.md): a region is touched only when its content changed,
// and then patched in place, so the focused button is never replaced or re-focused.
function patchIfChanged(container, html, key) {
  const next = contentKey(html);
  if (next === key) return key;
  const lost = patchChildren(container, html);
  // Focus was on a button whose action is gone (the line changed state without the trainee):
  // a button with the same id comes back if there is one, else the lines heading.
  if (lost !== null) focusId(byId(lost) ? lost : "lines-heading");
  return next;
}

// A ring adds a line and an alert above the reply field: the field being typed in must not be
// pushed out of view (1280x900 and magnified screens). Only a scroll, never a focus change.
function keepTypingInView() {
  const el = document.activeElement;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return;
  const box = el.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) el.scrollIntoView({ block: "nearest" });
}

function watchLayout() {
  if (!("ResizeObserver" in window)) return;
  const watcher = new ResizeObserver(() => keepTypingInView());
  for (const el of [byId("lines"), document.querySelector(".live-boxes")]) if (el) watcher.observe(el);
}

function setTitle(text) {
  const title = `${body.dataset.titlePrefix || ""}${text} - Centralino`;
  if (document.title !== title) document.title = title;
}

function setActiveLine(line) {
  document.querySelectorAll("[data-active-line]").forEach((input) => {
    if (input.value !== (line || "")) input.value = line || "";
  });
}

function setPaused(paused) {
  const button = byId("pause-button");
  const kind = document.querySelector("[data-pause-kind]");
  const pressed = paused ? "true" : "false";
  if (button && button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
  if (kind) kind.value = paused ? "unpause" : "pause";
}

let actions = 0; // the trainee's actions so far on this page

// ``asked``: how many actions the trainee had made when this update was asked for. An update
// that arrives after a later action shows its replies at once: they came before that action.
function applyState(data, asked = actions) {
  if (data.finished && data.result_url) { window.location.assign(data.result_url); return; }
  setTitle(data.title);
  linesKey = patchIfChanged(byId("lines"), data.lines_html, linesKey);
  lampKey = patchIfChanged(byId("lamp"), data.lamp_html, lampKey);
  const late = actions > asked;
  for (const entry of data.entries) appendEntry(entry.html, late ? 0 : entry.due_ms);
  news.onPoll(data);
  setActiveLine(data.active_line);
  setPaused(data.paused);
  lastSeq = Math.max(lastSeq, data.seq);  // a late poll never takes us back
  ring.set(data.ringing && body.dataset.ringMuted !== "on");
  if (voice) voice.onState(data);
}

let inflight = null; // the poll on its way, if any

function poll() {
  inflight = pollOnce().finally(() => { inflight = null; });
  return inflight;
}

async function pollOnce() {
  window.clearTimeout(pollTimer);
  polls += 1;
  if (polls > MAX_POLLS) return;
  const asked = actions;
  try {
    const response = await fetch(`${body.dataset.stateUrl}?after=${lastSeq}`, {
      credentials: "same-origin", headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    });
    if (response.ok) applyState(await response.json(), asked);
  } catch (_error) {
    // Network hiccup: the next poll catches up; nothing is lost, the server holds the log.
  }
  const every = Number(body.dataset.pollMs || 1000) * (document.hidden ? 5 : 1);
  pollTimer = window.setTimeout(poll, every);
}

let acting = Promise.resolve(); // the trainee's previous action, until its update is applied

function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-enhance")) return;
  event.preventDefault();
  const submitter = event.submitter;
  // Answering is the trainee's action that lets the caller's audio start (WCAG 1.4.2).
  if (voice && submitter && submitter.name === "kind" && submitter.value === "answer") voice.answered();
  const typed = form.querySelector("#reply");
  if (typed && typed.value.trim()) {
    // The shared barge-in signal (voice.js listens; push-to-talk dispatches it too).
    document.dispatchEvent(new CustomEvent("centralino:trainee-speaking", { detail: { source: "typed" } }));
  }
  actions += 1;
  // Actions are taken in order: each waits for the one before to be answered and applied, so
  // what that one brought (a caller's reply) is in the log before this one is announced.
  const previous = acting;
  acting = previous.then(() => act(form, submitter)).catch(() => {});
}

async function act(form, submitter) {
  flushPending(); // what the caller said before this action is heard before it
  const { status, payload } = await postForm(form, submitter);
  if (payload.redirect) { window.location.assign(payload.redirect); return; }
  if (status >= 400) {
    news.error(form, payload);
    return;
  }
  news.clearErrors(form);
  if ("muted" in payload) {
    body.dataset.ringMuted = payload.muted ? "on" : "off";
    byId("mute-button").setAttribute("aria-pressed", payload.muted ? "true" : "false");
    if (payload.muted) ring.set(false);
  }
  const reply = form.querySelector("#reply");
  if (reply) { reply.value = ""; if (voice) voice.resetReply(); }
  news.cover(payload.covered);
  // Focus first when its target is already there (answer: the reply field), so the caller's
  // first sentence, arriving with the poll, is not cut off by the field being read.
  const early = payload.focus && byId(payload.focus);
  if (early) focusId(payload.focus);
  if (payload.message) news.status(payload.message);
  await poll();
  if (payload.focus && !early) focusId(payload.focus);
}

// Status on demand (docs/announcements.md): the server composes the answer when asked, so
// running times are spoken only then; "repeat" says the last announcement again.
async function onAsk(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-ask")) return;
  event.preventDefault();
  const what = event.submitter ? event.submitter.value : "lines";
  try {
    const response = await fetch(`${form.action}?what=${encodeURIComponent(what)}`, {
      credentials: "same-origin", headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    });
    const payload = await response.json();
    if (payload.message) news.status(payload.message);
  } catch (_error) {
    form.submit(); // the plain page answers the same question
  }
}

function initAsk() {
  const repeat = byId("repeat-announcement");
  if (!repeat) return;
  repeat.hidden = false;
  repeat.addEventListener("click", () => news.repeat(byId("lines").textContent.trim()));
}

function lastCallerLine() {
  const entries = [...log.querySelectorAll(".entry--caller_said")];
  return entries.length ? entries[entries.length - 1].textContent.replace(/\s\d\d:\d\d$/, "") : "";
}

function onKeydown(event) {
  if (event.key === "Escape" && body.dataset.tool) {
    const panel = byId("tool-panel");
    if (panel) { event.preventDefault(); window.location.assign(byId("tool-close").href); }
    return;
  }
  if (body.dataset.shortcuts !== "on") return;
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
  const digit = /^Digit([1-9])$/.exec(event.code);
  if (digit) {
    event.preventDefault();
    const line = document.querySelector(`[data-line-index="${digit[1]}"]`);
    const button = line && line.querySelector("button");
    if (button) button.focus(); else if (line) announce(statusRegion, line.textContent.trim());
    return;
  }
  const letter = /^Key([A-Z])$/.exec(event.code);
  if (!letter) return;
  const keymap = JSON.parse(body.dataset.keymap || "{}");
  const name = keymap[letter[1]];
  if (!name) return;
  event.preventDefault();
  if (name === "repeat") {
    // Audio mode: the replayed audio is the one reading (no double speech); else the text too.
    if (voice) voice.replay();
    if (!voice || !voice.speaksAudioOnly()) announce(statusRegion, lastCallerLine());
    return;
  }
  runShortcut(name, true);
}

// A key pressed while an action's update is on its way (Alt+Shift+H just after answering: focus
// is already on the reply, the line's buttons are not yet) acts on the page that update brings.
function runShortcut(name, mayWait) {
  const target = document.querySelector(`[data-shortcut="${name}"]`);
  if (!target) {
    if (mayWait && inflight) inflight.then(() => runShortcut(name, false));
    return;
  }
  if (target instanceof HTMLButtonElement && target.disabled) { sayWhyDisabled(target); return; }
  if (target instanceof HTMLButtonElement) target.click(); else target.focus();
}

// A shortcut for a button that is off (e.g. "Parla" with no speech recognition for the call's
// language) says why, in the status region, instead of doing nothing.
function sayWhyDisabled(button) {
  const ids = (button.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  const why = ids.map((id) => (byId(id) ? byId(id).textContent.trim() : "")).filter(Boolean).join(" ");
  news.status(`${button.textContent.trim()}: ${why || button.title || ""}`.replace(/: $/, "."));
}

export function start() {
  linesKey = contentKey(byId("lines").innerHTML);
  lampKey = contentKey(byId("lamp").innerHTML);
  news = new Announcements({ attempt: body.dataset.attempt, status: statusRegion, alert: alertRegion });
  // Entries the trainee has not heard yet (posted without script) are re-added so the log
  // region announces them; none twice in this tab, even after a reload.
  if (body.dataset.seen !== undefined) {
    const seen = Math.max(Number(body.dataset.seen), news.heard);
    const fresh = [...log.querySelectorAll("[data-seq]")].filter((li) => Number(li.dataset.seq) > seen);
    fresh.forEach((li) => li.remove());
    window.setTimeout(() => fresh.forEach((li) => { logList.append(li); }), 300);
  }
  news.onLoad(lastSeq);
  log.scrollTop = log.scrollHeight;
  if (body.dataset.focus && !byId("error-summary")) focusId(body.dataset.focus);
  document.addEventListener("submit", onAsk);
  document.addEventListener("submit", onSubmit);
  initAsk();
  watchLayout();
  initDrafts(body.dataset.attempt);
  initActivity(document.querySelector(".reply-form").action, () => {
    const line = document.querySelector("[data-active-line]");
    return line ? line.value : "";
  });
  document.addEventListener("keydown", onKeydown);
  voice = initVoice({ status: statusRegion, alert: alertRegion }, poll);
  const combo = document.querySelector("[data-combobox]");
  if (combo) initCombobox(combo, body.dataset.directoryUrl, statusRegion);
  pollTimer = window.setTimeout(poll, Number(body.dataset.pollMs || 1000));
  body.dataset.ready = "1"; // lets tests (and nothing else) know the enhancements are live
}
