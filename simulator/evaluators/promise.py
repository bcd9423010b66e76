"""The `promise` kind: commitments the company's procedure forbids or requires.

The procedure is a knowledge-base article of the company file with ``promises: {forbidden,
required}``: phrases or lexicon families ('@refund', '@delivery_date', '@callback'). A forbidden
commitment fails wherever it is said, except in a clause that refuses it ("non posso prometterle
un rimborso"); a required one must be said at least once, with its numbers exact ("entro 24 ore").
"""

from __future__ import annotations

from simulator.evaluators.base import Context, Note, heard_texts, not_judged, utterances
from simulator.evaluators.speech import closest, same_numbers
from simulator.language.disclosure import clauses, refuses
from simulator.language.lexicon import expand_families
from simulator.language.match import present
from simulator.model import PromiseCriterion
from simulator.templates import expand

_MATCH = 0.85


def _lists(
    criterion: PromiseCriterion, ctx: Context, lang: str
) -> tuple[list[str], list[str], str]:
    values = ctx.values(criterion.line)
    forbidden, required, name = list(criterion.forbidden), list(criterion.required), ""
    article = next((a for a in ctx.company.knowledge_base if a.id == criterion.procedure), None)
    if article is not None:
        forbidden += article.promises.forbidden
        required += article.promises.required
        name = article.title

    def expand_all(items: list[str]) -> list[str]:
        return expand_families([expand(p, values) for p in items], lang)

    return expand_all(forbidden), expand_all(required), name


def promise(criterion: PromiseCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    forbidden, required, procedure = _lists(criterion, ctx, lang)
    where_it = f" dalla procedura «{procedure}»" if procedure else ""
    where_en = f" by the «{procedure}» procedure" if procedure else ""
    said = utterances(ctx, criterion.line, -1, None)
    if not said:
        return not_judged("l'operatore non ha detto nulla.", "the operator said nothing.")
    for i in said:
        heard = heard_texts(ctx.events[i])[0]
        for clause in clauses(heard, lang):
            hit = present(clause, forbidden, lang, _MATCH) if forbidden else None
            if hit is not None and not refuses(clause, lang):
                return 0.0, Note(
                    ctx.events[i].t,
                    f"Impegno non ammesso{where_it}.",
                    f"A commitment not allowed{where_en}.",
                    quote=heard,
                    expected=f"mai «{hit[0]}» / never «{hit[0]}»",
                )
    if not required:
        return 1.0, Note(
            None, f"Nessun impegno non ammesso{where_it}.", f"No commitment beyond{where_en}."
        )
    for i in said:
        for heard in heard_texts(ctx.events[i]):
            for phrase in required:
                if present(heard, [phrase], lang) and same_numbers(phrase, heard, lang):
                    return 1.0, Note(
                        ctx.events[i].t,
                        f"Impegno richiesto{where_it} preso.",
                        f"The commitment required{where_en} was made.",
                        quote=heard,
                    )
    i, heard, _ = closest(ctx, said, required, lang)
    return 0.0, Note(
        ctx.events[i].t,
        f"Manca l'impegno richiesto{where_it}.",
        f"The commitment required{where_en} is missing.",
        quote=heard,
        expected=" / ".join(required[:3]),
    )
