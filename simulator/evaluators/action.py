"""The `action` kind: the trainee did (or did not do) a console action, to the right target."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, answered, not_judged
from simulator.events import Event
from simulator.language.phone import same_phone
from simulator.model import ActionCriterion
from simulator.pacing import MAX_GAP_S


def _target_keys(event: Event) -> set[str]:
    target = event.data.get("target") or {}
    keys = {str(event.data.get("to", ""))}
    keys.update(str(target.get(k) or "") for k in ("id", "extension", "department"))
    return keys - {""}


def _action_matches(criterion: ActionCriterion, event: Event) -> bool:
    if criterion.expect == "outgoing_call" and criterion.to:
        number = str(event.data.get("number", ""))
        return event.data.get("decision") == "place" and any(
            same_phone(number, wanted) for wanted in criterion.to
        )
    if criterion.expect == "transfer":
        if criterion.to and not _target_keys(event) & set(criterion.to):
            return False
        if criterion.mode and event.data.get("mode") != criterion.mode:
            return False
    return True


ACTION_WORDS: dict[str, tuple[str, str]] = {
    "answer": ("risposta", "answer"),
    "hold": ("messa in attesa", "hold"),
    "resume": ("ripresa dall'attesa", "resume"),
    "transfer": ("trasferimento", "transfer"),
    "take_message": ("messaggio", "message"),
    "fonogramma": ("fonogramma", "fonogramma"),
    "report": ("rapporto della chiamata", "call report"),
    "ticket": ("ticket", "ticket"),
    "outgoing_call": ("chiamata in uscita", "outgoing call"),
    "directory_search": ("ricerca in rubrica", "directory search"),
    "directory_update": ("aggiornamento della rubrica", "directory update"),
    "voicemail_listen": ("ascolto della segreteria", "voice-mail listening"),
    "voicemail_greeting": ("annuncio della segreteria", "voice-mail greeting"),
    "hangup": ("chiusura della chiamata", "hang-up"),
}

_BOUNCE_WORDS: dict[str, tuple[str, str]] = {
    "absent": ("assente", "absent"),
    "busy": ("occupato", "busy"),
    "no_answer": ("non risponde", "no answer"),
    "returned": ("la chiamata è tornata a te", "the call came back to you"),
}


def transfer_outcome(ctx: Context, index: int) -> str:
    """How a transfer ended: 'connected', or why it bounced (absent, busy, no_answer, returned).

    A transfer is complete only when the colleague took the call and the line did not come back:
    a later word or action on the same line means the caller was sent back to the operator. The
    caller's own reply to the transfer ("Grazie, attendo"), said a human gap after it, is not.
    """
    event = ctx.events[index]
    status = "connected"
    for later in ctx.events[index + 1 :]:
        if later.kind == "transfer_result" and later.line == event.line:
            status = str(later.data.get("status", "connected"))
            break
    if status != "connected":
        return status
    leading = True
    for later in ctx.events[index + 1 :]:
        if later.line != event.line or later.t <= event.t:
            continue
        immediate = later.t <= event.t + MAX_GAP_S
        if leading and later.kind == "caller_said" and immediate:
            continue
        leading = False
        if later.actor in ("trainee", "caller") and later.kind not in ("caller_hangup",):
            return "returned"
    return "connected"


def action(criterion: ActionCriterion, ctx: Context) -> tuple[float, Note]:
    found = [
        i
        for i in ctx.indexed(criterion.expect, criterion.line, "trainee")
        if _action_matches(criterion, ctx.events[i])
    ]
    it, en = ACTION_WORDS[criterion.expect]
    if criterion.absent:
        if found:
            e = ctx.events[found[0]]
            return 0.0, Note(e.t, f"Da evitare, ma fatto: {it}.", f"To avoid, but done: {en}.")
        if criterion.expect != "answer" and not answered(ctx, criterion.line):
            return not_judged("la chiamata non è mai stata presa.", "the call was never taken.")
        return 1.0, Note(None, f"Nessun {it}, come atteso.", f"No {en}, as expected.")
    if criterion.expect == "transfer":
        completed = [i for i in found if transfer_outcome(ctx, i) == "connected"]
        if found and not completed:
            e = ctx.events[found[0]]
            why = _BOUNCE_WORDS.get(transfer_outcome(ctx, found[0]), ("non riuscito", "failed"))
            who = str((e.data.get("target") or {}).get("name") or e.data.get("to", ""))
            return 0.0, Note(
                e.t,
                f"Trasferimento a {who} non riuscito ({why[0]}): non è un trasferimento fatto.",
                f"Transfer to {who} did not go through ({why[1]}): not a completed transfer.",
                expected=", ".join(criterion.to or []) or None,
            )
        found = completed
    if not found:
        tried = ctx.indexed(criterion.expect, criterion.line, "trainee")
        if tried:
            e = ctx.events[tried[0]]
            where = ", ".join(sorted(_target_keys(e))) or it
            wanted = ", ".join(criterion.to or []) or None
            return 0.0, Note(
                e.t,
                f"{it.capitalize()} fatto, ma verso {where}.",
                f"{en.capitalize()} done, but to {where}.",
                expected=wanted,
            )
        return 0.0, Note(None, f"Mai fatto: {it}.", f"Never done: {en}.")
    first = ctx.events[found[0]]
    if criterion.before:
        later = ctx.indexed(criterion.before, criterion.line, "trainee")
        if later and later[0] < found[0]:
            other_it, other_en = ACTION_WORDS[criterion.before]
            return 0.0, Note(
                first.t,
                f"{it.capitalize()} fatto dopo: {other_it}.",
                f"{en.capitalize()} done after: {other_en}.",
            )
    detail = ", ".join(sorted(_target_keys(first)))
    suffix = f" ({detail})" if detail else ""
    return 1.0, Note(first.t, f"Fatto: {it}{suffix}.", f"Done: {en}{suffix}.")
