"""Paperwork judged on its own: does a report's text say what really happened in the call?

A report that truthfully records a wrong decision is a correct report; the decision itself is
judged by its own criterion. The facts come from the event log: outgoing calls placed or
refused, transfers completed (to whom) or bounced, messages taken, tickets opened. A field is
truthful when it names at least one real outcome and claims no outcome that did not happen.
"""

from __future__ import annotations

from simulator.evaluators.action import transfer_outcome
from simulator.evaluators.base import Context
from simulator.language.normalise import normalise

PLACED = (
    "effettuat",
    "autorizzat",
    "inoltrat",
    "placed",
    "authorised",
    "authorized",
    "put through",
)
REFUSED = ("rifiutat", "negat", "non autorizzat", "refused", "denied", "not authorised")
MESSAGE = ("messaggio", "message", "biglietto")
TICKET = ("ticket", "segnalazione", "richiesta di intervento")
BOUNCED = (
    "non riuscit",
    "assente",
    "occupat",
    "non risponde",
    "tornat",
    "failed",
    "absent",
    "busy",
)


def _has(text: str, stems: tuple[str, ...]) -> bool:
    return any(normalise(stem, "it") in text for stem in stems)


def truthful(given: str, ctx: Context) -> float:
    """1.0 when the text agrees with the log, else 0.0."""
    text = normalise(given, "it")
    real: list[bool] = []
    contrary = False
    decisions = {str(ctx.events[i].data.get("decision")) for i in ctx.indexed("outgoing_call")}
    if decisions:
        if "place" in decisions:
            real.append(_has(text, PLACED))
        if "refuse" in decisions:
            real.append(_has(text, REFUSED))
        if "place" not in decisions and _has(text, PLACED) and not _has(text, REFUSED):
            contrary = True
        if "refuse" not in decisions and _has(text, REFUSED):
            contrary = True
    for i in ctx.indexed("transfer", None, "trainee"):
        target = ctx.events[i].data.get("target") or {}
        names = [str(target.get("name") or ""), str(target.get("extension") or "")]
        names += str(target.get("name") or "").split()
        named = any(len(n) > 2 and normalise(n, "it") in text for n in names)
        if transfer_outcome(ctx, i) == "connected":
            real.append(named)
        else:
            real.append(named and _has(text, BOUNCED))
    if ctx.indexed("take_message", None, "trainee"):
        real.append(_has(text, MESSAGE))
    elif _has(text, MESSAGE) and not any(r for r in real):
        contrary = True
    if ctx.indexed("ticket", None, "trainee"):
        real.append(_has(text, TICKET))
    return 1.0 if any(real) and not contrary else 0.0
