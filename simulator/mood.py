"""A caller's patience: what the trainee's handling does to it, and when it runs out.

Patience is a small number of "bad moments" a caller takes before giving up, set by mood (or by
``patience`` in the persona). Blame or rudeness cost two (once per sentence); a talked-over
line, a long hold and a repeated misunderstanding cost one; an apology, a word of empathy and the
caller's own name (the first time) give one back, never above where the caller started. At zero
the caller says so and hangs up; that line carries the cause, so the score can quote the moment.
"""

from __future__ import annotations

from simulator.call_state import LineState
from simulator.language.lexicon import family_phrases
from simulator.language.match import present

START: dict[str, int] = {"calm": 6, "confused": 5, "anxious": 4, "impatient": 3, "angry": 3}
COST: dict[str, int] = {
    "blame": -2,
    "rudeness": -2,
    "talked_over": -1,
    "long_hold": -1,
    "misunderstood": -1,
    "apology": 1,
    "empathy": 1,
    "name": 1,
}
# A hold longer than this (times the multiplier) costs patience when the caller comes back.
LONG_HOLD_S = 45.0
_NAME_USED = "mood/name-used"


def start_of(ln: LineState) -> int:
    return ln.caller.patience or START.get(str(ln.caller.mood), START["calm"])


def current(ln: LineState) -> int:
    return start_of(ln) if ln.patience is None else ln.patience


def move(ln: LineState, cause: str) -> int:
    """Apply one cause; returns the patience left."""
    ln.patience = max(0, min(start_of(ln), current(ln) + COST[cause]))
    return ln.patience


def causes_in(ln: LineState, text: str, lang: str) -> list[str]:
    """What an utterance does to the caller's patience, in the order it is applied."""
    found = [
        family
        for family in ("blame", "rudeness", "apology", "empathy")
        if present(text, family_phrases(family, lang), lang) is not None
    ]
    if "blame" in found and "rudeness" in found:
        found.remove("rudeness")  # one bad moment per sentence, however many ways it is bad
    surname = ln.caller.name.split()[-1] if ln.caller.name.split() else ""
    if surname and not ln.fired.get(_NAME_USED) and present(text, [surname], lang, 0.9):
        ln.fired[_NAME_USED] = 1
        found.append("name")
    return found
