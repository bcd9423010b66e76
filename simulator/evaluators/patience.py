"""The `patience` kind: the caller did not give up on the operator.

Failed at the moment the caller's patience ran out (see ``simulator.mood``): the evidence quotes
what the trainee said then, or names the long hold or the talking over that did it.
"""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, answered, lines_of, mmss, not_judged
from simulator.model import PatienceCriterion

CAUSES = {
    "blame": ("ha dato la colpa al chiamante", "blamed the caller"),
    "rudeness": ("è stato scortese", "was rude"),
    "talked_over": ("ha parlato sopra il chiamante", "talked over the caller"),
    "long_hold": ("lo ha tenuto troppo in attesa", "kept them on hold too long"),
    "misunderstood": ("non ha capito la richiesta più volte", "missed the request repeatedly"),
}


def patience(criterion: PatienceCriterion, ctx: Context) -> tuple[float, Note]:
    lines = lines_of(ctx, criterion.line)
    if not answered(ctx, criterion.line):
        return not_judged("nessuna chiamata è stata risposta.", "no call was answered.")
    for event in ctx.events:
        if event.kind != "caller_said" or not event.data.get("patience_lost"):
            continue
        if event.line not in lines:
            continue
        it, en = CAUSES.get(str(event.data.get("cause")), ("", ""))
        quote = str(event.data["quote"]) if event.data.get("quote") else None
        at = mmss(event.t)
        return 0.0, Note(
            event.t,
            f"Il chiamante ha perso la pazienza alle {at}: l'operatore {it}.",
            f"The caller lost patience at {at}: the operator {en}.",
            quote=quote,
            passed=False,
        )
    return 1.0, Note(
        None,
        "Il chiamante non ha perso la pazienza.",
        "The caller kept their patience.",
        passed=True,
    )
