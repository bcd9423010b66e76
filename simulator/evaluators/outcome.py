"""The `outcome` kind: an outgoing call placed or refused as the authorisation table says."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, digits_of, not_judged
from simulator.language.phone import same_phone
from simulator.model import OutcomeCriterion


def outcome(criterion: OutcomeCriterion, ctx: Context) -> tuple[float, Note]:
    calls = ctx.indexed("outgoing_call", None, "trainee")
    if criterion.number:
        calls = [
            i
            for i in calls
            if same_phone(str(ctx.events[i].data.get("number", "")), criterion.number)
            or digits_of(str(ctx.events[i].data.get("number", ""))) == digits_of(criterion.number)
        ]
    if not calls:
        return not_judged(
            "nessuna decisione sulla chiamata in uscita.", "no decision on the outgoing call."
        )
    event = ctx.events[calls[-1]]
    decision = event.data.get("decision")
    words_it = {"place": "effettuata", "refuse": "rifiutata"}
    check = event.data.get("check") or {}
    # Internal and emergency calls need no authorisation: only outside calls are checked.
    needs_check = check.get("class") not in ("internal", "emergency")
    if decision == "place" == criterion.outgoing and needs_check and not check.get("authorised"):
        return 0.0, Note(
            event.t,
            "Chiamata effettuata senza verificare nome e codice nella tabella autorizzazioni.",
            "Call placed without checking name and code against the authorisation table.",
        )
    if decision == criterion.outgoing:
        return 1.0, Note(
            event.t,
            f"Chiamata {words_it[criterion.outgoing]}, come previsto.",
            f"Call {'placed' if decision == 'place' else 'refused'}, as it should be.",
        )
    return 0.0, Note(
        event.t,
        f"Chiamata {words_it.get(str(decision), str(decision))}: andava "
        f"{words_it[criterion.outgoing]}.",
        f"Call {decision}d: it should have been {criterion.outgoing}d.",
    )
