"""Phone recording, only when the school enables it: the REST request asks Twilio to record the
calls we place, and the signed recording callback keeps the recording's address with the attempt
(Twilio's servers are replaced by a recorder: there is no network here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from ivr import outbound, state
from simulator.practice import recordings
from simulator.store.review import UtteranceRecording
from simulator.web.testing import PASSWORD, form_data, login
from tests.integration.ivr_support import SCENARIO, Phone, RecordingTwilio, make_app, sign


@pytest.fixture(params=[False, True], ids=["off", "on"])
def ivr_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(
        tmp_path, PUBLIC_BASE_URL="https://centralino.example", IVR_RECORD_CALLS=request.param
    )


@pytest.fixture(params=[False, True], ids=["off", "on"])
def local_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Webhooks signed for http://localhost, as the Phone helper signs them."""
    yield from make_app(tmp_path, IVR_RECORD_CALLS=request.param)


def _callback(app: Flask, call_sid: str, **fields: str) -> int:
    params = {
        "AccountSid": "AC" + "1" * 32,
        "CallSid": call_sid,
        "RecordingSid": "RE" + uuid.uuid4().hex,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "RecordingStatus": "completed",
        "RecordingDuration": "42",
        **fields,
    }
    signature = sign("http://localhost/ivr/recording", params)
    response = app.test_client().post(
        "/ivr/recording", data=params, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


def test_placed_calls_are_recorded_only_when_the_school_says_so(ivr_app: Flask):
    twilio = RecordingTwilio()
    settings = ivr_app.extensions["centralino_ivr"]
    client = outbound.client_for(settings, twilio)
    db = ivr_app.extensions["centralino_db"]
    outbound.call_me(db, settings, client, ivr_app.config["TRAINEE_ID"], SCENARIO)
    (sent,) = twilio.requests
    data = sent["data"]
    if settings.record_calls:
        assert data["Record"] == "true"
        assert data["RecordingStatusCallback"] == "https://centralino.example/ivr/recording"
        assert data["RecordingStatusCallbackMethod"] == "POST"
    else:
        assert "Record" not in data and "RecordingStatusCallback" not in data


def test_recording_callback_keeps_the_address_with_the_attempt(local_app: Flask):
    ivr_app = local_app
    db = ivr_app.extensions["centralino_db"]
    phone = Phone(ivr_app.test_client())
    phone.into_call()
    row = state.current(db, phone.call_sid)
    assert row is not None and row.attempt_id is not None
    # Unsigned: refused, nothing stored.
    refused = ivr_app.test_client().post(
        "/ivr/recording", data={"CallSid": phone.call_sid, "RecordingSid": "RE" + "0" * 32}
    )
    assert refused.status_code == 403
    assert _callback(ivr_app, phone.call_sid) == 204
    with db.read() as s:
        kept = s.scalars(select(UtteranceRecording)).all()
        exported = recordings.export(s, ivr_app.config["TRAINEE_ID"], [row.attempt_id])
    if not ivr_app.extensions["centralino_ivr"].record_calls:
        assert kept == []  # the school did not enable it: nothing kept, whatever Twilio sends
        return
    (recording,) = kept
    assert recording.attempt_id == row.attempt_id and recording.source == "phone"
    assert recording.remote_url and recording.remote_url.startswith("https://api.twilio.com/")
    assert exported["recordings"][0]["remote_url"] == recording.remote_url


@pytest.fixture(params=[False, True], ids=["off", "on"])
def phone_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Twilio fully configured (placed calls possible), webhooks signed for http://localhost,
    and Twilio's REST servers replaced by a recorder."""
    for app in make_app(
        tmp_path, PUBLIC_BASE_URL="http://localhost", IVR_RECORD_CALLS=request.param
    ):
        app.extensions["centralino_twilio_http"] = RecordingTwilio()
        yield app


def test_an_incoming_call_is_recorded_from_the_practice_on_not_from_the_pin(phone_app: Flask):
    """The school enabled recording: once the trainee is in the practice (after the PIN and
    the menu), Twilio is asked to record that call, with the same callback as placed calls."""
    twilio = phone_app.extensions["centralino_twilio_http"]
    phone = Phone(phone_app.test_client())
    phone.start()
    phone.post(Digits="1")
    assert twilio.requests == []  # menu and confirmation: nothing recorded yet
    phone.post(Digits="1")
    assert "<Gather" in phone.last  # in the practice
    if not phone_app.extensions["centralino_ivr"].record_calls:
        assert twilio.requests == []
        return
    (sent,) = twilio.requests
    assert sent["method"] == "POST"
    assert sent["uri"].endswith(f"/Calls/{phone.call_sid}/Recordings.json")
    assert sent["data"]["RecordingStatusCallback"] == "http://localhost/ivr/recording"
    assert sent["data"]["RecordingStatusCallbackEvent"] == ["completed"]
    phone.post(SpeechResult="Buongiorno, Lucania Forniture, sono Giulia.")
    assert len(twilio.requests) == 1  # asked once, not at every turn


def test_twilio_refusing_to_record_never_drops_the_call(tmp_path: Path):
    """A recording Twilio will not start leaves the practice going, unrecorded."""
    for app in make_app(tmp_path, PUBLIC_BASE_URL="http://localhost", IVR_RECORD_CALLS=True):
        phone = Phone(app.test_client())
        app.extensions["centralino_twilio_http"] = RecordingTwilio(errors={phone.call_sid: 500})
        phone.into_call()
        assert "<Gather" in phone.last
        assert len(app.extensions["centralino_twilio_http"].requests) == 1


def _queued(db) -> dict[str, object]:
    from simulator.store.review import RemoteRecordingDeletion

    with db.read() as s:
        return {r.sid: r for r in s.scalars(select(RemoteRecordingDeletion))}


def test_expired_and_erased_phone_recordings_are_deleted_at_twilio(tmp_path: Path):
    """Past retention, or its trainee erased: Twilio is asked to delete its copy (DELETE on the
    recording, by Twilio's SDK); 404 counts as gone; a failure stays queued and is retried."""
    from datetime import timedelta

    from simulator.store.models import User, utcnow

    for app in make_app(
        tmp_path,
        PUBLIC_BASE_URL="http://localhost",
        IVR_RECORD_CALLS=True,
        RECORDING_RETENTION_DAYS=30,
    ):
        db = app.extensions["centralino_db"]
        old, gone, flaky, fresh = ("RE" + uuid.uuid4().hex for _ in range(4))
        twilio = RecordingTwilio(errors={gone: 404, flaky: 500})
        app.extensions["centralino_twilio_http"] = twilio
        phone = Phone(app.test_client())
        phone.into_call()
        attempt_id = state.current(db, phone.call_sid).attempt_id
        long_ago = utcnow() - timedelta(days=31)
        with db.write() as s:
            for sid in (old, gone, flaky):
                recordings.keep_phone_call(
                    s, attempt_id, sid, f"https://api.twilio.com/{sid}", now=long_ago
                )
            recordings.keep_phone_call(s, attempt_id, fresh, f"https://api.twilio.com/{fresh}")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["purge-recordings"])
        assert result.exit_code == 0, result.output
        assert "deleted at Twilio: 2, failed (retried next run): 1" in result.output
        deletes = [r["uri"] for r in twilio.requests if r["method"] == "DELETE"]
        assert sorted(u.rsplit("/", 1)[1] for u in deletes) == sorted(
            f"{sid}.json" for sid in (old, gone, flaky)
        )
        assert all("/2010-04-01/Accounts/AC" in u for u in deletes)
        queued = _queued(db)
        assert queued[old].deleted_at and queued[gone].deleted_at
        assert queued[flaky].deleted_at is None and queued[flaky].last_error.startswith("500")
        assert fresh not in queued  # within retention: Twilio keeps it
        # Twilio answers now: the next run deletes the one that failed, and only it.
        twilio.errors.clear()
        twilio.requests.clear()
        result = runner.invoke(args=["ivr", "delete-recordings"])
        assert "deleted at Twilio: 1, failed (retried next run): 0" in result.output
        assert [r["uri"].rsplit("/", 1)[1] for r in twilio.requests] == [f"{flaky}.json"]
        # Erasing the trainee queues (and the next run deletes) the copy still within retention.
        instructor = app.test_client()
        with db.write() as s:
            from simulator.practice import accounts

            accounts.create_user(
                s, username="ada", display_name="Ada", password=PASSWORD, role="instructor"
            )
            trainee = s.get(User, app.config["TRAINEE_ID"])
            username = trainee.username
        login(instructor, "ada")
        page = instructor.get(f"/instructor/trainees/{app.config['TRAINEE_ID']}").get_data(
            as_text=True
        )
        r = instructor.post(
            f"/instructor/trainees/{app.config['TRAINEE_ID']}/delete",
            data=form_data(page, confirm_username=username),
        )
        assert r.status_code == 302
        assert fresh in _queued(db) and _queued(db)[fresh].deleted_at is None
        twilio.requests.clear()
        result = runner.invoke(args=["ivr", "delete-recordings"])
        assert [r["uri"].rsplit("/", 1)[1] for r in twilio.requests] == [f"{fresh}.json"]
        assert _queued(db)[fresh].deleted_at is not None
