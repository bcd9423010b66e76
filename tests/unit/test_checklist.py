"""The checklist kind: every item of a procedure asked, said, done or written, the missed one named,
the given order kept, and a call never taken not judged."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from simulator.model import ChecklistItem
from tests.unit.test_scoring import RING, log, only

ANSWER = (2.0, "answer", "trainee", "l1", {})

CHECKLIST = """
  - id: minaccia
    ra: ADA.24.01.08.RA1
    competence: sicurezza
    kind: checklist
    order: {order}
    line: l1
    title: Domande della procedura
    title_en: The procedure's questions
    advice: "Fai tutte le domande della scheda."
    items:
      - {{id: quando, title: Quando esploderà, title_en: When it goes off,
         asked: ["quando esploderà", "a che ora"]}}
      - {{id: dove, title: Dove si trova, title_en: Where it is, asked: ["dove si trova"]}}
      - {{id: chiama-112, title: Chiama il 112, title_en: Calls 112,
         done: outgoing_call, to: ["112"]}}
      - {{id: annota, title: Annota le parole esatte, title_en: Notes the exact words,
         written: ["parole esatte"], form: report}}
"""


def judge(events: list[Any], order: str = "any") -> Any:
    return only(CHECKLIST.format(order=order), events)


def said(t: float, text: str) -> tuple[float, str, str, str | None, dict[str, Any]]:
    return (t, "say", "trainee", "l1", {"text": text})


CALL_112 = (20.0, "outgoing_call", "trainee", "l2", {"number": "112", "decision": "place"})
REPORT = (40.0, "report", "trainee", None, {"reason": "minaccia, parole esatte: salterete"})


def test_every_item_met_passes_at_the_last_one() -> None:
    result = judge(
        log(
            RING,
            ANSWER,
            said(5, "A che ora esploderà?"),
            said(8, "Dove si trova?"),
            CALL_112,
            REPORT,
        )
    )
    assert result.passed and result.score == 1.0
    assert result.evidence.t == 40.0


def test_a_missed_item_is_named_and_fails() -> None:
    result = judge(log(RING, ANSWER, said(5, "A che ora esploderà?"), CALL_112, REPORT))
    assert not result.passed and result.status == "failed"
    assert result.score == pytest.approx(0.75)
    assert "Dove si trova" in result.evidence.it and "Where it is" in result.evidence.en
    assert "Quando" not in result.evidence.it


def test_a_wrong_number_or_a_refused_call_is_not_the_item() -> None:
    wrong = (20.0, "outgoing_call", "trainee", "l2", {"number": "113", "decision": "place"})
    refused = (21.0, "outgoing_call", "trainee", "l2", {"number": "112", "decision": "refuse"})
    result = judge(
        log(
            RING,
            ANSWER,
            said(5, "quando esploderà"),
            said(6, "dove si trova"),
            wrong,
            refused,
            REPORT,
        )
    )
    assert not result.passed and "Chiama il 112" in result.evidence.it


def test_given_order_names_the_item_done_too_early() -> None:
    events = log(
        RING, ANSWER, said(5, "Dove si trova?"), said(8, "Quando esploderà?"), CALL_112, REPORT
    )
    assert judge(events, "any").passed
    result = judge(events, "given")
    assert not result.passed and result.evidence.t == 5.0
    assert "«Dove si trova» prima di «Quando esploderà»" in result.evidence.it


def test_a_call_never_answered_is_not_judged_never_passed() -> None:
    result = judge(log(RING, CALL_112))
    assert result.status == "not_judged" and not result.passed


def test_words_said_on_another_line_do_not_count() -> None:
    other = (5.0, "say", "trainee", "l2", {"text": "quando esploderà? dove si trova?"})
    result = judge(log(RING, ANSWER, other, CALL_112, REPORT))
    assert not result.passed and "Quando esploderà" in result.evidence.it


def test_an_item_needs_exactly_one_way_of_being_met() -> None:
    with pytest.raises(ValidationError):
        ChecklistItem.model_validate({"id": "x", "title": "X", "title_en": "X"})
    with pytest.raises(ValidationError):
        ChecklistItem.model_validate(
            {"id": "x", "title": "X", "title_en": "X", "said": ["a"], "done": "hangup"}
        )
