"""Status on demand: what the trainee asks the console to say (docs/announcements.md).

Modelled on the attendant consoles built for blind operators (Avaya's Visually Impaired Attendant
Service had keys for console status, last operation and repeat last announcement). These are
the only texts that speak running times: they are computed when asked, never put in a live
region by the poll.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext

from simulator.call_state import LineState
from simulator.events import Event
from simulator.practice.attempts import Snapshot
from simulator.web import console_view


def _(message: str, **values: Any) -> str:
    return str(gettext(message, **values))


def spoken_duration(seconds: float) -> str:
    """A duration in words, as a screen reader should say it ("1 minuto e 5 secondi")."""
    whole = max(0, round(seconds))
    minutes, secs = divmod(whole, 60)
    sec_text = str(ngettext("%(num)d secondo", "%(num)d secondi", secs))
    if not minutes:
        return sec_text
    min_text = str(ngettext("%(num)d minuto", "%(num)d minuti", minutes))
    return min_text if not secs else _("%(m)s e %(s)s", m=min_text, s=sec_text)


def _line_summary(ln: LineState, number: int, now: float) -> str:
    who = console_view.caller_id(ln)
    if ln.status == "ringing" and ln.rang_at is not None:
        since = spoken_duration(now - ln.rang_at)
        return _("Linea %(n)s squilla da %(t)s, %(who)s", n=number, t=since, who=who)
    if ln.status == "on_hold" and ln.hold_since is not None:
        since = spoken_duration(now - ln.hold_since)
        return _("Linea %(n)s in attesa da %(t)s, %(who)s", n=number, t=since, who=who)
    if ln.status == "talking":
        since = spoken_duration(now - (ln.answered_at or now))
        return _("Linea %(n)s in conversazione da %(t)s, %(who)s", n=number, t=since, who=who)
    return _(
        "Linea %(n)s %(state)s, %(who)s",
        n=number,
        state=console_view.status_text(ln.status),
        who=who,
    )


def lines_summary(snap: Snapshot) -> str:
    """Every line in one sentence: state, caller, time in that state."""
    state = snap.state
    now = state.effective(snap.now)
    numbers = console_view.line_numbers(snap.scenario)
    parts = [
        _line_summary(ln, numbers[ln.line], now)
        for ln in state.lines.values()
        if ln.status != "idle"
    ]
    text = ". ".join(parts) + "." if parts else _("Nessuna linea attiva.")
    return f"{_('In pausa.')} {text}" if state.paused else text


def _operation_text(event: Event, number: int) -> str:
    kind = event.kind
    if kind == "answer":
        return _("risposta alla linea %(n)s", n=number)
    if kind == "hold":
        return _("linea %(n)s in attesa", n=number)
    if kind == "resume":
        return _("linea %(n)s ripresa", n=number)
    if kind == "hangup":
        return _("linea %(n)s chiusa", n=number)
    if kind == "say":
        return _("hai detto: «%(text)s»", text=event.data.get("text", ""))
    if kind == "transfer":
        target = event.data.get("target") or {}
        return _("trasferimento a %(name)s", name=target.get("name") or event.data.get("to", ""))
    if kind == "directory_search":
        return _("ricerca in rubrica: %(q)s", q=event.data.get("query", ""))
    if kind == "pause":
        return _("esercitazione in pausa")
    if kind == "unpause":
        return _("esercitazione ripresa")
    if kind == "voicemail_listen":
        return _("ascolto della segreteria")
    return console_view.filed_text(kind, event.data)


def last_operation(snap: Snapshot) -> str:
    """The trainee's last action and how long ago (``snap`` must hold the whole log)."""
    numbers = console_view.line_numbers(snap.scenario)
    mine = [e for _seq, e in snap.events if e.actor == "trainee" and e.kind != "activity"]
    if not mine:
        return _("Nessuna operazione finora.")
    event = mine[-1]
    what = _operation_text(event, numbers.get(event.line or "", 1))
    ago = spoken_duration(snap.now - event.t)
    return _("Ultima operazione: %(what)s, %(ago)s fa.", what=what, ago=ago)
