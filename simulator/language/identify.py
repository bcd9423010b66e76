"""Which language an utterance is in, with lingua (an offline, well-kept language identifier).

Only the five languages the simulator plays are considered, so a short Italian sentence is
not taken for Latin. The detector loads its models on first use and is kept for the process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from simulator.language.normalise import primary_language

CODES: tuple[str, ...] = ("it", "en", "fr", "de", "es")
NAMES_IT = {"it": "italiano", "en": "inglese", "fr": "francese", "de": "tedesco", "es": "spagnolo"}
NAMES_EN = {"it": "Italian", "en": "English", "fr": "French", "de": "German", "es": "Spanish"}


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ITALIAN, Language.ENGLISH, Language.FRENCH, Language.GERMAN]
    # Low-accuracy mode uses trigram models only: a few MB and milliseconds to load instead of
    # about 160 MB and 1.7 s per process, and as accurate on the sentences of a phone call.
    builder = LanguageDetectorBuilder.from_languages(*languages, Language.SPANISH)
    return builder.with_low_accuracy_mode().build()


def confidences(text: str) -> dict[str, float]:
    """Confidence 0-1 for each of the five languages (they sum to 1)."""
    out = {code: 0.0 for code in CODES}
    for value in _detector().compute_language_confidence_values(text):
        code = value.language.iso_code_639_1.name.lower()
        if code in out:
            out[code] = float(value.value)
    return out


def language_of(text: str) -> tuple[str, float]:
    """The most likely language code of ``text`` and its confidence."""
    values = confidences(text)
    best = max(values, key=lambda code: values[code])
    return best, values[best]


def same_language(expected: str, text: str, margin: float = 0.2) -> bool:
    """Whether ``text`` is in ``expected`` (a code or a tag like 'en-GB'), or close to it.

    A sentence counts as the expected language unless another language is clearly more likely:
    mixed and ambiguous sentences ("Lucania Forniture, good morning") are given the benefit.
    """
    values = confidences(text)
    wanted = values[primary_language(expected)]
    best = max(values.values())
    return wanted >= best - margin
