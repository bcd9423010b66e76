"""Console actions on the phone: keypad codes, spoken commands and the forms they open.

One table drives the IVR, the help read on the phone, the printable card and the call driver, so
they cannot drift apart. Codes are two keys (``*`` for the call, ``#`` for paperwork) so the
in-call ``<Gather numDigits="2">`` returns as soon as a code is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.language.normalise import normalise


@dataclass(frozen=True, slots=True)
class Code:
    """A keypad code and what it does."""

    keys: str
    command: str
    it: str
    en: str
    voice_it: tuple[str, ...] = ()
    voice_en: tuple[str, ...] = ()


CODES: tuple[Code, ...] = (
    Code("*1", "hold_toggle", "metti in attesa / riprendi", "hold / resume",
         ("metti in attesa", "riprendi la linea"), ("put on hold", "resume the call")),
    Code("*2", "transfer", "trasferisci a un interno (cifre e cancelletto)",
         "transfer to an extension (digits then hash)",
         ("trasferisci",), ("transfer",)),
    Code("*3", "transfer_announced", "trasferimento annunciato (cifre e cancelletto)",
         "announced transfer (digits then hash)",
         ("trasferimento annunciato",), ("announced transfer",)),
    Code("*4", "take_message", "prendi un messaggio", "take a message",
         ("prendo un messaggio", "prendi un messaggio"), ("take a message",)),
    Code("*5", "report", "rapporto della chiamata", "call report",
         ("scrivi il rapporto",), ("write the report",)),
    Code("*6", "switch", "cambia linea", "switch line", ("cambia linea",), ("switch line",)),
    Code("*7", "answer", "rispondi alla linea che squilla", "answer the ringing line",
         ("rispondi",), ("answer the call",)),
    Code("*8", "directory_search", "cerca in rubrica", "search the directory",
         ("cerca in rubrica",), ("search the directory",)),
    Code("*9", "help", "aiuto: elenco dei comandi", "help: list the commands",
         ("aiuto",), ("help",)),
    Code("*0", "hangup", "riaggancia la linea attiva", "hang up the active line",
         ("riaggancia",), ("hang up",)),
    Code("#1", "ticket", "ticket all'assistenza tecnica", "ticket to technical support",
         ("apri un ticket",), ("open a ticket",)),
    Code("#2", "fonogramma", "fonogramma", "fonogramma (dictated message)",
         ("scrivi un fonogramma",), ("write a fonogramma",)),
    Code("#3", "outgoing_call", "chiamata in uscita", "outgoing call",
         ("chiamata in uscita",), ("outgoing call",)),
    Code("#4", "directory_update", "aggiorna la rubrica", "update the directory",
         ("aggiorna la rubrica",), ("update the directory",)),
    Code("#5", "voicemail_listen", "ascolta la segreteria", "listen to voice-mail",
         ("ascolta la segreteria",), ("listen to voice mail",)),
    Code("#6", "voicemail_greeting", "registra il messaggio di benvenuto",
         "record the greeting", ("registra il benvenuto",), ("record the greeting",)),
    Code("#7", "pause_toggle", "pausa / riprendi l'esercitazione", "pause / resume the practice",
         ("metti in pausa",), ("pause the practice",)),
    Code("##", "finish", "termina l'esercitazione", "finish the practice",
         ("termina l'esercitazione", "fine esercitazione"), ("finish the practice",)),
)  # fmt: skip

BY_KEYS = {code.keys: code for code in CODES}
BY_COMMAND = {code.command: code for code in CODES}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a form, asked by a spoken prompt."""

    name: str
    it: str
    en: str
    digits: bool = False  # the keypad may type it (numbers, codes, extensions)


FORMS: dict[str, tuple[Field, ...]] = {
    "take_message": (
        Field("for", "Per chi è il messaggio?", "Who is the message for?"),
        Field("caller", "Chi chiama?", "Who is calling?"),
        Field("organisation", "Di quale ditta o ente?", "From which organisation?"),
        Field("phone", "Numero da richiamare?", "Number to call back?", digits=True),
        Field("text", "Testo del messaggio?", "The message?"),
    ),
    "report": (
        Field("caller", "Chi ha chiamato?", "Who called?"),
        Field("organisation", "Ditta o ente?", "Organisation?"),
        Field("phone", "Numero di telefono?", "Phone number?", digits=True),
        Field("reason", "Motivo della chiamata?", "Reason for the call?"),
        Field("outcome", "Esito?", "Outcome?"),
        Field("notes", "Note?", "Notes?"),
    ),
    "ticket": (
        Field("queue", "Quale coda?", "Which queue?"),
        Field("caller", "Chi chiama?", "Who is calling?"),
        Field("phone", "Numero di telefono?", "Phone number?", digits=True),
        Field("problem", "Qual è il problema?", "What is the problem?"),
        Field("priority", "Priorità?", "Priority?"),
    ),
    "fonogramma": (
        Field("sender", "Mittente?", "Sender?"),
        Field("recipient", "Destinatario?", "Recipient?"),
        Field("text", "Testo del fonogramma?", "Text of the fonogramma?"),
    ),
    "outgoing_call": (
        Field("number", "Numero da chiamare?", "Number to call?", digits=True),
        Field("requested_by", "Chi lo chiede?", "Who asks for it?"),
        Field("code", "Codice personale?", "Personal code?", digits=True),
        Field("decision", "Effettui o rifiuti?", "Place or refuse?"),
    ),
    "directory_update": (
        Field("staff", "Quale collega?", "Which colleague?"),
        Field("field", "Quale dato?", "Which detail?"),
        Field("value", "Nuovo valore?", "New value?", digits=True),
    ),
    "directory_search": (Field("query", "Chi cerchi?", "Who are you looking for?"),),
    "voicemail_greeting": (Field("text", "Testo del messaggio di benvenuto?", "Greeting text?"),),
    "voicemail_listen": (Field("id", "Quale messaggio?", "Which message?", digits=True),),
}

# Spoken words for field values that are identifiers in the engine.
_DECISIONS = {"effettua": "place", "effettuo": "place", "place": "place", "chiama": "place",
              "rifiuta": "refuse", "rifiuto": "refuse", "refuse": "refuse"}  # fmt: skip
_DIRECTORY_FIELDS = {"interno": "extension", "extension": "extension", "cellulare": "mobile",
                     "mobile": "mobile", "email": "email", "mail": "email",
                     "presenza": "presence", "presence": "presence", "ruolo": "role",
                     "role": "role", "reparto": "department", "department": "department",
                     "nome": "name", "name": "name"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Spoken:
    """A spoken command: the command and, for transfers, the extension said with it."""

    command: str
    argument: str = ""


_TRANSFER = re.compile(r"^(?:trasferisci|transfer|passa)(?: (?:al|a|all|alla|to))? (\d{2,5})$")


def spoken_command(utterance: str, lang: str) -> Spoken | None:
    """The command an utterance is, if it is nothing but a command.

    Only a whole short utterance counts ("metti in attesa"), never a phrase inside a sentence
    said to the caller ("la metto in attesa, resti in linea"): speech to the caller is scored.
    """
    said = normalise(utterance, lang)
    if not said or len(said.split()) > 6:
        return None
    match = _TRANSFER.match(said)
    if match:
        return Spoken("transfer", match.group(1))
    for code in CODES:
        for phrase in (*code.voice_it, *code.voice_en):
            if said == normalise(phrase, lang):
                return Spoken(code.command)
    return None


def field_value(form: str, field: Field, raw: str, lang: str) -> str:
    """Turn what the trainee said or typed for a field into the value the engine expects."""
    value = raw.strip()
    if field.name == "decision":
        return _DECISIONS.get(normalise(value, lang).split(" ")[0] if value else "", value)
    if form == "directory_update" and field.name == "field":
        return _DIRECTORY_FIELDS.get(normalise(value, lang), value)
    return value
