"""Render-cache keys (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.cache import CACHE_ENV, cache_dir, cache_key
from simulator.ports import VoiceSpec

VOICE = VoiceSpec("it", "roa/it", "f3", 165, 50)


def test_key_is_stable_hex_sha256() -> None:
    """The same inputs always give the same 64-hex-digit key."""
    key = cache_key("Buongiorno", VOICE, "pyttsx3-2.99/espeak-ng-1.51", (-20.0, -3.0, -26.0))
    assert key == cache_key(
        "Buongiorno",
        VoiceSpec("it", "roa/it", "f3", 165, 50),
        "pyttsx3-2.99/espeak-ng-1.51",
        (-20.0, -3.0, -26.0),
    )
    assert len(key) == 64
    int(key, 16)


@pytest.mark.parametrize(
    ("text", "voice", "engine", "loudness"),
    [
        ("Buongiorno!", VOICE, "e1", (-20.0, -3.0, -26.0)),
        ("Buongiorno", VoiceSpec("it", "roa/it", "f2", 165, 50), "e1", (-20.0, -3.0, -26.0)),
        ("Buongiorno", VoiceSpec("it", "roa/it", "f3", 170, 50), "e1", (-20.0, -3.0, -26.0)),
        ("Buongiorno", VoiceSpec("it", "roa/it", "f3", 165, 51), "e1", (-20.0, -3.0, -26.0)),
        ("Buongiorno", VOICE, "e2", (-20.0, -3.0, -26.0)),
        ("Buongiorno", VOICE, "e1", (-23.0, -3.0, -26.0)),
    ],
)
def test_every_part_changes_the_key(
    text: str, voice: VoiceSpec, engine: str, loudness: tuple[float, ...]
) -> None:
    """Text, voice, variant, rate, pitch, engine version and loudness all count."""
    base = cache_key("Buongiorno", VOICE, "e1", (-20.0, -3.0, -26.0))
    assert cache_key(text, voice, engine, loudness) != base


def test_cache_dir_prefers_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CENTRALINO_AUDIO_CACHE wins over the default passed in."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert cache_dir(tmp_path / "default") == tmp_path / "default"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert cache_dir(tmp_path / "default") == tmp_path / "env"
