"""Whole phone calls through the app (real SQLite, real engine, Flask test client): who is
calling, the menu, retries, silence, hang-ups, second lines, forms and failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from app import create_app
from ivr import state
from ivr.voices import VOICES
from simulator.practice import attempts
from simulator.store.models import Attempt, AttemptEvent
from simulator.store.phone import IvrTurn
from tests.integration.ivr_support import (
    PIN,
    ROOT,
    Phone,
    make_app,
    seed,
    settings_for,
)


@pytest.fixture
def ivr_app(tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(tmp_path)


@pytest.fixture
def client(ivr_app: Flask) -> FlaskClient:
    return ivr_app.test_client()


def _events(app: Flask, call_sid: str) -> list[tuple[float, str, str, str | None]]:
    db = app.extensions["centralino_db"]
    row = state.current(db, call_sid)
    assert row is not None and row.attempt_id is not None
    snap = attempts.snapshot(db, row.attempt_id)
    return [(e.t, e.kind, e.actor, e.line) for _, e in snap.events]


def _row(app: Flask, call_sid: str) -> state.CallRow:
    row = state.current(app.extensions["centralino_db"], call_sid)
    assert row is not None
    return row


# --------------------------------------------------------------------------- identify


def test_known_number_goes_straight_to_the_menu(client: FlaskClient):
    phone = Phone(client)
    phone.start()
    assert "Ciao Luca Bianchi" in phone.said()
    assert phone.field() == "menu"


def test_unknown_number_gives_three_pin_tries_then_a_polite_goodbye(
    ivr_app: Flask, client: FlaskClient
):
    phone = Phone(client, from_number="+393339990000")
    phone.start()
    assert phone.field() == "pin"
    phone.post(Digits="111111")
    assert "PIN non riconosciuto" in phone.said()
    phone.post(SpeechResult="due due due due", Confidence="0.8")
    assert phone.field() == "pin"
    phone.post(Digits="")
    assert phone.hung_up()
    assert "Arrivederci" in phone.said()
    row = _row(ivr_app, phone.call_sid)
    assert (row.stage, row.outcome, row.tries) == ("finished", "unidentified", 3)


def test_pin_by_keypad_after_one_wrong_try(client: FlaskClient):
    phone = Phone(client, from_number="+393339990000")
    phone.start()
    phone.post(Digits="000000")
    phone.post(Digits=PIN)
    assert phone.field() == "menu"
    assert "Ciao Luca Bianchi" in phone.said()


def test_pin_by_speech(client: FlaskClient):
    phone = Phone(client, from_number="anonymous")
    phone.start()
    spoken = " ".join(["due", "quattro", "sei", "otto", "uno", "zero"])
    phone.post(SpeechResult=spoken, Confidence="0.7")
    assert phone.field() == "menu"


# --------------------------------------------------------------------------- menu


def test_menu_by_keypad_reads_back_and_asks_to_confirm(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.start()
    phone.post(Digits="1")
    assert "Premi 1 per confermare" in phone.said()
    assert phone.field() == "confirm"
    assert _row(ivr_app, phone.call_sid).stage == "confirm"


def test_menu_by_speech_of_the_title(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.start()
    phone.post(SpeechResult="il fornitore cerca l'ufficio acquisti", Confidence="0.6")
    assert phone.field() == "confirm"
    assert _row(ivr_app, phone.call_sid).scenario_id == "smistamento-acquisti-assente"


def test_menu_not_understood_three_times_ends_the_call(client: FlaskClient):
    phone = Phone(client)
    phone.start()
    for said in ("pizza margherita", "boh", "niente"):
        phone.post(SpeechResult=said, Confidence="0.5")
    assert phone.hung_up()


def test_confirm_two_goes_back_to_the_menu(client: FlaskClient):
    phone = Phone(client)
    phone.start()
    phone.post(Digits="1")
    phone.post(Digits="2")
    assert phone.field() == "menu"


def test_call_starts_with_ring_tone_and_announcement(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    body = phone.into_call()
    assert "/ivr/tone/ring.wav" in body
    assert "Squilla la linea 1" in phone.said()
    gather_attrs = ('input="dtmf speech"', 'language="it-IT"', 'actionOnEmptyResult="true"')
    assert all(attr in body for attr in gather_attrs)
    assert 'speechModel="googlev2_telephony"' in body and 'speechTimeout="2"' in body
    assert "chiara romano" in body.lower() and "221" in body  # staff names as hints
    row = _row(ivr_app, phone.call_sid)
    assert row.stage == "in_call" and row.attempt_id is not None
    with ivr_app.extensions["centralino_db"].read() as session:
        assert session.get(Attempt, row.attempt_id).channel == "phone"
    tone = client.get("/ivr/tone/ring.wav")
    assert tone.status_code == 200 and tone.data[:4] == b"RIFF"


# --------------------------------------------------------------------------- in call


def test_retried_turn_is_answered_the_same_and_recorded_once(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    phone.t = 4.0
    action = phone.action
    first = phone.post(action, Digits="*7")
    phone.t = 6.0
    said = "Lucania Forniture, buongiorno"
    turn = phone.action
    reply = phone.post(turn, SpeechResult=said, Confidence="0.9")
    again = phone.post(turn, SpeechResult=said, Confidence="0.9")  # Twilio retries
    assert again == reply
    assert phone.post(action, Digits="*7") == first
    log = _events(ivr_app, phone.call_sid)
    assert [e for e in log if e[1] == "answer"] == [(4.0, "answer", "trainee", "l1")]
    assert len([e for e in log if e[1] == "say" and e[2] == "trainee"]) == 1


def test_silence_reaches_the_engine_and_the_caller_prompts_again(
    ivr_app: Flask, client: FlaskClient
):
    phone = Phone(client)
    phone.into_call()
    phone.t = 2.0
    body = phone.post(Digits="*7")
    timeout = int(body.split('timeout="')[1].split('"')[0])
    assert timeout == 3  # the caller waits 2.5 s for the operator's opening
    phone.t = 5.0
    body = phone.post(Digits="")  # silence: "Pronto?", then the caller says why it calls
    assert "Pronto?" in phone.said() and ("Mario Rossi" in body or "Buongiorno" in phone.said())
    timeout = int(body.split('timeout="')[1].split('"')[0])
    assert timeout == 20  # the default silence rule: 20 s from the request at 4.5 s, rounded up
    phone.t = 5.0 + timeout
    phone.post(Digits="")  # Twilio's empty result after the timeout
    assert "Pronto" in phone.said() or "sente" in phone.said()
    log = _events(ivr_app, phone.call_sid)
    prompts = [e for e in log if e[1] == "caller_said" and e[0] == pytest.approx(24.5)]
    assert prompts, log


def test_voice_commands_and_keypad_forms(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    phone.t = 3.0
    phone.post(SpeechResult="rispondi", Confidence="0.9")
    phone.t = 5.0
    phone.post(SpeechResult="prendo un messaggio", Confidence="0.9")
    assert phone.field() == "for"
    for value in ("Chiara Romano", "Mario Rossi", "*", "0971 234567"):
        phone.post(**({"Digits": "*"} if value == "*" else {"SpeechResult": value}))
    phone.post(SpeechResult="Ordine 4512 in ritardo", Confidence="0.8")
    assert phone.field() == ""
    db = ivr_app.extensions["centralino_db"]
    row = _row(ivr_app, phone.call_sid)
    with db.read() as session:
        event = session.scalar(
            select(AttemptEvent).where(
                AttemptEvent.attempt_id == row.attempt_id, AttemptEvent.kind == "take_message"
            )
        )
    assert event is not None
    assert event.data["for"] == "Chiara Romano" and "organisation" not in event.data
    assert event.data["text"] == "Ordine 4512 in ritardo"
    phone.t = 8.0
    phone.post(SpeechResult="trasferisci al 222", Confidence="0.9")
    log = _events(ivr_app, phone.call_sid)
    assert (8.0, "transfer", "trainee", "l1") in log


def test_help_and_unknown_code(client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    phone.t = 1.0
    phone.post(Digits="*9")
    assert "Asterisco 4: prendi un messaggio" in phone.said()
    phone.post(Digits="5")
    assert "sconosciuto" in phone.said()


def test_refused_action_is_spoken_not_recorded(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    phone.t = 1.0
    before = _events(ivr_app, phone.call_sid)
    phone.post(Digits="*2")  # a transfer while the line is still ringing
    phone.post(Digits="222")
    assert "Nessuna linea attiva" in phone.said()  # the engine's own refusal, spoken
    assert [e for e in _events(ivr_app, phone.call_sid) if e[2] == "trainee"] == [
        e for e in before if e[2] == "trainee"
    ]


def test_hang_up_mid_call_finishes_and_scores_keeping_events(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    phone.t = 4.0
    phone.post(Digits="*7")
    phone.t = 6.0
    phone.post(SpeechResult="Lucania Forniture, buongiorno", Confidence="0.9")
    before = _events(ivr_app, phone.call_sid)
    assert phone.status("completed", clock=9.0) == 204
    assert phone.status("completed", clock=9.0) == 204  # callbacks are retried too
    db = ivr_app.extensions["centralino_db"]
    row = _row(ivr_app, phone.call_sid)
    assert row.stage == "finished" and row.outcome == "completed"
    assert row.attempt_id is not None
    score = attempts.stored_score(db, row.attempt_id)
    assert score is not None and not score.passed
    after = _events(ivr_app, phone.call_sid)
    assert after[: len(before)] == before
    assert [e[1] for e in after[len(before) :]] == ["finish", "session_finished"]


@pytest.mark.parametrize("status", ["failed", "busy", "no-answer", "canceled"])
def test_failed_call_statuses_are_recorded(ivr_app: Flask, client: FlaskClient, status: str):
    phone = Phone(client)
    phone.start()
    assert phone.status(status) == 204
    row = _row(ivr_app, phone.call_sid)
    assert (row.stage, row.outcome) == ("finished", status)


def test_a_failure_inside_a_turn_is_an_apology_and_the_attempt_is_interrupted(
    ivr_app: Flask, client: FlaskClient
):
    phone = Phone(client)
    phone.into_call()
    phone.t = 4.0
    phone.post(Digits="*7")
    before = _events(ivr_app, phone.call_sid)
    db = ivr_app.extensions["centralino_db"]
    failing_turn = phone.action
    with db.engine.begin() as connection:  # the database loses a table mid-call
        connection.execute(text("ALTER TABLE attempt_events RENAME TO attempt_events_gone"))
    try:
        body = phone.post(SpeechResult="buongiorno", Confidence="0.9")
        assert "Ci scusiamo" in phone.said() and phone.hung_up()
        assert phone.post(failing_turn, SpeechResult="buongiorno") == body  # a retry: same
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE attempt_events_gone RENAME TO attempt_events"))
    row = _row(ivr_app, phone.call_sid)
    assert row.stage == "interrupted"
    with db.read() as session:
        attempt = session.get(Attempt, row.attempt_id)
        assert attempt is not None and attempt.status == "interrupted"
    assert _events(ivr_app, phone.call_sid) == before  # what was done is kept
    assert phone.status("completed") == 204
    assert attempts.stored_score(db, row.attempt_id) is None  # an interrupted call is not scored


def test_every_answered_turn_is_stored(ivr_app: Flask, client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    with ivr_app.extensions["centralino_db"].read() as session:
        turns = session.scalars(
            select(IvrTurn.turn).where(IvrTurn.call_sid == phone.call_sid).order_by(IvrTurn.turn)
        ).all()
    assert list(turns) == [0, 1, 2]


# --------------------------------------------------------------------------- two lines


@pytest.fixture
def two_lines(tmp_path: Path) -> FlaskClient:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'two.db'}"))
    seed(app.extensions["centralino_db"], ROOT / "tests/fixtures/web")
    return app.test_client()


def test_second_line_is_announced_and_the_keypad_switches_lines(two_lines: FlaskClient):
    phone = Phone(two_lines)
    phone.start()
    choice = "1" if "1: Due linee insieme" in phone.said() else "2"
    phone.post(Digits=choice)
    phone.t = 0.0
    phone.post(Digits="1")
    phone.t = 1.0
    phone.post(Digits="*7")
    opened = phone.post(SpeechResult="Lucania Forniture, buongiorno", Confidence="0.9")
    heard = phone.said()
    assert "vorrei parlare con l'ufficio acquisti" in heard
    phone.t = 3.0
    body = phone.post(Digits="")  # silence: meanwhile line 2 starts ringing
    # The caller's reply comes a human gap after the opening: the ring may be told with it.
    assert "Seconda linea: chiamata in arrivo da John Smith" in heard + phone.said()
    assert "/ivr/tone/beep.wav" in opened + body
    phone.post(Digits="*6")  # one other line: taken at once, line 1 goes on hold
    gather = ElementTree.fromstring(phone.last).find("Gather")
    assert gather is not None and gather.get("language") == "en-GB"  # listen in English
    phone.post(SpeechResult="Lucania Forniture, good morning", Confidence="0.9")
    says = ElementTree.fromstring(phone.last).iter("Say")
    english = [e for e in says if "Good morning" in (e.text or "")]
    assert english and english[0].get("language") == "en-GB"
    assert english[0].get("voice") in {v for group in VOICES["en-GB"] for v in group}
    phone.t = 5.0
    phone.post(Digits="*6")  # back to line 1
    assert "Linea 1" in phone.said() or "Line 1" in phone.said()
