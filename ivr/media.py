"""Sounds the phone plays: earcons made here, and the simulator's own rendered caller voices.

Tones are generated (Italian 425 Hz cadence, ITU-T E.180), not downloaded. Caller audio for
``CENTRALINO_IVR_AUDIO=play`` is rendered by the ``audio`` package (espeak-ng, loudness-normalised)
into its content-addressed render cache and served at ``/ivr/audio/<key>.wav?sig=...``; the
signature is an HMAC with the app secret, so URLs cannot be guessed from the text. Without the
audio package, or if rendering fails, the IVR falls back to Twilio's Say.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import math
import struct
import wave
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.model import Scenario

log = logging.getLogger(__name__)

RATE = 8000  # telephone band: Twilio plays 8 kHz mono 16-bit WAV as is
TONES = ("ring", "beep")


def _tone(parts: list[tuple[float, float]]) -> bytes:
    """A WAV of (frequency Hz or 0 for silence, seconds) parts, faded to avoid clicks."""
    frames = bytearray()
    for freq, seconds in parts:
        count = int(RATE * seconds)
        fade = max(1, int(RATE * 0.01))
        for i in range(count):
            if freq <= 0:
                sample = 0.0
            else:
                ramp = min(1.0, i / fade, (count - i) / fade)
                sample = 0.35 * ramp * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


@lru_cache(maxsize=len(TONES))
def tone(name: str) -> bytes:
    """The WAV bytes of a named earcon (immutable, so cached per process)."""
    if name == "ring":
        # One Italian ringback cadence, shortened: 1 s of 425 Hz, 1 s of silence.
        return _tone([(425.0, 1.0), (0.0, 1.0)])
    if name == "beep":
        # Two short high beeps: a second line, distinct from the ring.
        return _tone([(880.0, 0.15), (0.0, 0.1), (880.0, 0.15), (0.0, 0.2)])
    raise KeyError(name)


def sign(secret: str, sha: str) -> str:
    """The URL signature of a cached audio file."""
    return hmac.new(secret.encode(), f"ivr-audio:{sha}".encode(), hashlib.sha256).hexdigest()[:32]


def signature_ok(secret: str, sha: str, given: str) -> bool:
    """Constant-time check of an audio URL signature."""
    return hmac.compare_digest(sign(secret, sha), given)


def render(
    root: Path,
    text: str,
    language: str,
    voice: Any,
    *,
    scenario: Scenario | None = None,
    line: str | None = None,
) -> str | None:
    """The cache key of ``text`` rendered by the ``audio`` package, or None (then use Say).

    ``voice`` is the persona's ``simulator.model.Voice``; with the ``scenario`` and ``line`` it
    is said on, the voice is the one the browser and the terminal use, distinct from the other
    callers of the scenario. Any failure of the audio engine falls back to Say: a call must
    never stop for a voice.
    """
    try:
        from audio.cache import RenderCache
        from audio.tts import caller_synthesizer, line_voice, voice_for
    except ImportError:
        return None
    try:
        cache = RenderCache(root, caller_synthesizer())
        spec = (
            line_voice(scenario, line, language)
            if scenario is not None
            else voice_for(language, voice)
        )
        path = cache.path_for(text, spec)
        if not path.exists():
            cache.get(text, spec)
    except Exception:  # the audio engine is optional; Say always works
        log.warning("audio render failed; falling back to Say", exc_info=True)
        return None
    return path.stem


def default_store(instance: Path) -> Path:
    """The audio package's render cache folder (shared with the browser console)."""
    try:
        from audio.cache import cache_dir
    except ImportError:
        return instance / "audio-cache"
    return cache_dir(instance / "audio-cache")


def stored(store: Path, sha: str) -> Path | None:
    """The stored WAV for a hash, if any (the hash is checked as hex to keep paths inside)."""
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None
    path = store / sha[:2] / f"{sha}.wav"  # the render cache's two-level fan-out
    return path if path.is_file() else None
