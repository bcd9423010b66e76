"""Written forms a caller says differently: an e-mail address is dictated, not read as a word.

A synthesiser handed ``mario.rossi@ferramentarossi.example`` reads it as one strange word
(Festival's Italian voice spells fragments of it; nobody could write it down). A person says
"mario punto rossi chiocciola ferramentarossi punto example". :func:`spoken_form` makes that
text for the caller's voice; the transcript on screen keeps the address as written. The word
error rate (``audio.wer``) reads both forms alike, as it reads "tre" and "3" alike.
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
    return _EMAIL.sub(lambda m: _dictated(m.group(0), lang), text)
