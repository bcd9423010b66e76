"""Grammars from the phrases a step expects: the reason constrained recognition is accurate.

Pure functions (no engine imported) so they are unit-tested on their own. A phrase is normalised
to the recogniser's spelling (lower case, straight apostrophes, no punctuation); words the
dictionary lacks are dropped, and a phrase left with no words is dropped with them. Each grammar
phrase maps back to the phrase as the scenario wrote it, which is what the console shows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NOT_WORD = re.compile(r"[^\w']+")


def normalise_words(text: str) -> list[str]:
    """Lower-case words with punctuation removed; apostrophes inside words are kept (``i'll``)."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()
    words = (w.strip("'_") for w in _NOT_WORD.split(text))
    return [w for w in words if w]


@dataclass(frozen=True, slots=True)
class Grammar:
    """A JSGF grammar and the way back from what it recognises to what the scenario wrote.

    Attributes:
        jsgf: The grammar text for pocketsphinx.
        phrases: Grammar phrase (space-joined words) -> original expected phrase.
        dropped_words: Out-of-vocabulary words left out, for logs and authoring hints.
    """

    jsgf: str
    phrases: dict[str, str]
    dropped_words: tuple[str, ...]

    @property
    def name(self) -> str:
        """A stable search name, so a cached decoder reuses a grammar it has already built."""
        return "g" + hashlib.sha256(self.jsgf.encode("utf-8")).hexdigest()[:16]


def build_grammar(expected: Sequence[str], known: Callable[[str], bool]) -> Grammar | None:
    """A one-rule JSGF grammar accepting exactly one of the expected phrases.

    Args:
        expected: Phrases as the scenario wrote them.
        known: Whether the recogniser's dictionary has a word.

    Returns:
        The grammar, or ``None`` when no phrase has a known word (then only dictation is left).
    """
    phrases: dict[str, str] = {}
    dropped: list[str] = []
    for original in expected:
        words = normalise_words(original)
        kept = [w for w in words if known(w)]
        dropped.extend(w for w in words if w not in kept and w not in dropped)
        if kept:
            phrases.setdefault(" ".join(kept), original)
    if not phrases:
        return None
    alternatives = " | ".join(f"( {phrase} )" for phrase in sorted(phrases))
    jsgf = f"#JSGF V1.0;\ngrammar expected;\npublic <utterance> = {alternatives};\n"
    return Grammar(jsgf, phrases, tuple(dropped))
