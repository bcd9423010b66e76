"""Each evaluator kind on hand-written logs: what passes, what fails, and the evidence it gives."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.events import Event
from simulator.model import Scenario
from simulator.scoring import score
from simulator.yaml_source import parse
from tests.unit.test_engine import COMPANY

BASE = """
id: valuta
title: Valuta
family: smistamento
language: it-IT
level: 1
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi, phone: "0971 234567"}
    start: a
    steps:
      a: {say: "Buongiorno", dictate: "Consegna prevista martedì alle dieci presso il magazzino"}
"""


def scenario_with(criteria: str, thresholds: str = "") -> Scenario:
    return Scenario.model_validate(
        parse(BASE + thresholds + "criteria:\n" + criteria, "valuta.yaml").data
    )


def log(*events: tuple[float, str, str, str | None, dict[str, Any]]) -> list[Event]:
    start = [Event(0.0, "session_started", "system", data={"multiplier": 1.0})]
    return start + [
        Event(t, kind, actor, line, data)  # type: ignore[arg-type]
        for t, kind, actor, line, data in events
    ]


RING = (0.0, "ring", "system", "l1", {})


def only(criteria: str, events: list[Event], thresholds: str = "") -> Any:
    return score(scenario_with(criteria, thresholds), COMPANY, events).criteria[0]


SPEECH = """
  - {id: apertura, ra: ADA.24.04.11.RA1, kind: speech, any_of: ["{company.name}"],
     window: {after: answer, within_s: 10},
     title: Prova, title_en: Test, advice: "Presenta l'azienda."}
"""


def test_speech_found_in_window_quotes_the_trainee() -> None:
    events = log(
        RING,
        (3.0, "answer", "trainee", "l1", {}),
        (5.0, "say", "trainee", "l1", {"text": "lucania forniture buongiorno"}),
    )
    result = only(SPEECH, events)
    assert result.passed and result.score == 1.0
    assert result.evidence.t == 5.0 and "lucania" in (result.evidence.quote or "")


def test_speech_after_the_window_fails_quoting_the_late_phrase() -> None:
    """Said too late is not said: the evidence quotes the late phrase and says why it failed."""
    events = log(
        RING,
        (3.0, "answer", "trainee", "l1", {}),
        (5.0, "say", "trainee", "l1", {"text": "pronto?"}),
        (20.0, "say", "trainee", "l1", {"text": "lucania forniture"}),
    )
    result = only(SPEECH, events)
    assert not result.passed
    assert result.evidence.t == 20.0 and result.evidence.quote == "lucania forniture"
    assert "tardi" in result.evidence.it and result.evidence.expected == "Lucania Forniture"


def test_speech_miss_quotes_the_closest_attempt_not_the_first() -> None:
    events = log(
        RING,
        (3.0, "answer", "trainee", "l1", {}),
        (4.0, "say", "trainee", "l1", {"text": "pronto?"}),
        (6.0, "say", "trainee", "l1", {"text": "lucania fornitori buongiorno"}),
        (8.0, "say", "trainee", "l1", {"text": "mi dica"}),
    )
    result = only(SPEECH, events)
    if result.passed:  # the intent layer's tolerance may accept the slip; then it quotes it
        assert result.evidence.t == 6.0
        return
    assert result.evidence.t == 6.0 and result.evidence.quote == "lucania fornitori buongiorno"


def test_speech_uses_asr_alternatives() -> None:
    events = log(
        RING,
        (3.0, "answer", "trainee", "l1", {}),
        (
            5.0,
            "say",
            "trainee",
            "l1",
            {"text": "lucky a for nature", "alternatives": ["lucania forniture"]},
        ),
    )
    assert only(SPEECH, events).passed


def test_speech_window_never_opened_fails_closed_and_says_so() -> None:
    result = only(SPEECH, log(RING))
    assert not result.passed and "Non valutabile" in result.evidence.it


def test_timing_answer_grades_between_limit_and_twice_the_limit() -> None:
    criterion = """
  - {id: t, ra: ADA.24.01.08.RA1, kind: timing, measure: answer, max_s: 10,
     title: Prova, title_en: Test, advice: "Rispondi."}
"""
    fast = only(criterion, log(RING, (8.0, "answer", "trainee", "l1", {})))
    slow = only(criterion, log(RING, (15.0, "answer", "trainee", "l1", {})))
    assert fast.score == 1.0 and fast.passed
    assert slow.score == pytest.approx(0.5) and not slow.passed


def test_timing_is_stretched_by_the_trainee_multiplier() -> None:
    criterion = """
  - {id: t, ra: ADA.24.01.08.RA1, kind: timing, measure: answer, max_s: 10,
     title: Prova, title_en: Test, advice: "Rispondi."}
"""
    events = log(RING, (15.0, "answer", "trainee", "l1", {}))
    events[0] = Event(0.0, "session_started", "system", data={"multiplier": 2.0})
    assert only(criterion, events).passed


def test_timing_hold_excludes_paused_time() -> None:
    criterion = """
  - {id: h, ra: ADA.24.01.08.RA1, kind: timing, measure: hold, max_s: 30,
     title: Prova, title_en: Test, advice: "Attesa breve."}
"""
    events = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (5.0, "hold", "trainee", "l1", {}),
        (10.0, "pause", "trainee", None, {}),
        (100.0, "unpause", "trainee", None, {}),
        (110.0, "resume", "trainee", "l1", {}),
    )
    result = only(criterion, events)
    assert result.passed, result.evidence.it  # 15 s of real hold, 90 s paused


def test_missed_call_fails_the_answer_timing() -> None:
    criterion = """
  - {id: t, ra: ADA.24.01.08.RA1, kind: timing, measure: answer, max_s: 10,
     title: Prova, title_en: Test, advice: "Rispondi."}
"""
    result = only(criterion, log(RING, (40.0, "missed", "caller", "l1", {})))
    assert not result.passed and result.evidence.t == 40.0


FORBIDDEN = """
  - {id: privacy, ra: ADA.24.01.08.RA1, kind: forbidden, critical: true,
     disclose: [staff.romano-chiara.mobile, staff.romano-chiara.presence],
     none_of: ["non è colpa nostra"],
     title: Prova, title_en: Test, advice: "Riservatezza."}
  - {id: altro, ra: ADA.24.01.08.RA1, kind: speech, any_of: ["buongiorno"],
     window: {after: start},
     title: Prova, title_en: Test, advice: "Saluta."}
"""


def test_forbidden_catches_a_private_mobile_said_with_spaces_and_words() -> None:
    events = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (3.0, "say", "trainee", "l1", {"text": "buongiorno"}),
        (9.0, "say", "trainee", "l1", {"text": "provi al tre tre otto 99 88 77 6"}),
    )
    report = score(scenario_with(FORBIDDEN), COMPANY, events)
    privacy = report.criteria[0]
    assert not privacy.passed and privacy.evidence.t == 9.0
    # critical: the RA fails although the weighted mean is 0.5
    assert not report.ra["ADA.24.01.08.RA1"].passed


def test_forbidden_catches_the_private_reason_of_an_absence() -> None:
    events = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (9.0, "say", "trainee", "l1", {"text": "è in ferie in Sardegna fino a giovedì"}),
    )
    assert not score(scenario_with(FORBIDDEN), COMPANY, events).criteria[0].passed


def test_forbidden_passes_a_discreet_operator() -> None:
    events = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (9.0, "say", "trainee", "l1", {"text": "la dottoressa Romano non è disponibile"}),
    )
    assert score(scenario_with(FORBIDDEN), COMPANY, events).criteria[0].passed


MESSAGE = """
  - id: msg
    ra: ADA.24.01.08.RA1
    kind: form
    form: message
    fields:
      for: {match: exact, expected: romano-chiara}
      phone: {match: phone_number, expected: "{caller.phone}"}
      text: {match: keywords, expected: ["4512", "ritardo"]}
      caller: {match: fuzzy, expected: "Mario Rossi"}
    title: Criterio di prova
    title_en: Test criterion
    advice: "Messaggio completo."
"""


def test_form_accepts_names_for_colleagues_and_any_phone_format() -> None:
    events = log(
        (
            30.0,
            "take_message",
            "trainee",
            "l1",
            {
                "for": "Chiara Romano",
                "phone": "+39 0971 234 567",
                "caller": "mario rossi",
                "text": "L'ordine 4512 è in ritardo",
            },
        ),
    )
    result = only(MESSAGE, events)
    assert result.passed and result.score == 1.0 and result.evidence.t == 30.0


def test_form_names_the_wrong_fields() -> None:
    events = log(
        (
            30.0,
            "take_message",
            "trainee",
            "l1",
            {
                "for": "Luca Ricci",
                "phone": "0971 999999",
                "caller": "Mario Rossi",
                "text": "ordine 4512 in ritardo",
            },
        ),
    )
    result = only(MESSAGE, events)
    assert not result.passed
    assert "destinatario: Luca Ricci, atteso Chiara Romano" in result.evidence.it
    assert "numero: 0971 999999, atteso 0971 234567" in result.evidence.it
    assert "number: 0971 999999, expected 0971 234567" in result.evidence.en


def test_form_missing_fails_closed() -> None:
    result = only(MESSAGE, log(RING))
    assert not result.passed and "Non valutabile" in result.evidence.it


def test_action_transfer_to_the_right_target_and_mode() -> None:
    criterion = """
  - {id: tr, ra: ADA.24.01.08.RA1, kind: action, expect: transfer, to: [acquisti],
     mode: announced,
     title: Prova, title_en: Test, advice: "Trasferisci agli acquisti."}
"""
    target = {"id": "ricci-luca", "extension": "222", "department": "acquisti"}
    right = log(
        (9.0, "transfer", "trainee", "l1", {"to": "222", "mode": "announced", "target": target})
    )
    wrong_mode = log(
        (9.0, "transfer", "trainee", "l1", {"to": "222", "mode": "blind", "target": target})
    )
    assert only(criterion, right).passed
    failed = only(criterion, wrong_mode)
    assert not failed.passed and failed.evidence.t == 9.0


def test_action_absent_fails_when_the_action_happens() -> None:
    criterion = """
  - {id: no, ra: ADA.24.01.08.RA1, kind: action, expect: hangup, absent: true,
     title: Prova, title_en: Test, advice: "Non riagganciare per primo."}
"""
    answered = (3.0, "answer", "trainee", "l1", {})
    assert only(criterion, log(RING, answered)).passed
    assert not only(criterion, log(RING, answered, (5.0, "hangup", "trainee", "l1", {}))).passed
    never_taken = only(criterion, log(RING))
    assert not never_taken.passed and not never_taken.judged


def test_directory_after_the_updates() -> None:
    criterion = """
  - id: rub
    ra: ADA.24.01.08.RA2
    kind: directory
    expect: [{staff: ricci-luca, field: extension, value: "224"}]
    title: Criterio di prova
    title_en: Test criterion
    advice: "Aggiorna la rubrica."
"""
    right = log(
        (
            9.0,
            "directory_update",
            "trainee",
            None,
            {"staff": "ricci-luca", "field": "extension", "value": "224"},
        )
    )
    wrong = log(
        (
            9.0,
            "directory_update",
            "trainee",
            None,
            {"staff": "ricci-luca", "field": "extension", "value": "242"},
        )
    )
    assert only(criterion, right).passed
    assert not only(criterion, wrong).passed


def test_outcome_refusal_expected() -> None:
    criterion = """
  - {id: out, ra: ADA.24.01.08.RA2, kind: outcome, outgoing: refuse,
     title: Prova, title_en: Test, advice: "Verifica."}
"""
    placed = log(
        (9.0, "outgoing_call", "trainee", "l1", {"number": "0049 30 123", "decision": "place"})
    )
    refused = log(
        (9.0, "outgoing_call", "trainee", "l1", {"number": "0049 30 123", "decision": "refuse"})
    )
    assert not only(criterion, placed).passed
    assert only(criterion, refused).passed
    assert "Non valutabile" in only(criterion, log(RING)).evidence.it


FONO = """
  - {id: fono, ra: ADA.24.01.08.RA1, kind: fonogramma, step: a, min_accuracy: 0.9,
     title: Prova, title_en: Test, advice: "Trascrivi parola per parola e rileggi."}
"""
TEXT = "Consegna prevista martedì alle dieci presso il magazzino"


def test_fonogramma_needs_accuracy_and_a_confirmed_read_back() -> None:
    confirmed = (40.0, "caller_said", "caller", "l1", {"readback": True, "confirmed": True})
    exact = (50.0, "fonogramma", "trainee", None, {"text": TEXT})
    sloppy = (50.0, "fonogramma", "trainee", None, {"text": "consegna martedì magazzino"})
    assert only(FONO, log(confirmed, exact)).passed
    no_readback = only(FONO, log(exact))
    assert not no_readback.passed and "rilettura" in no_readback.evidence.it
    assert not only(FONO, log(confirmed, sloppy)).passed


def test_ra_weighted_score_against_its_threshold() -> None:
    criteria = """
  - {id: a, ra: ADA.24.01.08.RA1, kind: action, expect: answer, weight: 3,
     title: Prova, title_en: Test, advice: "Rispondi."}
  - {id: b, ra: ADA.24.01.08.RA1, kind: action, expect: hold, weight: 1,
     title: Prova, title_en: Test, advice: "Attesa."}
"""
    report = score(scenario_with(criteria), COMPANY, log((2.0, "answer", "trainee", "l1", {})))
    ra = report.ra["ADA.24.01.08.RA1"]
    assert ra.score == pytest.approx(0.75) and ra.passed
    strict = score(
        scenario_with(criteria, "thresholds: {ADA.24.01.08.RA1: 0.8}\n"),
        COMPANY,
        log((2.0, "answer", "trainee", "l1", {})),
    )
    assert not strict.ra["ADA.24.01.08.RA1"].passed


def test_report_json_has_the_documented_shape() -> None:
    report = score(scenario_with(SPEECH), COMPANY, log(RING)).to_json()
    assert report["scenario"] == "valuta"
    assert set(report["ra"]["ADA.24.04.11.RA1"]) >= {"score", "passed"}
    assert set(report["criteria"][0]) >= {"id", "ra", "score", "passed", "evidence", "advice"}


def test_outcome_place_without_a_valid_code_fails() -> None:
    criterion = """
  - {id: out, ra: ADA.24.01.08.RA2, kind: outcome, outgoing: place,
     title: Prova, title_en: Test, advice: "Verifica il codice."}
"""
    unchecked = log(
        (
            9.0,
            "outgoing_call",
            "trainee",
            "l1",
            {"number": "0049 30 123", "decision": "place", "check": {"authorised": False}},
        )
    )
    checked = log(
        (
            9.0,
            "outgoing_call",
            "trainee",
            "l1",
            {"number": "0049 30 123", "decision": "place", "check": {"authorised": True}},
        )
    )
    failed = only(criterion, unchecked)
    assert not failed.passed and "codice" in failed.evidence.it
    assert only(criterion, checked).passed


def test_form_judges_the_submission_meant_by_the_criterion() -> None:
    events = log(
        (
            30.0,
            "take_message",
            "trainee",
            None,
            {"for": "Luca Ricci", "phone": "0971 111111", "caller": "Altro", "text": "altro"},
        ),
        (
            60.0,
            "take_message",
            "trainee",
            None,
            {
                "for": "Chiara Romano",
                "phone": "0971 234567",
                "caller": "Mario Rossi",
                "text": "ordine 4512 in ritardo",
            },
        ),
        (
            90.0,
            "take_message",
            "trainee",
            None,
            {"for": "Anna Russo", "phone": "0971 222222", "caller": "Terzo", "text": "fattura"},
        ),
    )
    result = only(MESSAGE, events)
    assert result.passed and result.evidence.t == 60.0


def test_numbers_in_expected_phrases_must_be_exact() -> None:
    criterion = """
  - {id: num, ra: ADA.24.01.08.RA1, kind: speech, any_of: ["0973 823154"],
     window: {after: start},
     title: Prova, title_en: Test, advice: "Rileggi il numero."}
"""
    wrong = log((5.0, "say", "trainee", "l1", {"text": "rileggo 0973 823145"}))
    right = log((5.0, "say", "trainee", "l1", {"text": "rileggo zero nove sette tre 823154"}))
    assert not only(criterion, wrong).passed
    assert only(criterion, right).passed


def test_form_keywords_survive_punctuation_and_the_note_names_the_missing_one() -> None:
    """'Ordine 4512: 2 sedie' keeps the order number; a missing keyword is named."""
    fields = {"for": "Chiara Romano", "phone": "0971 234567", "caller": "Mario Rossi"}
    found = log(
        (30.0, "take_message", "trainee", "l1", {**fields, "text": "Ordine 4512: 2 ritardo"})
    )
    assert only(MESSAGE, found).passed
    missing = log(
        (30.0, "take_message", "trainee", "l1", {**fields, "text": "Ordine 4512: 2 sedie"})
    )
    result = only(MESSAGE, missing)
    assert "mancano le parole chiave ritardo" in result.evidence.it
    assert "missing the keywords ritardo" in result.evidence.en


SPELLING = """
  - id: spelling
    ra: ADA.24.04.11.RA1
    kind: speech
    in_order: true
    pass_at: 1
    any_of: ["R come Roma", "I come Imola", "C come Como", "C come Como", "I come Imola"]
    window: {after: answer}
    title: Spelling in ordine
    title_en: Spelling in order
    advice: "Fai lo spelling lettera per lettera, nell'ordine giusto."
"""


def test_spelling_in_order_is_judged_letter_by_letter() -> None:
    """Every letter, in order, across replies; a swapped pair is named and does not pass."""
    right = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (5.0, "say", "trainee", "l1", {"text": "R come Roma, I come Imola,"}),
        (8.0, "say", "trainee", "l1", {"text": "C come Como, C come Como, I come Imola."}),
    )
    assert only(SPELLING, right).passed
    swapped = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (5.0, "say", "trainee", "l1", {"text": "R come Roma, C come Como, I come Imola,"}),
        (8.0, "say", "trainee", "l1", {"text": "C come Como, I come Imola."}),
    )
    result = only(SPELLING, swapped)
    assert not result.passed
    assert result.score == 0.8
    assert "In ordine 4 di 5: manca o è fuori posto «C come Como»" in result.evidence.it


def test_disclose_presence_protects_the_scenarios_own_presence_note() -> None:
    """The note under the scenario's presence: is what must stay private, not the company's."""
    own = (
        'presence:\n  esposito-marco: {status: busy, until: "le 12:00", '
        'note: "dal medico per una visita in ospedale"}\n'
    )
    criterion = """
  - {id: riservatezza, ra: ADA.24.04.11.RA1, kind: forbidden,
     disclose: [staff.esposito-marco.presence],
     title: Riservatezza, title_en: Confidentiality, advice: "Non dire perché è occupato."}
"""
    told = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (6.0, "say", "trainee", "l1", {"text": "È in ospedale per una visita medica"}),
    )
    discreet = log(
        RING,
        (2.0, "answer", "trainee", "l1", {}),
        (6.0, "say", "trainee", "l1", {"text": "Il direttore è occupato fino alle 12"}),
    )
    assert not score(scenario_with(criterion, own), COMPANY, told).criteria[0].passed
    assert score(scenario_with(criterion, own), COMPANY, discreet).criteria[0].passed
