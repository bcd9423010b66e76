"""Recognise what the trainee meant from a noisy utterance: intents and required phrases.

A phrase matches when a run of words in the utterance is within a few edits of it, so a phrase
said inside a longer sentence counts, "vuole lasciare un mesaggio" still offers a message, and
words scattered across the sentence do not. Short phrases ("sì", "no", "ok") must appear as
whole words: "no" is not "non"; and the ambiguous "sì" and "no" only alone or first, since the "si"
of "come si scrive" is no "sì".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from simulator.language.lexicon import BUILTIN_INTENTS
from simulator.language.normalise import normalise, primary_language

# Phrases this short (in characters, once normalised) only match as exact whole words.
_EXACT_ONLY_CHARS = 4
# "sì" folds to "si", also a pronoun ("come si scrive"); "no" ends tag questions ("è lei, no?")
# and starts "no problem"; German "ja" is also a particle. These answer only alone or leading
# the sentence, and leading they score a little less. Other short phrases ("ok", "4512") count
# as whole words anywhere.
_LEADING_ONLY = frozenset({"si", "no", "non", "ja", "oh"})
_LEADING_SHORT = 0.95
# Phrases up to this length have close neighbours ("mi dica", "mi dice"): inexact is penalised.
_SHORT_CHARS = 8
_SHORT_INEXACT_WEIGHT = 0.85
# ...but a single word this long keeps one typo at full score ("fatura" is "fattura").
_TYPO_WORD_CHARS = 6
# The same words in another order ("il suo nome mi può dire") count a little less.
_REORDERED_WEIGHT = 0.95
# A cheap character-level bound that discards most phrases before the word-window search.
_PREFILTER = 60.0
# Words of a phrase this long carry its meaning: a window that lacks one is penalised.
_CONTENT_CHARS = 4
_CONTENT_SIMILARITY = 0.7
_MISSING_CONTENT_PENALTY = 0.75
# A phrase one or two words after one of these, or with one inside, is negated: "non è corretto"
# does not confirm, nor does "I can't hold the line" ("can t hold the line") put anyone on hold.
_NEGATIONS = frozenset({"non", "not", "t", "nicht", "n"})
# ASR alternatives are less likely than the first hypothesis: a tie goes to the first.
_ALTERNATIVE_WEIGHT = 0.98
# The score from which an utterance expresses an intent.
MATCH_THRESHOLD = 0.75


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """The intent recognised in an utterance, with the phrase and the text that matched."""

    intent: str
    score: float
    phrase: str
    heard: str


def match_intent(
    utterance: str,
    candidates: Mapping[str, Sequence[str]],
    lang: str,
    *,
    alternatives: Sequence[str] = (),
    threshold: float = MATCH_THRESHOLD,
) -> IntentMatch | None:
    """Return the best intent among ``candidates`` that the utterance expresses, or None.

    Args:
        utterance: The first hypothesis of the recogniser, or what was typed.
        candidates: Intent name to phrases (see ``intent_phrases``).
        lang: Language tag of the call, e.g. "it-IT".
        alternatives: Further recogniser hypotheses, tried after the first.
        threshold: Minimum score in [0, 1]; below it nothing matches.
    """
    matches = match_intents(
        utterance, candidates, lang, alternatives=alternatives, threshold=threshold
    )
    return matches[0] if matches else None


def match_intents(
    utterance: str,
    candidates: Mapping[str, Sequence[str]],
    lang: str,
    *,
    alternatives: Sequence[str] = (),
    threshold: float = MATCH_THRESHOLD,
) -> list[IntentMatch]:
    """Return every intent the utterance expresses, best first, one match per intent.

    Ties go to the longer phrase: in "no, non c'è, vuole lasciare un messaggio?" the offer of a
    message says more than the "no" in front of it.
    """
    heard_texts = _heard_texts(utterance, alternatives, lang)
    key = tuple((intent, tuple(phrases)) for intent, phrases in candidates.items())
    table = _table(key, primary_language(lang))
    best: dict[str, tuple[tuple[float, int, int], IntentMatch]] = {}
    for rank, (heard, weight) in enumerate(heard_texts):
        for index, raw_score in _scores(table, heard).items():
            score = raw_score * weight
            if score < threshold:
                continue
            intent, phrase, canonical = table.entries[index]
            key_of_match = (score, len(canonical), -rank)
            if intent not in best or key_of_match > best[intent][0]:
                best[intent] = (key_of_match, IntentMatch(intent, round(score, 4), phrase, heard))
    ranked = sorted(best.values(), key=lambda item: item[0], reverse=True)
    return [match for _, match in ranked]


def phrase_present(
    utterance: str, phrases: Iterable[str], lang: str, threshold: float = 0.8
) -> tuple[str, float] | None:
    """Return the phrase of ``phrases`` best present in ``utterance`` and its score, or None.

    Used by scoring for "said any of these" criteria and forbidden phrases.
    """
    heard = normalise(utterance, lang)
    found: tuple[str, float] | None = None
    for phrase in phrases:
        score = phrase_score(normalise(phrase, lang), heard)
        if score >= threshold and (found is None or score > found[1]):
            found = (phrase, round(score, 4))
    return found


def intent_phrases(
    intent: str, lang: str, extra: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """Return the phrases of ``intent`` in ``lang``: the builtin ones, then the scenario's.

    A scenario may extend a builtin intent or define a new one under its own name.
    """
    builtin = BUILTIN_INTENTS.get(intent, {}).get(primary_language(lang), [])
    added = (extra or {}).get(intent, [])
    return list(dict.fromkeys([*builtin, *added]))


def intent_candidates(
    intents: Iterable[str], lang: str, extra: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """Return ``{intent: phrases}`` for ``intents``, ready for :func:`match_intent`."""
    return {intent: intent_phrases(intent, lang, extra) for intent in intents}


def phrase_score(phrase: str, text: str) -> float:
    """Return how well the normalised ``phrase`` occurs in the normalised ``text``, in [0, 1].

    The score is the best edit-distance similarity (a swap of two letters is one edit) between
    the phrase and a run of whole words of the text of about the phrase's length, in order or
    reordered (slightly less).
    """
    if not phrase or not text:
        return 0.0
    if len(phrase) <= _EXACT_ONLY_CHARS:
        return _short_score(phrase, text)
    if fuzz.partial_ratio(phrase, text, score_cutoff=_PREFILTER) == 0:
        return 0.0
    return _window_score(phrase, text)


@dataclass(frozen=True, slots=True)
class _Table:
    """Candidate phrases normalised once, split into exact-only and fuzzy ones."""

    entries: tuple[tuple[str, str, str], ...]
    short: tuple[int, ...]
    fuzzy: tuple[int, ...]
    fuzzy_canonicals: tuple[str, ...]


@lru_cache(maxsize=512)
def _table(candidates: tuple[tuple[str, tuple[str, ...]], ...], lang: str) -> _Table:
    entries = tuple(
        (intent, phrase, normalise(phrase, lang))
        for intent, phrases in candidates
        for phrase in phrases
    )
    short = tuple(i for i, entry in enumerate(entries) if 0 < len(entry[2]) <= _EXACT_ONLY_CHARS)
    fuzzy = tuple(i for i, entry in enumerate(entries) if len(entry[2]) > _EXACT_ONLY_CHARS)
    return _Table(entries, short, fuzzy, tuple(entries[i][2] for i in fuzzy))


def _scores(table: _Table, text: str) -> dict[int, float]:
    """Score every phrase against ``text``; the prefilter runs in one C loop for speed."""
    scores: dict[int, float] = {}
    if not text:
        return scores
    for index in table.short:
        scores[index] = _short_score(table.entries[index][2], text)
    passed = process.extract(
        text, table.fuzzy_canonicals, scorer=fuzz.partial_ratio, score_cutoff=_PREFILTER, limit=None
    )
    for canonical, _, position in passed:
        scores[table.fuzzy[position]] = _window_score(canonical, text)
    return scores


def _short_score(phrase: str, text: str) -> float:
    if text == phrase:
        return 1.0
    if phrase in _LEADING_ONLY:
        return _LEADING_SHORT if text.startswith(phrase + " ") else 0.0
    return 1.0 if f" {phrase} " in f" {text} " else 0.0


@lru_cache(maxsize=16384)
def _window_score(phrase: str, text: str) -> float:
    phrase_words = phrase.split()
    windows = _windows(text, len(phrase_words), bool(_NEGATIONS.intersection(phrase_words)))
    if not windows:
        return 0.0
    if phrase in windows:
        return 1.0
    found = process.extractOne(phrase, windows, scorer=OSA.normalized_similarity)
    best, best_window = (found[1], found[0]) if found is not None else (0.0, "")
    if len(phrase_words) > 1:
        same_length = [w for w in windows if w.count(" ") == len(phrase_words) - 1]
        reordered = process.extractOne(phrase, same_length, scorer=fuzz.token_sort_ratio)
        if reordered is not None and reordered[1] / 100 * _REORDERED_WEIGHT > best:
            best, best_window = reordered[1] / 100 * _REORDERED_WEIGHT, reordered[0]
    if best == 0.0:
        return 0.0
    if len(phrase) <= _SHORT_CHARS and (len(phrase_words) > 1 or len(phrase) < _TYPO_WORD_CHARS):
        best *= _SHORT_INEXACT_WEIGHT
    for word in phrase_words:
        if len(word) >= _CONTENT_CHARS and not _word_present(word, best_window):
            best *= _MISSING_CONTENT_PENALTY
    return float(best)


@lru_cache(maxsize=8192)
def _windows(text: str, size: int, negation_inside: bool) -> tuple[str, ...]:
    """Return the runs of ``size`` words, give or take one, that no negation precedes.

    Runs holding a negation are left out unless the phrase has one itself.
    """
    words = text.split()
    found: dict[str, None] = {}
    for width in range(max(1, size - 1), size + 2):
        for start in range(max(1, len(words) - width + 1)):
            if _NEGATIONS.intersection(words[max(0, start - 2) : start]):
                continue
            run = words[start : start + width]
            if not negation_inside and _NEGATIONS.intersection(run):
                continue
            found[" ".join(run)] = None
    return tuple(found)


def _word_present(word: str, window: str) -> bool:
    words = window.split()
    pieces = [*words, *("".join(pair) for pair in pairwise(words))]
    found = process.extractOne(
        word,
        pieces,
        scorer=OSA.normalized_similarity,
        score_cutoff=_CONTENT_SIMILARITY,
    )
    return found is not None


def _heard_texts(utterance: str, alternatives: Sequence[str], lang: str) -> list[tuple[str, float]]:
    heard: dict[str, float] = {}
    for rank, text in enumerate([utterance, *alternatives]):
        normalised = normalise(text, lang)
        if normalised and normalised not in heard:
            heard[normalised] = 1.0 if rank == 0 else _ALTERNATIVE_WEIGHT
    return list(heard.items())
