"""Human names for the ids a trainee or an instructor meets: families, levels, languages.

One table for every surface (the trainee's library, the instructor pages, the phone menu,
``simulator list``, the exports), in Italian and English. An id without a name yet (a family
added later) reads as its words, never as a raw id with underscores.
"""

from __future__ import annotations

from typing import Literal

UiLang = Literal["it", "en"]

FAMILY_NAMES: dict[str, tuple[str, str]] = {
    "smistamento": ("Smistamento delle chiamate", "Call routing"),
    "messaggi": ("Messaggi", "Messages"),
    "reclami": ("Reclami", "Complaints"),
    "verifica_credenziali": ("Verifica delle credenziali", "Credential checks"),
    "informazioni": ("Informazioni", "Information"),
    "assistenza_tecnica": ("Assistenza tecnica", "Technical support"),
    "rubrica": ("Rubrica", "Phone directory"),
    "segreteria": ("Segreteria telefonica", "Voice mail"),
    "emergenza": ("Emergenze", "Emergencies"),
    "fonogramma": ("Fonogrammi", "Phonograms (dictated messages)"),
}

LEVEL_NAMES: dict[int, tuple[str, str]] = {
    1: ("Livello 1, base", "Level 1, basic"),
    2: ("Livello 2, intermedio", "Level 2, intermediate"),
    3: ("Livello 3, avanzato", "Level 3, advanced"),
}

LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "it-IT": ("italiano", "Italian"),
    "en-GB": ("inglese", "English"),
    "fr-FR": ("francese", "French"),
    "de-DE": ("tedesco", "German"),
    "es-ES": ("spagnolo", "Spanish"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang.startswith("en") else pair[0]


def family_name(family: str, lang: str = "it") -> str:
    """'smistamento' -> 'Smistamento delle chiamate' (or 'Call routing')."""
    pair = FAMILY_NAMES.get(family)
    if pair is None:
        words = family.replace("_", " ").replace("-", " ")
        return words[:1].upper() + words[1:]
    return _pick(pair, lang)


def level_name(level: int, lang: str = "it") -> str:
    """2 -> 'Livello 2, intermedio' (or 'Level 2, intermediate')."""
    pair = LEVEL_NAMES.get(level, (f"Livello {level}", f"Level {level}"))
    return _pick(pair, lang)


def language_name(language: str, lang: str = "it") -> str:
    """'en-GB' -> 'inglese' (or 'English'); an unknown tag is returned as it is."""
    pair = LANGUAGE_NAMES.get(language)
    return _pick(pair, lang) if pair else language


def family_order(family: str) -> int:
    """Families in the order of the table (the course's order), unknown ones last."""
    order = list(FAMILY_NAMES)
    return order.index(family) if family in order else len(order)


PRESENCE_NAMES: dict[str, tuple[str, str]] = {
    "available": ("libero", "available"),
    "busy": ("occupato", "busy"),
    "absent": ("assente", "absent"),
}


def presence_name(status: str, until: str | None = None, lang: str = "it") -> str:
    """'absent', 'lunedì 10:00' -> 'assente fino a lunedì 10:00' (or 'absent until ...')."""
    pair = PRESENCE_NAMES.get(status, (status, status))
    if until and status != "available":
        pair = (f"{pair[0]} fino a {until}", f"{pair[1]} until {until}")
    return _pick(pair, lang)
