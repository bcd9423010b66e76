"""The `register` kind: formal address kept with the caller (Lei, vous, Sie, usted).

Informal forms are whole words or phrases of the lexicon's ``register.informal`` list for the
call's language; the first one said fails the criterion, quoted with its time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.evaluators.base import Context, Note, heard_texts, not_judged
from simulator.language.lexicon import INFORMAL
from simulator.language.normalise import normalise, primary_language
from simulator.model import RegisterCriterion

_FORMAL = {"it": "Lei", "en": "a formal register", "fr": "vous", "de": "Sie", "es": "usted"}


@lru_cache(maxsize=64)
def _informal(lang: str, allow: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    allowed = {normalise(a, lang) for a in allow}
    out = []
    for form in INFORMAL.get(primary_language(lang), []):
        folded = normalise(form, lang)
        if folded not in allowed:
            out.append((form, re.compile(rf"(?<!\S){re.escape(folded)}(?!\S)")))
    return tuple(out)


def informal_form(text: str, lang: str, allow: list[str]) -> str | None:
    """The informal form of address in ``text``, if any (whole words, after normalising)."""
    said = f" {normalise(text, lang)} "
    for form, pattern in _informal(lang, tuple(allow)):
        if pattern.search(said):
            return form
    return None


def register(criterion: RegisterCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    formal = _FORMAL.get(primary_language(lang), "Lei")
    said = ctx.indexed("say", criterion.line, "trainee")
    if not said:
        return not_judged("l'operatore non ha detto nulla.", "the operator said nothing.")
    for i in said:
        for heard in heard_texts(ctx.events[i])[:1]:
            form = informal_form(heard, lang, criterion.allow)
            if form is not None:
                return 0.0, Note(
                    ctx.events[i].t,
                    f"Forma confidenziale «{form}» con chi chiama: usa il {formal}.",
                    f"Informal «{form}» with the caller: keep to {formal}.",
                    quote=heard,
                    expected=formal,
                )
    return 1.0, Note(
        None,
        f"Registro formale mantenuto in {len(said)} battute.",
        f"Formal register kept in {len(said)} turns.",
    )
