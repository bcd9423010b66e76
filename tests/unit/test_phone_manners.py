"""Callers behave like people on a line: who speaks first, human gaps, an answer to anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import engine, pacing
from simulator.events import Action, Event
from simulator.model import Company, Scenario
from simulator.yaml_source import parse
from tests.library import library, scenario_ids

ROOT = Path(__file__).resolve().parents[2]
COMPANY = Company.model_validate(
    parse((ROOT / "scenarios/companies/lucania-forniture.yaml").read_text("utf-8"), "c").data
)


def _scenario(extra_call: str = "", persona_extra: str = "") -> Scenario:
    return Scenario.model_validate(
        parse(
            f"""
id: prova
title: Prova
family: smistamento
language: it-IT
level: 1
company: lucania-forniture
calls:
  - line: l1
    {extra_call}
    caller: {{name: Mario Rossi, phone: "0971 234567", {persona_extra}
             facts: {{reason: "Ordine 4512 in ritardo."}}}}
    start: squillo
    steps:
      squillo:
        on: {{answer: {{goto: richiesta}}}}
      richiesta:
        say: "Buongiorno, mi passa l'ufficio acquisti?"
        on:
          say: [{{intent: goodbye, reply: "Arrivederci.", hangup: true}}]
criteria:
  - {{id: c, ra: ADA.24.01.08.RA1, kind: action, expect: transfer,
     title: Prova, title_en: Test, advice: "Trasferisci."}}
""",
            "prova.yaml",
        ).data
    )


SCENARIO = _scenario()


def caller_lines(events: list[Event]) -> list[tuple[float, str]]:
    return [(e.t, str(e.data["text"])) for e in events if e.kind == "caller_said"]


def run(scenario: Scenario, *actions: tuple[float, Action], until: float, seed: int = 0):
    state, log = engine.start(scenario, COMPANY, seed=seed)
    for at, action in actions:
        state, new = engine.step(state, action, at)
        log.extend(new)
    state, new = engine.advance(state, until)
    log.extend(new)
    return state, log


def test_the_caller_waits_for_the_operators_opening() -> None:
    """Answered, the caller says nothing until the operator speaks, then replies after a gap."""
    opening = Action("say", "l1", {"text": "Lucania Forniture, buongiorno, sono Giulia."})
    _, log = run(SCENARIO, (4.0, Action("answer", "l1")), (5.0, opening), until=10.0)
    lines = caller_lines(log)
    assert [text for _, text in lines] == ["Buongiorno, mi passa l'ufficio acquisti?"]
    gap = lines[0][0] - 5.0
    assert pacing.MIN_GAP_S <= gap <= pacing.MAX_GAP_S


def test_silence_after_answering_gets_a_pronto_then_the_request() -> None:
    _, log = run(SCENARIO, (4.0, Action("answer", "l1")), until=10.0)
    lines = caller_lines(log)
    assert [text for _, text in lines] == ["Pronto?", "Buongiorno, mi passa l'ufficio acquisti?"]
    assert lines[0][0] == pytest.approx(4.0 + engine.OPENING_WAIT_S)


def test_the_wait_for_the_opening_follows_the_time_multiplier() -> None:
    state, log = engine.start(SCENARIO, COMPANY, multiplier=2.0)
    state, new = engine.step(state, Action("answer", "l1"), 4.0)
    state, later = engine.advance(state, 20.0)
    first = caller_lines([*log, *new, *later])[0]
    assert first == (pytest.approx(4.0 + 2 * engine.OPENING_WAIT_S), "Pronto?")


def test_a_caller_marked_to_speak_first_does_not_wait() -> None:
    urgent = _scenario(extra_call="caller_speaks_first: true")
    _, log = run(urgent, (4.0, Action("answer", "l1")), until=6.0)
    lines = caller_lines(log)
    assert [text for _, text in lines] == ["Buongiorno, mi passa l'ufficio acquisti?"]
    assert 4.0 + pacing.MIN_GAP_S <= lines[0][0] <= 4.0 + pacing.MAX_GAP_S


def test_a_reply_is_not_in_the_log_before_its_time() -> None:
    """The log stays in time order: a reply decided at 5 s is recorded when it is said."""
    opening = Action("say", "l1", {"text": "Buongiorno, sono Giulia."})
    state, log = run(SCENARIO, (4.0, Action("answer", "l1")), (5.0, opening), until=5.0)
    assert caller_lines(log) == []
    assert engine.next_deadline(state) is not None
    assert engine.next_deadline(state) <= 5.0 + pacing.MAX_GAP_S
    times = [e.t for e in log]
    assert times == sorted(times)


def test_gaps_replay_identically_and_depend_on_the_seed() -> None:
    opening = Action("say", "l1", {"text": "Buongiorno, sono Giulia."})
    steps = ((4.0, Action("answer", "l1")), (5.0, opening))
    _, first = run(SCENARIO, *steps, until=9.0, seed=7)
    _, again = run(SCENARIO, *steps, until=9.0, seed=7)
    assert [e.to_json() for e in first] == [e.to_json() for e in again]
    rebuilt = engine.replay(SCENARIO, COMPANY, first)
    assert rebuilt.lines["l1"].step == "richiesta"
    draws = {pacing.reply_gap(seed, "l1", 1, "calm") for seed in range(20)}
    assert len(draws) > 10


@pytest.mark.parametrize("mood", sorted(pacing.MOOD_GAPS))
def test_gaps_stay_human_for_every_mood(mood: str) -> None:
    long_question = " ".join(["parola"] * 60)
    for number in range(1, 50):
        for heard in ("", long_question):
            gap = pacing.reply_gap(3, "l1", number, mood, heard)
            assert pacing.MIN_GAP_S <= gap <= pacing.MAX_GAP_S


def test_an_angry_caller_answers_sooner_than_a_confused_one() -> None:
    angry = [pacing.reply_gap(1, "l1", n, "angry") for n in range(1, 40)]
    confused = [pacing.reply_gap(1, "l1", n, "confused") for n in range(1, 40)]
    assert max(angry) < min(confused)


def _answered_and_opened() -> tuple[engine.CallState, list[Event]]:
    opening = Action("say", "l1", {"text": "Lucania Forniture, buongiorno, sono Giulia."})
    return run(SCENARIO, (4.0, Action("answer", "l1")), (5.0, opening), until=8.0)


def test_an_unmatched_utterance_gets_clarification_then_the_request_then_impatience() -> None:
    state, _ = _answered_and_opened()
    replies: list[list[str]] = []
    for index, at in enumerate((10.0, 15.0, 20.0)):
        words = ["il tempo oggi è bello", "le piace il mare", "la partita di ieri"][index]
        state, new = engine.step(state, Action("say", "l1", {"text": words}), at)
        state, later = engine.advance(state, at + 2.5)
        replies.append([text for _, text in caller_lines([*new, *later])])
    assert replies[0] == ["Come, scusi?"]
    assert replies[1] == ["Le ripeto.", "Buongiorno, mi passa l'ufficio acquisti?"]
    assert replies[2] == ["Senta, non ci stiamo capendo. Mi può aiutare, sì o no?"]


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("Pronto?", ["Buongiorno.", "Buongiorno, mi passa l'ufficio acquisti?"]),
        ("Mi dica", ["Buongiorno, mi passa l'ufficio acquisti?"]),
        ("Un attimo, per favore", ["Grazie, attendo."]),
        ("Mi scusi", ["Va bene, non si preoccupi."]),
    ],
)
def test_courtesies_are_understood_at_any_step(said: str, reply: list[str]) -> None:
    state, _ = _answered_and_opened()
    state, new = engine.step(state, Action("say", "l1", {"text": said}), 10.0)
    _, later = engine.advance(state, 12.5)
    assert [text for _, text in caller_lines([*new, *later])] == reply


def test_a_persona_can_say_its_own_clarification() -> None:
    own = _scenario(persona_extra='lines: {clarify: "Eh? Non sento bene."},')
    opening = Action("say", "l1", {"text": "Buongiorno, sono Giulia."})
    odd = Action("say", "l1", {"text": "il tempo oggi è bello"})
    _, log = run(own, (4.0, Action("answer", "l1")), (5.0, opening), (9.0, odd), until=12.0)
    assert caller_lines(log)[-1][1] == "Eh? Non sento bene."


def test_a_persona_line_must_be_one_the_lexicon_knows() -> None:
    with pytest.raises(ValueError, match="clarify"):
        _scenario(persona_extra='lines: {clarfy: "Eh?"},')


def test_hanging_up_drops_what_the_caller_was_about_to_say() -> None:
    state, _ = _answered_and_opened()
    state, _ = engine.step(state, Action("say", "l1", {"text": "il tempo è bello"}), 10.0)
    state, new = engine.step(state, Action("hangup", "l1"), 10.1)
    _, later = engine.advance(state, 14.0)
    assert caller_lines([*new, *later]) == []


# --------------------------------------------------------------------------- every scenario


def _first_incoming_answer(scenario: Scenario) -> str:
    return next(call.line for call in scenario.calls if call.direction == "incoming")


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_on_every_scenario_the_caller_lets_the_operator_open(scenario_id: str) -> None:
    """The first line of an answered incoming call comes after the operator's opening, or
    after at least 2 s of silence with a "Pronto?"-style line; at most one scenario's caller
    (an emergency, said in its file) starts at once."""
    loaded = library().scenarios[scenario_id]
    scenario, company = loaded.scenario, library().companies[loaded.scenario.company]
    line = _first_incoming_answer(scenario)
    call = next(c for c in scenario.calls if c.line == line)
    state, _ = engine.start(scenario, company)
    rang = next(c for c in scenario.calls if c.line == line).ring_at_s
    state, _ = engine.advance(state, rang)
    state, new = engine.step(state, Action("answer", line), rang + 1.0)
    state, later = engine.advance(state, rang + 10.0)
    lines = [e for e in [*new, *later] if e.kind == "caller_said" and e.line == line]
    assert lines, "the caller never spoke"
    if call.caller_speaks_first:
        assert scenario.family == "emergenza"
        return
    assert lines[0].t - (rang + 1.0) >= 2.0
    lang = (call.caller.language or scenario.language).split("-")[0]
    from simulator.language.lexicon import CALLER_LINES

    assert lines[0].data["text"] == call.caller.lines.get("hello", CALLER_LINES[lang]["hello"])


def test_at_most_one_bundled_caller_speaks_first() -> None:
    eager = [
        (scenario_id, call.line)
        for scenario_id, loaded in library().scenarios.items()
        for call in loaded.scenario.calls
        if call.caller_speaks_first
    ]
    assert len({scenario_id for scenario_id, _ in eager}) <= 1


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_on_every_scenario_an_off_script_utterance_gets_a_reply_in_time(scenario_id: str) -> None:
    loaded = library().scenarios[scenario_id]
    scenario, company = loaded.scenario, library().companies[loaded.scenario.company]
    line = _first_incoming_answer(scenario)
    state, _ = engine.start(scenario, company)
    rang = next(c for c in scenario.calls if c.line == line).ring_at_s
    state, _ = engine.advance(state, rang)
    state, _ = engine.step(state, Action("answer", line), rang + 1.0)
    opening = Action("say", line, {"text": "Buongiorno, centralino, sono Giulia."})
    state, _ = engine.step(state, opening, rang + 2.0)
    state, _ = engine.advance(state, rang + 6.0)
    odd = Action("say", line, {"text": "la partita di calcio di ieri sera"})
    state, new = engine.step(state, odd, rang + 7.0)
    state, later = engine.advance(state, rang + 7.0 + 2.5)
    replies = [e for e in [*new, *later] if e.kind == "caller_said" and e.line == line]
    assert replies, "no reply within 2.5 s"
    assert pacing.MIN_GAP_S <= replies[0].t - (rang + 7.0) <= pacing.MAX_GAP_S


# --------------------------------------------------------------------------- mood and barge-in


def _angry(extra_call: str = "") -> Scenario:
    return _scenario(extra_call=extra_call, persona_extra="mood: angry,")


def _opened(scenario: Scenario) -> engine.CallState:
    opening = Action("say", "l1", {"text": "Lucania Forniture, buongiorno."})
    state, _ = run(scenario, (4.0, Action("answer", "l1")), (5.0, opening), until=12.0)
    return state


def test_blame_uses_up_an_angry_callers_patience_and_it_hangs_up() -> None:
    state = _opened(_angry())
    blame = "Non è colpa nostra, se la prenda con il corriere."
    state, _ = engine.step(state, Action("say", "l1", {"text": blame}), 20.0)
    state, later = engine.advance(state, 22.0)
    assert state.lines["l1"].status == "talking"  # 3 - 2: one bad moment left
    state, second = engine.step(state, Action("say", "l1", {"text": blame}), 30.0)
    state, later = engine.advance(state, 32.0)
    lost = [e for e in [*second, *later] if e.data.get("patience_lost")]
    assert lost and lost[0].data["cause"] == "blame" and lost[0].data["quote"] == blame
    assert state.lines["l1"].ended_reason == "patience"


def test_an_apology_gives_patience_back() -> None:
    state = _opened(_angry())
    for at, text in ((20.0, "Non è colpa nostra."), (25.0, "Mi scusi, ha ragione, capisco.")):
        state, _ = engine.step(state, Action("say", "l1", {"text": text}), at)
        state, _ = engine.advance(state, at + 2.0)
    assert state.lines["l1"].patience == 3  # back where an angry caller starts


def test_the_patience_criterion_quotes_the_moment_it_was_lost() -> None:
    from simulator.evaluators import evaluate
    from simulator.evaluators.base import Context
    from simulator.model import PatienceCriterion

    scenario = _angry()
    _, log = run(
        scenario,
        (4.0, Action("answer", "l1")),
        (5.0, Action("say", "l1", {"text": "Lucania Forniture, buongiorno."})),
        (20.0, Action("say", "l1", {"text": "Non è colpa nostra."})),
        (30.0, Action("say", "l1", {"text": "È colpa sua, doveva controllare."})),
        until=35.0,
    )
    criterion = PatienceCriterion(
        id="pazienza", ra="ADA.24.04.11.RA1", kind="patience", title="P", title_en="P", advice="a"
    )
    score, note = evaluate(criterion, Context.build(scenario, COMPANY, log))
    assert score == 0.0 and note.passed is False
    assert note.quote == "È colpa sua, doveva controllare."
    assert note.t is not None and 30.0 < note.t <= 30.0 + pacing.MAX_GAP_S


def test_a_caller_breaks_into_a_long_monologue_when_the_scenario_says_so() -> None:
    chatty = _scenario(extra_call="interrupts: {monologue_words: 12}")
    state = _opened(chatty)
    long_text = " ".join(["allora"] * 20)
    state, new = engine.step(state, Action("say", "l1", {"text": long_text}), 20.0)
    barge = [e for e in new if e.kind == "caller_said" and e.data.get("barge_in")]
    assert barge and barge[0].t == 20.0 and barge[0].data["text"] == "Scusi se la interrompo."


def test_a_caller_speaks_up_on_a_long_hold_when_the_scenario_says_so() -> None:
    waiting = _scenario(extra_call="interrupts: {hold_s: 15}")
    state = _opened(waiting)
    state, _ = engine.step(state, Action("hold", "l1"), 20.0)
    state, later = engine.advance(state, 40.0)
    barge = [e for e in later if e.kind == "caller_said" and e.data.get("barge_in")]
    assert len(barge) == 1 and barge[0].t == pytest.approx(35.0) and barge[0].data["on_hold"]
