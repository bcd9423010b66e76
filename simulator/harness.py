"""``run_call``: play a scripted trainee through the engine and score it.

Shared by the tests, the CLI's ``run`` and the benchmarks, so they all exercise the same path.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator import engine
from simulator.call_state import CallState
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.model import Company, Scenario
from simulator.scoring import ScoreReport, score
from simulator.script import Script

# Long enough for the caller to say a last reply (a human gap, see simulator.pacing).
END_GRACE_S = 2.0


@dataclass(frozen=True, slots=True)
class Rejection:
    at: float
    action: str
    it: str
    en: str


@dataclass(frozen=True, slots=True)
class CallResult:
    events: tuple[Event, ...]
    report: ScoreReport
    state: CallState
    rejected: tuple[Rejection, ...]


def run_call(
    scenario: Scenario,
    company: Company,
    script: Script,
    multiplier: float | None = None,
    *,
    seed: int = 0,
) -> CallResult:
    """Play every turn at its time, finish the session, and score the log.

    ``seed`` draws the callers' reply gaps (an attempt's seed replays that attempt's timing).
    """
    factor = script.multiplier if multiplier is None else multiplier
    state, events = engine.start(scenario, company, multiplier=factor, seed=seed)
    log = list(events)
    rejected: list[Rejection] = []
    last = 0.0
    for turn in script.turns:
        action = turn.action()
        try:
            state, new = engine.step(state, action, turn.at)
            # As every surface does (practice.attempts): the caller's reply is recorded with the
            # action, at its own time, so the web, the phone and this harness log the same.
            due = engine.replies_due_by(state)
            if due is not None:
                state, replies = engine.advance(state, due)
                new = [*new, *replies]
        except CallStateError as exc:
            rejected.append(Rejection(turn.at, action.kind, exc.it, exc.en))
            state, new = engine.advance(state, turn.at)
        log.extend(new)
        last = turn.at
    if not state.finished:
        state, new = engine.step(state, Action("finish"), last + END_GRACE_S)
        log.extend(new)
    return CallResult(tuple(log), score(scenario, company, log), state, tuple(rejected))
