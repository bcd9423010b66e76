// Typing is activity: while the trainee writes a reply or fills a panel for the call in
// progress, the page tells the server now and then (at most every few seconds) so a silent
// caller waits politely instead of hanging up. Nothing is announced and focus never moves.
import { csrfToken } from "./live.js";

const EVERY_MS = 4000;

export function initActivity(actionUrl, activeLine) {
  let last = 0;
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLElement)) return;
    if (!field.closest("#tool-panel") && field.id !== "reply") return;
    if (!activeLine()) return;
    const now = Date.now();
    if (now - last < EVERY_MS) return;
    last = now;
    const data = new FormData();
    data.append("kind", "activity");
    data.append("csrf_token", csrfToken());
    fetch(actionUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).catch(() => {});
  });
}
