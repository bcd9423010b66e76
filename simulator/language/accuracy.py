"""How faithfully a trainee wrote down what was dictated, or covered what was expected.

A fonogramma must be transcribed word for word: its score is one minus the word error rate,
computed after normalisation so that case, accents, punctuation and "23" against "ventitré"
are not counted as errors, while a missing, extra or wrong word is.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from simulator.language.intents import phrase_present
from simulator.language.normalise import words


def word_accuracy(reference: str, hypothesis: str, lang: str) -> float:
    """Return ``max(0, 1 - WER)`` of ``hypothesis`` against ``reference``, in [0, 1].

    Args:
        reference: The text as dictated.
        hypothesis: The trainee's transcription.
        lang: Language tag, e.g. "it-IT".
    """
    reference_words = words(reference, lang)
    hypothesis_words = words(hypothesis, lang)
    if not reference_words:
        return 1.0 if not hypothesis_words else 0.0
    errors = Levenshtein.distance(reference_words, hypothesis_words)
    return max(0.0, 1.0 - errors / len(reference_words))


def keyword_coverage(
    expected_keywords: Iterable[str], text: str, lang: str, threshold: float = 0.8
) -> float:
    """Return the fraction of ``expected_keywords`` fuzzily present in ``text``, in [0, 1].

    With no keywords nothing is missing, so the coverage is 1.0; a rubric that needs at least
    one keyword is the loader's to check.
    """
    keywords = [keyword for keyword in expected_keywords if keyword.strip()]
    if not keywords:
        return 1.0
    found = sum(1 for keyword in keywords if phrase_present(text, [keyword], lang, threshold))
    return found / len(keywords)
