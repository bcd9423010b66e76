"""The console's action forms: which fields each action takes and which are required.

Both the plain HTML forms and the JavaScript fetch() calls post the same fields to the same
endpoint, so there is one place that turns a form into an engine ``Action``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from simulator.events import Action
from simulator.practice import field_limits

FIELDS: dict[str, tuple[str, ...]] = {
    "answer": (),
    "hold": (),
    "resume": (),
    "hangup": (),
    "say": ("text",),
    "transfer": ("to", "mode"),
    "take_message": ("for", "caller", "organisation", "phone", "text"),
    "fonogramma": ("sender", "recipient", "text"),
    "report": ("caller", "organisation", "phone", "reason", "outcome", "notes"),
    "ticket": ("queue", "caller", "phone", "problem", "priority"),
    "outgoing_call": ("number", "requested_by", "code", "decision"),
    "directory_search": ("query",),
    "directory_update": ("staff", "field", "value"),
    "voicemail_listen": ("id",),
    "voicemail_greeting": ("text",),
    "pause": (),
    "unpause": (),
    "activity": (),  # the trainee is typing: keeps a silent caller waiting (never scored)
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "say": ("text",),
    "transfer": ("to", "mode"),
    "take_message": ("for", "text"),
    "fonogramma": ("text",),
    "report": ("reason",),
    "ticket": ("queue", "problem"),
    "outgoing_call": ("number", "decision"),
    "directory_search": ("query",),
    "directory_update": ("staff", "field", "value"),
    "voicemail_greeting": ("text",),
}

# Tool panels and the action each one files.
TOOLS: dict[str, str] = {
    "transfer": "transfer",
    "message": "take_message",
    "fonogramma": "fonogramma",
    "report": "report",
    "ticket": "ticket",
    "outgoing": "outgoing_call",
    "voicemail": "voicemail_greeting",
    "directory": "directory_update",
}
# Every panel the console opens: the tools above and the knowledge base, which files nothing.
PANELS: tuple[str, ...] = (*TOOLS, "knowledge")

MAX_FIELD = field_limits.MAX_TEXT


def _(message: str, **values: Any) -> str:
    """gettext with a str type (Flask-Babel is untyped)."""
    return str(gettext(message, **values))


def required_message(kind: str, name: str) -> str:
    """What to type when a required field is empty."""
    messages = {
        "text": _("Scrivi il testo."),
        "to": _("Scrivi o scegli a chi trasferire."),
        "mode": _("Scegli il tipo di trasferimento."),
        "for": _("Scrivi per chi è il messaggio."),
        "reason": _("Scrivi il motivo della chiamata."),
        "queue": _("Scegli la coda del supporto tecnico."),
        "problem": _("Descrivi il problema."),
        "number": _("Scrivi il numero da chiamare."),
        "decision": _("Scegli se effettuare o rifiutare la chiamata."),
        "query": _("Scrivi cosa cercare in rubrica."),
        "staff": _("Scegli il collega."),
        "field": _("Scegli il dato da cambiare."),
        "value": _("Scrivi il nuovo valore."),
    }
    return messages.get(name, _("Compila questo campo."))


def value_problem(name: str, value: str) -> str | None:
    """Why a field's value cannot be filed (too long, control characters), or None.

    Nothing is cut: the form comes back with the value kept and this message beside it.
    """
    if field_limits.has_control(value):
        return _("Il testo contiene caratteri di controllo non ammessi: toglili e riprova.")
    limit = field_limits.limit_of(name)
    if len(value) > limit:
        return _(
            "Testo troppo lungo: al massimo %(limit)s caratteri, ne hai scritti %(count)s.",
            limit=limit,
            count=len(value),
        )
    return None


def _speech_fields(form: Mapping[str, str]) -> dict[str, Any]:
    """Source of a reply: typed, or a voice transcript the trainee confirmed (push-to-talk)."""
    if form.get("source") != "voice":
        return {"source": "typed"}
    fields: dict[str, Any] = {"source": "voice"}
    with contextlib.suppress(ValueError):
        fields["confidence"] = min(1.0, max(0.0, float(form.get("confidence") or "")))
    alternatives = [
        a.strip()
        for a in (form.get("alternatives") or "").split("\n")
        if a.strip() and value_problem("text", a.strip()) is None
    ]
    if alternatives:
        fields["alternatives"] = alternatives[:10]
    return fields


def parse(form: Mapping[str, str]) -> tuple[Action | None, dict[str, str]]:
    """The Action a posted form asks for, or the errors per field."""
    kind = form.get("kind", "")
    if kind not in FIELDS:
        return None, {"kind": _("Azione sconosciuta.")}
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FIELDS[kind]:
        value = (form.get(name) or "").strip()
        if kind == "transfer" and name == "to":
            value = (form.get("target") or "").strip() or value
        problem = value_problem(name, value)
        if problem:
            errors[name] = problem
        elif value:
            data[name] = value
        elif name in REQUIRED.get(kind, ()):
            errors[name] = required_message(kind, name)
    if kind == "say":
        data.update(_speech_fields(form))
    if errors:
        return None, errors
    line = (form.get("line") or "").strip() or None
    if line is not None and value_problem("line", line):
        return None, {"line": _("Linea non valida.")}
    return Action(kind, line, data), {}
