"""The phrases a recogniser listens for follow the engine state (pure, no audio)."""

from __future__ import annotations

import pytest

from simulator import engine
from simulator.events import Action
from simulator.expected import expected_phrases, listening
from simulator.language.lexicon import expand_families
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


def test_current_step_comes_first_and_the_whole_call_is_heard() -> None:
    """The opening step's phrases lead; the next step's, the rubric's and questions follow, so
    a sentence meant for later is recognised as itself, not forced into an opening phrase."""
    state = _answered("en-routing-export-manager")
    heard = listening(state)
    assert heard is not None and heard.line == "l1" and heard.language == "en-GB"
    assert "lucania forniture" in heard.phrases
    assert "who's calling" in " ".join(heard.phrases).lower()  # persona questions too
    later = "i'll put you through to francesca gallo"
    assert later in heard.phrases
    assert heard.phrases.index("lucania forniture") < heard.phrases.index(later)
    state, _ = engine.step(state, Action("say", "l1", {"text": "Good morning"}), 2.0)
    after = listening(state)
    assert after is not None
    assert after.phrases[0] != heard.phrases[0]  # the new step's phrases now lead
    assert after.phrases.index(later) < after.phrases.index("lucania forniture")
    assert len(after.phrases) == len(set(after.phrases))


def test_the_rubric_phrases_are_in_the_grammar() -> None:
    """Phrases a criterion scores (expected or forbidden) can be recognised when spoken."""
    state = _answered("en-complaint-late-delivery")
    heard = listening(state)
    assert heard is not None
    scenario = state.scenario
    forbidden = [p for c in scenario.criteria if c.kind == "forbidden" for p in c.none_of]
    forbidden = expand_families(forbidden, scenario.language)  # '@blame' is its phrases
    assert forbidden and all(p in heard.phrases for p in forbidden)
    assert "not our fault" in heard.phrases and not any(p.startswith("@") for p in heard.phrases)


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_scenario_has_phrases_once_answered(scenario_id: str) -> None:
    """Any line in conversation at the start has something to listen for."""
    state = _answered(scenario_id)
    for ln in state.open_lines():
        if ln.status == "talking":
            assert expected_phrases(state, ln)


def test_names_for_the_recogniser_are_the_company_staff_and_caller() -> None:
    """Whisper's hints: the names a trainee says (company, staff, departments, the caller)."""
    state = _answered("en-routing-export-manager")
    heard = listening(state)
    assert heard is not None
    company = state.company
    line = state.lines[heard.line]
    assert company.name in heard.names
    assert {m.name for m in company.staff} <= set(heard.names)
    assert {d.name for d in company.departments} <= set(heard.names)
    assert line.caller.name in heard.names
    assert len(heard.names) == len(set(heard.names))
