// One announcement per event (docs/announcements.md): the status region says the results of the
// trainee's own actions and the system events nobody asked for (a caller who hung up, a missed
// call, a transfer result); the alert region says rings, errors and "sta per riattaccare"; the
// conversation log says what is spoken. This tab remembers the last event it announced
// (sessionStorage), so a reload or a panel opened by a link never says an event again.
import { announce, lastAnnouncement } from "./live.js";

export class Announcements {
  constructor({ attempt, status, alert }) {
    this.key = `centralino-heard-${attempt}`;
    this.statusRegion = status;
    this.alertRegion = alert;
    this.covered = new Set();
    this.ringShown = false;
    this.heard = 0;
    try { this.heard = Number(window.sessionStorage.getItem(this.key) || 0); } catch (_error) { this.heard = 0; }
  }

  remember(seq) {
    if (seq <= this.heard) return;
    this.heard = seq;
    try { window.sessionStorage.setItem(this.key, String(seq)); } catch (_error) { /* private mode */ }
  }

  /** The page's own first announcements, less what this tab has already said. */
  onLoad(lastSeq) {
    for (const region of [this.statusRegion, this.alertRegion]) {
      const spans = [...region.querySelectorAll("[data-initial]")];
      const old = spans.filter((n) => n.dataset.seq && Number(n.dataset.seq) <= this.heard);
      old.forEach((n) => n.remove());
      const fresh = spans.filter((n) => !old.includes(n));
      if (region === this.alertRegion) this.ringShown = fresh.some((n) => n.hasAttribute("data-ring"));
      const text = fresh.map((n) => n.textContent.trim()).join(" ");
      if (text) announce(region, text);
    }
    this.remember(lastSeq);
  }

  /** What a poll brought: new alerts, new notices not covered by an action's message. */
  onPoll(data) {
    const alerts = data.alert_items || [];
    if (alerts.length) {
      announce(this.alertRegion, alerts.map((a) => a.text).join(" "));
      this.ringShown = alerts.some((a) => a.ring);
    } else if (this.ringShown && !data.ringing) {
      // The ring was answered (or missed): its alert must not stay on the page as if current.
      this.alertRegion.textContent = "";
      this.ringShown = false;
    }
    const notices = (data.notices || []).filter((n) => !this.covered.has(n.seq) && n.seq > this.heard);
    if (notices.length) announce(this.statusRegion, notices.map((n) => n.text).join(" "));
    this.remember(data.seq);
  }

  /** Seqs of events an action's own message already said. */
  cover(seqs) {
    for (const seq of seqs || []) this.covered.add(seq);
  }

  status(text) {
    announce(this.statusRegion, text);
  }

  /** Say again whatever was said last, in the status region. */
  repeat(fallback) {
    announce(this.statusRegion, lastAnnouncement() || fallback);
  }

  /** A refused form: "Errore:" first, in the alert region; bad fields marked invalid. */
  error(form, payload) {
    this.clearErrors(form);
    const prefix = document.body.dataset.errorPrefix || "Errore:";
    const messages = [];
    for (const [name, message] of Object.entries(payload.errors || {})) {
      messages.push(message);
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLElement && field.id) markInvalid(field, message, prefix);
    }
    const text = payload.error || messages.join(" ") || payload.message;
    if (text) announce(this.alertRegion, `${prefix} ${text}`);
  }

  clearErrors(form) {
    form.querySelectorAll("[data-script-error]").forEach((p) => {
      const field = document.getElementById(p.dataset.scriptError);
      p.remove();
      if (!field) return;
      field.removeAttribute("aria-invalid");
      const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== p.id);
      field.setAttribute("aria-describedby", ids.join(" "));
    });
  }
}

function markInvalid(field, message, prefix) {
  const p = document.createElement("p");
  p.className = "error-message";
  p.id = `${field.id}-script-error`;
  p.dataset.scriptError = field.id;
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = `${prefix} `;
  p.append(hidden, message);
  const row = field.closest(".reply-row") || field;
  row.before(p);
  field.setAttribute("aria-invalid", "true");
  const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  field.setAttribute("aria-describedby", [...ids, p.id].join(" "));
}
