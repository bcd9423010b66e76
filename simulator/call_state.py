"""The state of a practice session: a fold over its event log, never stored on its own.

``CallState`` is what the console shows (lines and their states, the active line, the directory as
the trainee has edited it) plus what the engine needs to fire timers. The engine never mutates a
state it was given: it works on a clone and returns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from simulator.model import Call, Company, Persona, Scenario

LineStatus = Literal["idle", "ringing", "talking", "on_hold", "ended"]


@dataclass(slots=True)
class LineState:
    """One line of the switchboard and the caller on it. Times are effective seconds."""

    line: str
    call: Call
    status: LineStatus = "idle"
    step: str | None = None
    rang_at: float | None = None
    answered_at: float | None = None
    step_entered_at: float = 0.0
    last_activity_at: float = 0.0
    hold_since: float | None = None
    hold_warned: bool = False
    silences: int = 0
    ended_reason: str | None = None
    last_caller_text: str | None = None
    dictation: str | None = None
    readback_confirmed: bool = False
    fired: dict[str, int] = field(default_factory=dict)

    @property
    def caller(self) -> Persona:
        return self.call.caller

    @property
    def direction(self) -> str:
        return self.call.direction

    def clone(self) -> LineState:
        return replace(self, fired=dict(self.fired))


@dataclass(slots=True)
class CallState:
    """A whole session: several lines, the trainee's console, pause and time bookkeeping."""

    scenario: Scenario
    company: Company
    multiplier: float
    lines: dict[str, LineState]
    active_line: str | None = None
    paused_at: float | None = None
    paused_total: float = 0.0
    finished: bool = False
    last_t: float = 0.0
    seq: int = 0

    def clone(self) -> CallState:
        return replace(self, lines={k: v.clone() for k, v in self.lines.items()})

    def effective(self, t: float) -> float:
        """Session time minus time spent paused: the clock the callers' patience runs on."""
        if self.paused_at is not None:
            return self.paused_at - self.paused_total
        return t - self.paused_total

    def wall(self, effective_t: float) -> float:
        """The session time at which an effective time falls (while not paused)."""
        return effective_t + self.paused_total

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def language_of(self, line: LineState) -> str:
        return line.caller.language or self.scenario.language

    def open_lines(self) -> list[LineState]:
        return [ln for ln in self.lines.values() if ln.status in ("ringing", "talking", "on_hold")]
