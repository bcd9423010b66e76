"""The language layer: from noisy trainee utterances to intents, numbers and scores.

Pure functions over strings, no I/O: what the trainee typed or the recogniser heard is
normalised (:func:`normalise`), matched against intent phrases (:func:`match_intent`), read as a
phone number (:func:`normalise_phone`) or compared with a dictated text (:func:`word_accuracy`).
"""

from simulator.language.accuracy import keyword_coverage, word_accuracy
from simulator.language.intents import (
    IntentMatch,
    intent_candidates,
    intent_phrases,
    match_intent,
    match_intents,
    phrase_present,
    phrase_score,
)
from simulator.language.lexicon import (
    BUILTIN_INTENTS,
    CALLER_LINES,
    DEFAULT_ANSWERS,
    fill_answer,
    spell,
)
from simulator.language.normalise import normalise, primary_language, words
from simulator.language.phone import call_class, normalise_phone, same_phone

__all__ = [
    "BUILTIN_INTENTS",
    "CALLER_LINES",
    "DEFAULT_ANSWERS",
    "IntentMatch",
    "call_class",
    "fill_answer",
    "intent_candidates",
    "intent_phrases",
    "keyword_coverage",
    "match_intent",
    "match_intents",
    "normalise",
    "normalise_phone",
    "phrase_present",
    "phrase_score",
    "primary_language",
    "same_phone",
    "spell",
    "word_accuracy",
    "words",
]
