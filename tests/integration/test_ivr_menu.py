"""The phone offers the same practice as the browser: with free practice allowed (the default),
a trainee with nothing assigned can still choose any library scenario, by family then scenario,
in short pages ("9 per altri"), by key or by voice. Signed webhook requests as Twilio sends
them (twilio's RequestValidator) against the real app and SQLite; the call driver too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import delete

from app import create_app
from ivr import state
from ivr.driver import drive, make_call
from simulator.practice import attempts
from simulator.store.models import Assignment
from tests.integration.ivr_support import (
    PHONE,
    ROOT,
    SCENARIO,
    TOKEN,
    Phone,
    seed,
    settings_for,
)


def _app(tmp_path: Path, assign: list[str], **extra: object) -> Iterator[Flask]:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'ivr.db'}", **extra))
    db = app.extensions["centralino_db"]
    trainee_id = seed(db, assign=assign or [SCENARIO])
    if not assign:  # seed always assigns something: take it back
        with db.write() as s:
            s.execute(delete(Assignment).where(Assignment.trainee_id == trainee_id))
    app.config["TRAINEE_ID"] = trainee_id
    yield app
    db.dispose()


@pytest.fixture
def free_app(tmp_path: Path) -> Iterator[Flask]:
    """A trainee with no assignment, free practice allowed (the default)."""
    yield from _app(tmp_path, assign=[])


def test_nothing_assigned_offers_the_library_by_family_in_pages(free_app: Flask) -> None:
    phone = Phone(free_app.test_client())
    phone.start()
    said = phone.said()
    assert "Non hai esercitazioni assegnate: puoi esercitarti con la libreria" in said
    assert "Pratica libera: 10 famiglie" in said
    assert "1: Smistamento delle chiamate." in said
    assert "8: Segreteria telefonica." in said
    assert "9: per altri." in said
    assert "Emergenze" not in said  # on the next page
    assert "0:" not in said  # nothing above the families when nothing is assigned
    assert phone.field() == "menu"

    phone.post(Digits="9")
    said = phone.said()
    assert "1: Emergenze." in said and "2: Fonogrammi." in said
    assert "9:" not in said


def test_a_family_lists_its_scenarios_level_one_first_and_starts_the_chosen_one(
    free_app: Flask,
) -> None:
    phone = Phone(free_app.test_client())
    phone.start()
    phone.post(Digits="1")  # Smistamento delle chiamate
    said = phone.said()
    assert said.startswith("Smistamento delle chiamate: 4 esercitazioni")
    levels = [said.index(f"Livello {n}") for n in (1, 2, 3)]
    assert levels == sorted(levels)
    assert "Livello 1, base, inglese" in said and "Livello 1, base, francese" in said
    assert "0: per tornare indietro." in said

    option = next(
        part.split(":")[0].strip()
        for part in said.split(".")
        if "Livello 2, intermedio, italiano" in part
    )
    phone.post(Digits=option)
    assert phone.field() == "confirm"
    row = state.current(free_app.extensions["centralino_db"], phone.call_sid)
    assert row is not None and row.scenario_id == SCENARIO
    phone.post(Digits="1")
    assert "Squilla la linea 1" in phone.said()
    row = state.current(free_app.extensions["centralino_db"], phone.call_sid)
    assert row is not None and row.attempt_id is not None
    assert attempts.snapshot(free_app.extensions["centralino_db"], row.attempt_id).events


def test_the_menu_by_voice_family_more_back_and_a_title_on_any_page(free_app: Flask) -> None:
    phone = Phone(free_app.test_client())
    phone.start()
    phone.post(SpeechResult="altri", Confidence="0.8")
    assert "1: Emergenze." in phone.said()
    phone.post(SpeechResult="assistenza tecnica", Confidence="0.7")
    assert phone.said().startswith("Assistenza tecnica: 2 esercitazioni")
    phone.post(SpeechResult="indietro", Confidence="0.9")
    assert "Pratica libera: 10 famiglie" in phone.said()
    phone.post(SpeechResult="il fornitore cerca l'ufficio acquisti", Confidence="0.6")
    assert phone.field() == "confirm"
    row = state.current(free_app.extensions["centralino_db"], phone.call_sid)
    assert row is not None and row.scenario_id == SCENARIO


def test_assigned_calls_come_first_then_free_practice_and_back(tmp_path: Path) -> None:
    for app in _app(tmp_path, assign=[SCENARIO]):
        phone = Phone(app.test_client())
        phone.start()
        said = phone.said()
        assert "Hai 1 esercitazioni" in said
        assert f"1: {state.title_of(app.extensions['centralino_db'], SCENARIO)}." in said
        assert "2: pratica libera, tutta la libreria per famiglia." in said
        phone.post(Digits="2")
        said = phone.said()
        assert "Pratica libera: 10 famiglie" in said and "0: per tornare indietro." in said
        phone.post(Digits="0")
        assert "Hai 1 esercitazioni" in phone.said()


def test_without_free_practice_only_assigned_calls_are_offered(tmp_path: Path) -> None:
    for app in _app(tmp_path, assign=[], FREE_PRACTICE=False):
        phone = Phone(app.test_client())
        phone.start()
        assert phone.hung_up()
        assert "Non hai esercitazioni assegnate. Chiedi al tuo istruttore" in phone.said()


def test_the_call_driver_plays_an_unassigned_scenario_through_free_practice(
    free_app: Flask,
) -> None:
    """The driver says the title at the first menu (the families): the title is understood on
    any page, and the good script passes as in the text console."""
    call = make_call(
        SCENARIO,
        ROOT / f"scenarios/scripts/{SCENARIO}.good.yaml",
        PHONE,
        library_root=ROOT / "scenarios",
    )
    transport = httpx.WSGITransport(app=free_app)
    with httpx.Client(transport=transport, base_url="http://localhost") as client:
        drive(call, client, "http://localhost", TOKEN)
    db = free_app.extensions["centralino_db"]
    row = state.current(db, call.call_sid)
    assert row is not None and row.attempt_id is not None and row.stage == "finished"
    stored = attempts.stored_score(db, row.attempt_id)
    assert stored is not None and stored.passed, call.transcript
