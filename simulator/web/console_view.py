"""What the trainee console shows, computed from a snapshot: lines, transcript, busy lamp, title.

Texts are translated here (Flask-Babel) so the HTML page and the JSON state endpoint say the same
thing. Each event is announced in exactly one live region (docs/announcements.md): rings and
warnings are alerts, system events the trainee did not cause are notices for the status region,
and the console's conversation log holds only what is said. System lines stay in the transcript
of the score page, where nothing is live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from simulator.call_state import CallState, LineState
from simulator.events import Event
from simulator.model import Company, Scenario
from simulator.practice.attempts import Snapshot

ALERT_KINDS = frozenset({"ring"})
HIDDEN_KINDS = frozenset({"session_started", "step_entered", "directory_search", "hold"})
# A caller about to hang up (on hold, or after a long silence): an alert, in every voice mode.
WARNING_CODES = frozenset({"hold_warning", "silence_warning"})
SPOKEN_KINDS = frozenset({"caller_said", "say", "voicemail_listen"})
# System events nobody asked for: spoken through the status region in every voice mode (the log
# may be aria-live="off" in "Audio del simulatore" mode), unless an action's message covers them.
NOTICE_KINDS = frozenset({"caller_hangup", "missed", "transfer_result", "hold"})


def _(message: str, **values: Any) -> str:
    """gettext with a str type (Flask-Babel is untyped)."""
    return str(gettext(message, **values))


@dataclass(frozen=True, slots=True)
class LineView:
    id: str
    number: int
    status: str
    status_text: str
    caller_id: str
    active: bool
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    t: float
    speaker: str
    text: str
    lang: str | None
    kind: str
    line_label: str
    system: bool = False


@dataclass(frozen=True, slots=True)
class LampView:
    extension: str
    name: str
    department: str
    state: str
    state_text: str


@dataclass(slots=True)
class ConsoleView:
    lines: list[LineView]
    entries: list[Entry]
    alerts: list[tuple[int, str]]
    lamp: list[LampView]
    title: str
    active_line: str | None
    open_lines: list[LineView] = field(default_factory=list)
    listened: set[str] = field(default_factory=set)
    paused: bool = False
    finished: bool = False
    last_caller_text: str | None = None
    notices: list[tuple[int, str, str]] = field(default_factory=list)  # seq, kind, text
    ring_seqs: set[int] = field(default_factory=set)

    @property
    def spoken_entries(self) -> list[Entry]:
        """The console's live log: what the callers, the operator and voice mail said."""
        return [entry for entry in self.entries if not entry.system]


def status_text(status: str) -> str:
    """A line state in words (state is never shown by colour alone)."""
    return {
        "idle": _("libera"),
        "ringing": _("squilla"),
        "talking": _("in conversazione"),
        "on_hold": _("in attesa"),
        "ended": _("chiusa"),
    }.get(status, status)


def presence_text(status: str, until: str | None) -> str:
    """An extension's presence in words."""
    if status == "available":
        return _("libero")
    if status == "busy":
        return _("occupato")
    if until:
        return _("assente fino a %(until)s", until=until)
    return _("assente")


def caller_id(ln: LineState) -> str:
    """Caller ID as a switchboard shows it: the number, or the colleague for internal calls."""
    caller = ln.caller
    if ln.direction == "outgoing":
        return _("chiamata uscente a %(number)s", number=ln.call.number or "")
    if caller.internal:
        return _("interno: %(name)s", name=caller.name)
    return caller.phone or _("numero riservato")


def _actions(ln: LineState) -> tuple[str, ...]:
    return {
        "ringing": ("answer",),
        "talking": ("hold", "hangup"),
        "on_hold": ("resume", "hangup"),
    }.get(ln.status, ())


def line_numbers(scenario: Scenario) -> dict[str, int]:
    """Line ids ("l1", "acquisti") to the numbers shown ("Linea 1")."""
    return {call.line: index for index, call in enumerate(scenario.calls, start=1)}


def _entry_text(event: Event, scenario: Scenario, company: Company) -> tuple[str, str] | None:
    """(speaker, text) of a log event, or None when it has no place in the conversation."""
    d = event.data
    kind = event.kind
    if kind == "caller_said":
        return _("Chiamante"), str(d.get("text", ""))
    if kind == "say":
        return _("Operatore"), str(d.get("text", ""))
    if kind == "answer":
        return _("Sistema"), _("risposta.")
    if kind == "hold" and event.actor == "trainee":
        return _("Sistema"), _("in attesa.")
    if kind == "resume":
        return _("Sistema"), _("ripresa.")
    if kind == "hangup":
        return _("Sistema"), _("hai chiuso la chiamata.")
    if kind == "caller_hangup":
        return _("Sistema"), _("il chiamante ha riattaccato.")
    if kind == "missed":
        return _("Sistema"), _("chiamata persa: nessuno ha risposto.")
    if kind == "transfer":
        target = d.get("target") or {}
        mode = _("annunciato") if d.get("mode") == "announced" else _("cieco")
        return _("Sistema"), _(
            "trasferimento %(mode)s a %(name)s, interno %(ext)s.",
            mode=mode,
            name=target.get("name", d.get("to", "")),
            ext=target.get("extension") or "-",
        )
    if kind == "transfer_result":
        status = str(d.get("status", ""))
        if status == "connected":
            return _("Sistema"), _("trasferimento riuscito.")
        if status == "busy":
            return _("Sistema"), _("interno occupato: la chiamata torna a te.")
        return _("Sistema"), _("interno assente: la chiamata torna a te.")
    if kind in (
        "take_message",
        "fonogramma",
        "report",
        "ticket",
        "directory_update",
        "voicemail_greeting",
        "outgoing_call",
    ):
        return _("Sistema"), filed_text(kind, d)
    if kind == "voicemail_listen":
        found = next((m for m in scenario.voicemail if m.id == d.get("id")), None)
        if found is None:
            return None
        return _("Segreteria"), _(
            "%(caller)s, %(when)s: %(text)s",
            caller=found.caller,
            when=found.left_at,
            text=found.text,
        )
    if kind == "pause":
        return _("Sistema"), _("esercitazione in pausa.")
    if kind == "unpause":
        return _("Sistema"), _("esercitazione ripresa.")
    if kind == "session_finished":
        return _("Sistema"), _("esercitazione terminata.")
    return None


def filed_text(kind: str, data: Any) -> str:
    """The confirmation of something the trainee filed."""
    if kind == "take_message":
        return _("messaggio registrato per %(who)s.", who=data.get("for") or "-")
    if kind == "fonogramma":
        return _("fonogramma registrato.")
    if kind == "report":
        return _("rapporto di chiamata registrato.")
    if kind == "ticket":
        return _("segnalazione inviata al supporto tecnico.")
    if kind == "directory_update":
        return _("rubrica aggiornata.")
    if kind == "voicemail_greeting":
        return _("messaggio di benvenuto registrato.")
    if kind == "outgoing_call":
        if data.get("decision") == "place":
            return _("chiamata uscente effettuata al %(number)s.", number=data.get("number", ""))
        return _("chiamata uscente rifiutata.")
    return kind


def notice_text(event: Event, number: int) -> str | None:
    """The status-region notice of a system event (short, line first, within 40 cells)."""
    kind = event.kind
    if kind == "caller_hangup":
        return _("Linea %(n)s: il chiamante ha riattaccato.", n=number)
    if kind == "missed":
        return _("Linea %(n)s: chiamata persa.", n=number)
    if kind == "hold" and event.actor != "trainee":
        return _("Linea %(n)s in attesa.", n=number)
    if kind == "transfer_result":
        return transfer_text(str(event.data.get("status", "")))
    return None


def transfer_text(status: str) -> str:
    """A transfer's result, key word first."""
    if status == "connected":
        return _("Trasferimento riuscito.")
    if status == "busy":
        return _("Interno occupato: chiamata tua.")
    return _("Interno assente: chiamata tua.")


def hold_warning_text(number: int) -> str:
    """The alert before a caller hangs up (on hold or silent; within a 40-cell Braille line)."""
    return _("Linea %(n)s sta per riattaccare.", n=number)


def _ring_alert(event: Event, number: int) -> str:
    d = event.data
    who = d.get("number") or (d.get("caller") if d.get("internal") else None)
    return _("Squilla linea %(n)s: %(who)s.", n=number, who=who or _("numero riservato"))


def page_title(state: CallState, numbers: dict[str, int]) -> str:
    """The call state in the page title, e.g. "Linea 1 in conversazione"."""
    if state.finished:
        return _("Esercitazione terminata")
    if state.paused:
        return _("In pausa")
    if state.active_line is not None:
        return _("Linea %(n)s in conversazione", n=numbers.get(state.active_line, 1))
    ringing = [ln for ln in state.lines.values() if ln.status == "ringing"]
    if ringing:
        return _("Linea %(n)s squilla", n=numbers.get(ringing[0].line, 1))
    held = [ln for ln in state.lines.values() if ln.status == "on_hold"]
    if held:
        return _("Linea %(n)s in attesa", n=numbers.get(held[0].line, 1))
    return _("Nessuna chiamata")


def build(snap: Snapshot) -> ConsoleView:
    """The console's content for one snapshot."""
    state = snap.state
    numbers = line_numbers(snap.scenario)
    multi = len(snap.scenario.calls) > 1
    lines = [
        LineView(
            id=ln.line,
            number=numbers[ln.line],
            status=ln.status,
            status_text=status_text(ln.status),
            caller_id=caller_id(ln),
            active=state.active_line == ln.line,
            actions=_actions(ln),
        )
        for ln in state.lines.values()
        if ln.status != "idle"
    ]
    entries: list[Entry] = []
    alerts: list[tuple[int, str]] = []
    notices: list[tuple[int, str, str]] = []
    ring_seqs: set[int] = set()
    listened: set[str] = set()
    for seq, event in snap.events:
        number = numbers.get(event.line or "", 0)
        if event.kind in ALERT_KINDS:
            alerts.append((seq, _ring_alert(event, number)))
            ring_seqs.add(seq)
            continue
        if event.kind == "notice" and event.data.get("code") in WARNING_CODES:
            # Time is running out (WCAG 2.2.1): announced at once in every voice mode, and
            # only there, so it is never read twice.
            alerts.append((seq, hold_warning_text(number)))
            continue
        if event.kind in NOTICE_KINDS:
            notice = notice_text(event, number)
            if notice:
                notices.append((seq, event.kind, notice))
        if event.kind == "voicemail_listen":
            listened.add(str(event.data.get("id")))
        if event.kind in HIDDEN_KINDS and not (event.kind == "hold" and event.actor == "trainee"):
            continue
        found = _entry_text(event, snap.scenario, snap.company)
        if found is None:
            continue
        speaker, text = found
        # Spoken lines are in the call's language (3.1.2: marked where it is not the page's).
        lang = (
            event.data.get("lang") or snap.scenario.language if event.kind in SPOKEN_KINDS else None
        )
        entries.append(
            Entry(
                seq,
                event.t,
                speaker,
                text,
                str(lang) if lang else None,
                event.kind,
                _("linea %(n)s", n=number) if multi and number else "",
                event.kind not in SPOKEN_KINDS,
            )
        )
    lamp = [
        LampView(
            extension=member.extension,
            name=member.name,
            department=next(
                (d.name for d in state.company.departments if d.id == member.department), ""
            ),
            state=member.presence.status.value,
            state_text=presence_text(member.presence.status.value, member.presence.until),
        )
        for member in sorted(state.company.staff, key=lambda m: m.extension)
    ]
    active = state.lines.get(state.active_line or "")
    return ConsoleView(
        lines=lines,
        entries=entries,
        alerts=alerts,
        lamp=lamp,
        title=page_title(state, numbers),
        active_line=state.active_line,
        open_lines=[lv for lv in lines if lv.status in ("ringing", "talking", "on_hold")],
        listened=listened,
        paused=state.paused,
        finished=state.finished or snap.status != "active",
        last_caller_text=active.last_caller_text if active else None,
        notices=notices,
        ring_seqs=ring_seqs,
    )
