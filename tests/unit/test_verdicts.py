"""Verdicts that mean what they say: limits to the tenth of a second, critical form fields,
fail-closed criteria, alternative routes, and transfers judged by how they ended."""

from __future__ import annotations

from simulator.harness import run_call
from simulator.scoring import score
from simulator.script import Script
from tests.unit.test_engine import COMPANY
from tests.unit.test_scoring import RING, log, only, scenario_with

ANSWER_12 = """
  - {id: rr, ra: ADA.24.01.08.RA1, kind: timing, measure: answer, max_s: 12,
     title: Risponde in tempo, title_en: Answers in time, advice: "Rispondi entro 12 secondi."}
"""


def test_a_12_s_limit_passes_at_12_and_fails_at_12_1_with_the_same_number() -> None:
    at_limit = only(ANSWER_12, log(RING, (12.0, "answer", "trainee", "l1", {})))
    over = only(ANSWER_12, log(RING, (12.1, "answer", "trainee", "l1", {})))
    assert at_limit.passed and "12 s, entro il limite di 12 s" in at_limit.evidence.it
    assert not over.passed and "12.1 s, oltre il limite di 12 s" in over.evidence.it
    assert "12.1 s, over the limit of 12 s" in over.evidence.en
    # The graded score still decays gently for the marks, but the verdict follows the rule.
    late = only(ANSWER_12, log(RING, (15.0, "answer", "trainee", "l1", {})))
    assert not late.passed and late.score > 0.7


HOLD = """
  - {id: hold, ra: ADA.24.01.08.RA1, kind: timing, measure: hold, max_s: 30,
     title: Attesa breve, title_en: Short hold, advice: "Non lasciare in attesa troppo a lungo."}
"""


def test_hold_limit_is_not_judged_when_nobody_was_held() -> None:
    result = only(HOLD, log(RING, (3.0, "answer", "trainee", "l1", {})))
    assert not result.passed and not result.judged and result.status == "not_judged"
    assert "Non valutabile" in result.evidence.it


def test_if_happened_criteria_are_left_out_of_the_ra_and_the_ra_says_so() -> None:
    criteria = ANSWER_12 + HOLD.replace("kind: timing,", "kind: timing, judge: if_happened,")
    report = score(
        scenario_with(criteria), COMPANY, log(RING, (5.0, "answer", "trainee", "l1", {}))
    )
    ra = report.ra["ADA.24.01.08.RA1"]
    assert ra.passed and ra.score == 1.0 and ra.judged == 1 and len(ra.criteria) == 2
    hold = next(c for c in report.criteria if c.id == "hold")
    assert not hold.counted and not hold.passed
    assert report.to_json()["ra"]["ADA.24.01.08.RA1"]["judged"] == 1


def test_always_judged_criterion_that_never_arose_fails_its_ra() -> None:
    report = score(scenario_with(HOLD), COMPANY, log(RING, (5.0, "answer", "trainee", "l1", {})))
    assert not report.ra["ADA.24.01.08.RA1"].passed


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
      organisation: {match: fuzzy, expected: "Ferramenta Rossi"}
    title: Messaggio completo
    title_en: Complete message
    advice: "Messaggio completo."
"""


def _message(**fields: str) -> list:  # type: ignore[type-arg]
    data = {
        "for": "Chiara Romano",
        "phone": "0971 234567",
        "text": "ordine 4512 in ritardo",
        "caller": "Mario Rossi",
        "organisation": "Ferramenta Rossi",
    } | fields
    return log((30.0, "take_message", "trainee", "l1", data))


def test_one_wrong_digit_in_the_callback_number_fails_the_message() -> None:
    result = only(MESSAGE, _message(phone="0971 234576"))
    assert result.score >= 0.7, "the average alone would have passed it"
    assert not result.passed
    assert "numero: 0971 234576, atteso 0971 234567" in result.evidence.it


def test_wrong_recipient_fails_but_a_non_critical_slip_does_not() -> None:
    assert not only(MESSAGE, _message(**{"for": "Luca Ricci"})).passed
    assert only(MESSAGE, _message(organisation="")).passed
    assert only(MESSAGE, _message()).passed


def test_a_field_can_be_declared_not_critical() -> None:
    relaxed = MESSAGE.replace(
        'phone: {match: phone_number, expected: "{caller.phone}"}',
        'phone: {match: phone_number, expected: "{caller.phone}", critical: false}',
    )
    assert only(relaxed, _message(phone="0971 234576")).passed


ALTERNATIVES = """
  - id: soluzione
    ra: ADA.24.01.08.RA1
    kind: alternatives
    title: Offre un messaggio o un collega
    title_en: Offers a message or a colleague
    advice: "Offri un messaggio o un collega dello stesso ufficio."
    routes:
      - {kind: action, expect: take_message, title: Messaggio, title_en: Message}
      - {kind: action, expect: transfer, to: [ricci-luca, "222"],
         title: Collega, title_en: Colleague}
"""


def test_either_route_passes_and_the_route_not_taken_is_not_reported() -> None:
    target = {"id": "ricci-luca", "extension": "222", "department": "acquisti"}
    colleague = only(
        ALTERNATIVES,
        log((9.0, "transfer", "trainee", "l1", {"to": "222", "mode": "blind", "target": target})),
    )
    message = only(ALTERNATIVES, _message())
    assert colleague.passed and "Collega" in colleague.evidence.it
    assert "Messaggio" not in colleague.evidence.it
    assert message.passed and "Messaggio" in message.evidence.it
    neither = only(ALTERNATIVES, log(RING, (3.0, "answer", "trainee", "l1", {})))
    assert not neither.passed and neither.judged
    assert "Nessuna delle strade ammesse: Messaggio o Collega" in neither.evidence.it


BOUNCE = """
id: rimbalzo
title: Rimbalzo
family: smistamento
language: it-IT
level: 1
company: lucania-forniture
calls:
  - line: l1
    caller: {name: Mario Rossi, phone: "0971 234567"}
    start: a
    steps:
      a:
        say: "Mi passa l'ufficio acquisti?"
        on:
          transfer:
            - {to: [ricci-luca, "222"], reply: "Grazie."}
            - {reply: "Mi hanno ripassato a lei."}
criteria:
  - {id: tr, ra: ADA.24.01.08.RA1, kind: action, expect: transfer, to: [acquisti],
     title: Trasferisce agli acquisti, title_en: Transfers to purchasing, advice: "Trasferisci."}
"""


def _play(*turns: dict) -> object:  # type: ignore[type-arg]
    from simulator.model import Scenario
    from simulator.yaml_source import parse

    scenario = Scenario.model_validate(parse(BOUNCE, "rimbalzo.yaml").data)
    script = Script.model_validate(
        {"scenario": "rimbalzo", "turns": [{"at": 2, "do": "answer"}, *turns]}
    )
    return run_call(scenario, COMPANY, script).report.criteria[0]


def test_a_transfer_to_an_absent_colleague_is_not_a_completed_transfer() -> None:
    absent = _play({"at": 5, "do": "transfer", "data": {"to": "221"}})  # Chiara Romano, absent
    assert not absent.passed and "non riuscito (assente)" in absent.evidence.it
    busy = _play({"at": 5, "do": "transfer", "data": {"to": "223"}})  # Sara Marino, busy
    assert not busy.passed and "occupato" in busy.evidence.it
    done = _play({"at": 5, "do": "transfer", "data": {"to": "222"}})
    assert done.passed


def test_a_transfer_sent_back_to_the_operator_is_not_completed() -> None:
    """The department is right but the colleague returns the caller: the call came back."""
    scenario_text = BOUNCE.replace('{to: [ricci-luca, "222"], reply: "Grazie."}', "{to: [nobody]}")
    from simulator.model import Scenario
    from simulator.yaml_source import parse

    scenario = Scenario.model_validate(parse(scenario_text, "rimbalzo.yaml").data)
    script = Script.model_validate(
        {
            "scenario": "rimbalzo",
            "turns": [
                {"at": 2, "do": "answer"},
                {"at": 5, "do": "transfer", "data": {"to": "222"}},
                {"at": 8, "say": "Mi scusi, la passo a un altro collega."},
            ],
        }
    )
    result = run_call(scenario, COMPANY, script).report.criteria[0]
    assert not result.passed and "tornata a te" in result.evidence.it


def test_a_stored_report_renders_as_the_scored_one_and_says_who_overrode_it() -> None:
    """The Braille and text reports read the stored (effective) report: read back from JSON it
    says what the scorer's objects say, and an override adds who, why and the scorer's word."""
    from simulator.model import Scenario
    from simulator.report_text import render_report
    from simulator.scoring import ScoreReport
    from simulator.verdicts import Override, effective_report
    from simulator.yaml_source import parse

    scenario = Scenario.model_validate(parse(BOUNCE, "rimbalzo.yaml").data)
    script = Script.model_validate(
        {
            "scenario": "rimbalzo",
            "turns": [
                {"at": 2, "do": "answer"},
                {"at": 5, "do": "transfer", "data": {"to": "221"}},
            ],
        }
    )
    report = run_call(scenario, COMPANY, script).report
    stored = report.to_json()
    for lang in ("it", "en"):
        assert render_report(ScoreReport.from_json(stored), lang) == render_report(report, lang)
    failed = next(c for c in report.criteria if not c.passed)
    override = Override(failed.id, True, "trasferito a voce", "Ada", "2026-12-03T10:00:00", False)
    effective = ScoreReport.from_json(effective_report(stored, [override]))
    text = render_report(effective, "it", [override])
    assert f"- SUPERATO: {failed.name('it')}, 100%" in text
    assert (
        "  Verdetto dell'istruttore (Ada): trasferito a voce. Verdetto automatico: NON SUPERATO."
        in text
    )
