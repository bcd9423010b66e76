"""Breaks at the console: the trainee's practice time, the pause reminder, the class view's column.

The reminder is said between calls only: on the result page of the call just ended and on the
practice list, never on the console while a call is in progress. ``PRACTICE_CLOCK`` in the app's
config (a function returning epoch seconds, ``time.time`` by default) lets the tests move time;
it is not ``CLOCK``, which the phone surface's testing driver already uses as a string setting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app

from simulator.breaks import PracticeTime, minutes_text, pause_text
from simulator.flaskkit.i18n import lang
from simulator.flaskkit.security import db
from simulator.practice.practice_time import practice_of


def now() -> float:
    clock = current_app.config.get("PRACTICE_CLOCK")
    chosen: Callable[[], float] = clock if callable(clock) else time.time
    return chosen()


def practice(trainee_ids: Iterable[int]) -> dict[int, PracticeTime]:
    """Today's practice of each trainee, with the school's limits."""
    with db().read() as s:
        return practice_of(
            s,
            trainee_ids,
            now(),
            limit_minutes=float(current_app.config["BREAK_AFTER_MINUTES"]),
            pause_minutes=float(current_app.config["BREAK_MINUTES"]),
        )


def practice_one(trainee_id: int) -> PracticeTime:
    return practice([trainee_id])[trainee_id]


@dataclass(frozen=True, slots=True)
class PauseNotice:
    """For the practice list: the reminder when a pause is due, and the time left anyway."""

    reminder: str | None
    until: str
    today: str


def pause_notice(trainee_id: int) -> PauseNotice:
    found = practice_one(trainee_id)
    text = pause_text(found, lang())
    return PauseNotice(text if found.pause_due else None, text, duration(found.today_s))


def reminder(trainee_id: int) -> str | None:
    """The pause reminder when a pause is due, else None."""
    found = practice_one(trainee_id)
    return pause_text(found, lang()) if found.pause_due else None


def until_pause(trainee_id: int) -> str:
    """The answer to "how long until my pause?"."""
    return pause_text(practice_one(trainee_id), lang())


def duration(seconds: float) -> str:
    return minutes_text(seconds, lang())
