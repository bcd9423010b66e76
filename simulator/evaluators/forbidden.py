"""The `forbidden` kind: nothing the trainee said discloses private data or breaks a rule."""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, digits_of, heard_texts, not_judged
from simulator.language.intents import phrase_present
from simulator.language.normalise import normalise
from simulator.model import ForbiddenCriterion
from simulator.templates import expand


def _disclosed_values(criterion: ForbiddenCriterion, ctx: Context) -> list[str]:
    values = ctx.values(criterion.line)
    found: list[str] = []
    for ref in criterion.disclose:
        parts = ref.split(".")
        if len(parts) == 3 and parts[0] == "staff" and parts[2] == "presence":
            member = next((s for s in ctx.company.staff if s.id == parts[1]), None)
            if member and member.presence.note:
                found.append(member.presence.note)
            continue
        value = values.get(ref)
        if value:
            found.append(value)
    return found


def forbidden(criterion: ForbiddenCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = [expand(p, values) for p in criterion.none_of]
    secrets = _disclosed_values(criterion, ctx)
    said = ctx.indexed("say", criterion.line, "trainee")
    if not said:
        return not_judged("l'operatore non ha detto nulla.", "the operator said nothing.")
    for i in said:
        for heard in heard_texts(ctx.events[i]):
            for secret in secrets:
                digits = digits_of(secret)
                spoken = digits_of(normalise(heard, lang))
                if (len(digits) >= 6 and digits[-6:] in spoken) or (
                    len(digits) < 6 and phrase_present(heard, [secret], lang, threshold=0.85)
                ):
                    return 0.0, Note(
                        ctx.events[i].t,
                        "Dato riservato comunicato a chi chiama.",
                        "Private data disclosed to the caller.",
                        quote=heard,
                    )
            hit = phrase_present(heard, phrases, lang, threshold=0.85) if phrases else None
            if hit is not None:
                return 0.0, Note(
                    ctx.events[i].t, "Frase da evitare.", "Phrase to avoid.", quote=heard
                )
    return 1.0, Note(
        None,
        f"Nessuna frase vietata in {len(said)} battute.",
        f"Nothing forbidden in {len(said)} turns.",
    )
