"""Word error rate for tests and benchmarks, fair to how recognisers write.

Whisper writes "1, 2, 3" for "one two three" and "Sig." or "l'ufficio" as it likes; a plain word
comparison would count those as errors a listener would never hear. So both texts are
normalised the same way first: case, accents and punctuation dropped (``simulator.language``'s
normaliser, which also turns numbers in words into digits for the language), apostrophes split
("l'ufficio" -> "l ufficio"), and every digit made a word of its own, so "tre due uno", "3 2 1"
and "321" all compare as the same three words; an e-mail address compares as it is dictated
("m.rossi@example.it" and "m punto rossi chiocciola example punto it" alike, ``audio.spoken``);
and in Italian a spelt letter compares equal to its name ("R come Roma" and "erre come Roma"),
as a digit does to its number word.
"""

from __future__ import annotations

import re

from audio.spoken import spoken_form
from simulator.language.normalise import normalise

_DIGITS = re.compile(r"\d")
# Number words the normaliser leaves alone because they double as articles or pronouns ("un",
# "one", "eins"...): mapped on both sides, so an article still compares equal to an article.
_SMALL_NUMBERS = {
    "it": "zero uno due tre quattro cinque sei sette otto nove",
    "en": "zero one two three four five six seven eight nine",
    "fr": "zero un deux trois quatre cinq six sept huit neuf",
    "de": "null eins zwei drei vier funf sechs sieben acht neun",
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve",
}
# Italian letter names, mapped to the letter on both sides (like the small numbers): a caller
# spelling "R come Roma" says "erre", and a recogniser may write either.
_LETTER_NAMES = {
    "it": {
        "bi": "b", "ci": "c", "di": "d", "effe": "f", "gi": "g", "acca": "h", "cappa": "k",
        "elle": "l", "emme": "m", "enne": "n", "pi": "p", "cu": "q", "erre": "r", "esse": "s",
        "ti": "t", "vu": "v", "vi": "v", "ics": "x", "ipsilon": "y", "zeta": "z",
    },
}  # fmt: skip
_AS_DIGIT = {
    lang: {word: str(n) for n, word in enumerate(words.split())}
    for lang, words in _SMALL_NUMBERS.items()
}


def _digits_apart(text: str) -> str:
    return _DIGITS.sub(lambda m: f" {m.group(0)} ", text)


def wer_words(text: str, lang: str = "it") -> list[str]:
    """The words WER compares: normalised, numbers as single digits, addresses as dictated."""
    plain = spoken_form(text, lang).replace("'", " ").replace("’", " ")
    code = lang.split("-")[0].lower()
    same = {**_LETTER_NAMES.get(code, {}), **_AS_DIGIT.get(code, {})}
    return [same.get(w, w) for w in _digits_apart(normalise(plain, lang)).split()]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str, lang: str = "it") -> float:
    """Edits needed to turn the hypothesis into the reference, per reference word (0 = exact).

    An empty reference gives 0.0 for an empty hypothesis and 1.0 otherwise.
    """
    ref, hyp = wer_words(reference, lang), wer_words(hypothesis, lang)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def corpus_word_error_rate(pairs: list[tuple[str, str]], lang: str = "it") -> float:
    """WER of a whole set, as usually reported: all edits over all reference words (a mean of
    per-sentence rates would let a two-word sentence weigh as much as a fifteen-word one)."""
    edits = words = 0
    for reference, hypothesis in pairs:
        ref = wer_words(reference, lang)
        edits += edit_distance(ref, wer_words(hypothesis, lang))
        words += len(ref)
    return edits / words if words else 0.0
