"""The `forbidden` kind: nothing the trainee said discloses private data or breaks a rule.

Private data is judged from the company file (see :mod:`simulator.language.disclosure`): the
reason and place of an absence in any wording, private numbers in digits or in words. Forbidden
phrases may cite the lexicon's families ('@blame', '@rudeness'). A refusal ("non posso dirle se è
in ferie") scopes its own clause and discloses nothing.
"""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, heard_texts, not_judged
from simulator.language.disclosure import Secret, clauses, disclosed, note_secrets, number_secret
from simulator.language.lexicon import expand_families
from simulator.language.match import present
from simulator.model import ForbiddenCriterion
from simulator.templates import expand


def _secrets(criterion: ForbiddenCriterion, ctx: Context, lang: str) -> list[Secret]:
    values = ctx.values(criterion.line)
    refs = list(criterion.disclose)
    for staff_id in criterion.protect:
        refs += [f"staff.{staff_id}.presence", f"staff.{staff_id}.mobile"]
    found: list[Secret] = []
    for ref in refs:
        parts = ref.split(".")
        if len(parts) == 3 and parts[0] == "staff":
            member = next((s for s in ctx.company.staff if s.id == parts[1]), None)
            if member is None:
                continue
            if parts[2] == "presence":
                if member.presence.note:
                    found.extend(note_secrets(member.presence.note, lang))
                continue
            if parts[2] == "mobile":
                if member.mobile:
                    found.append(number_secret(member.mobile))
                continue
        value = values.get(ref)
        if value:
            digits = "".join(c for c in value if c.isdigit())
            if len(digits) >= 6:
                found.append(number_secret(value))
            else:
                found.append(Secret("un dato riservato", "private data", (value,)))
    return found


def forbidden(criterion: ForbiddenCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = expand_families([expand(p, values) for p in criterion.none_of], lang)
    secrets = _secrets(criterion, ctx, lang)
    said = ctx.indexed("say", criterion.line, "trainee")
    if not said:
        return not_judged("l'operatore non ha detto nulla.", "the operator said nothing.")
    from simulator.language.disclosure import refuses

    for i in said:
        # Only the best hypothesis convicts: a recogniser's alternative is not what was said.
        for heard in heard_texts(ctx.events[i])[:1]:
            secret = disclosed(heard, secrets, lang) if secrets else None
            if secret is not None:
                return 0.0, Note(
                    ctx.events[i].t,
                    f"Hai rivelato {secret.what_it} a chi chiama.",
                    f"You disclosed {secret.what_en} to the caller.",
                    quote=heard,
                )
            for clause in clauses(heard, lang) if phrases else ():
                hit = present(clause, phrases, lang, threshold=0.85)
                if hit is not None and not refuses(clause, lang):
                    return 0.0, Note(
                        ctx.events[i].t,
                        "Frase da evitare.",
                        "A phrase to avoid.",
                        quote=heard,
                        expected=f"mai «{hit[0]}» / never «{hit[0]}»",
                    )
    return 1.0, Note(
        None,
        f"Nessuna frase vietata in {len(said)} battute.",
        f"Nothing forbidden in {len(said)} turns.",
    )
