"""The phrases a recogniser listens for follow the engine state (pure, no audio)."""

from __future__ import annotations

import pytest

from simulator import engine
from simulator.events import Action
from simulator.expected import expected_phrases, listening
from tests.library import library, scenario_ids


def _answered(scenario_id: str):
    loaded = library().scenarios[scenario_id]
    company = library().companies[loaded.scenario.company]
    state, _ = engine.start(loaded.scenario, company)
    state, _ = engine.advance(state, 0.0)
    ringing = [ln.line for ln in state.lines.values() if ln.status == "ringing"]
    for line in ringing[:1]:
        state, _ = engine.step(state, Action("answer", line), 1.0)
    return state


def test_nothing_to_listen_for_before_answering() -> None:
    loaded = library().scenarios["en-routing-export-manager"]
    state, _ = engine.start(loaded.scenario, library().companies[loaded.scenario.company])
    assert listening(state) is None


def test_first_step_expects_greetings_then_the_next_step_changes_them() -> None:
    """The opening step listens for greetings and the company name; the next for transfers."""
    state = _answered("en-routing-export-manager")
    heard = listening(state)
    assert heard is not None and heard.line == "l1" and heard.language == "en-GB"
    assert "lucania forniture" in heard.phrases
    assert "who's calling" in " ".join(heard.phrases).lower()  # persona questions too
    assert "i'll put you through to francesca gallo" not in heard.phrases
    state, _ = engine.step(state, Action("say", "l1", {"text": "Good morning"}), 2.0)
    after = listening(state)
    assert after is not None
    assert "i'll put you through to francesca gallo" in after.phrases
    assert len(after.phrases) == len(set(after.phrases))


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_scenario_has_phrases_once_answered(scenario_id: str) -> None:
    """Any line in conversation at the start has something to listen for."""
    state = _answered(scenario_id)
    for ln in state.open_lines():
        if ln.status == "talking":
            assert expected_phrases(state, ln)
