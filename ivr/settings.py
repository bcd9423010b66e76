"""IVR settings: Twilio credentials and phone options, checked once when the feature starts.

Secrets come only from the environment (``TWILIO_*``, ``PUBLIC_BASE_URL``) or, in tests, from the
mapping given to ``create_app``. Options use the app's ``CENTRALINO_`` prefix. Missing secrets
never stop the web app: the IVR is then disabled and says which variables to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET_KEYS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "PUBLIC_BASE_URL")
# Webhooks only need the token (to check signatures); placing calls needs all four.
WEBHOOK_KEYS = ("TWILIO_AUTH_TOKEN",)
AUDIO_MODES = ("say", "play")
# Pinned speech model (Twilio changed its default models in 2025): Google STT V2 for phone audio.
DEFAULT_SPEECH_MODEL = "googlev2_telephony"


@dataclass(frozen=True, slots=True)
class IvrSettings:
    """What the phone feature needs, with the names of whatever is missing."""

    account_sid: str = ""
    auth_token: str = ""
    number: str = ""
    public_base_url: str = ""
    audio: str = "say"
    cps: float = 1.0
    speech_model: str = DEFAULT_SPEECH_MODEL
    speech_timeout_s: int = 2
    language: str = "it"
    driver_clock: bool = False
    # Wrong PINs allowed per caller number and per trainee in a window ("5 per 15 minutes").
    pin_limit: str = "5 per 15 minutes"
    # A call from a trainee's verified number skips the PIN only when the school says so.
    trust_caller_id: bool = False
    free_practice: bool = True  # the phone menu offers the library, as the browser does
    # Calls Centralino places are recorded by Twilio (the school's choice, told to trainees).
    record_calls: bool = False
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def webhooks_enabled(self) -> bool:
        """Incoming webhooks can be verified."""
        return bool(self.auth_token)

    @property
    def outbound_enabled(self) -> bool:
        """Practice calls can be placed."""
        return not self.missing

    def message(self) -> tuple[str, str]:
        """(Italian, English) status line for health pages and logs."""
        if not self.missing:
            return ("Telefono attivo.", "Phone practice enabled.")
        names = ", ".join(self.missing)
        return (
            f"Esercitazione al telefono disattivata: mancano le variabili {names}.",
            f"Phone practice disabled: set the environment variables {names}.",
        )


def _pick(config: Mapping[str, Any], environ: Mapping[str, str], key: str) -> str:
    value = config.get(key)
    if value is None:
        value = environ.get(key, "")
    return str(value).strip()


def load(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> IvrSettings:
    """Build the settings from the app config (tests) and the environment (production)."""
    env = os.environ if environ is None else environ
    secrets = {key: _pick(config, env, key) for key in SECRET_KEYS}
    audio = str(config.get("IVR_AUDIO") or "say").strip().lower()
    if audio not in AUDIO_MODES:
        raise ValueError(
            f"CENTRALINO_IVR_AUDIO deve essere say o play / must be say or play, not {audio!r}"
        )
    cps = float(config.get("TWILIO_CPS") or 1.0)
    if not 0 < cps <= 100:
        raise ValueError("CENTRALINO_TWILIO_CPS: tra 0 e 100 / between 0 and 100")
    testing = bool(config.get("TESTING"))
    return IvrSettings(
        account_sid=secrets["TWILIO_ACCOUNT_SID"],
        auth_token=secrets["TWILIO_AUTH_TOKEN"],
        number=secrets["TWILIO_NUMBER"],
        public_base_url=secrets["PUBLIC_BASE_URL"].rstrip("/"),
        audio=audio,
        cps=cps,
        speech_model=str(config.get("IVR_SPEECH_MODEL") or DEFAULT_SPEECH_MODEL),
        speech_timeout_s=max(1, int(config.get("IVR_SPEECH_TIMEOUT") or 2)),
        language="en" if str(config.get("IVR_LANGUAGE") or "it").startswith("en") else "it",
        # The scripted clock is honoured only in testing: production always uses real time.
        driver_clock=testing and str(config.get("CLOCK") or "").lower() == "driver",
        pin_limit=str(config.get("PIN_RATE_LIMIT") or "5 per 15 minutes"),
        trust_caller_id=_flag(config.get("IVR_TRUST_CALLER_ID")),
        free_practice=bool(config.get("FREE_PRACTICE", True)),
        record_calls=_flag(config.get("IVR_RECORD_CALLS")),
        missing=tuple(key for key, value in secrets.items() if not value),
    )


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "si", "sì")
    return bool(value)
