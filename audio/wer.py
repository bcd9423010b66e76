"""Word error rate for tests and benchmarks, fair to how recognisers write.

Whisper writes "1, 2, 3" for "one two three" and "Sig." or "l'ufficio" as it likes; a plain word
comparison would count those as errors a listener would never hear. So both texts are
normalised the same way first: case, accents and punctuation dropped (``simulator.language``'s
normaliser, which also turns numbers in words into digits for the language), apostrophes split
("l'ufficio" -> "l ufficio"), and every digit made a word of its own, so "tre due uno", "3 2 1"
and "321" all compare as the same three words.
"""

from __future__ import annotations

import re

from simulator.language.normalise import normalise

_DIGITS = re.compile(r"\d")


def _digits_apart(text: str) -> str:
    return _DIGITS.sub(lambda m: f" {m.group(0)} ", text)


def wer_words(text: str, lang: str = "it") -> list[str]:
    """The words WER compares: normalised, numbers as single digits."""
    plain = text.replace("'", " ").replace("’", " ")
    return _digits_apart(normalise(plain, lang)).split()


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
