"""Events of a practice session and the trainee's actions that cause them.

A session is an append-only log of ``Event``: what the trainee did (``actor="trainee"``), what the
simulated callers did (``actor="caller"``) and what the switchboard did (``actor="system"``).
Times are seconds since the session started, as passed in by the caller of the engine: the domain
never reads a clock. The log is the single source of truth: state is a fold over it, scoring reads
it, and it serialises to plain JSON for the database, files and the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Actor = Literal["trainee", "caller", "system"]

# Actions a trainee can take; each, when accepted, is recorded as an event of the same kind.
ACTION_KINDS: frozenset[str] = frozenset(
    {
        "answer",
        "say",
        "hold",
        "resume",
        "transfer",
        "hangup",
        "take_message",
        "fonogramma",
        "report",
        "ticket",
        "outgoing_call",
        "directory_search",
        "directory_update",
        "voicemail_listen",
        "voicemail_greeting",
        "pause",
        "unpause",
        "finish",
        "activity",
    }
)

# Events the engine itself produces.
OUTPUT_KINDS: frozenset[str] = frozenset(
    {
        "session_started",
        "ring",
        "caller_said",
        "caller_hangup",
        "missed",
        "step_entered",
        "transfer_result",
        "notice",
        "session_finished",
    }
)


@dataclass(frozen=True, slots=True)
class Action:
    """Something the trainee does at the console, before the engine accepts it."""

    kind: str
    line: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise ValueError(f"unknown action kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the session log."""

    t: float
    kind: str
    actor: Actor
    line: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(self.t, 3), "kind": self.kind, "actor": self.actor}
        if self.line is not None:
            out["line"] = self.line
        if self.data:
            out["data"] = dict(self.data)
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Event:
        actor = raw.get("actor", "trainee")
        if actor not in ("trainee", "caller", "system"):
            raise ValueError(f"unknown actor {actor!r}")
        return cls(
            t=float(raw["t"]),
            kind=str(raw["kind"]),
            actor=actor,
            line=raw.get("line"),
            data=dict(raw.get("data") or {}),
        )


def said_by_trainee(events: Iterable[Event]) -> list[Event]:
    """The trainee's utterances, in order."""
    return [e for e in events if e.kind == "say" and e.actor == "trainee"]


def of_kind(events: Iterable[Event], kind: str, line: str | None = None) -> list[Event]:
    """Events of one kind, optionally on one line."""
    return [e for e in events if e.kind == kind and (line is None or e.line == line)]
