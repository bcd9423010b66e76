"""Text practice in a terminal: plain lines a screen reader reads well, typed replies.

Anything typed is said to the caller; console commands start with '/' (Italian or English
names). The caller keeps its own time: while the trainee is silent, ``select`` waits only until
the engine's next deadline, so a caller re-prompts or hangs up as it would on a real line.
"""

from __future__ import annotations

import json
import os
import select
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from simulator import engine, names
from simulator.call_state import CallState
from simulator.errors import CallStateError, CentralinoError
from simulator.events import Action, Event
from simulator.expected import speaking_language
from simulator.model import Company, Scenario
from simulator.procedure_text import procedure_lines
from simulator.report_text import render_report
from simulator.scoring import score
from simulator.transcript import describe

Speaker = Callable[[Event, CallState], None]

COMMANDS: dict[str, str] = {
    "rispondi": "answer",
    "answer": "answer",
    "attesa": "hold",
    "hold": "hold",
    "riprendi": "resume",
    "resume": "resume",
    "trasferisci": "transfer",
    "transfer": "transfer",
    "annuncia": "announce",
    "announce": "announce",
    "messaggio": "take_message",
    "message": "take_message",
    "fonogramma": "fonogramma",
    "rapporto": "report",
    "report": "report",
    "ticket": "ticket",
    "rubrica": "directory_search",
    "directory": "directory_search",
    "modifica-rubrica": "directory_update",
    "edit-directory": "directory_update",
    "uscita": "outgoing_call",
    "call": "outgoing_call",
    "segreteria": "voicemail",
    "voicemail": "voicemail",
    "benvenuto": "voicemail_greeting",
    "greeting": "voicemail_greeting",
    "chiudi": "hangup",
    "hangup": "hangup",
    "linee": "lines",
    "lines": "lines",
    "tabella": "table",
    "table": "table",
    "procedure": "procedure",
    "procedures": "procedure",
    "pausa": "pause",
    "pause": "pause",
    "fine": "finish",
    "finish": "finish",
    "conoscenza": "knowledge",
    "knowledge": "knowledge",
    "aiuto": "help",
    "help": "help",
    "parla": "speak",
    "speak": "speak",
    "ascolta": "listen",
    "listen": "listen",
}

# Free-text fields a trainee may dictate (``/parla`` at the prompt) instead of typing.
DICTATED_FIELDS = frozenset({"text", "reason", "outcome", "notes", "problem"})

FORM_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "take_message": [
        ("for", "Per chi", "For whom"),
        ("caller", "Chi chiama", "Caller"),
        ("organisation", "Azienda", "Organisation"),
        ("phone", "Telefono", "Phone"),
        ("text", "Testo", "Text"),
    ],
    "fonogramma": [
        ("sender", "Mittente", "Sender"),
        ("recipient", "Destinatario", "Recipient"),
        ("text", "Testo integrale", "Full text"),
    ],
    "report": [
        ("caller", "Chiamante", "Caller"),
        ("organisation", "Azienda", "Organisation"),
        ("phone", "Telefono", "Phone"),
        ("reason", "Motivo", "Reason"),
        ("outcome", "Esito", "Outcome"),
        ("notes", "Note", "Notes"),
    ],
    "ticket": [
        ("queue", "Coda", "Queue"),
        ("caller", "Cliente", "Customer"),
        ("phone", "Telefono", "Phone"),
        ("problem", "Problema", "Problem"),
        ("priority", "Priorità (bassa/media/alta)", "Priority (low/medium/high)"),
    ],
    "outgoing_call": [
        ("number", "Numero", "Number"),
        ("requested_by", "Richiesta da (nome o interno)", "Requested by"),
        ("code", "Codice", "Code"),
        ("decision", "Decisione: effettua o rifiuta", "Decision: place or refuse"),
    ],
    "directory_update": [
        ("staff", "Persona (nome o id)", "Person (name or id)"),
        ("field", "Campo (extension, mobile, email, presence, role)", "Field"),
        ("value", "Nuovo valore", "New value"),
    ],
    "voicemail_greeting": [("text", "Testo del messaggio di benvenuto", "Greeting text")],
}

HELP_IT = """Comandi (tutto il resto viene detto al chiamante):
/rispondi [linea]  /attesa  /riprendi [linea]  /trasferisci INTERNO  /annuncia INTERNO
/messaggio  /fonogramma  /rapporto  /ticket  /rubrica TESTO  /modifica-rubrica
/uscita (chiamata in uscita)  /tabella (autorizzazioni)  /segreteria [id]
/benvenuto [parla | FILE.wav] (messaggio di benvenuto, scritto o a voce)
/procedure (procedure di sicurezza ed emergenza dell'azienda)
/conoscenza TESTO (base di conoscenza dell'azienda)
/chiudi [linea]  /linee  /pausa  /fine  /aiuto
/parla (rispondi a voce: parte quando smetti; /parla invio: Invio per finire)
/ascolta FILE.wav (un WAV come risposta)"""
HELP_EN = """Commands (anything else is said to the caller):
/answer [line]  /hold  /resume [line]  /transfer EXTENSION  /announce EXTENSION
/message  /fonogramma  /report  /ticket  /directory TEXT  /edit-directory
/call (outgoing call)  /table (authorisations)  /voicemail [id]
/greeting [speak | FILE.wav] (voice-mail greeting, typed or spoken)
/procedures (the company's safety and emergency procedures)
/knowledge TEXT (the company's knowledge base)
/hangup [line]  /lines  /pause  /finish  /help
/speak (reply by voice: sent when you stop; /speak enter: Enter to stop)
/listen FILE.wav (a WAV file as your reply)"""


NOTICE_MARKER = ".recording-notice-seen"
DEFAULT_RETENTION_DAYS = 90


def retention_days() -> int:
    """``CENTRALINO_RECORDING_RETENTION_DAYS``, as for the web app (90 by default)."""
    raw = os.environ.get("CENTRALINO_RECORDING_RETENTION_DAYS", "")
    return int(raw) if raw.strip().isdigit() else DEFAULT_RETENTION_DAYS


def recordings_folder(log_path: Path) -> Path:
    """Where a session's spoken replies are kept: beside its log."""
    return log_path.with_name(log_path.stem + ".audio")


def purge_recordings(sessions: Path, days: int, now: float | None = None) -> int:
    """Delete spoken replies older than ``days`` under ``sessions``; how many were deleted.

    The session logs (the words) stay.
    """
    if not sessions.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - days * 86_400
    removed = 0
    for wav in sessions.glob("*.audio/*.wav"):
        if wav.stat().st_mtime < cutoff:
            wav.unlink()
            removed += 1
    return removed


class TerminalSession:
    """One practice session bound to a terminal."""

    def __init__(
        self,
        scenario: Scenario,
        company: Company,
        *,
        lang: str,
        multiplier: float,
        out: TextIO,
        inp: TextIO,
        speaker: Speaker | None = None,
        clock: Callable[[], float] = time.monotonic,
        log_path: Path | None = None,
    ) -> None:
        self.scenario, self.company, self.lang = scenario, company, lang
        self.out, self.inp, self.speaker, self.clock = out, inp, speaker, clock
        self.log_path = log_path
        self._pending = ""
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
        self.t0 = clock()
        self.state, first = engine.start(scenario, company, multiplier=multiplier)
        self.log: list[Event] = []
        self._show(first)

    def tr(self, it: str, en: str) -> str:
        return en if self.lang == "en" else it

    def now(self) -> float:
        return self.clock() - self.t0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _show(self, events: Iterable[Event]) -> None:
        for event in events:
            self.log.append(event)
            self._persist(event)
            line = describe(event, self.lang)
            if line:
                self.say(line)
            if self.speaker is not None and event.kind == "caller_said":
                self.speaker(event, self.state)

    def _persist(self, event: Event) -> None:
        """Append the event to the session file at once: a crash loses nothing already said."""
        if self.log_path is None:
            return
        with self.log_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")

    def apply(self, action: Action) -> None:
        try:
            self.state, events = engine.step(self.state, action, self.now())
        except CallStateError as exc:
            self.say(self.tr("Non possibile: ", "Not possible: ") + exc.message(self.lang))
            return
        self._show(events)
        if action.kind == "directory_search":
            self._show_hits(str(action.data.get("query", "")))

    def tick(self) -> None:
        self.state, events = engine.advance(self.state, self.now())
        self._show(events)

    def _show_hits(self, query: str) -> None:
        from simulator.directory import search

        hits = search(self.state.company, query, self.scenario.language, limit=5)
        if not hits:
            self.say(self.tr("Nessun risultato.", "No results."))
        staff = {member.id: member for member in self.state.company.staff}
        for hit in hits:
            member = staff.get(hit.id)
            until = member.presence.until if member is not None else None
            presence = names.presence_name(str(hit.presence.value), until, self.lang)
            self.say(f"{hit.name}, {self.tr('interno', 'extension')} {hit.extension}, {presence}")

    def _knowledge(self, query: str) -> None:
        from simulator.knowledge import search_knowledge

        found = search_knowledge(self.state.company, query, self.scenario.language)
        if not found:
            self.say(self.tr("Nessun articolo trovato.", "No article found."))
        for article in found:
            self.say(f"[{article.id}] {article.title}: {article.text}")

    def command(self, text: str) -> None:
        """Turn one typed line into actions."""
        if not text.startswith("/"):
            self.apply(Action("say", None, {"text": text, "source": "typed"}))
            return
        name, _, rest = text[1:].partition(" ")
        rest = rest.strip()
        kind = COMMANDS.get(name.lower())
        if kind is None:
            self.say(
                self.tr(
                    f"Comando sconosciuto /{name}. Scrivi /aiuto.",
                    f"Unknown command /{name}. Type /help.",
                )
            )
            return
        if kind == "help":
            self.say(self.tr(HELP_IT, HELP_EN))
        elif kind == "lines":
            self._lines()
        elif kind == "table":
            self._table()
        elif kind == "procedure":
            for line in procedure_lines(self.state.company, self.lang):
                self.say(line)
        elif kind in ("answer", "hold", "resume", "hangup"):
            self.apply(Action(kind, rest or None))
        elif kind in ("transfer", "announce"):
            mode = "announced" if kind == "announce" else "blind"
            target = rest or self.ask(self.tr("Interno o nome", "Extension or name"))
            self.apply(Action("transfer", None, {"to": target, "mode": mode}))
        elif kind == "directory_search":
            query = rest or self.ask(self.tr("Cerca", "Search"))
            self.apply(Action("directory_search", None, {"query": query}))
        elif kind == "voicemail":
            self._voicemail(rest)
        elif kind == "knowledge":
            self._knowledge(rest or self.ask(self.tr("Cerca", "Search")))
        elif kind == "pause":
            self.apply(Action("unpause" if self.state.paused else "pause"))
            self.say(
                self.tr("In pausa: /pausa per riprendere.", "Paused: /pause to resume.")
                if self.state.paused
                else self.tr("Ripreso.", "Resumed.")
            )
        elif kind == "finish":
            self.apply(Action("finish"))
        elif kind == "listen":
            self._listen(rest)
        elif kind == "speak":
            self._speak(hands_free=rest.strip().lower() not in ("invio", "enter"))
        elif kind == "voicemail_greeting" and rest:
            self._spoken_greeting(rest)
        else:
            self.apply(Action(kind, None, self._form(kind)))

    def _listen(self, path: str) -> None:
        """Take a recorded WAV file as the trainee's spoken reply (instructors, tests)."""
        if not path:
            self.say(self.tr("Uso: /ascolta FILE.wav", "Usage: /listen FILE.wav"))
            return
        try:
            wav = Path(path).expanduser().read_bytes()
        except OSError as exc:
            self.say(self.tr(f"File non leggibile: {exc}", f"Cannot read the file: {exc}"))
            return
        self._hear(wav)

    def _speak(self, hands_free: bool = True) -> None:
        """Record from the default microphone, then recognise it: hands-free until the end of
        speech (silero VAD), or with ``/parla invio`` until Enter."""
        try:
            from audio.mic import check_microphone, record_speech, record_until
        except ImportError as exc:
            self.say(self.tr(f"Audio non disponibile ({exc}).", f"Audio unavailable ({exc})."))
            return
        try:
            check_microphone()
            if hands_free:
                self.say(self.tr("In ascolto: parla.", "Listening: speak."))
                wav = record_speech()
            else:
                self.say(
                    self.tr("In ascolto: parla, poi premi Invio.", "Listening: speak, then Enter.")
                )
                wav = record_until(lambda: self._read(None))
        except CentralinoError as exc:
            self.say(exc.message(self.lang))
            return
        self._hear(wav)

    def _spoken_greeting(self, source: str) -> None:
        """``/benvenuto parla`` or ``/benvenuto FILE.wav``: the greeting recorded by voice and
        transcribed by the same recogniser as replies, in the scenario's language."""
        from audio.asr_service import Job, run_job
        from audio.commands import DEFAULT_MODELS

        try:
            if source.strip().lower() in ("parla", "speak"):
                from audio.mic import record_speech

                self.say(
                    self.tr(
                        "In ascolto: di' il messaggio di benvenuto.", "Listening: say the greeting."
                    )
                )
                wav = record_speech()
            else:
                wav = Path(source).expanduser().read_bytes()
            heard = run_job(Job(wav, self.scenario.language), DEFAULT_MODELS)
        except (OSError, ImportError, CentralinoError) as exc:
            reason = exc.message(self.lang) if isinstance(exc, CentralinoError) else str(exc)
            self.say(self.tr("Non riconosciuto: ", "Not recognised: ") + reason)
            return
        self.say(self.tr("Riconosciuto: ", "Recognised: ") + heard.transcript)
        self.apply(Action("voicemail_greeting", None, {"text": heard.transcript}))

    def _hear(self, wav: bytes) -> None:
        """Recognise a reply for the current step (the browser's path) and say it to the caller."""
        from audio.commands import DEFAULT_MODELS
        from audio.utterance import recognise_utterance

        try:
            heard = recognise_utterance(wav, self.state, DEFAULT_MODELS, inline=True)
        except CentralinoError as exc:
            self.say(self.tr("Non riconosciuto: ", "Not recognised: ") + exc.message(self.lang))
            return
        recognition = heard.recognition
        self.say(
            self.tr("Riconosciuto: ", "Recognised: ")
            + f"{recognition.transcript} ({recognition.confidence:.2f})"
        )
        before = len(self.log)
        self.apply(heard.action())
        said = next(
            (i for i, e in enumerate(self.log[before:], start=before + 1) if e.kind == "say"), None
        )
        if said is not None:
            self._keep_recording(said, wav)

    def _keep_recording(self, seq: int, wav: bytes) -> None:
        """Keep a spoken reply next to the session log, as ``<log>.audio/<seq>.wav``.

        ``seq`` is the reply's line number in the log. The first time, say what is kept and
        for how long (``simulator purge-recordings`` and every start remove older files).
        """
        if self.log_path is None:
            return
        folder = recordings_folder(self.log_path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{seq}.wav").write_bytes(wav)
        marker = self.log_path.parent / NOTICE_MARKER
        if not marker.exists():
            days = retention_days()
            self.say(
                self.tr(
                    f"Nota: la registrazione della tua voce è salvata in {folder} per {days} "
                    "giorni, poi viene cancellata; il testo resta nel registro.",
                    f"Note: the recording of your voice is saved in {folder} for {days} days, "
                    "then deleted; the text stays in the log.",
                )
            )
            marker.write_text(f"{days}\n", encoding="utf-8")

    def _form(self, kind: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        dictable = [key for key, _, _ in FORM_FIELDS[kind] if key in DICTATED_FIELDS]
        if dictable:
            self.say(
                self.tr(
                    "(Nei campi di testo: /parla o /ascolta FILE.wav per dettare.)",
                    "(In text fields: /speak or /listen FILE.wav to dictate.)",
                )
            )
        for key, it, en in FORM_FIELDS[kind]:
            answer = self.ask(self.tr(it, en))
            if key in DICTATED_FIELDS and answer.strip().startswith("/"):
                answer = self._dictated(answer.strip())
            data[key] = answer
        if kind == "outgoing_call":
            decision = str(data.get("decision", "")).lower()
            data["decision"] = "refuse" if decision.startswith(("rif", "ref", "no")) else "place"
        return data

    def _dictated(self, command: str) -> str:
        """A form field dictated (``/parla`` or ``/ascolta FILE.wav``): the words recognised in
        the call's language, said back so the trainee can check them, or "" when none."""
        from audio.commands import DEFAULT_MODELS
        from audio.utterance import recognise_dictation

        name, _, rest = command[1:].partition(" ")
        kind = COMMANDS.get(name.lower(), name.lower())
        try:
            if kind == "speak":
                from audio.mic import check_microphone, record_speech

                check_microphone()
                self.say(self.tr("In ascolto: detta il testo.", "Listening: dictate the text."))
                wav = record_speech()
            elif kind == "listen" and rest.strip():
                wav = Path(rest.strip()).expanduser().read_bytes()
            else:
                return command
            language = speaking_language(self.state)
            heard = recognise_dictation(wav, self.state, DEFAULT_MODELS, language, inline=True)
        except (OSError, ImportError, CentralinoError) as exc:
            reason = exc.message(self.lang) if isinstance(exc, CentralinoError) else str(exc)
            self.say(self.tr("Non riconosciuto: ", "Not recognised: ") + reason)
            return ""
        self.say(self.tr("Dettato: ", "Dictated: ") + heard.transcript)
        return heard.transcript

    def _lines(self) -> None:
        names = {
            "idle": ("libera", "idle"),
            "ringing": ("squilla", "ringing"),
            "talking": ("in conversazione", "talking"),
            "on_hold": ("in attesa", "on hold"),
            "ended": ("chiusa", "ended"),
        }
        for ln in self.state.lines.values():
            if ln.status == "idle":
                continue
            it, en = names[ln.status]
            active = self.tr(" (attiva)", " (active)") if ln.line == self.state.active_line else ""
            self.say(
                f"{self.tr('Linea', 'Line')} {ln.line}: {self.tr(it, en)}{active}, {ln.caller.name}"
            )

    def _table(self) -> None:
        staff = {s.id: s for s in self.state.company.staff}
        for auth in self.state.company.authorisations:
            member = staff.get(auth.staff)
            name = member.name if member else auth.staff
            ext = member.extension if member else "?"
            classes = ", ".join(c.value for c in auth.allowed)
            self.say(
                f"{name}, {self.tr('interno', 'ext.')} {ext}, "
                f"{self.tr('codice', 'code')} {auth.code}: {classes}"
            )

    def _voicemail(self, wanted: str) -> None:
        box = self.scenario.voicemail
        if not box:
            self.say(self.tr("Segreteria vuota.", "Voice-mail is empty."))
            return
        if not wanted:
            for msg in box:
                self.say(f"{msg.id}: {msg.caller}, {msg.left_at}")
            return
        self.apply(Action("voicemail_listen", None, {"id": wanted}))
        for msg in box:
            if msg.id == wanted:
                self.say(self.tr("Messaggio: ", "Message: ") + msg.text)

    def run(self) -> int:
        self.say(self.tr(f"Scenario: {self.scenario.title}", f"Scenario: {self.scenario.title}"))
        if self.scenario.description:
            self.say(self.scenario.description)
        self.say(self.tr("Scrivi /aiuto per i comandi.", "Type /help for the commands."))
        while not self.state.finished:
            deadline = engine.next_deadline(self.state)
            wait = None if deadline is None else max(0.0, deadline - self.now())
            if self._caller_about_to_speak() and wait is not None and self.clock is time.monotonic:
                # The caller is answering (a human gap): let it finish its turn before the next
                # line typed ahead is taken, as a person on the line would.
                time.sleep(wait)
                self.tick()
                continue
            line = self._read(wait)
            if line is None:
                self.tick()
                continue
            if line == "":  # end of input
                self.apply(Action("finish"))
                break
            text = line.strip()
            if text:
                self.command(text)
        report = score(self.scenario, self.company, self.log)
        self.say("")
        self.say(render_report(report, self.lang))
        if self.log_path is not None:
            self.say(
                self.tr(f"Registro salvato in {self.log_path}", f"Log saved to {self.log_path}")
            )
        return 0

    def _caller_about_to_speak(self) -> bool:
        return any(ln.pending for ln in self.state.lines.values())

    def _read(self, wait: float | None) -> str | None:
        """A line of input, '' at end of input, or None when the wait ran out.

        Reads the file descriptor directly: a buffered ``readline`` would swallow lines typed
        ahead (or piped) and ``select`` would then wait for input that has already arrived.
        """
        try:
            fd = self.inp.fileno()
        except (AttributeError, OSError, ValueError):
            line = self.inp.readline()  # not a real stream (StringIO in tests)
            return line if line else ""
        while "\n" not in self._pending:
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                rest, self._pending = self._pending, ""
                return rest if rest else ""
            self._pending += chunk.decode("utf-8", errors="replace")
        line, _, self._pending = self._pending.partition("\n")
        return line + "\n"

    def ask(self, prompt: str) -> str:
        self.say(prompt + ":")
        line = self._read(None)
        return (line or "").strip()


def play(
    scenario: Scenario,
    company: Company,
    *,
    lang: str,
    multiplier: float,
    out: TextIO,
    audio: bool = False,
    inp: TextIO | None = None,
    log_path: Path | None = None,
) -> int:
    """Interactive practice; with ``audio`` the callers' lines are also played aloud."""
    speaker: Speaker | None = None
    if audio:
        try:
            from audio.terminal import make_speaker
        except ImportError as exc:
            raise CentralinoError(
                "Audio non disponibile: esegui 'bash scripts/setup.sh'.",
                "Audio unavailable: run 'bash scripts/setup.sh'.",
            ) from exc
        speaker = make_speaker(scenario, lang=lang, out=out)
    session = TerminalSession(
        scenario,
        company,
        lang=lang,
        multiplier=multiplier,
        out=out,
        inp=inp or sys.stdin,
        speaker=speaker,
        log_path=log_path,
    )
    return session.run()
