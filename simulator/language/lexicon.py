"""What operators say, what callers answer: the builtin phrase lists, read from lexicon.yaml.

``BUILTIN_INTENTS`` holds, for each intent the engine and the scoring know, the phrases a trainee
may use in each language. They are matched fuzzily after :func:`~simulator.language.normalise`,
so spelling, accents and punctuation do not matter; a phrase only needs to be the shortest
wording that clearly means the intent. Avoid short phrases that occur inside other intents'
sentences ("come", "non"): those match whole words only, and match too often.
Scenario files add phrases or new intents on top (see ``intent_phrases``). The data lives in
``lexicon.yaml`` beside this module so that a linguist can extend it without touching code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from unidecode import unidecode

_SOURCE = Path(__file__).with_name("lexicon.yaml")
_DATA: dict[str, Any] = yaml.load(  # a safe loader: the C one when present
    _SOURCE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
)


def _only_text(value: Any, where: str) -> None:
    """YAML 1.1 reads a bare 'no' or 'yes' as a boolean: every phrase must stay text."""
    if isinstance(value, dict):
        for key, item in value.items():
            _only_text(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _only_text(item, f"{where}[{index}]")
    elif not isinstance(value, str):
        raise ValueError(f"{_SOURCE}: {where} must be quoted text, found {value!r}")


_only_text(_DATA, "lexicon")

BUILTIN_INTENTS: dict[str, dict[str, list[str]]] = _DATA["intents"]
DEFAULT_ANSWERS: dict[str, dict[str, str]] = _DATA["answers"]
CALLER_LINES: dict[str, dict[str, str]] = _DATA["caller_lines"]
# Scoring phrase families (openings, closings, apologies, blame...), cited as '@name' in criteria.
FAMILIES: dict[str, dict[str, list[str]]] = _DATA.get("families", {})
# What conveys an absence reason (per kind of reason) and places related to a place.
REASONS: dict[str, dict[str, list[str]]] = _DATA.get("disclosure", {}).get("reasons", {})
PLACES: dict[str, list[str]] = _DATA.get("disclosure", {}).get("places", {})
# Words that say what to repeat ("ripetere il numero"): question intent -> words per language.
REPEAT_TOPICS: dict[str, dict[str, list[str]]] = _DATA.get("repeat_topics", {})
# Informal forms of address per language, for the `register` criterion.
INFORMAL: dict[str, list[str]] = _DATA.get("register", {}).get("informal", {})


def family_phrases(name: str, lang: str) -> list[str]:
    """The phrases of family ``name`` in ``lang`` (a builtin intent's when no family has it).

    Raises KeyError for a name that is neither a family nor an intent.
    """
    primary = lang.replace("_", "-").split("-", 1)[0].lower()
    if name in FAMILIES:
        return list(FAMILIES[name].get(primary, []))
    return list(BUILTIN_INTENTS[name].get(primary, []))


def expand_families(phrases: list[str], lang: str) -> list[str]:
    """Replace each '@family' in ``phrases`` by that family's phrases in ``lang``."""
    out: list[str] = []
    for phrase in phrases:
        if phrase.startswith("@"):
            out.extend(family_phrases(phrase[1:], lang))
        else:
            out.append(phrase)
    return out


# Spelling alphabets: the Italian one with city names, as switchboards use it.
_ALPHABETS: dict[str, tuple[str, dict[str, str]]] = {
    lang: (entry["pattern"], dict(zip("abcdefghijklmnopqrstuvwxyz", entry["letters"], strict=True)))
    for lang, entry in _DATA["alphabets"].items()
}
_SEPARATORS: dict[str, dict[str, str]] = _DATA["separators"]


def spell(name: str, lang: str) -> str:
    """Spell ``name`` letter by letter with the language's spelling alphabet.

    "Rossi" in Italian gives "R come Roma, O come Otranto, S come Savona, S come Savona,
    I come Imola": what a caller says when the operator asks how the name is written.
    Accented letters are spelt as their base letter; unknown characters are skipped.
    """
    primary = lang.replace("_", "-").split("-", 1)[0].lower()
    pattern, alphabet = _ALPHABETS.get(primary, _ALPHABETS["en"])
    separators = _SEPARATORS.get(primary, _SEPARATORS["en"])
    parts: list[str] = []
    for character in name.strip().replace("’", "'"):
        base = unidecode(character).lower()
        if base in alphabet:
            parts.append(pattern.format(letter=base.upper(), word=alphabet[base]))
        elif character.isdigit():
            parts.append(character)
        elif character in separators and parts and parts[-1] != separators[character]:
            parts.append(separators[character])
    return ", ".join(parts)


def fill_answer(intent: str, facts: Mapping[str, str], lang: str) -> str | None:
    """Return the caller's default answer to ``intent`` from persona ``facts``, if it has one.

    Returns None when there is no template for the intent or a fact it needs is missing, so the
    engine can fall back to a scenario reply or "not understood" instead of saying "{phone}".
    """
    primary = lang.replace("_", "-").split("-", 1)[0].lower()
    template = DEFAULT_ANSWERS.get(intent, {}).get(primary)
    if template is None:
        return None
    values = dict(facts)
    if "name" in values and "spelled" not in values:
        values["spelled"] = spell(values["name"], lang)
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        return None
