"""The `speech` kind: the trainee said one of the expected phrases within a window."""

from __future__ import annotations

import re

from simulator.evaluators.base import (
    Context,
    Note,
    digits_of,
    heard_texts,
    utterances,
    window_never_opened,
    window_start,
)
from simulator.language.lexicon import expand_families
from simulator.language.match import each_present
from simulator.language.normalise import normalise
from simulator.model import SpeechCriterion
from simulator.templates import expand


def _distinct(phrases: list[str]) -> list[str]:
    """The phrases without repeats that differ only in case ("Lucania Forniture", "lucania...")."""
    seen: dict[str, str] = {}
    for phrase in phrases:
        seen.setdefault(phrase.casefold(), phrase)
    return list(seen.values())


def same_numbers(phrase: str, heard: str, lang: str) -> bool:
    """Numbers in an expected phrase must be said exactly: '823154' is not '823145'."""
    wanted = re.findall(r"\d+", normalise(phrase, lang))
    if not wanted:
        return True
    said = digits_of(normalise(heard, lang))
    return all(number in said for number in wanted)


# Below this similarity (0-100) no utterance resembles what was expected; the evidence then quotes
# the first reply of the window, the moment the phrase was due.
CLOSE_ENOUGH = 70.0


def closest(
    ctx: Context, indices: list[int], phrases: list[str], lang: str
) -> tuple[int, str, bool]:
    """The utterance (and the recognised text) closest to any expected phrase.

    The flag says whether it resembles one at all; when none does, the first utterance is given.
    """
    from rapidfuzz import fuzz

    best: tuple[float, int, str] | None = None
    for i in indices:
        for heard in heard_texts(ctx.events[i]):
            said = normalise(heard, lang)
            similarity = max(
                (fuzz.partial_ratio(normalise(p, lang), said) for p in phrases), default=0.0
            )
            if best is None or similarity > best[0]:
                best = (similarity, i, heard)
    assert best is not None
    if best[0] < CLOSE_ENOUGH:
        first = indices[0]
        return first, str(ctx.events[first].data.get("text", "")), False
    return best[1], best[2], True


def _matches(
    ctx: Context, indices: list[int], phrases: list[str], lang: str
) -> dict[str, tuple[int, str]]:
    matched: dict[str, tuple[int, str]] = {}
    for i in indices:
        for heard in heard_texts(ctx.events[i]):
            for phrase in each_present(heard, phrases, lang):
                if phrase not in matched and same_numbers(phrase, heard, lang):
                    matched[phrase] = (i, heard)
    return matched


def speech(criterion: SpeechCriterion, ctx: Context) -> tuple[float, Note]:
    lang = ctx.language(criterion.line)
    values = ctx.values(criterion.line)
    phrases = expand_families([expand(p, values) for p in criterion.any_of], lang)
    expected = " / ".join(_distinct(phrases)[:3])
    start = window_start(ctx, criterion.window.after, criterion.line)
    if start is None:
        return window_never_opened(criterion.window.after)
    within = criterion.window.within_s
    until = None if within is None else ctx.effective[start] + within * ctx.multiplier
    said = utterances(ctx, criterion.line, start, until)
    if criterion.in_order:
        return _in_order(ctx, said, phrases, lang, expected)
    matched = _matches(ctx, said, phrases, lang)
    span = "" if within is None else f" entro {within * ctx.multiplier:.0f} s"
    span_en = "" if within is None else f" within {within * ctx.multiplier:.0f} s"
    if not matched:
        late = _matches(ctx, utterances(ctx, criterion.line, start, None), phrases, lang)
        if late:
            i, heard = min(late.values())
            return 0.0, Note(
                ctx.events[i].t,
                f"Detto, ma troppo tardi: andava detto{span}.",
                f"Said, but too late: it was wanted{span_en}.",
                quote=heard,
                expected=expected,
            )
        if not said:
            return 0.0, Note(
                None, f"Nessuna battuta{span}.", f"Nothing said{span_en}.", expected=expected
            )
        i, heard, close = closest(ctx, said, phrases, lang)
        which_it = "la più vicina è questa" if close else "la prima risposta è questa"
        which_en = "this was the closest" if close else "this was the first reply"
        return 0.0, Note(
            ctx.events[i].t,
            f"Nessuna delle frasi attese{span}; {which_it}.",
            f"None of the expected phrases{span_en}; {which_en}.",
            quote=heard,
            expected=expected,
        )
    i, heard = min(matched.values())
    value = min(1.0, len(matched) / criterion.min_matches)
    return value, Note(
        ctx.events[i].t,
        f"Detto ({len(matched)} di {criterion.min_matches} richieste).",
        f"Said ({len(matched)} of {criterion.min_matches} needed).",
        quote=heard,
        expected=expected,
    )


def _in_order(
    ctx: Context, said: list[int], phrases: list[str], lang: str, expected: str
) -> tuple[float, Note]:
    """Every phrase in the given order across the window's replies (a spelling, a sequence).

    The score is the share found in order; the note names the first one missing or out of place.
    """
    if not said:
        return 0.0, Note(None, "Nessuna battuta.", "Nothing said.", expected=expected)
    text = " ".join(normalise(str(ctx.events[i].data.get("text", "")), lang) for i in said)
    padded = f" {text} "
    cursor, found, first_missing = 0, 0, None
    for phrase in phrases:
        wanted = normalise(phrase, lang)
        at = padded.find(f" {wanted} ", cursor) if wanted else -1
        if at == -1:
            first_missing = first_missing or phrase
            continue
        found += 1
        cursor = at + len(wanted) + 1
    value = found / len(phrases)
    quote = str(ctx.events[said[-1]].data.get("text", ""))
    if first_missing is None:
        return value, Note(
            ctx.events[said[0]].t,
            f"Tutto in ordine ({found} di {len(phrases)}).",
            f"All in order ({found} of {len(phrases)}).",
            quote=quote,
            expected=expected,
        )
    return value, Note(
        ctx.events[said[0]].t,
        f"In ordine {found} di {len(phrases)}: manca o è fuori posto «{first_missing}».",
        f"In order {found} of {len(phrases)}: missing or out of place «{first_missing}».",
        quote=quote,
        expected=expected,
    )
