"""The phone menu: the assigned calls first, then (when the school allows free practice) the whole
library by family, then by scenario, read out in short pages.

Pure: a page is computed from where the caller is (``at``: ``top``, ``families`` or
``family:<id>``), the page number and the scenarios on offer; a choice (keys or words) becomes a
token (``s:<scenario id>``, ``f:<family>``, ``free``, ``more``, ``back``). Only the position is
stored on the call's row, so any worker can answer the next request.

Keys: 1-8 choose, 9 "altri" (the next page), 0 back. A title said aloud is recognised on any
page, so "di' il titolo" works without walking the menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ivr import texts
from simulator.language.normalise import normalise
from simulator.language.numbers import spoken_digits
from simulator.names import family_name, family_order, language_name, level_name

PAGE_SIZE = 8  # digits 1-8; 9 is "more", 0 is "back"
TOP = "top"
FAMILIES = "families"
_MORE = frozenset({"altri", "altre", "avanti", "more", "next", "9", "nove", "nine"})
_BACK = frozenset({"indietro", "torna indietro", "back", "go back", "0", "zero"})
_KEY_FILLERS = frozenset({"numero", "number", "tasto", "key", "il", "the", "premo", "press"})
# Number words the normaliser keeps as words ("uno" is also an article).
_WORD_KEYS = {"uno": "1", "una": "1", "one": "1", "zero": "0"}
_FREE = frozenset({"pratica libera", "libera", "libreria", "free practice", "library", "free"})


@dataclass(frozen=True, slots=True)
class Entry:
    """A scenario the caller may choose."""

    scenario_id: str
    title: str
    family: str
    level: int
    language: str


@dataclass(frozen=True, slots=True)
class Option:
    """One choice on a page: its key, what it leads to, and how it is read out."""

    digit: str
    token: str
    label: str


@dataclass(frozen=True, slots=True)
class Page:
    """What one menu prompt offers."""

    at: str
    number: int
    intro: str
    options: tuple[Option, ...]

    @property
    def position(self) -> list[object]:
        """What to store on the call's row to rebuild this page."""
        return [self.at, self.number]

    def spoken(self) -> list[str]:
        """The sentences of the prompt, intro first, then each key."""
        lines = [self.intro]
        for option in self.options:
            lines.append(f"{option.digit}: {option.label}.")
        return lines


def _items(
    at: str, assigned: Sequence[Entry], library: Sequence[Entry], lang: str
) -> list[tuple[str, str]]:
    if at == TOP:
        items = [(f"s:{e.scenario_id}", e.title) for e in assigned]
        if library:
            items.append(("free", texts.text("free_item", lang)))
        return items
    if at == FAMILIES:
        present = sorted({e.family for e in library}, key=lambda f: (family_order(f), f))
        return [(f"f:{family}", family_name(family, lang)) for family in present]
    family = at.removeprefix("family:")
    chosen = sorted(
        (e for e in library if e.family == family), key=lambda e: (e.level, e.language, e.title)
    )
    return [
        (
            f"s:{e.scenario_id}",
            f"{e.title}, {level_name(e.level, lang)}, {language_name(e.language, lang)}",
        )
        for e in chosen
    ]


def _intro(at: str, count: int, lang: str) -> str:
    if at == TOP:
        return texts.text("menu_intro", lang, count=count)
    if at == FAMILIES:
        return texts.text("families_intro", lang, count=count)
    return texts.text(
        "family_intro", lang, family=family_name(at.removeprefix("family:"), lang), count=count
    )


def start(assigned: Sequence[Entry], library: Sequence[Entry]) -> str:
    """Where a call begins: the assigned calls, or the families when none is assigned."""
    return TOP if assigned or not library else FAMILIES


def page(
    at: str, number: int, assigned: Sequence[Entry], library: Sequence[Entry], lang: str
) -> Page:
    """The page ``number`` (from 0) of the menu at ``at``."""
    items = _items(at, assigned, library, lang)
    last = max(0, (len(items) - 1) // PAGE_SIZE)
    number = min(max(0, number), last)
    chunk = items[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
    options = [Option(str(i), token, label) for i, (token, label) in enumerate(chunk, start=1)]
    if number < last:
        options.append(Option("9", "more", texts.text("menu_more", lang)))
    if parent(at, assigned) is not None:
        options.append(Option("0", "back", texts.text("menu_back", lang)))
    count = len([t for t, _ in items if t != "free"])
    return Page(at, number, _intro(at, count, lang), tuple(options))


def parent(at: str, assigned: Sequence[Entry]) -> str | None:
    """The menu above ``at``, if any (the families have none when nothing is assigned)."""
    if at.startswith("family:"):
        return FAMILIES
    if at == FAMILIES and assigned:
        return TOP
    return None


def choose(
    current: Page,
    digits: str,
    speech: str,
    assigned: Sequence[Entry],
    library: Sequence[Entry],
    language: str,
) -> str | None:
    """The token the caller chose on ``current`` by key or by voice, or None if not understood.

    Keys count on this page only. Words may name any scenario on offer (assigned or, with free
    practice, the library) or any family of the library, on any page.
    """
    by_digit = {option.digit: option.token for option in current.options}
    if digits:
        return by_digit.get(digits[:1])
    said = normalise(speech, language)
    if not said:
        return None
    # "uno", "numero tre", "tasto 9": one key said aloud (not a number inside a title).
    words = [w for w in said.split() if w not in _KEY_FILLERS]
    if len(words) == 1:
        key = _WORD_KEYS.get(words[0]) or spoken_digits(words[0])
        if len(key) == 1:
            return by_digit.get(key)
    for phrases, token in ((_MORE, "more"), (_BACK, "back"), (_FREE, "free")):
        if said in phrases and token in by_digit.values():
            return token
    best: tuple[float, str] | None = None
    lang = "en" if language.startswith("en") else "it"
    families = sorted({e.family for e in library}, key=family_order)
    # Titles first, so a title that contains a family's name ("... messaggi ...") wins a tie.
    candidates = [(f"s:{e.scenario_id}", e.title) for e in [*assigned, *library]]
    candidates += [(f"f:{family}", family_name(family, lang)) for family in families]
    spoken_words = len(said.split())
    for family in families:  # the family's very name said: that family, before any title
        if fuzz.ratio(said, normalise(family_name(family, lang), language)) >= 90:
            return f"f:{family}"
    for token, label in candidates:
        name = normalise(label, language)
        if token.startswith("f:") and spoken_words > len(name.split()) + 1:
            continue  # a family is named in a few words, not inside a longer sentence
        score = fuzz.token_set_ratio(said, name)
        if token.startswith("s:"):
            spoken_id = normalise(token[2:].replace("-", " "), language)
            score = max(score, fuzz.ratio(said, spoken_id))
        if score >= 75 and (best is None or score > best[0]):
            best = (score, token)
    return best[1] if best else None
