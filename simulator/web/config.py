"""Settings: defaults in code, then ``CENTRALINO_*`` environment variables, then a test mapping.

The secret key never lives in the repository: it comes from ``CENTRALINO_SECRET_KEY`` or, on a
development machine, from a file generated once in the instance folder with 0600 permissions.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PREFIX = "CENTRALINO_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: sqlite in the instance folder
    "SECRET_KEY": None,
    "SECURE_COOKIES": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Wrong passwords per account (counted for failed logins only).
    "ACCOUNT_RATE_LIMIT": "10 per 15 minutes",
    # None: the app's database (shared by every worker); or redis://host:6379, or memory://.
    "RATELIMIT_STORAGE_URI": None,
    # How many reverse proxies stand in front of the app (0: none; X-Forwarded-* are ignored).
    "TRUSTED_PROXIES": 0,
    # Wrong phone PINs per caller number and per trainee before a spoken lock-out.
    "PIN_RATE_LIMIT": "5 per 15 minutes",
    # A call from a trainee's verified number still asks for the PIN unless this is on.
    "IVR_TRUST_CALLER_ID": False,
    "MAX_UPLOAD_BYTES": 256 * 1024,
    "SCENARIO_ROOT": None,  # None: ./scenarios next to app.py
    "POLL_INTERVAL_MS": 1000,
    "AUDIO_CACHE": None,  # None: $CENTRALINO_AUDIO_CACHE, else instance/audio-cache
    "MODELS_ROOT": None,  # None: instance/models (Vosk models, `simulator models install`)
    # A spoken reply: 30 s of 16 kHz mono 16-bit PCM is 960 KB; the rest is headroom.
    "SPEECH_MAX_BYTES": 2 * 1024 * 1024,
    # Trainees may practise any library scenario, not only the assigned ones.
    "FREE_PRACTICE": True,
    # Display-screen work (D.Lgs. 81/2008, art. 175): a pause of BREAK_MINUTES every
    # BREAK_AFTER_MINUTES of continuous practice; the school may choose shorter stretches.
    "BREAK_AFTER_MINUTES": 120,
    "BREAK_MINUTES": 15,
    # Trainees' recorded replies are kept this many days, then their audio is deleted (the
    # words stay in the transcript); purged at start-up and by `flask --app app purge-recordings`.
    "RECORDING_RETENTION_DAYS": 90,
    # Phone calls recorded by Twilio (off unless the school enables it and says so to trainees).
    "IVR_RECORD_CALLS": False,
    "DEBUG": False,
    "TESTING": False,
}

_BOOL_KEYS = {
    "SECURE_COOKIES",
    "DEBUG",
    "TESTING",
    "FREE_PRACTICE",
    "IVR_TRUST_CALLER_ID",
    "IVR_RECORD_CALLS",
}
_INT_KEYS = {
    "MAX_UPLOAD_BYTES",
    "POLL_INTERVAL_MS",
    "SPEECH_MAX_BYTES",
    "TRUSTED_PROXIES",
    "BREAK_AFTER_MINUTES",
    "BREAK_MINUTES",
    "RECORDING_RETENTION_DAYS",
}


def _coerce(key: str, raw: str) -> Any:
    if key in _BOOL_KEYS:
        return raw.strip().lower() in ("1", "true", "yes", "on", "si", "sì")
    if key in _INT_KEYS:
        return int(raw)
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, environment (``CENTRALINO_`` prefix) and explicit overrides, in order."""
    env = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for key, raw in env.items():
        if key.startswith(PREFIX):
            name = key[len(PREFIX) :]
            settings[name] = _coerce(name, raw)
    if overrides:
        settings.update(overrides)
    return settings


def default_database_url(instance_path: Path) -> str:
    """SQLite in the instance folder: no set-up for a single classroom machine."""
    return f"sqlite:///{instance_path / 'centralino.db'}"


def secret_key(instance_path: Path, configured: str | None) -> str:
    """The configured key, else a generated one persisted with owner-only permissions."""
    if configured:
        return configured
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    # Write a private temporary file, then link it into place: atomic, so two workers starting
    # together agree on one key (the loser reads the winner's file).
    tmp = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        key = key_file.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink()
    return key
