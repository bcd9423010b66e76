"""What every evaluator shares: the Note it returns, the Context it reads, and small helpers
over the event log (the trainee's utterances, a window's start, digits in a text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.events import Event
from simulator.model import Company, Scenario
from simulator.templates import Lookup


@dataclass(frozen=True, slots=True)
class Note:
    """The evidence of one judgement.

    ``t`` is the moment of the call it rests on, ``quote`` what the trainee said or wrote there
    (the attempt closest to what was expected), ``expected`` what was wanted. ``judged`` is False
    when the situation never arose: the criterion is "non valutabile" and never passes.
    ``passed`` carries a verdict that follows the criterion's stated rule (a time limit, a
    critical field) rather than its graded score; None leaves it to the pass mark.
    """

    t: float | None
    it: str
    en: str
    quote: str | None = None
    expected: str | None = None
    judged: bool = True
    passed: bool | None = None


def not_judged(it: str, en: str) -> tuple[float, Note]:
    """Fail closed: the situation the criterion judges never arose."""
    return 0.0, Note(None, f"Non valutabile: {it}", f"Not judged: {en}", judged=False)


def answered(ctx: Context, line: str | None) -> bool:
    """Whether the trainee answered the line (any line when ``line`` is None)."""
    return bool(ctx.indexed("answer", line, "trainee")) or any(
        call.direction == "outgoing" and (line is None or call.line == line)
        for call in ctx.scenario.calls
    )


@dataclass(frozen=True, slots=True)
class Context:
    """What every evaluator needs, computed once per log."""

    scenario: Scenario
    company: Company
    events: tuple[Event, ...]
    effective: tuple[float, ...]
    multiplier: float

    @classmethod
    def build(cls, scenario: Scenario, company: Company, events: Sequence[Event]) -> Context:
        multiplier = 1.0
        if events and events[0].kind == "session_started":
            multiplier = float(events[0].data.get("multiplier", 1.0))
        if scenario.presence:  # the scenario's presence, as the engine played it
            staff = [
                member.model_copy(update={"presence": scenario.presence[member.id]})
                if member.id in scenario.presence
                else member
                for member in company.staff
            ]
            company = company.model_copy(update={"staff": staff})
        return cls(scenario, company, tuple(events), _effective_times(events), multiplier)

    def values(self, line: str | None = None) -> Lookup:
        caller = None
        for call in self.scenario.calls:
            if line is None or call.line == line:
                caller = call.caller
                break
        return Lookup(self.company, caller, self.scenario.operator_name)

    def language(self, line: str | None) -> str:
        for call in self.scenario.calls:
            if call.line == line and call.caller.language:
                return call.caller.language
        return self.scenario.language

    def indexed(self, kind: str, line: str | None = None, actor: str | None = None) -> list[int]:
        return [
            i
            for i, e in enumerate(self.events)
            if e.kind == kind
            and (line is None or e.line == line)
            and (actor is None or e.actor == actor)
        ]


def _effective_times(events: Sequence[Event]) -> tuple[float, ...]:
    """Event times with paused stretches removed, the clock callers' patience runs on."""
    out: list[float] = []
    paused_at: float | None = None
    paused_total = 0.0
    for event in events:
        if event.kind == "pause" and paused_at is None:
            paused_at = event.t
        elif event.kind == "unpause" and paused_at is not None:
            paused_total += event.t - paused_at
            paused_at = None
        out.append((paused_at if paused_at is not None else event.t) - paused_total)
    return tuple(out)


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def heard_texts(event: Event) -> list[str]:
    return [str(event.data.get("text", ""))] + [str(a) for a in event.data.get("alternatives", ())]


def lines_of(ctx: Context, line: str | None) -> list[str]:
    return [line] if line else [call.line for call in ctx.scenario.calls]


def utterances(ctx: Context, line: str | None, first: int, until: float | None) -> list[int]:
    """The trainee's utterances logged after event ``first`` and, if given, by ``until``."""
    return [
        i
        for i in ctx.indexed("say", line, "trainee")
        if i > first and (until is None or ctx.effective[i] <= until)
    ]


def window_start(ctx: Context, after: str, line: str | None) -> int | None:
    """Index of the event that opens the window (the utterance that led to a step is before)."""
    if after == "start":
        return 0
    kind, match = ("answer", None) if after == "answer" else ("step_entered", after)
    for i in ctx.indexed(kind, line):
        if match is None or ctx.events[i].data.get("step") == match:
            return i
    return None


def window_never_opened(after: str) -> tuple[float, Note]:
    """The verdict when a criterion's window never opened: not judged, never passed."""
    if after == "answer":
        return not_judged("la chiamata non è mai stata presa.", "the call was never taken.")
    return not_judged(
        f"il passo '{after}' non è mai arrivato.", f"step '{after}' was never reached."
    )


def mmss(seconds: float) -> str:
    """mm:ss, as the score report prints times."""
    whole = round(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"
