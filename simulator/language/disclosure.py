"""Whether an utterance discloses a colleague's private data, judged from the company's data.

The directory's private note ("in ferie in Sardegna", "in riunione con la banca") says what must
not reach a caller. Not only its words: the kind of reason it names (a holiday, an illness, a
meeting) is conveyed by many others ("è al mare", "on holiday"), and a place by places near it
("Costa Smeralda" for Sardinia); the lexicon's ``disclosure`` section lists both. A private
number counts in digits or read out in words. A refusal scopes only its own clause: "non posso
dirle se è in ferie" discloses nothing, "non posso dirle dove, ma è al mare" does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from simulator.language.lexicon import FAMILIES, PLACES, REASONS
from simulator.language.match import present
from simulator.language.normalise import normalise, primary_language

# Words that open a new clause: a refusal before them does not cover what follows.
_CONJUNCTIONS = {
    "it": ("ma", "però", "comunque", "tuttavia"),
    "en": ("but", "however", "though"),
    "fr": ("mais", "cependant", "pourtant"),
    "de": ("aber", "jedoch", "doch"),
    "es": ("pero", "sin embargo"),
}
_MATCH = 0.85
# Words of a private note too common to give anything away on their own.
_STOP = frozenset(
    {
        "in",
        "con",
        "per",
        "dal",
        "dalla",
        "della",
        "del",
        "alla",
        "al",
        "a",
        "da",
        "di",
        "la",
        "il",
        "le",
        "lo",
        "gli",
        "un",
        "una",
        "the",
        "at",
        "with",
        "on",
        "of",
        "for",
        "to",
        "en",
        "avec",
        "de",
        "du",
        "des",
        "les",
        "mit",
        "bei",
        "der",
        "die",
        "das",
        "im",
        "am",
        "el",
        "los",
        "las",
    }
)


@dataclass(frozen=True, slots=True)
class Secret:
    """Something private about a colleague, and every wording that conveys it."""

    what_it: str
    what_en: str
    phrases: tuple[str, ...] = ()
    digits: str = ""


def clauses(text: str, lang: str) -> list[str]:
    """Split an utterance at punctuation and at adversative conjunctions ("ma", "but")."""
    words = _CONJUNCTIONS.get(primary_language(lang), ())
    pieces = re.split(r"[.;:!?,]+", text)
    out: list[str] = []
    for piece in pieces:
        parts = [piece]
        for word in words:
            parts = [p for part in parts for p in re.split(rf"\b{word}\b", part, flags=re.I)]
        out.extend(p.strip() for p in parts if p.strip())
    return out


def refuses(clause: str, lang: str) -> bool:
    """Whether the clause is a refusal to tell ("non posso dirle...", "I can't tell you...")."""
    refusal = FAMILIES.get("refusal", {})
    phrases = [p for code in {primary_language(lang), "it", "en"} for p in refusal.get(code, [])]
    return present(clause, phrases, lang, threshold=_MATCH) is not None


def note_secrets(note: str, lang: str) -> list[Secret]:
    """What a private presence note gives away: its reason's kind, its place, its own words."""
    folded = normalise(note, "it")
    found: list[Secret] = []
    languages = {primary_language(lang), "it", "en"}
    for entry in REASONS.values():
        if any(re.search(rf"\b{re.escape(normalise(cue, 'it'))}", folded) for cue in entry["cue"]):
            phrases = [p for code in languages for p in entry.get(code, [])]
            found.append(
                Secret("il motivo dell'assenza", "the reason for the absence", tuple(phrases))
            )
    for names in PLACES.values():
        if any(re.search(rf"\b{re.escape(normalise(n, 'it'))}\b", folded) for n in names):
            found.append(Secret("dove si trova", "where the colleague is", tuple(names)))
    words = [w for w in folded.split() if len(w) >= 5 and w not in _STOP]
    found.append(Secret("la nota riservata", "the private note", (note, *words)))
    return found


def number_secret(number: str) -> Secret:
    return Secret("un numero privato", "a private number", digits=re.sub(r"\D", "", number))


def disclosed(utterance: str, secrets: Iterable[Secret], lang: str) -> Secret | None:
    """The first secret the utterance conveys, outside any refusal's clause, or None."""
    secrets = list(secrets)
    spoken = re.sub(r"\D", "", normalise(utterance, lang))
    for secret in secrets:
        if len(secret.digits) >= 6 and secret.digits[-6:] in spoken:
            return secret
    for clause in clauses(utterance, lang):
        for secret in secrets:
            # The refusal check is asked only of a clause that names a secret: most name none.
            if secret.phrases and present(clause, secret.phrases, lang, _MATCH):
                if refuses(clause, lang):
                    break
                return secret
    return None
