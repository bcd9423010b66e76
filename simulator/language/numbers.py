"""Numbers said in words become digits, and digits said one by one become one number.

Callers dictate extensions and phone numbers digit by digit ("due uno quattro"); recognisers
write them as words or as separate digits. Joining them lets "interno 2 1 4", "interno due uno
quattro" and "interno 214" compare equal.
"""

from __future__ import annotations

from functools import lru_cache

from text_to_num import alpha2digit

# Words that are numbers only next to other numbers: Italian "sei" is also "you are",
# French "neuf" also "new". Alone they are left as words.
_AMBIGUOUS: dict[str, frozenset[str]] = {
    "it": frozenset({"sei"}),
    "fr": frozenset({"neuf"}),
    "de": frozenset({"acht"}),
}

_ORDINAL_MARKS = str.maketrans("", "", "ºª°")

# English callers say "oh" for zero inside phone numbers ("oh one one three"); text2num reads
# "o" as zero, so "o'clock" must be kept away from it.
_ZERO_WORDS = frozenset({"oh", "o"})
_RUN_FOR_ZERO = 3


def words_to_digits(tokens: list[str], lang: str) -> list[str]:
    """Return ``tokens`` with number words replaced by digits, where text2num knows ``lang``.

    Args:
        tokens: Lower-case words, accents kept (text2num needs them for some languages).
        lang: Primary language subtag, e.g. "it".
    """
    if not tokens or not _supported(lang):
        return tokens
    if lang == "en":
        tokens = _english_zeros(_english_repeats(tokens))
    ambiguous = _AMBIGUOUS.get(lang, frozenset())
    converted: list[str] = []
    chunk: list[str] = []
    for index, token in enumerate(tokens):
        if token in ambiguous and not _next_to_number(tokens, index, lang):
            converted.extend(_convert(chunk, lang))
            converted.append(token)
            chunk = []
        else:
            chunk.append(token)
    converted.extend(_convert(chunk, lang))
    return converted


# British callers dictate "double four seven, triple two": the next digit said two or three times.
_REPEATS = {"double": 2, "triple": 3}


def _english_repeats(tokens: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(tokens):
        times = _REPEATS.get(tokens[index])
        if times and index + 1 < len(tokens):
            out.extend([tokens[index + 1]] * times)
            index += 2
            continue
        out.append(tokens[index])
        index += 1
    return out


def join_digit_runs(tokens: list[str]) -> list[str]:
    """Return ``tokens`` with runs of digits joined: "2 1 4" becomes "214".

    A run joins while one side is a single spoken digit ("interno 2 14", "zero 9 7 1"); two
    numbers of several digits stay apart: "ordine 40917 40 sedie" keeps both numbers. A lone
    digit after a number of several digits stays apart too ("ordine 8120: 2 sedie" is an order
    and a quantity), while one that goes on a run ("0971 4 4 3") joins it. The result is a
    fixed point: joining it again changes nothing.
    """
    joined: list[str] = []
    for index, token in enumerate(tokens):
        previous = joined[-1] if joined else ""
        if token.isdigit() and previous.isdigit() and _joins(tokens, index, previous):
            joined[-1] += token
        else:
            joined.append(token)
    return joined


def _joins(tokens: list[str], index: int, previous: str) -> bool:
    """Whether the digits at ``index`` continue ``previous``, the number joined so far."""
    if len(previous) == 1:
        return True
    token = tokens[index]
    if len(token) != 1:
        return False
    before = tokens[index - 1]
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return len(before) == 1 or after.isdigit()


def spoken_digits(text: str) -> str:
    """Return only the digits of an already normalised string ("interno 214" gives "214")."""
    return "".join(character for character in text if character.isdigit())


def _english_zeros(tokens: list[str]) -> list[str]:
    """Write "oh" as "o" inside runs of three or more numbers; leave "oh, one moment" alone."""
    merged: list[str] = []
    for token in tokens:
        if token == "clock" and merged and merged[-1] == "o":
            merged[-1] = "oclock"
        else:
            merged.append(token)
    result = list(merged)
    start = 0
    while start < len(merged):
        end = start
        while end < len(merged) and (
            merged[end] in _ZERO_WORDS
            or merged[end].isdigit()
            or _is_number_word(merged[end], "en")
        ):
            end += 1
        run = merged[start:end]
        if len(run) >= _RUN_FOR_ZERO and any(token not in _ZERO_WORDS for token in run):
            result[start:end] = ["o" if token in _ZERO_WORDS else token for token in run]
        start = max(end, start + 1)
    return result


def _next_to_number(tokens: list[str], index: int, lang: str) -> bool:
    neighbours = tokens[max(index - 1, 0) : index] + tokens[index + 1 : index + 2]
    return any(token.isdigit() or _is_number_word(token, lang) for token in neighbours)


def _convert(chunk: list[str], lang: str) -> list[str]:
    if not chunk:
        return []
    # Ordinal marks ("un quarto" gives "un 4º") would fold to a stray "o": drop them.
    return _alpha2digit(" ".join(chunk), lang).translate(_ORDINAL_MARKS).split()


@lru_cache(maxsize=4096)
def _is_number_word(token: str, lang: str) -> bool:
    return _alpha2digit_threshold(token, lang, 0.0) != token


@lru_cache(maxsize=16)
def _supported(lang: str) -> bool:
    try:
        alpha2digit("", lang)
    except ValueError:
        return False
    return True


def _alpha2digit(text: str, lang: str) -> str:
    return _alpha2digit_threshold(text, lang, 3.0)


def _alpha2digit_threshold(text: str, lang: str, threshold: float) -> str:
    # text2num ships without type hints; keep the untyped call in one place.
    result: str = alpha2digit(text, lang, threshold=threshold)
    return result
