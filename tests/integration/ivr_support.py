"""Shared set-up for the IVR tests: an app with the phone blueprint, a trainee with a phone and
PIN, the bundled library, signed Twilio-style requests, and a recorder standing in for Twilio's
REST servers (the only thing replaced: there is no network here)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from app import create_app
from ivr import state, twiml_schema
from simulator.practice import accounts, library
from simulator.store.db import Database
from simulator.store.models import Assignment

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-secret-key"
PHONE = "+393331234567"
PIN = "246810"
PASSWORD = "password-1234"
SCENARIO = "smistamento-acquisti-assente"


def settings_for(db_url: str, **extra: Any) -> dict[str, Any]:
    """Test configuration: the driver's clock, Twilio settings, a known secret."""
    config: dict[str, Any] = {
        "DATABASE_URL": db_url,
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SECURE_COOKIES": False,
        "CLOCK": "driver",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_NUMBER": "+390971000000",
        "PUBLIC_BASE_URL": "",
        # These tests play calls from the trainee's verified number straight into the menu,
        # the school option; the default (the PIN is asked anyway) is tested in tests/security.
        "IVR_TRUST_CALLER_ID": True,
    }
    config.update(extra)
    return config


def seed(
    db: Database, scenario_root: Path = ROOT / "scenarios", assign: list[str] | None = None
) -> int:
    """Tables, library, one trainee (phone and PIN) with scenarios assigned (all by default)."""
    from simulator.store import phone  # noqa: F401  (tables on the metadata)

    db.create_all()
    with db.write() as session:
        synced = library.sync_library(session, scenario_root)
        user = accounts.create_user(
            session,
            username="luca",
            display_name="Luca Bianchi",
            password=PASSWORD,
            role="trainee",
        )
        for scenario_id in assign or [*synced.added, *synced.unchanged]:
            session.add(Assignment(trainee_id=user.id, scenario_id=scenario_id))
        trainee_id = user.id
    state.set_phone(db, trainee_id, secret=SECRET, phone=PHONE, pin=PIN)
    return trainee_id


def make_app(tmp_path: Path, **extra: Any) -> Iterator[Flask]:
    """For a module's ``ivr_app`` fixture: the app on a fresh SQLite file, seeded."""
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'ivr.db'}", **extra))
    app.config["TRAINEE_ID"] = seed(app.extensions["centralino_db"], assign=[SCENARIO])
    yield app
    app.extensions["centralino_db"].dispose()


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


class Phone:
    """A Twilio call made by hand through the Flask test client, checking every answer."""

    def __init__(self, client: FlaskClient, from_number: str = PHONE) -> None:
        self.client = client
        self.call_sid = "CA" + uuid.uuid4().hex
        self.from_number = from_number
        self.action = "/ivr/voice"
        self.last = ""
        self.t: float | None = None  # scripted session time, sent once the practice starts

    def params(self, **fields: str) -> dict[str, str]:
        base = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "1" * 32,
            "From": self.from_number,
            "To": "+390971000000",
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        base.update(fields)
        return base

    def post(self, path: str | None = None, **fields: str) -> str:
        target = path or self.action
        if self.t is not None and "CentralinoClock" not in fields:
            fields["CentralinoClock"] = f"{self.t}"
        params = self.params(**fields)
        if target.startswith("http://localhost/"):  # an action made from PUBLIC_BASE_URL
            target = target[len("http://localhost") :]
        url = "http://localhost" + target
        response = self.client.post(
            target, data=params, headers={"X-Twilio-Signature": sign(url, params)}
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        body = response.get_data(as_text=True)
        assert twiml_schema.problems(body) == [], body
        self.last = body
        gather = ElementTree.fromstring(body).find("Gather")
        if gather is not None:
            self.action = gather.get("action", self.action)
        return body

    def start(self) -> str:
        return self.post("/ivr/voice", CallStatus="ringing")

    def field(self) -> str:
        return parse_qs(urlsplit(self.action).query).get("field", [""])[0]

    def turn(self) -> int:
        return int(parse_qs(urlsplit(self.action).query)["turn"][0])

    def said(self) -> str:
        """Every spoken line of the last answer, joined."""
        root = ElementTree.fromstring(self.last)
        return " ".join((e.text or "") for e in root.iter("Say"))

    def hung_up(self) -> bool:
        return ElementTree.fromstring(self.last).find("Hangup") is not None

    def into_call(self, clock: float = 0.0) -> str:
        """Known number, menu by key 1, confirm: the practice has started."""
        self.start()
        self.post(Digits="1")
        self.t = clock
        return self.post(Digits="1")

    def status(self, status: str, clock: float | None = None) -> int:
        params = self.params(CallStatus=status)
        when = clock if clock is not None else self.t
        if when is not None:
            params["CentralinoClock"] = f"{when}"
        url = "http://localhost/ivr/status"
        response = self.client.post(
            "/ivr/status", data=params, headers={"X-Twilio-Signature": sign(url, params)}
        )
        return response.status_code


class RecordingTwilio(HttpClient):
    """Twilio's REST servers, replaced: records each request, answers like Twilio (201 + JSON
    for a create, 204 for a delete; ``errors`` maps a resource sid to the status Twilio gives)."""

    def __init__(self, errors: dict[str, int] | None = None) -> None:
        super().__init__(logger=None, is_async=False)  # type: ignore[arg-type]
        self.requests: list[dict[str, Any]] = []
        self.errors = dict(errors or {})

    def request(  # type: ignore[override]
        self,
        method: str,
        uri: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {}), "auth": auth})
        for resource, status in self.errors.items():
            if f"/{resource}" in uri:
                code = 20404 if status == 404 else 20500
                body = {"code": code, "message": "refused", "status": status}
                return TwilioResponse(status, json.dumps(body))
        if method == "DELETE":
            return TwilioResponse(204, "")
        prefix = "RE" if uri.endswith("/Recordings.json") else "CA"
        sid = prefix + uuid.uuid4().hex
        body = {"sid": sid, "status": "queued", "to": (data or {}).get("To"),
                "from": (data or {}).get("From")}  # fmt: skip
        return TwilioResponse(201, json.dumps(body))
