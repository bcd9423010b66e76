"""The exam domain: constraints when composing, the composed scenario the engine plays, the
slice of the log each call is judged on, and the marks out of 50 (pass mark, not judged)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from simulator import exam, loader, yaml_source
from simulator.events import Event
from simulator.exam import ExamCall, ExamDefinition, ScoredCall
from simulator.exam_report import ExamReport, exam_report_text
from simulator.practice.library import parse_scenario
from simulator.scoring import CriterionResult, Evidence, ScoreReport
from simulator.verdicts import Override

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"
FONOGRAMMA_EN = "en-fonogramma-conference"


@cache
def _library() -> loader.Library:
    return loader.load_library(LIBRARY)


def _raw(scenario_id: str) -> dict:
    loaded = _library().scenarios[scenario_id]
    return yaml_source.parse(loaded.source, str(loaded.path)).data


def _facts(*ids: str) -> list[exam.CallFacts]:
    return [exam.facts_of(_raw(i)) for i in ids]


def _definition(*ids: str, offsets: tuple[float, ...] = (), **options) -> ExamDefinition:
    offsets = offsets or tuple(20.0 * i for i in range(len(ids)))
    return ExamDefinition(
        "Esame", tuple(ExamCall(i, o) for i, o in zip(ids, offsets, strict=True)), **options
    )


def _messages(problems) -> list[str]:
    return [p.it for p in problems]


def test_an_exam_with_a_foreign_fonogramma_and_an_italian_call_is_accepted():
    ids = ("smistamento-due-linee", FONOGRAMMA_EN)
    assert exam.problems(_definition(*ids), _facts(*ids)) == []


def test_a_foreign_call_and_a_fonogramma_are_required_by_default():
    ids = ("smistamento-due-linee", "reclami-consegna-danneggiata")
    found = _messages(exam.problems(_definition(*ids), _facts(*ids)))
    assert "Serve almeno una chiamata in lingua straniera." in found
    assert "Serve almeno un fonogramma." in found
    relaxed = _definition(*ids, require_foreign=False, require_fonogramma=False)
    assert exam.problems(relaxed, _facts(*ids)) == []


def test_an_italian_fonogramma_does_not_count_as_foreign():
    ids = ("fonogramma-convocazione-riunione", "smistamento-acquisti-assente")
    found = _messages(exam.problems(_definition(*ids), _facts(*ids)))
    assert found == ["Serve almeno una chiamata in lingua straniera."]


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (ExamDefinition(" ", (ExamCall(FONOGRAMMA_EN),)), "Scrivi il titolo dell'esame."),
        (ExamDefinition("E", ()), "Scegli almeno una chiamata."),
        (ExamDefinition("E", (ExamCall(FONOGRAMMA_EN, -1),)), "L'inizio di"),
        (ExamDefinition("E", (ExamCall(FONOGRAMMA_EN, 0, 0),)), "Il peso di"),
        (ExamDefinition("E", (ExamCall(FONOGRAMMA_EN),), pass_mark=51), "La soglia"),
        (
            ExamDefinition("E", (ExamCall(FONOGRAMMA_EN),), ra_weights={"ADA.24.01.08.RA1": 0}),
            "I pesi degli RA",
        ),
    ],
)
def test_bad_definitions_say_why(definition: ExamDefinition, expected: str):
    found = _messages(exam.problems(definition, _facts(FONOGRAMMA_EN)))
    assert any(message.startswith(expected) for message in found), found


def test_calls_of_different_companies_are_refused():
    facts = [
        exam.CallFacts("a", "A", "acme", ("en-GB",), True),
        exam.CallFacts("b", "B", "other", ("it-IT",), False),
    ]
    definition = ExamDefinition("E", (ExamCall("a"), ExamCall("b")))
    assert "Le chiamate di un esame devono usare la stessa azienda." in _messages(
        exam.problems(definition, facts)
    )


def _composed(definition: ExamDefinition, ids: tuple[str, ...]):
    data = exam.compose(definition, "esame-prova", [_raw(i) for i in ids])
    text = json.dumps(data, ensure_ascii=False)
    return parse_scenario(text, "esame-prova.yaml", _library().companies)


def test_the_composed_scenario_has_every_line_renamed_and_rung_at_its_offset():
    ids = ("smistamento-due-linee", FONOGRAMMA_EN)
    scenario = _composed(_definition(*ids, offsets=(0, 25)), ids)
    assert [c.line for c in scenario.calls] == ["e1-l1", "e1-l2", "e1-l3", "e2-l1"]
    own = [c.ring_at_s for c in _library().scenarios[ids[0]].scenario.calls]
    assert [c.ring_at_s for c in scenario.calls] == [*own, 25.0]
    # The English caller keeps its language on an Italian switchboard.
    assert scenario.calls[-1].caller.language == "en-GB"
    assert scenario.language == "it-IT"
    assert {c.id for c in scenario.criteria} >= {
        "e2-trascrizione-verbatim",
        "e1-apertura",
        "e2-apertura",
    }


@pytest.mark.parametrize(
    "scenario_id", sorted(p.stem for p in LIBRARY.glob("*.yaml") if p.stem != FONOGRAMMA_EN)
)
def test_every_library_scenario_composes_with_the_english_fonogramma(scenario_id: str):
    """Any library scenario can share an exam with another (lines and criteria never clash)."""
    ids = (scenario_id, FONOGRAMMA_EN)
    scenario = _composed(_definition(*ids, offsets=(0, 10)), ids)
    assert len(scenario.calls) == len(_library().scenarios[scenario_id].scenario.calls) + 1


def test_the_same_scenario_twice_gets_two_sets_of_lines():
    ids = (FONOGRAMMA_EN, FONOGRAMMA_EN)
    scenario = _composed(_definition(*ids, offsets=(0, 5)), ids)
    assert [c.line for c in scenario.calls] == ["e1-l1", "e2-l1"]


def test_each_call_is_judged_on_its_own_lines_and_the_shared_events():
    events = [
        Event(0.0, "session_started", "system", None, {"multiplier": 1.0}),
        Event(1.0, "ring", "system", "e1-l1", {}),
        Event(2.0, "ring", "system", "e2-l1", {}),
        Event(3.0, "answer", "trainee", "e2-l1", {}),
        Event(4.0, "directory_search", "trainee", None, {"query": "Rossi"}),
    ]
    first = exam.slice_for_call(events, 0)
    second = exam.slice_for_call(events, 1)
    assert [(e.kind, e.line) for e in first] == [
        ("session_started", None),
        ("ring", "l1"),
        ("directory_search", None),
    ]
    assert [(e.kind, e.line, e.t) for e in second][1:3] == [
        ("ring", "l1", 2.0),
        ("answer", "l1", 3.0),
    ]


# --------------------------------------------------------------------------- marks


def _criterion(
    cid: str,
    score: float,
    *,
    ra: str = "ADA.24.01.08.RA1",
    weight: float = 1.0,
    judged: bool = True,
    counted: bool = True,
) -> CriterionResult:
    return CriterionResult(
        id=cid,
        ra=ra,
        kind="speech",
        weight=weight,
        critical=False,
        score=score,
        passed=judged and score >= 0.7,
        evidence=Evidence(5.0 if judged else None, f"prova {cid}", f"evidence {cid}"),
        advice="",
        title=f"Titolo {cid}",
        title_en=f"Title {cid}",
        judged=judged,
        counted=counted,
    )


def _scored(*criteria: CriterionResult, title: str = "Chiamata") -> ScoredCall:
    return ScoredCall(title, "it-IT", ScoreReport("s", {}, tuple(criteria)))


def test_full_marks_are_fifty_split_by_call_weight():
    definition = ExamDefinition("E", (ExamCall("a", 0, 3), ExamCall("b", 10, 2)))
    marks = exam.mark(
        definition,
        [_scored(_criterion("x", 1.0), _criterion("y", 1.0)), _scored(_criterion("z", 1.0))],
    )
    assert marks.total == 50.0
    assert [c.available for c in marks.calls] == [30.0, 20.0]
    assert [c.earned for c in marks.calls] == [30.0, 20.0]
    assert marks.passed


def test_a_judged_criterion_earns_its_share_times_its_score():
    definition = ExamDefinition("E", (ExamCall("a"),))
    marks = exam.mark(
        definition, [_scored(_criterion("x", 0.5, weight=3), _criterion("y", 1.0, weight=1))]
    )
    x, y = marks.calls[0].criteria
    assert (x.available, x.earned) == (37.5, 18.75)
    assert (y.available, y.earned) == (12.5, 12.5)
    assert marks.total == 31.2  # 31.25 to one decimal


def test_not_judged_earns_nothing_and_says_so():
    definition = ExamDefinition("E", (ExamCall("a"),))
    marks = exam.mark(
        definition, [_scored(_criterion("x", 1.0), _criterion("y", 0.0, judged=False))]
    )
    _, y = marks.calls[0].criteria
    assert y.status == "not_judged"
    assert (y.available, y.earned) == (25.0, 0.0)
    assert marks.total == 25.0
    assert not marks.passed


def test_a_criterion_left_out_when_it_never_arose_has_no_share():
    """``judge: if_happened`` not judged: out of the shares, as it is out of its RA."""
    definition = ExamDefinition("E", (ExamCall("a"),))
    marks = exam.mark(
        definition,
        [_scored(_criterion("x", 1.0), _criterion("hold", 0.0, judged=False, counted=False))],
    )
    x, hold = marks.calls[0].criteria
    assert (x.available, x.earned) == (50.0, 50.0)
    assert (hold.available, hold.earned, hold.status) == (0.0, 0.0, "not_judged")


def test_ra_weights_move_marks_between_criteria():
    definition = ExamDefinition(
        "E", (ExamCall("a"),), ra_weights={"ADA.24.01.08.RA1": 3, "ADA.24.04.11.RA1": 1}
    )
    marks = exam.mark(
        definition,
        [_scored(_criterion("x", 1.0), _criterion("y", 0.0, ra="ADA.24.04.11.RA1"))],
    )
    assert [c.available for c in marks.calls[0].criteria] == [37.5, 12.5]
    assert marks.total == 37.5


@pytest.mark.parametrize(("score", "passed"), [(0.6, True), (0.59, False)])
def test_the_pass_mark_is_thirty_by_default(score: float, passed: bool):
    definition = ExamDefinition("E", (ExamCall("a"),))
    assert definition.pass_mark == 30.0
    marks = exam.mark(definition, [_scored(_criterion("x", score))])
    assert marks.passed is passed


def test_a_custom_pass_mark_holds():
    definition = ExamDefinition("E", (ExamCall("a"),), pass_mark=40)
    assert not exam.mark(definition, [_scored(_criterion("x", 0.7))]).passed


def test_marks_round_trip_through_json_unchanged():
    definition = ExamDefinition("E", (ExamCall("a"), ExamCall("b", 5)))
    marks = exam.mark(
        definition,
        [_scored(_criterion("x", 0.3)), _scored(_criterion("y", 0.0, judged=False))],
    )
    again = exam.ExamMarks.from_json(json.loads(json.dumps(marks.to_json())))
    assert again == marks
    assert ExamDefinition.from_json(definition.to_json()).calls == definition.calls


def _report(multiplier: float | None = None) -> ExamReport:
    definition = ExamDefinition("Esame finale", (ExamCall("a"), ExamCall("b", 30)))
    marks = exam.mark(
        definition,
        [
            _scored(_criterion("x", 1.0), title="Smistamento"),
            _scored(_criterion("y", 0.0, judged=False), title="Fonogramma"),
        ],
    )
    return ExamReport(
        "Esame finale", "Luca Bianchi", "02/12/2026 09:00", None, True, multiplier, False, marks
    )


def test_the_text_report_gives_total_verdict_calls_and_not_judged():
    text = exam_report_text(_report())
    assert "Candidato: Luca Bianchi" in text
    assert "Totale: 25,0 / 50, soglia 30,0: NON SUPERATO" in text
    assert "Chiamata 1: Smistamento, 25,0 / 25,0" in text
    assert "Squilla a 00:30" in text
    assert "- Titolo y (ADA.24.01.08.RA1): NON VALUTABILE, 0,0 / 25,0" in text
    assert "Tempi reali: nessun moltiplicatore" in text
    assert "Bloccato" in text


def test_the_text_report_in_english_says_the_accommodation():
    text = exam_report_text(_report(multiplier=2.0), "en")
    assert "Time multiplier 2 recorded as an accommodation for this exam." in text
    assert "Total: 25.0 / 50, pass mark 30.0: FAILED" in text
    assert "NOT JUDGED" in text


def _override(cid: str, passed: bool, automatic: bool = False) -> Override:
    return Override(cid, passed, "Detto con altre parole", "Ada", "2026-12-03T10:00:00", automatic)


def test_an_override_replaces_the_verdict_before_the_shares_are_made():
    """Keyed by the composed id (e1-...): a failed criterion passed by the assessor earns its
    whole share; one never judged and left out joins the shares; the other call is untouched."""
    definition = ExamDefinition("E", (ExamCall("a"), ExamCall("b", 5)))
    scored = [
        _scored(
            _criterion("x", 0.2),
            _criterion("hold", 0.0, judged=False, counted=False),
        ),
        _scored(_criterion("x", 1.0)),
    ]
    plain = exam.mark(definition, scored)
    marks = exam.mark(
        definition,
        scored,
        {"e1-x": _override("e1-x", True), "e1-hold": _override("e1-hold", False)},
    )
    x, hold = marks.calls[0].criteria
    assert (x.status, x.available, x.earned) == ("passed", 12.5, 12.5)
    assert x.override is not None and x.override["automatic_status"] == "failed"
    assert x.override["reason"] == "Detto con altre parole" and x.override["author"] == "Ada"
    assert (hold.status, hold.counted, hold.available, hold.earned) == ("failed", True, 12.5, 0.0)
    assert plain.calls[0].criteria[0].override is None
    assert marks.calls[1] == plain.calls[1]  # "x" of call 2 is e2-x, not overridden
    assert marks.total == 37.5
    again = exam.ExamMarks.from_json(json.loads(json.dumps(marks.to_json())))
    assert again == marks


def test_the_text_report_says_who_overrode_and_why():
    definition = ExamDefinition("E", (ExamCall("a"),))
    marks = exam.mark(
        definition, [_scored(_criterion("x", 0.0))], {"e1-x": _override("e1-x", True)}
    )
    report = ExamReport("E", "Luca", "03/12/2026 09:00", None, False, None, False, marks)
    text = exam_report_text(report)
    assert "- Titolo x (ADA.24.01.08.RA1): SUPERATO, 50,0 / 50,0" in text
    assert (
        "  Verdetto dell'istruttore (Ada): Detto con altre parole. "
        "Verdetto automatico: NON SUPERATO." in text
    )
    assert "Instructor's verdict (Ada): Detto con altre parole." in exam_report_text(report, "en")
