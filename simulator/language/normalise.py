"""Turn a noisy utterance into a canonical string that fuzzy matching can compare.

Trainees type with or without accents, and speech recognisers add fillers, punctuation and
numbers spelt out in words. Everything the matchers see goes through :func:`normalise`, phrases
from the lexicon and the scenario as much as what the trainee said, so the two sides always meet
on the same ground.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

from simulator.language.numbers import join_digit_runs, words_to_digits

_NOT_WORD = re.compile(r"[^\w]+|_+")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")

# A filler is a tuple of words; the set beside it lists the previous words that make it carry
# meaning ("do you know" asks a question, "c'est bon" says yes), so it is kept after them.
_FILLER_WORDS: dict[str, dict[tuple[str, ...], frozenset[str]]] = {
    "it": {
        ("allora",): frozenset(),
        ("cioe",): frozenset(),
        ("ecco",): frozenset(),
        ("diciamo",): frozenset({"lo", "le", "glielo", "che", "come", "cosa", "ci"}),
        ("insomma",): frozenset(),
        ("boh",): frozenset(),
        # "tipo" is kept in "che tipo di problema"; see _KEEP_BEFORE.
        ("tipo",): frozenset({"che", "quale", "il", "un", "di", "questo", "quel", "stesso"}),
    },
    "en": {
        ("you", "know"): frozenset({"do", "did", "does", "t", "if", "whether", "would", "you"}),
    },
    "fr": {
        ("ben",): frozenset(),
        ("bah",): frozenset(),
        ("hein",): frozenset(),
        ("bon",): frozenset({"c", "est", "tres", "pas", "un", "le", "a", "si", "plus"}),
        ("enfin",): frozenset(),
        ("du", "coup"): frozenset(),
    },
    "de": {("also",): frozenset({"ist", "und"}), ("na",): frozenset()},
    "es": {("pues",): frozenset(), ("bueno",): frozenset({"muy", "es", "lo", "que"})},
}

# Next words that keep a filler: "che tipo di problema", "ecco a lei", "bon appétit".
_KEEP_BEFORE: dict[str, dict[str, frozenset[str]]] = {
    "it": {"tipo": frozenset({"di", "de"}), "ecco": frozenset({"a", "qui", "fatto"})},
    "fr": {"bon": frozenset({"apres", "appetit", "voyage", "courage", "week", "jour"})},
    "es": {"bueno": frozenset({"dia", "dias"})},
}

# Hesitation noises, including elongated ones from typed chat ("ehmmm", "uhm", "mmh").
_HESITATION: dict[str, re.Pattern[str]] = {
    "it": re.compile(r"e+h+m*|e+m+|u+h*m+|u+h+|m{2,}h*|h+m+|m+h+"),
    "en": re.compile(r"u+m+|u+h+m*|e+r+m+|er+|h+m+|m{2,}h*|m+h+"),
    "fr": re.compile(r"e+u+h+|e+u{2,}|h+e+i+n+|m{2,}h*|h+m+|m+h+"),
    "de": re.compile(r"a+h+m*|e+h+m*|h+m+|m{2,}h*|m+h+"),
    "es": re.compile(r"e+h+m*|e+m+|h+m+|m{2,}h*|m+h+"),
}


def primary_language(lang: str) -> str:
    """Return the primary subtag ("it" for "it-IT") that lexicons and converters are keyed by."""
    return lang.replace("_", "-").split("-", 1)[0].lower() or "it"


def normalise(text: str, lang: str) -> str:
    """Return a lower-case, accent-free, filler-free form of ``text`` with numbers as digits.

    The result is a fixed point: ``normalise(normalise(x, l), l) == normalise(x, l)``, which lets
    callers normalise defensively without changing what they compare.

    Args:
        text: What was typed or recognised, in any script.
        lang: A BCP 47 tag such as "it-IT"; only the primary subtag matters.
    """
    return _normalise_cached(text, primary_language(lang))


def words(text: str, lang: str) -> list[str]:
    """Return the normalised words of ``text``, as compared by the accuracy measures."""
    normalised = normalise(text, lang)
    return normalised.split() if normalised else []


@lru_cache(maxsize=8192)
def _normalise_cached(text: str, lang: str) -> str:
    current = text
    # Removing a filler or converting a number can bring new neighbours together; a few passes
    # reach a fixed point on anything we have seen (the property test searches for more).
    for _ in range(4):
        following = _normalise_once(current, lang)
        if following == current:
            break
        current = following
    return current


def _normalise_once(text: str, lang: str) -> str:
    tokens = _NOT_WORD.sub(" ", text.lower()).split()
    tokens = _drop_fillers(tokens, lang)
    # Numbers are converted before folding accents: text2num knows "veintitrés" and "fünf"
    # but not their unaccented spellings.
    converted = words_to_digits(tokens, lang)
    folded = _NOT_ASCII_WORD.sub(" ", unidecode(" ".join(converted)).lower()).split()
    return " ".join(join_digit_runs(folded))


def _drop_fillers(tokens: list[str], lang: str) -> list[str]:
    fillers = _FILLER_WORDS.get(lang, {})
    keep_before = _KEEP_BEFORE.get(lang, {})
    hesitation = _HESITATION.get(lang)
    folded = [unidecode(token) for token in tokens]
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        word = folded[index]
        if hesitation is not None and hesitation.fullmatch(word):
            index += 1
            continue
        skip = _filler_length(folded, index, fillers, keep_before, kept)
        if skip:
            index += skip
            continue
        kept.append(tokens[index])
        index += 1
    return kept


def _filler_length(
    folded: list[str],
    index: int,
    fillers: dict[tuple[str, ...], frozenset[str]],
    keep_before: dict[str, frozenset[str]],
    kept: list[str],
) -> int:
    previous = unidecode(kept[-1]) if kept else ""
    for filler, keep_after in fillers.items():
        end = index + len(filler)
        if tuple(folded[index:end]) != filler or previous in keep_after:
            continue
        following = folded[end] if end < len(folded) else ""
        if following in keep_before.get(filler[-1], frozenset()):
            continue
        return len(filler)
    return 0
