"""The state of a practice session: a fold over its event log, never stored on its own.

``CallState`` is what the console shows (lines and their states, the active line, the directory as
the trainee has edited it) plus what the engine needs to fire timers. The engine never mutates a
state it was given: it works on a clone and returns it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

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
    dictation_left: list[str] = field(default_factory=list)
    readback_confirmed: bool = False
    fired: dict[str, int] = field(default_factory=dict)
    visited: dict[str, float] = field(default_factory=dict)  # step -> first entered (effective)
    # Answered, but the caller waits for the operator's opening before saying why it calls.
    awaiting_opening: bool = False
    # Caller events decided but not yet said: {"due": effective s, "kind", "data"}, in order.
    pending: list[dict[str, Any]] = field(default_factory=list)
    replies: int = 0
    # Bad moments the caller still takes before hanging up (None: as its mood starts it).
    patience: int | None = None

    @property
    def caller(self) -> Persona:
        return self.call.caller

    @property
    def direction(self) -> str:
        return self.call.direction

    def clone(self) -> LineState:
        return replace(
            self,
            fired=dict(self.fired),
            dictation_left=list(self.dictation_left),
            visited=dict(self.visited),
            pending=[dict(item) for item in self.pending],
        )


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
    seed: int = 0
    # Set by the engine while it applies an action that arrived before the time already reached
    # (a reply recorded ahead at its due time): such an action did not talk over that reply.
    arrived_early: bool = False

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


# --------------------------------------------------------------------------- snapshots

_LINE_FIELDS = (
    "status",
    "step",
    "rang_at",
    "answered_at",
    "step_entered_at",
    "last_activity_at",
    "hold_since",
    "hold_warned",
    "silences",
    "ended_reason",
    "last_caller_text",
    "dictation",
    "dictation_left",
    "readback_confirmed",
    "fired",
    "visited",
    "awaiting_opening",
    "pending",
    "replies",
    "patience",
)
# 2: lines remember when they first entered each step (ring_after); 3: callers' pending lines,
# the opening they wait for, their replies and patience (phone manners).
SNAPSHOT_VERSION = 3


def to_snapshot(state: CallState, base_company: Company) -> dict[str, Any]:
    """The state as plain JSON, so a worker can pick up a call without replaying its log.

    The event log stays the truth: a snapshot is only a shortcut, stored beside the sequence
    number it was taken at and rebuilt by replay whenever it is missing or stale.
    """
    out: dict[str, Any] = {
        "v": SNAPSHOT_VERSION,
        "multiplier": state.multiplier,
        "active_line": state.active_line,
        "paused_at": state.paused_at,
        "paused_total": state.paused_total,
        "finished": state.finished,
        "last_t": state.last_t,
        "seq": state.seq,
        "seed": state.seed,
        "lines": {
            line_id: {name: getattr(ln, name) for name in _LINE_FIELDS}
            for line_id, ln in state.lines.items()
        },
    }
    if state.company != base_company:
        out["company"] = state.company.model_dump(mode="json")
    return out


def from_snapshot(
    scenario: Scenario, company: Company, snapshot: dict[str, Any]
) -> CallState | None:
    """The state a snapshot describes, or None if it was made by another snapshot format."""
    if snapshot.get("v") != SNAPSHOT_VERSION:
        return None
    calls = {call.line: call for call in scenario.calls}
    if set(snapshot["lines"]) != set(calls):
        return None
    lines = {
        line_id: LineState(line=line_id, call=calls[line_id], **fields)
        for line_id, fields in snapshot["lines"].items()
    }
    for ln in lines.values():
        ln.fired = dict(ln.fired)
        ln.dictation_left = list(ln.dictation_left)
        ln.visited = dict(ln.visited)
        ln.pending = [dict(item) for item in ln.pending]
    current = Company.model_validate(snapshot["company"]) if "company" in snapshot else company
    return CallState(
        scenario=scenario,
        company=current,
        multiplier=float(snapshot["multiplier"]),
        lines=lines,
        active_line=snapshot["active_line"],
        paused_at=snapshot["paused_at"],
        paused_total=float(snapshot["paused_total"]),
        finished=bool(snapshot["finished"]),
        last_t=float(snapshot["last_t"]),
        seq=int(snapshot["seq"]),
        seed=int(snapshot.get("seed", 0)),
    )
