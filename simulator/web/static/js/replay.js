// The replay page: native play buttons for each clip, "play all" with the real gaps between
// turns, and Alt+Shift keys to jump between verdicts and play the turn. Nothing plays by itself
// (WCAG 1.4.2); without this script every clip is a plain link.
import { announce } from "./live.js";

const player = new Audio();
let session = 0; // bumps to stop a "play all" in progress

function status(text) {
  announce(document.getElementById("page-status"), text);
}

function stop() {
  session += 1;
  player.pause();
  const all = document.getElementById("play-all");
  if (all) all.textContent = all.dataset.labelPlay;
}

function play(url, seq) {
  return new Promise((resolve) => {
    const done = () => {
      player.removeEventListener("ended", done);
      player.removeEventListener("error", done);
      delete document.body.dataset.playing;
      resolve();
    };
    document.body.dataset.playing = seq; // which turn is sounding (styles, tests)
    player.addEventListener("ended", done);
    player.addEventListener("error", done);
    player.src = url;
    player.play().catch(done);
  });
}

function wait(ms) {
  return new Promise((resolve) => window.setTimeout(resolve, Math.max(0, ms)));
}

async function playAll(button) {
  stop();
  const mine = session;
  button.textContent = button.dataset.labelStop;
  const turns = [...document.querySelectorAll(".play-turn")];
  const first = turns.length ? Number(turns[0].closest(".turn").dataset.t) : 0;
  const began = performance.now();
  for (const turn of turns) {
    // Each turn starts when it started in the call, or when the one before has finished.
    const at = (Number(turn.closest(".turn").dataset.t) - first) * 1000;
    await wait(began + at - performance.now());
    if (mine !== session) return;
    await play(turn.dataset.clip, turn.dataset.seq);
    if (mine !== session) return;
  }
  button.textContent = button.dataset.labelPlay;
  status(document.body.dataset.finished);
}

function verdicts() {
  return [...document.querySelectorAll("[data-verdict]")];
}

function jump(step) {
  const here = document.activeElement || document.body;
  const list = verdicts();
  if (!list.length) return;
  if (here === document.body || here === document.documentElement) {
    // Nothing focused yet: the first verdict, or the last one going back.
    (step > 0 ? list[0] : list[list.length - 1]).focus();
    return;
  }
  const after = (el) => here.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
  let target;
  if (step > 0) target = list.find((el) => el !== here && after(el) && !here.contains(el));
  else target = [...list].reverse().find((el) => el !== here && !after(el) && !el.contains(here));
  if (target) target.focus();
  else status(step > 0 ? document.body.dataset.lastVerdict : document.body.dataset.firstVerdict);
}

function playHere() {
  const here = document.activeElement || document.body;
  let turn = null;
  if (here.hasAttribute && here.hasAttribute("data-turn")) {
    turn = document.getElementById("turn-" + here.dataset.turn);
  } else if (here.closest) {
    turn = here.closest(".turn");
  }
  const button = turn ? turn.querySelector(".play-turn") : null;
  if (button) button.click();
  else status(document.body.dataset.noClip);
}

export function start() {
  const controls = document.getElementById("replay-controls");
  if (controls) controls.hidden = false;
  for (const button of document.querySelectorAll(".play-turn")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      stop();
      play(button.dataset.clip, button.dataset.seq);
    });
  }
  const all = document.getElementById("play-all");
  if (all) {
    all.addEventListener("click", () => {
      if (all.textContent === all.dataset.labelStop) stop();
      else playAll(all);
    });
  }
  const keys = document.body.dataset.replayKeys;
  if (!keys) return;
  const map = JSON.parse(keys);
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    const action = map[event.code];
    if (!action) return;
    event.preventDefault();
    if (action === "next_verdict") jump(1);
    else if (action === "previous_verdict") jump(-1);
    else if (action === "play_turn") playHere();
  });
}
