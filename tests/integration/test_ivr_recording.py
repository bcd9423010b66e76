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
