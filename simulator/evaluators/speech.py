"""The `speech` kind: the trainee said one of the expected phrases within a window."""

from __future__ import annotations

import re

from simulator.evaluators.base import (
    Context,
    Note,
    digits_of,
    heard_texts,
    utterances,
    window_start,
)
from simulator.language.intents import phrase_present
from simulator.language.normalise import normalise
from simulator.model import SpeechCriterion
from simulator.templates import expand


def _same_numbers(phrase: str, heard: str, lang: str) -> bool:
    """Numbers in an expected phrase must be said exactly: '823154' is not '823145'."""
    wanted = re.findall(r"\d+", normalise(phrase, lang))
    if not wanted:
        return True
    said = digits_of(normalise(heard, lang))
    return all(number in said for number in wanted)


def speech(criterion: SpeechCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = [expand(p, values) for p in criterion.any_of]
    start = window_start(ctx, criterion.window.after, criterion.line)
    if start is None:
        return 0.0, Note(
            None,
            f"Non valutabile: '{criterion.window.after}' non è mai avvenuto.",
            f"Cannot judge: '{criterion.window.after}' never happened.",
        )
    within = criterion.window.within_s
    until = None if within is None else ctx.effective[start] + within * ctx.multiplier
    said = utterances(ctx, criterion.line, start, until)
    matched: dict[str, tuple[int, str]] = {}
    for i in said:
        for heard in heard_texts(ctx.events[i]):
            for phrase in phrases:
                if phrase in matched:
                    continue
                if phrase_present(heard, [phrase], lang) is not None and _same_numbers(
                    phrase, heard, lang
                ):
                    matched[phrase] = (i, heard)
    span = "" if within is None else f" entro {within * ctx.multiplier:.0f} s"
    span_en = "" if within is None else f" within {within * ctx.multiplier:.0f} s"
    if not matched:
        if not said:
            return 0.0, Note(None, f"Nessuna battuta{span}.", f"Nothing said{span_en}.")
        first = ctx.events[said[0]]
        return 0.0, Note(
            first.t,
            f"Nessuna delle frasi attese{span}.",
            f"None of the expected phrases{span_en}.",
            quote=str(first.data.get("text", "")),
        )
    i, heard = min(matched.values())
    value = min(1.0, len(matched) / criterion.min_matches)
    return value, Note(
        ctx.events[i].t,
        f"Detto ({len(matched)} di {criterion.min_matches} richieste).",
        f"Said ({len(matched)} of {criterion.min_matches} needed).",
        quote=heard,
    )
