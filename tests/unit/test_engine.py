"""The call engine: rings, lines, silences, hold, transfers, questions, replay, pause."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import engine
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.model import Company, Scenario
from simulator.yaml_source import parse

ROOT = Path(__file__).resolve().parents[2]
COMPANY = Company.model_validate(
    parse((ROOT / "scenarios/companies/lucania-forniture.yaml").read_text("utf-8"), "c").data
)

SCENARIO = Scenario.model_validate(
    parse(
        """
id: prova
title: Prova
family: smistamento
language: it-IT
level: 1
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi, organisation: Ferramenta Rossi, phone: "0971 234567",
             facts: {reason: "Ordine 4512 in ritardo."}}
    start: squillo
    steps:
      squillo:
        on: {answer: {goto: richiesta}, no_answer: {after_s: 30}}
      richiesta:
        say: "Buongiorno, mi passa l'ufficio acquisti?"
        on:
          transfer:
            - {to: [acquisti, ricci-luca], reply: "Grazie."}
            - {reply: "Non era l'ufficio giusto."}
          silence: {after_s: 10, max: 2, hangup: true}
          hold: {after_s: 60, hangup: true}
          take_message: {goto: dettatura}
      dettatura:
        say: "Scriva pure."
        dictate: "Riunione spostata a lunedì alle nove"
        on:
          say: [{intent: goodbye, reply: "Arrivederci.", hangup: true}]
  - line: l2
    ring_at_s: 20
    caller: {name: Sara Neri, phone: "0971 111222"}
    start: saluto
    steps:
      saluto:
        say: "Buongiorno, sono Sara Neri."
criteria:
  - {id: c, ra: ADA.24.01.08.RA1, kind: action, expect: transfer,
     title: Prova, title_en: Test, advice: "Trasferisci."}
""",
        "prova.yaml",
    ).data
)


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def said(events: list[Event]) -> list[str]:
    return [str(e.data["text"]) for e in events if e.kind == "caller_said"]


OPENING = Action("say", "l1", {"text": "Lucania Forniture, buongiorno."})
# The caller's first reply comes a human gap after the opening (seed 0: 0.711 s, see pacing).
REQUEST_AT = 2.711


def answered_with_log() -> tuple[engine.CallState, list[Event]]:
    """Line 1 answered at 2 s and opened by the operator; the caller has made its request."""
    state, log = engine.start(SCENARIO, COMPANY)
    for action in (Action("answer", "l1"), OPENING):
        state, new = engine.step(state, action, 2.0)
        log.extend(new)
    state, new = engine.advance(state, 3.0)
    log.extend(new)
    return state, log


def answered() -> engine.CallState:
    return answered_with_log()[0]


def act(state: engine.CallState, action: Action, t: float) -> tuple[engine.CallState, list[Event]]:
    """Step, then let the caller's reply (a human gap later) be said."""
    state, events = engine.step(state, action, t)
    state, later = engine.advance(state, t + 1.5)
    return state, [*events, *later]


def test_first_line_rings_at_start_and_answer_brings_the_caller_request() -> None:
    state, events = engine.start(SCENARIO, COMPANY)
    assert kinds(events) == ["session_started", "ring"]
    assert state.lines["l1"].status == "ringing"
    state, events = engine.step(state, Action("answer", "l1"), 3.0)
    assert said(events) == []  # the caller waits for the operator's opening
    state, events = act(state, OPENING, 3.5)
    assert said(events) == ["Buongiorno, mi passa l'ufficio acquisti?"]
    assert state.active_line == "l1"


def test_unanswered_call_is_missed_after_its_patience_stretched_by_multiplier() -> None:
    state, _ = engine.start(SCENARIO, COMPANY, multiplier=2.0)
    state, events = engine.advance(state, 59.0)
    assert "missed" not in kinds(events)
    state, events = engine.advance(state, 61.0)
    missed = [e for e in events if e.kind == "missed"]
    assert missed and missed[0].t == pytest.approx(60.0)


def test_silence_reprompts_twice_then_the_caller_hangs_up() -> None:
    state = answered()
    state, events = engine.advance(state, REQUEST_AT + 10.5)
    assert said(events) == ["Pronto? Mi sente?"] or len(said(events)) == 1
    state, events = engine.advance(state, REQUEST_AT + 20.5)
    assert len(said(events)) == 1
    state, events = engine.advance(state, REQUEST_AT + 30.5)
    assert "caller_hangup" in kinds(events)
    assert state.lines["l1"].status == "ended"


def test_speaking_resets_the_silence_timer() -> None:
    state = answered()
    state, _ = act(state, Action("say", None, {"text": "Un attimo, verifico"}), 11.0)
    state, events = engine.advance(state, 20.0)
    assert "caller_said" not in kinds(events)


def test_caller_answers_persona_questions_at_any_point() -> None:
    state = answered()
    state, events = act(state, Action("say", None, {"text": "Chi parla, scusi?"}), 4.0)
    assert any("Mario Rossi" in text for text in said(events))
    state, events = act(
        state, Action("say", None, {"text": "mi lascia il suo numero di telefono?"}), 8.0
    )
    assert any("0971" in text or "234567" in text for text in said(events))


def test_second_line_rings_while_first_is_served_and_answering_it_holds_the_first() -> None:
    state = answered()
    state, events = engine.advance(state, 21.0)
    ring = [e for e in events if e.kind == "ring"]
    assert ring and ring[0].line == "l2" and ring[0].t == pytest.approx(20.0)
    state, events = engine.step(state, Action("answer", "l2"), 22.0)
    auto_hold = [e for e in events if e.kind == "hold"]
    assert auto_hold and auto_hold[0].line == "l1" and auto_hold[0].actor == "system"
    assert state.lines["l1"].status == "on_hold"
    assert state.active_line == "l2"
    state, events = engine.advance(state, 25.0)  # nobody opens: "Pronto?", then why it calls
    assert said(events) == ["Pronto?", "Buongiorno, sono Sara Neri."]


def test_right_transfer_hands_the_call_over() -> None:
    state = answered()
    state, events = act(state, Action("transfer", "l1", {"to": "222"}), 5.0)
    assert said(events) == ["Grazie."]
    assert state.lines["l1"].status == "ended"
    assert state.lines["l1"].ended_reason == "transferred"


def test_wrong_transfer_comes_back_to_the_operator_with_a_complaint() -> None:
    state = answered()
    state, events = act(state, Action("transfer", "l1", {"to": "251"}), 5.0)
    assert said(events) == ["Non era l'ufficio giusto."]
    assert state.lines["l1"].status == "talking"


def test_announced_transfer_to_an_absent_colleague_leaves_the_caller_on_hold() -> None:
    state = answered()
    state, events = engine.step(
        state, Action("transfer", "l1", {"to": "romano-chiara", "mode": "announced"}), 5.0
    )
    result = [e for e in events if e.kind == "transfer_result"]
    assert result[0].data["status"] == "absent"
    assert state.lines["l1"].status == "on_hold"


def test_unknown_extension_is_refused_and_nothing_is_recorded() -> None:
    state = answered()
    with pytest.raises(CallStateError) as refused:
        engine.step(state, Action("transfer", "l1", {"to": "999"}), 5.0)
    assert "999" in refused.value.it and "999" in refused.value.en


def test_hold_with_no_call_is_refused() -> None:
    state, _ = engine.start(SCENARIO, COMPANY)
    with pytest.raises(CallStateError):
        engine.step(state, Action("hold", "l1"), 1.0)


def test_long_hold_warns_then_the_caller_hangs_up() -> None:
    state = answered()
    state, _ = engine.step(state, Action("hold", "l1"), 5.0)
    state, events = engine.advance(state, 50.0)
    assert [e.data.get("code") for e in events if e.kind == "notice"] == ["hold_warning"]
    state, events = engine.advance(state, 66.0)
    hangups = [e for e in events if e.kind == "caller_hangup"]
    assert hangups and hangups[0].data["reason"] == "hold"


def test_pause_freezes_every_caller_timer() -> None:
    state = answered()
    state, _ = engine.step(state, Action("pause"), 5.0)
    assert engine.next_deadline(state) is None
    with pytest.raises(CallStateError):
        engine.step(state, Action("say", None, {"text": "pronto"}), 100.0)
    state, _ = engine.step(state, Action("unpause"), 300.0)
    state, events = engine.advance(state, 306.0)
    assert "caller_said" not in kinds(events)
    state, events = engine.advance(state, 308.0)
    assert len(said(events)) == 1  # the silence prompt, 10 s of unpaused silence after answer


def test_fonogramma_read_back_is_confirmed_when_accurate() -> None:
    state = answered()
    state, events = act(state, Action("take_message", "l1", {"text": "x"}), 5.0)
    assert "Riunione spostata a" in " ".join(said(events))
    state, events = act(
        state, Action("say", None, {"text": "Rileggo: riunione spostata a lunedì alle nove"}), 30.0
    )
    confirm = [e for e in events if e.data.get("readback")]
    assert confirm and confirm[0].data["confirmed"] is True


def test_fonogramma_wrong_read_back_gets_the_dictation_again() -> None:
    state = answered()
    state, _ = act(state, Action("take_message", "l1", {"text": "x"}), 5.0)
    state, events = act(
        state, Action("say", None, {"text": "riunione spostata a martedì alle dieci"}), 30.0
    )
    confirm = [e for e in events if e.data.get("readback")]
    assert confirm and confirm[0].data["confirmed"] is False
    assert any(e.data.get("dictation") for e in events)


def test_outgoing_call_records_what_the_authorisation_table_says() -> None:
    state, _ = engine.start(SCENARIO, COMPANY)
    action = Action(
        "outgoing_call",
        None,
        {
            "number": "0049 30 1234567",
            "requested_by": "moretti-andrea",
            "code": "6104",
            "decision": "refuse",
        },
    )
    state, events = engine.step(state, action, 3.0)
    check = events[-1].data["check"]
    assert check["class"] == "international"
    assert check["code_ok"] is True and check["authorised"] is False


def test_replay_rebuilds_the_same_state_from_the_log() -> None:
    state, log = engine.start(SCENARIO, COMPANY, multiplier=1.5)
    for action, t in [
        (Action("answer", "l1"), 2.0),
        (Action("say", None, {"text": "Lucania Forniture buongiorno"}), 4.0),
        (Action("hold", "l1"), 8.0),
        (Action("answer", "l2"), 31.0),
        (Action("resume", "l1"), 40.0),
    ]:
        state, new = engine.step(state, action, t)
        log.extend(new)
    again = engine.replay(SCENARIO, COMPANY, log)
    assert {k: v.status for k, v in again.lines.items()} == {
        k: v.status for k, v in state.lines.items()
    }
    assert again.active_line == state.active_line == "l1"
    # determinism: re-running gives the very same events
    rerun, relog = engine.start(SCENARIO, COMPANY, multiplier=1.5)
    for event in log:
        if event.actor == "trainee":
            rerun, new = engine.step(
                rerun, Action(event.kind, event.line, dict(event.data)), event.t
            )
            relog.extend(new)
    assert [e.to_json() for e in relog] == [e.to_json() for e in log]


def test_state_given_to_step_is_never_modified() -> None:
    state = answered()
    before = state.lines["l1"].status
    engine.step(state, Action("hold", "l1"), 5.0)
    assert state.lines["l1"].status == before


def test_finish_closes_open_lines_and_refuses_further_actions() -> None:
    state = answered()
    state, events = engine.step(state, Action("finish"), 9.0)
    assert events[-1].kind == "session_finished"
    assert state.finished
    with pytest.raises(CallStateError):
        engine.step(state, Action("say", None, {"text": "ciao"}), 10.0)


def test_scenario_can_make_a_colleague_busy_for_its_own_story() -> None:
    busy = SCENARIO.model_copy(
        update={
            "presence": {
                "ricci-luca": COMPANY.staff[0].presence.model_copy(
                    update={"status": "busy", "note": None}
                )
            }
        }
    )
    state, _ = engine.start(busy, COMPANY)
    state, _ = engine.step(state, Action("answer", "l1"), 2.0)
    state, events = engine.step(state, Action("transfer", "l1", {"to": "222"}), 5.0)
    result = [e for e in events if e.kind == "transfer_result"]
    assert result[0].data["status"] == "busy"
    assert state.lines["l1"].status == "talking"  # blind transfer bounced back


def test_emergency_numbers_are_always_authorised() -> None:
    state, _ = engine.start(SCENARIO, COMPANY)
    state, events = engine.step(
        state, Action("outgoing_call", None, {"number": "112", "decision": "place"}), 3.0
    )
    assert events[-1].data["check"] == {
        "staff": None,
        "code_ok": False,
        "class": "emergency",
        "authorised": True,
    }


def test_local_numbers_are_classed_against_the_switchboard_area() -> None:
    state, _ = engine.start(SCENARIO, COMPANY)
    action = Action(
        "outgoing_call",
        None,
        {
            "number": "0971 441122",
            "requested_by": "moretti-andrea",
            "code": "6104",
            "decision": "place",
        },
    )
    state, events = engine.step(state, action, 3.0)
    assert events[-1].data["check"]["class"] == "local"
    assert events[-1].data["check"]["authorised"] is True


def test_each_reply_gives_the_caller_fresh_patience_with_silence() -> None:
    state = answered()
    state, events = engine.advance(state, 12.5)  # first prompt at 12
    state, _ = engine.step(state, Action("say", None, {"text": "Mi scusi, controllo"}), 13.0)
    state, events = engine.advance(state, 23.5)  # prompt again at 23
    state, _ = engine.step(state, Action("say", None, {"text": "Ancora un attimo"}), 24.0)
    state, events = engine.advance(state, 34.5)
    assert "caller_hangup" not in kinds(events)
    assert state.lines["l1"].status == "talking"


LONG = Scenario.model_validate(
    parse(
        """
id: dettatura
title: Dettatura
family: fonogramma
language: it-IT
level: 1
company: lucania-forniture
calls:
  - line: l1
    caller_speaks_first: true
    caller: {name: Prefettura}
    start: detta
    steps:
      detta:
        say: "Fonogramma per il direttore, scriva."
        dictate: >-
          Si comunica che la riunione del comitato è rinviata
          a lunedì dodici alle ore nove presso la sala grande
criteria:
  - {id: c, ra: ADA.24.01.08.RA1, kind: fonogramma, step: detta,
     title: Prova, title_en: Test, advice: "Trascrivi."}
""",
        "dettatura.yaml",
    ).data
)


def dictated(events: list[Event]) -> list[str]:
    return [
        str(e.data["text"]) for e in events if e.kind == "caller_said" and e.data.get("dictation")
    ]


def test_a_fonogramma_is_dictated_piece_by_piece_at_the_trainees_pace() -> None:
    state, _ = engine.start(LONG, COMPANY, multiplier=2.0)
    state, events = act(state, Action("answer", "l1"), 1.0)
    assert dictated(events) == ["Si comunica che la riunione del"]
    said_at = next(e.t for e in events if e.data.get("dictation"))
    state, events = engine.advance(state, said_at + 9.5)
    assert dictated(events) == []  # 5 s pause stretched to 10 s: not yet
    state, events = engine.advance(state, said_at + 10.5)
    assert dictated(events) == ["comitato è rinviata a lunedì dodici"]
    state, events = act(state, Action("say", None, {"text": "sì, avanti"}), 13.0)
    assert dictated(events) == ["alle ore nove presso la sala"]
    state, events = act(state, Action("say", None, {"text": "può ripetere?"}), 16.0)
    assert dictated(events) == ["alle ore nove presso la sala"]
    state, events = act(state, Action("say", None, {"text": "si comunica che la riunione"}), 19.0)
    assert dictated(events) == ["grande"]  # still dictating: no read-back yet
    assert not any(e.data.get("readback") for e in events)
    state, events = act(
        state,
        Action(
            "say",
            None,
            {
                "text": "Rileggo: si comunica che la riunione del comitato è "
                "rinviata a lunedì dodici alle ore nove presso la sala grande"
            },
        ),
        40.0,
    )
    assert [e.data.get("confirmed") for e in events if e.data.get("readback")] == [True]


def test_trainee_activity_keeps_a_silent_caller_waiting() -> None:
    """Typing (an "activity" signal) restarts the silence timer without a word said."""
    state = answered()
    state, events = engine.step(state, Action("activity"), 11.0)
    assert kinds(events) == ["activity"]
    state, events = engine.advance(state, 20.0)
    assert "caller_said" not in kinds(events)
    state, events = engine.advance(state, 21.5)
    assert len(said(events)) == 1  # 10 s after the last activity


def test_activity_with_no_talking_line_records_nothing() -> None:
    state, _ = engine.start(SCENARIO, COMPANY)
    state, events = engine.step(state, Action("activity"), 1.0)
    assert events == []


def test_silence_hang_up_is_warned_first_once() -> None:
    """Before the silence that ends the call the console gets a warning, like on hold."""
    state = answered()
    state, events = engine.advance(state, REQUEST_AT + 20.5)  # two prompts, 10 and 20 s after
    assert len(said(events)) == 2
    assert [e for e in events if e.kind == "notice"] == []
    state, events = engine.advance(state, REQUEST_AT + 26.0)  # warning 5 s before the hang-up
    notices = [e.data.get("code") for e in events if e.kind == "notice"]
    assert notices == ["silence_warning"]
    state, events = engine.advance(state, REQUEST_AT + 31.0)
    assert "notice" not in kinds(events) and "caller_hangup" in kinds(events)


def test_replay_rebuilds_activity_and_silence_warning() -> None:
    state, log = answered_with_log()
    state, more = engine.step(state, Action("activity"), 11.0)
    log += more
    state, more = engine.advance(state, 45.0)
    log += more
    rebuilt = engine.replay(SCENARIO, COMPANY, log)
    assert rebuilt.lines["l1"].fired == state.lines["l1"].fired
    assert rebuilt.lines["l1"].last_activity_at == state.lines["l1"].last_activity_at


def test_asked_to_repeat_the_number_the_caller_repeats_only_the_number() -> None:
    state = answered()
    state, events = act(
        state, Action("say", None, {"text": "Mi può ripetere il numero di telefono?"}), 4.0
    )
    assert said(events) == ["Il mio numero è 0971 234567."]
    state, events = act(state, Action("say", None, {"text": "Può ripetere?"}), 6.0)
    assert said(events) == ["Il mio numero è 0971 234567."]  # the whole last line again


def settle(
    state: engine.CallState, action: Action, t: float
) -> tuple[engine.CallState, list[Event]]:
    """Step, then let every reply the caller has decided on be said (a few human gaps)."""
    state, events = engine.step(state, action, t)
    state, later = engine.advance(state, t + 4.0)
    return state, [*events, *later]


CALL_WIDE = Scenario.model_validate(
    parse(
        """
id: regole-della-chiamata
title: Regole valide in tutta la chiamata
family: reclami
language: it-IT
level: 2
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi}
    start: squillo
    on:
      hold: {reply: "Ma non mi ha nemmeno chiesto se potevo attendere!"}
      say: [{intent: apologise, reply: "Le scuse non bastano."}]
    steps:
      squillo:
        on: {answer: {goto: reclamo}}
      reclamo:
        say: "La merce è arrivata rotta."
        on:
          say: [{intent: thanks, reply: "Prego.", goto: calmo}]
      calmo:
        say: "Va bene, aspetto."
        on:
          hold: {reply: "Certo, attendo."}
criteria:
  - {id: c, ra: ADA.24.04.11.RA1, kind: action, expect: hold,
     title: Prova, title_en: Test, advice: "Metti in attesa."}
""",
        "call-wide.yaml",
    ).data
)


def test_call_wide_rules_hold_in_every_step_unless_the_step_has_its_own() -> None:
    state, _ = engine.start(CALL_WIDE, COMPANY)
    state, _ = engine.step(state, Action("answer", "l1"), 2.0)
    state, events = settle(state, OPENING, 2.0)
    assert said(events) == ["La merce è arrivata rotta."]
    state, events = settle(state, Action("say", None, {"text": "Mi scusi tanto"}), 10.0)
    assert said(events) == ["Le scuse non bastano."]  # the call-wide intent, beside the step's
    state, events = settle(state, Action("hold", "l1"), 20.0)
    assert said(events) == ["Ma non mi ha nemmeno chiesto se potevo attendere!"]
    state, _ = settle(state, Action("resume", "l1"), 30.0)
    state, events = settle(state, Action("say", None, {"text": "Grazie"}), 40.0)
    assert said(events) == ["Prego.", "Va bene, aspetto."]
    state, events = settle(state, Action("hold", "l1"), 50.0)
    assert said(events) == ["Certo, attendo."]  # the step's own reaction wins


BUSY_RULES = Scenario.model_validate(
    parse(
        """
id: trasferimento-occupato
title: Trasferimento a un collega occupato
family: smistamento
language: it-IT
level: 2
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi}
    start: squillo
    steps:
      squillo:
        on: {answer: {goto: richiesta}}
      richiesta:
        say: "Mi passa il direttore?"
        on:
          transfer:
            - {to: [esposito-marco], presence: [busy, absent], reply: "Allora richiamo io."}
            - {to: [esposito-marco], reply: "Grazie."}
criteria:
  - {id: c, ra: ADA.24.01.08.RA1, kind: action, expect: transfer,
     title: Prova, title_en: Test, advice: "Trasferisci."}
""",
        "busy.yaml",
    ).data
)


def test_a_transfer_rule_for_a_busy_colleague_replaces_the_generic_no_answer() -> None:
    state, _ = engine.start(BUSY_RULES, COMPANY)  # Marco Esposito is busy in the company file
    state, _ = engine.step(state, Action("answer", "l1"), 2.0)
    state, events = settle(state, OPENING, 2.0)
    assert said(events) == ["Mi passa il direttore?"]
    state, events = settle(state, Action("transfer", None, {"to": "201"}), 10.0)
    assert said(events) == ["Allora richiamo io."]
    assert "Non risponde nessuno." not in said(events)
    assert state.lines["l1"].status == "talking"


def test_knowledge_base_articles_fill_placeholders_and_the_terminal_search() -> None:
    from simulator.knowledge import search_knowledge
    from simulator.templates import Lookup, expand

    values = Lookup(COMPANY, None, "Giulia")
    assert expand("Orari: {knowledge.orari.text}", values).startswith(
        "Orari: Uffici aperti dal lunedì al venerdì"
    )
    assert [a.id for a in search_knowledge(COMPANY, "orari di apertura")][:1] == ["orari"]
    assert [a.id for a in search_knowledge(COMPANY, "indirizzo della sede")][:1] == ["sede"]


RELATIVE_RING = Scenario.model_validate(
    parse(
        """
id: seconda-linea-relativa
title: La seconda linea squilla durante il reclamo
family: reclami
language: it-IT
level: 3
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi}
    start: squillo
    steps:
      squillo:
        on: {answer: {goto: saluto}}
      saluto:
        say: "Buongiorno."
        on:
          say: [{intent: greeting, goto: reclamo}]
      reclamo:
        say: "La merce è arrivata rotta!"
  - line: l2
    ring_after: {line: l1, step: reclamo, after_s: 5}
    caller: {name: Sara Neri}
    start: saluto
    steps:
      saluto:
        say: "Buongiorno, sono Sara Neri."
criteria:
  - {id: c, ra: ADA.24.04.11.RA1, kind: action, expect: answer,
     title: Prova, title_en: Test, advice: "Rispondi."}
""",
        "relative.yaml",
    ).data
)


def test_a_line_rings_relative_to_the_conversation_not_at_a_fixed_time() -> None:
    state, _ = engine.start(RELATIVE_RING, COMPANY)
    state, events = engine.advance(state, 30.0)  # no conversation yet: l2 stays silent
    assert [e.line for e in events if e.kind == "ring"] == []
    state, _ = engine.step(state, Action("answer", "l1"), 31.0)
    state, events = settle(state, OPENING, 31.0)  # the opening: the caller greets back
    assert said(events) == ["Buongiorno."]
    state, _ = engine.step(state, Action("say", None, {"text": "Buongiorno"}), 36.0)
    assert state.lines["l1"].step == "reclamo"
    state, events = engine.advance(state, 40.0)
    assert [e.line for e in events if e.kind == "ring"] == []
    state, events = engine.advance(state, 42.0)
    rings = [e for e in events if e.kind == "ring"]
    assert [e.line for e in rings] == ["l2"] and rings[0].t == pytest.approx(41.0)
