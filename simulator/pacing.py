"""How long a caller takes to start a reply: a person's gap, not the machine's 0 ms.

A reply starts 0.3-1.5 s after the operator stops, sooner for an anxious or angry caller, later
for a confused one, and a little later after a long sentence (there was more to take in). The
gap is drawn from a generator seeded by the attempt's seed, the line and the reply's number, so
replaying a log draws the same gaps and re-scores the same.
"""

from __future__ import annotations

import random

MIN_GAP_S = 0.3
MAX_GAP_S = 1.5
# (shortest, longest) gap by mood, before the length of what was said is added.
MOOD_GAPS: dict[str, tuple[float, float]] = {
    "calm": (0.5, 1.0),
    "impatient": (0.3, 0.6),
    "angry": (0.3, 0.6),
    "anxious": (0.3, 0.7),
    "confused": (0.8, 1.3),
}
# Each word past a short sentence adds this much thinking time, up to LONG_SENTENCE_MAX_S.
SHORT_SENTENCE_WORDS = 8
PER_WORD_S = 0.02
LONG_SENTENCE_MAX_S = 0.3


def reply_gap(seed: int, line: str, number: int, mood: str, heard: str = "") -> float:
    """Seconds between the operator's last word and the caller's reply number ``number``."""
    low, high = MOOD_GAPS.get(mood, MOOD_GAPS["calm"])
    draw = random.Random(f"{seed}/{line}/{number}").uniform(low, high)
    extra_words = max(0, len(heard.split()) - SHORT_SENTENCE_WORDS)
    gap = draw + min(LONG_SENTENCE_MAX_S, extra_words * PER_WORD_S)
    return round(min(MAX_GAP_S, max(MIN_GAP_S, gap)), 3)
