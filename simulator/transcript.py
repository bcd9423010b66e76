"""Events as one plain line each, for the terminal, the phone's spoken notices and transcripts.

Speaker first, then the words, so a screen reader or a Braille line gets the key word first.
"""

from __future__ import annotations

from simulator.events import Event

_ACTIONS_IT = {
    "answer": "risposto",
    "hold": "messo in attesa",
    "resume": "ripreso",
    "hangup": "riagganciato",
    "take_message": "messaggio registrato",
    "fonogramma": "fonogramma registrato",
    "report": "rapporto registrato",
    "ticket": "ticket aperto",
    "directory_search": "ricerca in rubrica",
    "directory_update": "rubrica aggiornata",
    "voicemail_listen": "segreteria ascoltata",
    "voicemail_greeting": "messaggio di benvenuto registrato",
    "pause": "pausa",
    "unpause": "ripresa dalla pausa",
    "finish": "esercitazione terminata",
}
_ACTIONS_EN = {
    "answer": "answered",
    "hold": "put on hold",
    "resume": "resumed",
    "hangup": "hung up",
    "take_message": "message saved",
    "fonogramma": "fonogramma saved",
    "report": "report saved",
    "ticket": "ticket opened",
    "directory_search": "directory search",
    "directory_update": "directory updated",
    "voicemail_listen": "voice-mail played",
    "voicemail_greeting": "greeting recorded",
    "pause": "paused",
    "unpause": "resumed from pause",
    "finish": "session finished",
}


def _line(event: Event, en: bool) -> str:
    if not event.line:
        return ""
    return (f"Line {event.line}" if en else f"Linea {event.line}") + ", "


def describe(event: Event, lang: str = "it") -> str | None:
    """One line for an event, or None for bookkeeping events nobody needs to hear."""
    en = lang.startswith("en")
    data = event.data
    where = _line(event, en)
    if event.kind == "caller_said":
        who = "Caller" if en else "Chiamante"
        hold = (" (on hold)" if en else " (in attesa)") if data.get("on_hold") else ""
        return f"{who}{hold}: {data.get('text', '')}"
    if event.kind == "say" and event.actor == "trainee":
        return ("Operator" if en else "Operatore") + f": {data.get('text', '')}"
    if event.kind == "ring":
        caller = data.get("caller") or ""
        number = data.get("number") or ""
        org = data.get("organisation") or ""
        who = ", ".join(part for part in (caller, org, number) if part)
        return f"Incoming call, {where}{who}" if en else f"Chiamata in arrivo, {where}{who}"
    if event.kind == "caller_hangup":
        return f"{where}" + ("the caller hung up" if en else "il chiamante ha riattaccato")
    if event.kind == "missed":
        return f"{where}" + ("missed call" if en else "chiamata persa")
    if event.kind == "transfer":
        target = data.get("target") or {}
        name = target.get("name") or data.get("to")
        ext = target.get("extension")
        to = f"{name} ({ext})" if ext else str(name)
        mode = data.get("mode")
        if en:
            return f"{where}{'announced' if mode == 'announced' else 'blind'} transfer to {to}"
        return f"{where}trasferimento {'annunciato' if mode == 'announced' else 'diretto'} a {to}"
    if event.kind == "transfer_result":
        status = data.get("status")
        words = {
            "connected": ("transfer connected", "trasferimento riuscito"),
            "busy": ("extension busy", "interno occupato"),
            "absent": (
                "extension does not answer: colleague absent",
                "interno non risponde: assente",
            ),
        }
        en_text, it_text = words.get(str(status), (str(status), str(status)))
        return where + (en_text if en else it_text)
    if event.kind == "hold" and event.actor == "system":
        return where + ("put on hold automatically" if en else "messa in attesa automaticamente")
    if event.kind == "notice" and data.get("code") == "hold_warning":
        return where + (
            "on hold too long: the caller is about to hang up"
            if en
            else "in attesa da troppo: il chiamante sta per riattaccare"
        )
    if event.kind == "notice" and data.get("code") == "silence_warning":
        return where + (
            "silent too long: the caller is about to hang up"
            if en
            else "silenzio da troppo: il chiamante sta per riattaccare"
        )
    if event.kind == "outgoing_call":
        decision = data.get("decision")
        number = data.get("number")
        if en:
            return f"Outgoing call to {number}: {'placed' if decision == 'place' else 'refused'}"
        verdict = "effettuata" if decision == "place" else "rifiutata"
        return f"Chiamata in uscita verso {number}: {verdict}"
    if event.kind == "session_finished":
        return "Session finished" if en else "Esercitazione terminata"
    table = _ACTIONS_EN if en else _ACTIONS_IT
    if event.actor == "trainee" and event.kind in table:
        return where + table[event.kind]
    return None
