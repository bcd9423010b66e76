"""Practice calls placed by Centralino: the REST request Twilio receives (Twilio's servers are
replaced by a recorder, there is no network), pacing a whole class, the trainee's "Call me"
button with CSRF, the CLI, and the answered call going through /ivr/outbound."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from ivr import outbound, state
from ivr.outbound import Pacer
from simulator.errors import TelephonyError
from simulator.practice import accounts
from tests.integration.ivr_support import (
    PASSWORD,
    PHONE,
    SCENARIO,
    SECRET,
    Phone,
    RecordingTwilio,
    make_app,
    settings_for,
)


@pytest.fixture
def ivr_app(tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(tmp_path, PUBLIC_BASE_URL="https://centralino.example")


@pytest.fixture
def twilio(ivr_app: Flask) -> RecordingTwilio:
    recorder = RecordingTwilio()
    ivr_app.extensions["centralino_twilio_http"] = recorder
    return recorder


class FakeClock:
    """Time that moves only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_pacer_spaces_calls_at_the_configured_rate():
    clock = FakeClock()
    pacer = Pacer(2.0, clock=clock, sleep=clock.sleep)
    starts = [pacer.wait() for _ in range(5)]
    assert starts == [100.0, 100.5, 101.0, 101.5, 102.0]
    clock.now += 10  # a long pause: no waiting afterwards
    assert pacer.wait() == 112.0
    assert clock.sleeps == [0.5, 0.5, 0.5, 0.5]


def test_call_me_sends_twilio_the_right_request(ivr_app: Flask, twilio: RecordingTwilio):
    settings = ivr_app.extensions["centralino_ivr"]
    db = ivr_app.extensions["centralino_db"]
    client = outbound.client_for(settings, twilio)
    sid = outbound.call_me(db, settings, client, ivr_app.config["TRAINEE_ID"], SCENARIO)
    (sent,) = twilio.requests
    assert sent["method"] == "POST"
    assert sent["uri"].endswith(f"/Accounts/{settings.account_sid}/Calls.json")
    data = sent["data"]
    assert data["To"] == PHONE and data["From"] == settings.number
    assert data["Url"].startswith("https://centralino.example/ivr/outbound?c=")
    assert data["StatusCallback"] == "https://centralino.example/ivr/status"
    assert data["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert sent["auth"] == (settings.account_sid, settings.auth_token)
    with db.read() as session:
        from sqlalchemy import select

        from simulator.store.phone import IvrCall

        row = session.scalar(select(IvrCall).where(IvrCall.call_sid == sid))
        assert row is not None and row.stage == "dialing" and row.scenario_id == SCENARIO


def test_answered_outbound_call_confirms_then_starts(ivr_app: Flask, twilio: RecordingTwilio):
    settings = ivr_app.extensions["centralino_ivr"]
    db = ivr_app.extensions["centralino_db"]
    client = outbound.client_for(settings, twilio)
    sid = outbound.call_me(db, settings, client, ivr_app.config["TRAINEE_ID"], SCENARIO)
    url = twilio.requests[0]["data"]["Url"]
    phone = Phone(ivr_app.test_client())
    phone.call_sid = sid
    path = "/ivr/outbound?" + urlsplit(url).query
    from tests.integration.ivr_support import sign

    params = phone.params(Direction="outbound-api")
    response = phone.client.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": sign("https://centralino.example" + path, params)},
        base_url="http://127.0.0.1",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Premi 1 per iniziare" in body
    action = re.search(r'action="([^"]+)"', body)
    assert action is not None
    assert parse_qs(urlsplit(action.group(1).replace("&amp;", "&")).query)["field"] == ["confirm"]
    row = state.current(db, sid)
    assert row is not None and row.stage == "confirm"


def test_call_class_paces_and_reports_each_trainee(ivr_app: Flask, twilio: RecordingTwilio):
    db = ivr_app.extensions["centralino_db"]
    settings = ivr_app.extensions["centralino_ivr"]
    with db.write() as session:
        other = accounts.create_user(
            session, username="anna", display_name="Anna Neri", password=PASSWORD, role="trainee"
        ).id
    clock = FakeClock()
    placed = outbound.call_class(
        db,
        settings,
        outbound.client_for(settings, twilio),
        [ivr_app.config["TRAINEE_ID"], other],
        SCENARIO,
        Pacer(settings.cps, clock=clock, sleep=clock.sleep),
    )
    assert placed[0].call_sid and placed[1].error is not None  # Anna has no verified phone
    assert "verificato" in placed[1].error[0]
    assert len(twilio.requests) == 1
    assert clock.sleeps == [1.0]  # 1 call per second by default


def test_missing_settings_disable_outbound_with_a_clear_message(tmp_path: Path):
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'x.db'}", TWILIO_NUMBER=""))
    settings = app.extensions["centralino_ivr"]
    with pytest.raises(TelephonyError) as refused:
        outbound.client_for(settings)
    assert "TWILIO_NUMBER" in refused.value.it and "TWILIO_NUMBER" in refused.value.en
    health = app.test_client().get("/ivr/healthz").get_json()
    assert health["outbound"] is False and health["missing"] == ["TWILIO_NUMBER", "PUBLIC_BASE_URL"]
    assert health["webhooks"] is True  # the token is there: incoming calls still work


def test_no_token_at_all_the_app_starts_and_calls_hear_a_notice(tmp_path: Path):
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'y.db'}", TWILIO_AUTH_TOKEN=""))
    response = app.test_client().post("/ivr/voice", data={"CallSid": "CA1"})
    assert response.status_code == 200
    assert "non è configurato" in response.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code in (200, 503)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"username": "luca", "password": PASSWORD, "csrf_token": _csrf(page)}
    )
    return _csrf(client.get("/ivr/card").get_data(as_text=True))


def test_call_me_button_needs_csrf_and_places_the_call(ivr_app: Flask, twilio: RecordingTwilio):
    client = ivr_app.test_client()
    token = _login(client)
    refused = client.post("/ivr/call-me", data={"scenario_id": SCENARIO})
    assert refused.status_code == 400 and not twilio.requests
    placed = client.post("/ivr/call-me", data={"scenario_id": SCENARIO, "csrf_token": token})
    assert placed.status_code == 302 and len(twilio.requests) == 1
    unknown = client.post(
        "/ivr/call-me", data={"scenario_id": "no-such-scenario", "csrf_token": token}
    )
    assert unknown.status_code == 302 and len(twilio.requests) == 1
    # Free practice (the default) lets the phone offer what the browser's library offers.
    library = client.post(
        "/ivr/call-me", data={"scenario_id": "fr-accueil-commande", "csrf_token": token}
    )
    assert library.status_code == 302 and len(twilio.requests) == 2


def test_call_me_without_free_practice_is_only_for_assigned_calls(tmp_path: Path):
    app = next(
        make_app(tmp_path, PUBLIC_BASE_URL="https://centralino.example", FREE_PRACTICE=False)
    )
    recorder = RecordingTwilio()
    app.extensions["centralino_twilio_http"] = recorder
    client = app.test_client()
    token = _login(client)
    refused = client.post(
        "/ivr/call-me", data={"scenario_id": "fr-accueil-commande", "csrf_token": token}
    )
    assert refused.status_code == 302 and not recorder.requests
    assert "Esercitazione non assegnata" in client.get("/practice").get_data(as_text=True)
    client.post("/ivr/call-me", data={"scenario_id": SCENARIO, "csrf_token": token})
    assert len(recorder.requests) == 1
    app.extensions["centralino_db"].dispose()


def test_call_me_needs_a_trainee(ivr_app: Flask):
    assert ivr_app.test_client().post("/ivr/call-me").status_code in (302, 400)


def test_cli_sets_phone_and_pin_and_places_calls(ivr_app: Flask, twilio: RecordingTwilio):
    runner = ivr_app.test_cli_runner()
    result = runner.invoke(args=["ivr", "set-phone", "luca", "0971 123456", "--new-pin"])
    assert result.exit_code == 0, result.output
    pin = result.output.strip().rsplit(" ", 1)[-1]
    db = ivr_app.extensions["centralino_db"]
    found = state.trainee_by_pin(db, SECRET, pin)
    assert found is not None and found.name == "Luca Bianchi"
    assert state.verified_phone(db, found.id) == "+39097112345" + "6"
    result = runner.invoke(args=["ivr", "call-me", "luca", SCENARIO])
    assert result.exit_code == 0 and "CA" in result.output
    result = runner.invoke(args=["ivr", "call-class", SCENARIO, "luca"])
    assert result.exit_code == 0 and len(twilio.requests) == 2
    assert runner.invoke(args=["ivr", "call-me", "nobody", SCENARIO]).exit_code != 0
    status = runner.invoke(args=["ivr", "status"])
    assert "Telefono attivo" in status.output


def test_practice_page_offers_call_me_only_with_a_verified_phone(tmp_path: Path):
    """The button shows for a trainee with a verified number when phone practice is set up."""
    (tmp_path / "ready").mkdir()
    (tmp_path / "off").mkdir()
    ready = next(make_app(tmp_path / "ready", PUBLIC_BASE_URL="https://centralino.example"))
    client = ready.test_client()
    _login(client)
    assert "Chiamami al telefono" in client.get("/practice").get_data(as_text=True)
    off = next(make_app(tmp_path / "off", PUBLIC_BASE_URL=""))
    client = off.test_client()
    _login(client)
    assert "Chiamami al telefono" not in client.get("/practice").get_data(as_text=True)
    for app in (ready, off):
        app.extensions["centralino_db"].dispose()


def test_instructor_sets_a_trainees_phone_and_pin_from_the_web(ivr_app: Flask):
    """The number is stored verified, a new PIN is shown once and then identifies the caller."""
    client = ivr_app.test_client()
    db = ivr_app.extensions["centralino_db"]
    with db.write() as session:
        from simulator.practice import accounts

        accounts.create_user(
            session, username="ada", display_name="Ada", password=PASSWORD, role="instructor"
        )
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": _csrf(page)})
    trainee = state.trainee_by_username(db, "luca")
    assert trainee is not None
    url = f"/ivr/trainees/{trainee.id}/phone"
    form = client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"phone": "abc", "csrf_token": _csrf(form)})
    assert bad.status_code == 400 and "Numero non valido" in bad.get_data(as_text=True)
    saved = client.post(
        url,
        data={"phone": "333 765 4321", "new_pin": "1", "csrf_token": _csrf(form)},
        follow_redirects=True,
    )
    text = saved.get_data(as_text=True)
    pin = text.split("Nuovo PIN: ")[1][:6]
    assert state.verified_phone(db, trainee.id) == "+393337654321"
    found = state.trainee_by_pin(db, SECRET, pin)
    assert found is not None and found.id == trainee.id
    luca = ivr_app.test_client()
    _login(luca)
    assert luca.get(url).status_code == 403  # trainees never reach the instructor's page
