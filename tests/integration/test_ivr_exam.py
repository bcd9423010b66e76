"""An exam sitting taken by phone: signed Twilio webhooks against the real app and SQLite. The
menu offers the assigned exam first; choosing it starts the sitting's one attempt through the
attempt service (real timing), the second call rings at its offset, pause is refused, and the
call ends without a score."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from ivr import state
from simulator.exam import ExamCall, ExamDefinition
from simulator.practice import attempts, exams
from simulator.store.models import Attempt, ExamSitting
from tests.integration.ivr_support import ROOT, Phone, seed, settings_for

EXAM_FIXTURES = ROOT / "tests" / "fixtures" / "exam"


@pytest.fixture
def exam_phone(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'exam-ivr.db'}"))
    db = app.extensions["centralino_db"]
    trainee_id = seed(db, EXAM_FIXTURES, assign=["exam-messaggio"])
    definition = ExamDefinition(
        "Esame al telefono",
        (ExamCall("exam-messaggio", 0), ExamCall("exam-fonogramma-en", 3)),
    )
    with db.write() as s:
        exam_id = exams.create_exam(s, definition, None).id
        exams.assign(s, exam_id, [trainee_id])
    app.config["TRAINEE_ID"] = trainee_id
    yield app
    db.dispose()


def _attempt_id(app: Flask, phone: Phone) -> int:
    row = state.current(app.extensions["centralino_db"], phone.call_sid)
    assert row is not None and row.attempt_id is not None
    return row.attempt_id


def test_the_exam_is_taken_by_phone_without_pause_or_score(exam_phone: Flask):
    client: FlaskClient = exam_phone.test_client()
    db = exam_phone.extensions["centralino_db"]
    phone = Phone(client)
    phone.start()
    said = phone.said()
    assert "1: Esame al telefono" in said  # the exam comes before the assigned scenarios
    phone.post(Digits="1")
    assert "Esame al telefono" in phone.said()  # read back to confirm
    phone.t = 0.0
    phone.post(Digits="1")
    attempt_id = _attempt_id(exam_phone, phone)
    with db.read() as s:
        sitting = s.scalar(select(ExamSitting).where(ExamSitting.attempt_id == attempt_id))
        assert sitting is not None and sitting.started_at is not None
        assert s.get(Attempt, attempt_id).channel == "phone"
    snap = attempts.snapshot(db, attempt_id)
    assert [c.line for c in snap.scenario.calls] == ["e1-l1", "e2-l1"]

    phone.t = 1.0
    phone.post(Digits="*7")  # answer line 1
    assert "Mi passa il signor Bianchi" in phone.said()
    phone.t = 2.0
    phone.post(Digits="#7")  # pause: not in this exam
    assert "In questo esame la pausa non è consentita." in phone.said()
    kinds = [e.kind for _, e in attempts.snapshot(db, attempt_id).events]
    assert "pause" not in kinds
    phone.t = 4.0
    heard = phone.post(Digits="")  # silence: meanwhile the exam's second call rings
    assert "Seconda linea: chiamata in arrivo da Helen Marsh" in phone.said(), heard
    phone.t = 5.0
    phone.post(Digits="*6")  # take line 2, line 1 goes on hold
    phone.post(SpeechResult="Acme Test, good morning. Yes, go ahead.", Confidence="0.9")
    assert "The meeting is moved to Friday." in phone.said()
    phone.t = 20.0
    phone.post(Digits="##")  # finish: handed in, no score read out
    said = phone.said()
    assert phone.hung_up()
    assert "Esame consegnato. Il risultato lo comunica la commissione." in said
    assert "Esito" not in said and "Risultati attesi" not in said
    marks = exams.close_and_lock(db, sitting.id)
    assert [c.number for c in marks.calls] == [1, 2]
    assert marks.total_marks == 50
