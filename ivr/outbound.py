"""Practice calls placed by Centralino: "call me" for one trainee, or a whole class, paced.

Twilio's REST client creates each call; our ``/ivr/outbound`` webhook answers it once the trainee
picks up. A class is called under the account's calls-per-second limit (1/s by default,
``CENTRALINO_TWILIO_CPS``) by a pacer with an injectable clock, so tests need no real waiting.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.rest import Client

from ivr import state
from ivr.settings import IvrSettings
from simulator.errors import TelephonyError
from simulator.store.db import Database

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]

log = logging.getLogger(__name__)


class Pacer:
    """Spaces calls at least ``1 / per_second`` seconds apart."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> float:
        """Block until the next call may start; returns the time it starts."""
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._clock()
        self._next = max(now, self._next or now) + self.interval
        return now


def client_for(settings: IvrSettings, http_client: HttpClient | None = None) -> Client:
    """Twilio's REST client for our account (``http_client`` lets tests fake Twilio's servers)."""
    if not settings.outbound_enabled:
        it, en = settings.message()
        raise TelephonyError(it, en)
    return Client(settings.account_sid, settings.auth_token, http_client=http_client)


@dataclass(frozen=True, slots=True)
class Placed:
    """One call placed (``call_sid``) or refused (``error``, Italian and English)."""

    trainee_id: int
    call_sid: str | None = None
    error: tuple[str, str] | None = None


def call_me(
    db: Database,
    settings: IvrSettings,
    client: Client,
    trainee_id: int,
    scenario_id: str,
) -> str:
    """Place a practice call to a trainee's verified phone; returns Twilio's CallSid."""
    phone = state.verified_phone(db, trainee_id)
    if phone is None:
        raise TelephonyError(
            "Nessun numero di telefono verificato per questo allievo.",
            "This trainee has no verified phone number.",
        )
    if state.title_of(db, scenario_id) is None:
        raise TelephonyError(
            f"Esercitazione sconosciuta: {scenario_id}.", f"Unknown scenario: {scenario_id}."
        )
    token = secrets.token_urlsafe(24)
    call_id = state.create_outbound(
        db,
        token,
        trainee_id=trainee_id,
        scenario_id=scenario_id,
        to_number=phone,
        lang=settings.language,
    )
    base = settings.public_base_url
    recording: dict[str, Any] = {}
    if settings.record_calls:
        # Twilio records the whole call and tells /ivr/recording where the file is. An
        # incoming call starts with the PIN, whose tones must not be recorded: its recording
        # starts with the practice (``record_incoming``).
        recording = {
            "record": True,
            "recording_status_callback": f"{base}/ivr/recording",
            "recording_status_callback_method": "POST",
            "recording_status_callback_event": ["completed"],
        }
    try:
        call = client.calls.create(
            to=phone,
            from_=settings.number,
            url=f"{base}/ivr/outbound?c={token}",
            method="POST",
            status_callback=f"{base}/ivr/status",
            status_callback_method="POST",
            status_callback_event=STATUS_EVENTS,
            **recording,
        )
    except TwilioException as exc:
        raise TelephonyError(
            f"Twilio non ha accettato la chiamata: {exc}", f"Twilio refused the call: {exc}"
        ) from exc
    sid = str(call.sid)
    state.set_call_sid(db, call_id, sid)
    return sid


def record_incoming(
    settings: IvrSettings, call_sid: str, http_client: HttpClient | None = None
) -> str | None:
    """Ask Twilio to record an incoming call from now on (the practice has just started, so
    the PIN's tones are behind it); the recording sid, or None when Twilio refused.

    The finished recording reaches ``/ivr/recording`` like those of the calls we place.
    """
    try:
        client = client_for(settings, http_client)
        recording = client.calls(call_sid).recordings.create(
            recording_status_callback=f"{settings.public_base_url}/ivr/recording",
            recording_status_callback_method="POST",
            recording_status_callback_event=["completed"],
        )
    except (TwilioException, TelephonyError, OSError):
        # The practice goes on unrecorded: a recording is never worth a dropped call.
        log.exception("Twilio did not start recording call %s", call_sid)
        return None
    return str(recording.sid)


def call_class(
    db: Database,
    settings: IvrSettings,
    client: Client,
    trainee_ids: Iterable[int],
    scenario_id: str,
    pacer: Pacer | None = None,
) -> list[Placed]:
    """Call every trainee in turn, paced; one refusal does not stop the others."""
    pace = pacer or Pacer(settings.cps)
    placed: list[Placed] = []
    for trainee_id in trainee_ids:
        pace.wait()
        try:
            placed.append(
                Placed(trainee_id, call_me(db, settings, client, trainee_id, scenario_id))
            )
        except TelephonyError as exc:
            placed.append(Placed(trainee_id, error=(exc.it, exc.en or exc.it)))
    return placed
