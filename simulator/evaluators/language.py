"""The `language` kind: the trainee speaks the call's language.

Each utterance is identified with lingua (see :mod:`simulator.language.identify`) once names
(the company's, its staff's, the caller's, the operator's) and numbers are taken out; turns
shorter than ``min_words`` are not judged, so "Mr Esposito?" or "ok" never fail.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulator.evaluators.base import Context, Note, heard_texts, not_judged
from simulator.language.identify import NAMES_EN, NAMES_IT, language_of, same_language
from simulator.language.normalise import primary_language
from simulator.model import LanguageCriterion


def _names(ctx: Context) -> list[str]:
    names = [ctx.company.name, ctx.scenario.operator_name, ctx.company.address]
    names += [member.name for member in ctx.company.staff]
    names += [d.name for d in ctx.company.departments]
    for call in ctx.scenario.calls:
        names += [call.caller.name, call.caller.organisation or ""]
    parts = {part for name in names for part in name.split() if len(part) > 2}
    return sorted((n for n in names + list(parts) if n), key=len, reverse=True)


@lru_cache(maxsize=64)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in names)  # longest first
    return re.compile(rf"\b(?:{alternatives})\b|[\d+]+", re.I)


def strip_names(text: str, names: list[str]) -> str:
    """The text without proper names and numbers: what identifies the language."""
    return _names_pattern(tuple(names)).sub(" ", text)


def language(criterion: LanguageCriterion, ctx: Context) -> tuple[float, Note]:
    expected = primary_language(criterion.language or ctx.language(criterion.line))
    names = _names(ctx)
    said = ctx.indexed("say", criterion.line, "trainee")
    judged = 0
    for i in said:
        heard = heard_texts(ctx.events[i])[0]
        rest = strip_names(heard, names)
        if len(re.findall(r"[^\W\d_]{2,}", rest)) < criterion.min_words:
            continue
        judged += 1
        if not same_language(expected, rest):
            spoken, _ = language_of(rest)
            return 0.0, Note(
                ctx.events[i].t,
                f"Hai parlato in {NAMES_IT[spoken]}: la chiamata è in {NAMES_IT[expected]}.",
                f"You spoke {NAMES_EN[spoken]}: the call is in {NAMES_EN[expected]}.",
                quote=heard,
                expected=NAMES_IT[expected],
            )
    if not judged:
        return not_judged(
            "nessuna battuta abbastanza lunga da riconoscerne la lingua.",
            "no turn long enough to tell its language.",
        )
    return 1.0, Note(
        None,
        f"Sempre in {NAMES_IT[expected]} ({judged} battute).",
        f"{NAMES_EN[expected]} throughout ({judged} turns).",
    )
