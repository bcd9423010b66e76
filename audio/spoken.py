"""Written forms a caller says differently: an e-mail address is dictated, not read as a word.

A synthesiser handed ``mario.rossi@ferramentarossi.example`` reads it as one strange word
(Festival's Italian voice spells fragments of it; nobody could write it down). A person says
"mario punto rossi chiocciola ferramentarossi punto example". Likewise an Italian caller spelling
"R come Roma" says the letter's name, "erre come Roma". :func:`spoken_form` makes that text for
the caller's voice; the transcript on screen keeps the line as written. The word error rate
(``audio.wer``) reads both forms alike, as it reads "tre" and "3" alike.
"""

from __future__ import annotations

import re

# How the signs of an address are said, per language: at, dot, hyphen, underscore.
_SIGNS = {
    "it": ("chiocciola", "punto", "trattino", "trattino basso"),
    "en": ("at", "dot", "dash", "underscore"),
    "fr": ("arobase", "point", "tiret", "tiret bas"),
    "de": ("at", "Punkt", "Bindestrich", "Unterstrich"),
    "es": ("arroba", "punto", "guion", "guion bajo"),
}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# "R come Roma": a capital letter alone, then "come" and a word (the Italian phone alphabet).
_SPELT = re.compile(r"\b([A-Z]) (?=come [A-ZÀ-Ý])")
_LETTER_NAMES_IT = {
    "A": "a", "B": "bi", "C": "ci", "D": "di", "E": "e", "F": "effe", "G": "gi", "H": "acca",
    "I": "i", "J": "i lunga", "K": "cappa", "L": "elle", "M": "emme", "N": "enne", "O": "o",
    "P": "pi", "Q": "cu", "R": "erre", "S": "esse", "T": "ti", "U": "u", "V": "vu",
    "W": "doppia vu", "X": "ics", "Y": "ipsilon", "Z": "zeta",
}  # fmt: skip


def _dictated(address: str, lang: str) -> str:
    at, dot, hyphen, underscore = _SIGNS.get(lang, _SIGNS["en"])
    words = (
        address.replace("@", f" {at} ")
        .replace(".", f" {dot} ")
        .replace("-", f" {hyphen} ")
        .replace("_", f" {underscore} ")
    )
    return " ".join(words.split())


def spoken_form(text: str, language: str) -> str:
    """``text`` as a caller says it in ``language`` ("it-IT", "en-GB"...): addresses dictated."""
    lang = language.split("-")[0].lower()
    text = _EMAIL.sub(lambda m: _dictated(m.group(0), lang), text)
    if lang == "it":
        text = _SPELT.sub(lambda m: _LETTER_NAMES_IT[m.group(1)] + " ", text)
    return text
