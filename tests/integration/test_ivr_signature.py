"""Every /ivr/ webhook is refused (403, nothing written) unless Twilio signed it with our token,
and a signature made for the public URL is accepted behind a proxy or tunnel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from simulator.store.phone import IvrCall
from tests.integration.ivr_support import (
    PHONE,
    TOKEN,
    Phone,
    make_app,
    settings_for,
    sign,
)

FIELDS = {
    "CallSid": "CA" + "a" * 32,
    "AccountSid": "AC" + "1" * 32,
    "From": PHONE,
    "To": "+390971000000",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
}


@pytest.fixture
def ivr_app(tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(tmp_path)


@pytest.fixture
def client(ivr_app: Flask) -> FlaskClient:
    return ivr_app.test_client()


def _calls(app: Flask) -> int:
    with app.extensions["centralino_db"].read() as session:
        return int(session.scalar(select(func.count()).select_from(IvrCall)) or 0)


def test_unsigned_request_is_refused_and_changes_nothing(ivr_app: Flask, client: FlaskClient):
    response = client.post("/ivr/voice", data=FIELDS)
    assert response.status_code == 403
    assert _calls(ivr_app) == 0


def test_signature_with_another_token_is_refused(ivr_app: Flask, client: FlaskClient):
    bad = sign("http://localhost/ivr/voice", FIELDS, token="not-our-token")
    response = client.post("/ivr/voice", data=FIELDS, headers={"X-Twilio-Signature": bad})
    assert response.status_code == 403
    assert _calls(ivr_app) == 0


def test_tampered_parameter_is_refused(ivr_app: Flask, client: FlaskClient):
    good = sign("http://localhost/ivr/voice", FIELDS)
    tampered = dict(FIELDS, From="+393339999999")
    response = client.post("/ivr/voice", data=tampered, headers={"X-Twilio-Signature": good})
    assert response.status_code == 403
    assert _calls(ivr_app) == 0


def test_correct_signature_is_accepted(ivr_app: Flask, client: FlaskClient):
    good = sign("http://localhost/ivr/voice", FIELDS)
    response = client.post("/ivr/voice", data=FIELDS, headers={"X-Twilio-Signature": good})
    assert response.status_code == 200
    assert _calls(ivr_app) == 1


def test_dropped_empty_digits_field_is_refused(client: FlaskClient):
    """Twilio signs Digits="" too: a request that lost the empty field is not Twilio's."""
    phone = Phone(client)
    phone.into_call()
    action = phone.action
    with_empty = phone.params(Digits="", CentralinoClock="1")
    signature = sign("http://localhost" + action, with_empty)
    without = {k: v for k, v in with_empty.items() if k != "Digits"}
    refused = client.post(action, data=without, headers={"X-Twilio-Signature": signature})
    assert refused.status_code == 403
    accepted = client.post(action, data=with_empty, headers={"X-Twilio-Signature": signature})
    assert accepted.status_code == 200


def test_missing_query_string_is_refused(client: FlaskClient):
    phone = Phone(client)
    phone.into_call()
    params = phone.params(Digits="", CentralinoClock="1")
    path_only = phone.action.split("?")[0]
    signature = sign("http://localhost" + path_only, params)
    response = client.post(phone.action, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_public_base_url_behind_a_tls_proxy(tmp_path):
    """Twilio signed https://public.example/... while the app sees http://127.0.0.1:8000."""
    from app import create_app
    from tests.integration.ivr_support import seed

    app = create_app(
        settings_for(f"sqlite:///{tmp_path / 'p.db'}", PUBLIC_BASE_URL="https://public.example")
    )
    seed(app.extensions["centralino_db"])
    test = app.test_client()
    signature = sign("https://public.example/ivr/voice", FIELDS)
    response = test.post(
        "/ivr/voice",
        data=FIELDS,
        headers={"X-Twilio-Signature": signature},
        base_url="http://127.0.0.1:8000",
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'action="https://public.example/ivr/turn?' in body
    trailing = sign("https://public.example/ivr/voice/", dict(FIELDS, CallSid="CA" + "b" * 32))
    refused = test.post(
        "/ivr/voice",
        data=dict(FIELDS, CallSid="CA" + "b" * 32),
        headers={"X-Twilio-Signature": trailing},
    )
    assert refused.status_code == 403


def test_forwarded_headers_of_a_trusted_tunnel(tmp_path):
    """With CENTRALINO_TRUSTED_PROXIES=1 the tunnel's X-Forwarded-* give the signed URL."""
    app = next(make_app(tmp_path, TRUSTED_PROXIES=1))
    signature = sign("https://abc.tunnel.example/ivr/voice", FIELDS)
    response = app.test_client().post(
        "/ivr/voice",
        data=FIELDS,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "abc.tunnel.example",
        },
    )
    assert response.status_code == 200


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(ivr_app: Flask, client):
    """No proxy configured: a request signed for another host is refused, whatever it claims."""
    signature = sign("https://evil.example/ivr/voice", FIELDS)
    response = client.post(
        "/ivr/voice",
        data=FIELDS,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        },
    )
    assert response.status_code == 403
    assert _calls(ivr_app) == 0


def test_public_base_url_is_the_only_url_checked(tmp_path):
    """With PUBLIC_BASE_URL set, signatures for a forwarded or Host-header URL are refused."""
    app = next(make_app(tmp_path, PUBLIC_BASE_URL="https://public.example", TRUSTED_PROXIES=1))
    test = app.test_client()
    forged = sign("https://evil.example/ivr/voice", FIELDS)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    response = test.post(
        "/ivr/voice", data=FIELDS, headers={"X-Twilio-Signature": forged, **forwarded}
    )
    assert response.status_code == 403
    other = sign("http://other-app.example/ivr/voice", FIELDS)
    response = test.post(
        "/ivr/voice",
        data=FIELDS,
        headers={"X-Twilio-Signature": other},
        base_url="http://other-app.example",
    )
    assert response.status_code == 403
    assert _calls(app) == 0


def test_scheme_difference_is_refused_without_proxy_information(client: FlaskClient):
    signature = sign("https://localhost/ivr/voice", FIELDS)
    response = client.post("/ivr/voice", data=FIELDS, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_default_port_is_ignored_as_twilio_does(client: FlaskClient):
    signature = sign("http://localhost:80/ivr/voice", FIELDS)
    response = client.post("/ivr/voice", data=FIELDS, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200


def test_status_callback_and_turns_are_checked_too(ivr_app: Flask, client: FlaskClient):
    for path in ("/ivr/status", "/ivr/turn?turn=1", "/ivr/outbound?c=x"):
        assert client.post(path, data=FIELDS).status_code == 403
    assert TOKEN  # the token never appears in a response
    assert _calls(ivr_app) == 0
