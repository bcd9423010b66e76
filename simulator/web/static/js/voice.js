// Voice in the console: the caller's lines as audio (after the trainee answers, never before:
// WCAG 1.4.2), with volume, speed and replay kept in localStorage; earcons; push-to-talk, and
// hands-free (an energy gate finds the start and end of speech; chunks stream while speaking).
// Barge-in: the start of the trainee's speech dispatches "centralino:trainee-speaking" on
// document, and the caller's player stops on it.
import { announce, csrfToken } from "./live.js";
import { encodeWav, pcm16, RecorderError, startRecording, TARGET_RATE } from "./recorder.js";
import { EnergyGate } from "./vad.js";

export const TRAINEE_SPEAKING = "centralino:trainee-speaking";
const STREAM_SAMPLES = TARGET_RATE / 2; // post every half second of speech

function traineeSpeaking(how) {
  document.dispatchEvent(new CustomEvent(TRAINEE_SPEAKING, { detail: { how } }));
}

function speechFlag(value) {
  const panel = byId("voice");
  if (!panel) return;
  panel.dataset.speech = value; // "waiting" | "speaking" | "ended"; tests wait on these events
  if (value === "ended") panel.dataset.speechEnds = String(Number(panel.dataset.speechEnds || 0) + 1);
}

const body = document.body;
const byId = (id) => document.getElementById(id);
const en = document.documentElement.lang === "en";
const t = (it, english) => (en ? english : it);

function stored(key, fallback) {
  try { const value = window.localStorage.getItem(key); return value === null ? fallback : value; } catch (_e) { return fallback; }
}

function store(key, value) {
  try { window.localStorage.setItem(key, String(value)); } catch (_e) { /* private mode: not kept */ }
}

// Posts a recorded WAV; the answer's status and JSON (a network failure is status 0 with a
// message to announce).
async function postWav(url, wav, extraHeaders) {
  try {
    const response = await fetch(url, {
      method: "POST",
      body: wav,
      credentials: "same-origin",
      headers: { "Content-Type": "audio/wav", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch", Accept: "application/json", ...extraHeaders },
    });
    let payload = {};
    try { payload = await response.json(); } catch (_e) { payload = {}; }
    return { status: response.status, payload };
  } catch (_error) {
    return { status: 0, payload: { error: t("Rete non raggiungibile: riprova o scrivi.", "Network unreachable: try again or type.") } };
  }
}

class CallerAudio {
  constructor() {
    this.enabled = ["audio", "both"].includes(body.dataset.voiceMode);
    this.armed = false;
    this.queue = [];
    this.heard = new Set(); // seqs queued once (a poll in flight carries the same lines)
    this.timers = [];
    this.player = new Audio();
    this.lastSeq = Number(body.dataset.lastCallerSeq || 0);
    this.volume = byId("caller-volume");
    this.speed = byId("caller-speed");
    this.earcons = new Set((body.dataset.earcons || "").split(" ").filter(Boolean));
    if (this.volume) {
      this.volume.value = stored("centralino.callerVolume", this.volume.value);
      this.volume.addEventListener("input", () => { store("centralino.callerVolume", this.volume.value); this.apply(); });
    }
    if (this.speed) {
      this.speed.value = stored("centralino.callerSpeed", "1");
      this.speed.addEventListener("change", () => { store("centralino.callerSpeed", this.speed.value); this.apply(); });
    }
    const replay = byId("replay-button");
    if (replay) replay.addEventListener("click", () => this.replay());
    this.player.addEventListener("ended", () => this.next());
    this.player.addEventListener("error", () => this.next());
    // Barge-in: the trainee starts talking (Enter on a typed reply, push-to-talk, voice
    // activity) and the caller stops, as a person does when talked over. The text stays in the log.
    document.addEventListener(TRAINEE_SPEAKING, () => this.stop());
    this.apply();
  }

  stop() {
    this.timers.forEach((entry) => window.clearTimeout(entry.timer));
    this.timers = [];
    this.queue = [];
    this.playing = false;
    this.player.pause();
  }

  apply() {
    this.player.volume = this.volume ? Number(this.volume.value) / 100 : 0.8;
    this.player.playbackRate = this.speed ? Number(this.speed.value) || 1 : 1;
  }

  arm() { this.armed = true; }

  url(seq) { return `${body.dataset.audioPrefix}${seq}.wav`; }

  next() {
    const url = this.queue.shift();
    if (!url) { this.playing = false; return; }
    this.playing = true;
    this.player.src = url;
    this.apply();
    this.player.play().catch(() => this.next());
  }

  enqueue(url) {
    this.queue.push(url);
    if (!this.playing) this.next();
  }

  replay() {
    if (!this.enabled || !this.lastSeq) return;
    this.armed = true; // a replay is the trainee's own action
    this.queue = [];
    this.player.pause();
    this.enqueue(this.url(this.lastSeq));
  }

  earcon(name) {
    if (!this.earcons.has(name)) return;
    const sound = new Audio(`${body.dataset.tonePrefix}${name}.wav`);
    sound.volume = 0.7;
    sound.play().catch(() => {});
  }

  onState(data) {
    if (data.last_caller_seq !== undefined) this.lastSeq = data.last_caller_seq;
    for (const name of data.earcons || []) this.earcon(name);
    if (!this.enabled || !this.armed) return; // never autoplay before the trainee answers
    for (const item of data.audio || []) {
      if (this.heard.has(item.seq)) continue;
      this.heard.add(item.seq);
      // Played when due: a human gap after the trainee's action, as the log shows it.
      if (item.due_ms > 0) {
        const entry = { url: item.url, timer: 0 };
        entry.timer = window.setTimeout(() => {
          this.timers = this.timers.filter((t) => t !== entry);
          this.enqueue(entry.url);
        }, item.due_ms);
        this.timers.push(entry);
      } else this.enqueue(item.url);
    }
  }
}

class PushToTalk {
  constructor(regions, refresh) {
    this.status = regions.status;
    this.alert = regions.alert;
    this.refresh = refresh;
    this.button = byId("talk-button");
    this.hint = byId("talk-hint");
    this.reply = byId("reply");
    this.recording = null;
    this.busy = false;
    this.transcript = null;
    if (!this.button) return;
    this.button.addEventListener("click", () => this.toggle());
    if (this.reply) this.reply.addEventListener("input", () => this.edited());
  }

  focusReply() { if (this.reply) this.reply.focus(); }

  setAvailable(voice) {
    if (!this.button || !voice) return;
    this.button.disabled = !voice.available;
    this.hint.textContent = voice.available ? this.hint.dataset.default : voice.reason;
    const key = `centralino.noVoice.${body.dataset.attempt}.${voice.language}`;
    if (!voice.available && stored(key, "") === "") {
      store(key, "1"); // said once per attempt and language, then only the hint shows it
      // After the page's own first announcements, so neither cuts the other off.
      window.setTimeout(() => announce(this.status, voice.reason), 1500);
    }
  }

  async toggle() {
    if (this.busy || this.button.disabled) return;
    if (this.recording) { await this.send(); return; }
    traineeSpeaking("push-to-talk");
    speechFlag("waiting");
    const gate = new EnergyGate({ onStart: () => speechFlag("speaking"), onSpeech: () => {}, onEnd: () => speechFlag("ended") });
    try {
      this.recording = await startRecording(() => this.send(), (samples) => gate.push(samples));
    } catch (error) {
      const reason = error instanceof RecorderError ? error.reason : "absent";
      announce(this.alert, reason === "denied"
        ? t("Microfono non consentito: permetti l'accesso al microfono nel browser, oppure scrivi.", "Microphone blocked: allow it in the browser, or type.")
        : t("Nessun microfono: collega le cuffie con microfono, oppure scrivi.", "No microphone: plug in a headset, or type."));
      this.focusReply();
      return;
    }
    this.button.setAttribute("aria-pressed", "true");
    announce(this.status, t("In ascolto.", "Listening."));
  }

  async send() {
    const recording = this.recording;
    this.recording = null;
    if (!recording) return;
    this.button.setAttribute("aria-pressed", "false");
    const wav = await recording.stop();
    if (!wav) return;
    await this.submit(wav, {});
  }

  // Sends a WAV (a whole recording, or the tail of a streamed utterance) and handles the answer.
  async submit(wav, extraHeaders) {
    this.busy = true;
    announce(this.status, t("Riconoscimento in corso.", "Recognising."));
    const { status, payload } = await postWav(body.dataset.speechUrl, wav, extraHeaders);
    this.busy = false;
    if (payload.redirect) { window.location.assign(payload.redirect); return; }
    if (status >= 400 || !payload.ok) {
      if (payload.code === "no_engine") this.setAvailable({ available: false, reason: payload.error, language: body.dataset.voiceLanguage });
      else announce(this.alert, payload.error || payload.message || t("Non ho capito, riprova o scrivi.", "Not understood: try again or type."));
      this.focusReply();
      return;
    }
    if (payload.confirm) {
      this.fill(payload);
      announce(this.status, payload.message);
      this.focusReply();
      return;
    }
    await this.refresh();
    this.focusReply();
    announce(this.status, payload.message);
  }

  fill(payload) {
    this.transcript = payload.transcript;
    this.reply.value = payload.transcript;
    byId("reply-source").value = "voice";
    byId("reply-confidence").value = String(payload.confidence);
    byId("reply-alternatives").value = (payload.alternatives || []).join("\n");
  }

  edited() {
    if (this.transcript !== null && this.reply.value !== this.transcript) {
      byId("reply-alternatives").value = ""; // they described the words the trainee replaced
    }
  }

  reset() {
    this.transcript = null;
    for (const [id, value] of [["reply-source", "typed"], ["reply-confidence", ""], ["reply-alternatives", ""]]) {
      const field = byId(id);
      if (field) field.value = value;
    }
  }
}

// Hands-free: the microphone stays open; speech start stops the caller, chunks stream to the
// server while the trainee speaks, and the end of speech sends only the tail. A choice kept in
// localStorage; push-to-talk stays the default.
class HandsFree {
  constructor(talk) {
    this.talk = talk;
    this.box = byId("hands-free");
    this.recording = null;
    if (!this.box) return;
    this.box.checked = stored("centralino.handsFree", "0") === "1";
    this.box.addEventListener("change", () => { store("centralino.handsFree", this.box.checked ? "1" : "0"); this.sync(true); });
  }

  setAvailable(available) {
    if (!this.box) return;
    this.box.disabled = !available;
    if (this.recording && this.talk.button) this.talk.button.disabled = true;
    this.sync(false);
  }

  async sync(announceIt) {
    const on = this.box && this.box.checked && !this.box.disabled;
    if (on && !this.recording) {
      this.gate = new EnergyGate({ onStart: (pre) => this.started(pre), onSpeech: (f) => this.speech(f), onEnd: () => this.ended() });
      try {
        this.recording = await startRecording(null, (samples) => this.gate.push(samples), 0);
      } catch (_error) {
        this.box.checked = false;
        announce(this.talk.alert, t("Nessun microfono per le mani libere: collega le cuffie, oppure scrivi.", "No microphone for hands-free: plug in a headset, or type."));
        return;
      }
      if (this.talk.button) this.talk.button.disabled = true; // one way of speaking at a time
      if (announceIt) announce(this.talk.status, t("Mani libere attive: parla quando vuoi.", "Hands-free on: speak whenever you like."));
    } else if (!on && this.recording) {
      const recording = this.recording;
      this.recording = null;
      await recording.cancel();
      if (this.talk.button && this.box && !this.box.disabled) this.talk.button.disabled = false;
      if (announceIt) announce(this.talk.status, t("Mani libere disattivate: usa Parla.", "Hands-free off: use Talk."));
    }
  }

  started(preroll) {
    if (this.talk.busy) { this.gate.speaking = false; return; } // the last utterance is still being recognised
    traineeSpeaking("hands-free");
    speechFlag("speaking");
    this.utterance = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    this.pending = [preroll];
    this.pendingLength = preroll.length;
    this.sent = 0;
    this.chain = Promise.resolve(true);
  }

  speech(frame) {
    if (!this.utterance) return;
    this.pending.push(frame);
    this.pendingLength += frame.length;
    if (this.pendingLength >= STREAM_SAMPLES) this.flush();
  }

  take() {
    const out = new Float32Array(this.pendingLength);
    let offset = 0;
    for (const part of this.pending) { out.set(part, offset); offset += part.length; }
    this.pending = [];
    this.pendingLength = 0;
    return out;
  }

  flush() {
    const chunk = pcm16(this.take());
    const offset = this.sent;
    this.sent += chunk.byteLength;
    const utterance = this.utterance;
    // Chunks go one after another: the server appends only at the offset it has reached.
    this.chain = this.chain.then((ok) => ok && fetch(`${body.dataset.speechUrl}/stream`, {
      method: "POST",
      body: chunk,
      credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch", "X-Utterance": utterance, "X-Offset": String(offset) },
    }).then((response) => response.ok).catch(() => false));
  }

  async ended() {
    if (!this.utterance) return;
    speechFlag("ended");
    const utterance = this.utterance;
    this.utterance = null;
    const tail = encodeWav(this.take(), TARGET_RATE);
    const streamed = await this.chain;
    if (!streamed) { announce(this.talk.alert, t("Audio non inviato: riprova o scrivi.", "Audio not sent: try again or type.")); return; }
    await this.talk.submit(tail, { "X-Utterance": utterance });
  }
}

// Dictation into a form field (a message taken down, a fonogramma, the voice-mail greeting):
// "Detta" records until pressed again, the words are added to the field, which takes the
// focus; nothing is said on the line. One way of using the microphone at a time: push-to-talk
// and hands-free wait while it records.
class Dictation {
  constructor(regions, talk) {
    this.status = regions.status;
    this.alert = regions.alert;
    this.talk = talk;
    this.buttons = Array.from(document.querySelectorAll("[data-dictate]"));
    this.recording = null;
    this.button = null;
    for (const button of this.buttons) button.addEventListener("click", () => this.toggle(button));
  }

  setAvailable(available) {
    for (const button of this.buttons) button.hidden = !available || !body.dataset.dictationUrl;
  }

  field(button) { return byId(button.dataset.dictate); }

  async toggle(button) {
    if (this.recording) { await this.send(); return; }
    if (this.talk.busy || this.talk.recording) return;
    speechFlag("waiting");
    const gate = new EnergyGate({ onStart: () => speechFlag("speaking"), onSpeech: () => {}, onEnd: () => speechFlag("ended") });
    this.talk.busy = true;
    try {
      this.recording = await startRecording(() => this.send(), (samples) => gate.push(samples));
    } catch (error) {
      this.talk.busy = false;
      const reason = error instanceof RecorderError ? error.reason : "absent";
      announce(this.alert, reason === "denied"
        ? t("Microfono non consentito: permetti l'accesso al microfono nel browser, oppure scrivi.", "Microphone blocked: allow it in the browser, or type.")
        : t("Nessun microfono: collega le cuffie con microfono, oppure scrivi.", "No microphone: plug in a headset, or type."));
      this.field(button).focus();
      return;
    }
    this.button = button;
    button.setAttribute("aria-pressed", "true");
    announce(this.status, t("Dettatura: parla, poi premi di nuovo Detta.", "Dictation: speak, then press Dictate again."));
  }

  async send() {
    const recording = this.recording;
    const button = this.button;
    this.recording = null;
    if (!recording) return;
    button.setAttribute("aria-pressed", "false");
    const wav = await recording.stop();
    const field = this.field(button);
    if (!wav) { this.talk.busy = false; field.focus(); return; }
    announce(this.status, t("Riconoscimento in corso.", "Recognising."));
    const { status, payload } = await postWav(body.dataset.dictationUrl, wav, {});
    this.talk.busy = false;
    field.focus();
    if (status >= 400 || !payload.ok) {
      announce(this.alert, payload.error || t("Non ho capito, riprova o scrivi.", "Not understood: try again or type."));
      return;
    }
    const before = field.value.replace(/\s+$/, "");
    field.value = before ? `${before} ${payload.transcript}` : payload.transcript;
    field.setSelectionRange(field.value.length, field.value.length);
    field.dispatchEvent(new Event("input", { bubbles: true })); // drafts keep it
    announce(this.status, payload.message);
  }
}

export function initVoice(regions, refresh) {
  const panel = byId("voice");
  if (panel) panel.hidden = false;
  const audio = new CallerAudio();
  const talk = new PushToTalk(regions, refresh);
  const handsFree = new HandsFree(talk);
  const dictation = new Dictation(regions, talk);
  dictation.setAvailable(body.dataset.voiceAvailable !== "off");
  if (body.dataset.voiceAvailable === "off") {
    talk.setAvailable({ available: false, reason: byId("talk-hint").textContent, language: body.dataset.voiceLanguage });
  } else {
    handsFree.setAvailable(true); // opens the microphone at once if the trainee chose hands-free
  }
  // Opened mid-call (reload, or after a plain form post): the next key press or click arms audio.
  if (document.querySelector("[data-active-line]") && document.querySelector("[data-active-line]").value) {
    const armOnce = () => { audio.arm(); document.removeEventListener("keydown", armOnce, true); document.removeEventListener("pointerdown", armOnce, true); };
    document.addEventListener("keydown", armOnce, true);
    document.addEventListener("pointerdown", armOnce, true);
  }
  return {
    onState(data) {
      audio.onState(data);
      if (data.voice) {
        talk.setAvailable(data.voice);
        handsFree.setAvailable(data.voice.available);
        dictation.setAvailable(data.voice.available);
      }
    },
    answered() { audio.arm(); },
    replay() { audio.replay(); },
    resetReply() { talk.reset(); },
    speaksAudioOnly() { return body.dataset.voiceMode === "audio"; },
  };
}
