"""Rewrites of a free transcript with one expected phrase in it, for a recogniser to re-score.

A free recogniser mishears short, decisive words ("Glielo passo subito" comes out "e lo farso
subito") that the step expected. Biasing the decoder towards the expected phrases would credit
them when they were not said; instead each near phrase is put in place of the words of the
transcript most like it, and the recogniser scores that rewrite against the same audio
(``audio.whisper``). Only a rewrite the audio supports almost as well as what was heard becomes an
alternative. This module only builds the rewrites: pure text, no audio.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from simulator.language.intents import phrase_score
from simulator.language.normalise import normalise

# A phrase less like the transcript than this (rapidfuzz partial ratio) is not tried at all...
_NEAR = 45.0
# ...nor one whose nearest run of words is less like it than this (edit similarity).
_WINDOW = 0.4
# A phrase already this present in the transcript needs no rewrite: the matcher finds it.
_PRESENT = 0.9


def phrase_hypotheses(
    transcript: str, phrases: Sequence[str], lang: str, limit: int = 8
) -> list[str]:
    """Return up to ``limit`` rewrites of ``transcript``, nearest phrases first.

    Each rewrite replaces the run of words (the phrase's length, give or take one) most like one
    phrase by that phrase as written; the other words stay as heard.
    """
    words = transcript.split()
    heard = normalise(transcript, lang)
    if not words or not heard:
        return []
    canonical = {normalise(p, lang): p for p in phrases if p.strip()}
    canonical.pop("", None)
    near = process.extract(
        heard, list(canonical), scorer=fuzz.partial_ratio, score_cutoff=_NEAR, limit=None
    )
    per_word = [normalise(w, lang) for w in words]
    ranked: list[tuple[float, int, str]] = []
    for norm_phrase, _, _ in near:
        if phrase_score(norm_phrase, heard) >= _PRESENT:
            continue
        similarity, rewrite = _substituted(words, per_word, norm_phrase, canonical[norm_phrase])
        if similarity >= _WINDOW:
            ranked.append((similarity, len(norm_phrase), rewrite))
    rewrites: dict[str, str] = {}
    for _, _, rewrite in sorted(ranked, key=lambda r: (-r[0], -r[1])):
        key = normalise(rewrite, lang)
        if key != heard and key not in rewrites:
            rewrites[key] = rewrite
        if len(rewrites) >= limit:
            break
    return list(rewrites.values())


def _substituted(
    words: list[str], per_word: list[str], norm_phrase: str, phrase: str
) -> tuple[float, str]:
    """The edit similarity of the run most like the phrase, and the transcript with it replaced."""
    size = len(norm_phrase.split())
    best, best_at = -1.0, (0, 0)
    for width in range(max(1, size - 1), size + 2):
        for start in range(max(1, len(words) - width + 1)):
            window = " ".join(w for w in per_word[start : start + width] if w)
            similarity = OSA.normalized_similarity(norm_phrase, window)
            if similarity > best:
                best, best_at = similarity, (start, width)
    start, width = best_at
    return best, " ".join([*words[:start], *phrase.split(), *words[start + width :]])
