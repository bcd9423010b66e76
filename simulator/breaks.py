"""Practice time at the console and when the next pause is due (D.Lgs. 81/2008, art. 175).

Work at a display screen calls for a pause of 15 minutes every 120 minutes of continuous work.
The simulator keeps no timer of its own: practice is the spans of a trainee's sessions (from the
first event to the last, a long pause inside one splitting it), and this module folds them into
today's total, the current continuous stretch and the time left before a pause. A gap of at
least the pause's length between spans is a pause taken. Times are epoch seconds passed in:
nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_LIMIT_MINUTES = 120
DEFAULT_PAUSE_MINUTES = 15


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of practice, in epoch seconds."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class PracticeTime:
    """What the console and the instructor read: all in seconds."""

    today_s: float
    continuous_s: float
    until_pause_s: float
    pause_s: float

    @property
    def pause_due(self) -> bool:
        return self.until_pause_s <= 0


def session_spans(origin: float, events: Sequence[tuple[float, str]], pause_s: float) -> list[Span]:
    """The practice spans of one session: ``events`` are (t since origin, kind), in order.

    A pause (``pause`` then ``unpause``) of at least ``pause_s`` is a pause taken, so it splits
    the session; a shorter one is still practice.
    """
    if not events:
        return []
    spans: list[Span] = []
    start = events[0][0]
    paused_at: float | None = None
    for t, kind in events:
        if kind == "pause" and paused_at is None:
            paused_at = t
        elif kind == "unpause" and paused_at is not None:
            if t - paused_at >= pause_s:
                spans.append(Span(origin + start, origin + paused_at))
                start = t
            paused_at = None
    end = paused_at if paused_at is not None else events[-1][0]
    spans.append(Span(origin + start, origin + end))
    return spans


def practice_time(
    spans: Iterable[Span],
    now: float,
    day_start: float,
    *,
    limit_minutes: float = DEFAULT_LIMIT_MINUTES,
    pause_minutes: float = DEFAULT_PAUSE_MINUTES,
) -> PracticeTime:
    """Fold practice spans into today's total and the time left before the next pause."""
    pause_s = pause_minutes * 60
    ordered = sorted((s for s in spans if s.end > s.start), key=lambda s: s.start)
    today = sum(max(0.0, s.end - max(s.start, day_start)) for s in ordered if s.end > day_start)
    # A run is spans with gaps shorter than a pause between them: choosing the next scenario
    # is still work at the screen, so the run counts from its first start to its last end.
    run: Span | None = None
    for span in ordered:
        if run is None or span.start - run.end >= pause_s:
            run = span
        else:
            run = Span(run.start, max(run.end, span.end))
    rested = run is None or now - run.end >= pause_s
    continuous = 0.0 if rested or run is None else run.end - run.start
    return PracticeTime(
        today_s=today,
        continuous_s=continuous,
        until_pause_s=limit_minutes * 60 - continuous,
        pause_s=pause_s,
    )


def minutes_text(seconds: float, lang: str) -> str:
    """'1 h 05 min' / '45 min', for the console and the class view."""
    minutes = max(0, round(seconds / 60))
    hours, rest = divmod(minutes, 60)
    if hours:
        return f"{hours} h {rest:02d} min"
    return f"{rest} min"


def pause_text(practice: PracticeTime, lang: str) -> str:
    """The answer to "how long until my pause?", short for a Braille line, key word first."""
    if practice.pause_due:
        pause = minutes_text(practice.pause_s, lang)
        if lang == "en":
            return f"Pause due: {pause}, headset off."
        return f"Pausa dovuta: {pause}, togli la cuffia."
    left = minutes_text(practice.until_pause_s, lang)
    done = minutes_text(practice.continuous_s, lang)
    if lang == "en":
        return f"Pause in {left} ({done} of continuous practice)."
    return f"Pausa tra {left} ({done} di pratica continua)."
