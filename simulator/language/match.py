"""Phrase matching for scoring: the intent layer's tolerance, with each phrase list normalised once.

Scoring asks the same lists (a family, a rubric's phrases) of every clause of every utterance;
:func:`present` gives what :func:`~simulator.language.intents.phrase_present` gives, faster: the
character-level prefilter that discards most phrases runs over the whole list in one call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from simulator.language.intents import phrase_score
from simulator.language.normalise import normalise

# The same bounds as the intent layer's: phrases this short match as whole words only, and a
# longer phrase below this partial similarity cannot reach any threshold.
_SHORT_CHARS = 4
_PREFILTER = 60.0


@dataclass(frozen=True, slots=True)
class _List:
    phrases: tuple[str, ...]
    folded: tuple[str, ...]
    short: tuple[int, ...]
    long: tuple[int, ...]


@lru_cache(maxsize=4096)
def _normalised(phrases: tuple[str, ...], lang: str) -> _List:
    folded = tuple(normalise(phrase, lang) for phrase in phrases)
    short = tuple(i for i, f in enumerate(folded) if len(f) <= _SHORT_CHARS)
    long = tuple(i for i, f in enumerate(folded) if len(f) > _SHORT_CHARS)
    return _List(phrases, folded, short, long)


def _scores(heard: str, table: _List) -> list[tuple[int, float]]:
    """(index, score) of the phrases worth scoring, short ones and those past the prefilter."""
    if not heard:
        return []
    out = [(i, phrase_score(table.folded[i], heard)) for i in table.short]
    if table.long:
        choices = [table.folded[i] for i in table.long]
        hits = process.extract(
            heard,
            choices,
            scorer=fuzz.partial_ratio,
            processor=None,
            score_cutoff=_PREFILTER,
            limit=None,
        )
        out += [(table.long[j], phrase_score(choices[j], heard)) for _, _, j in hits]
    return out


def present(
    text: str, phrases: Iterable[str], lang: str, threshold: float = 0.8
) -> tuple[str, float] | None:
    """The phrase of ``phrases`` best present in ``text`` and its score, or None."""
    table = _normalised(tuple(phrases), lang)
    found: tuple[str, float] | None = None
    for i, score in _scores(normalise(text, lang), table):
        if score >= threshold and (found is None or score > found[1]):
            found = (table.phrases[i], round(score, 4))
    return found


def each_present(text: str, phrases: Iterable[str], lang: str, threshold: float = 0.8) -> list[str]:
    """Every phrase of ``phrases`` present in ``text``, in the list's order."""
    table = _normalised(tuple(phrases), lang)
    hits = sorted(i for i, score in _scores(normalise(text, lang), table) if score >= threshold)
    return [table.phrases[i] for i in hits]
