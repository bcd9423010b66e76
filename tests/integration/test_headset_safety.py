"""Headset safety: every line a caller of the library may say, rendered by the caller synthesiser
with its persona's voice, is at the stated loudness and under the peak limit; so are the tones and
earcons, which are never louder than speech. No acoustic shock whatever the persona.

The clips go through the same render cache the console uses (kept in pytest's cache directory,
or ``$CENTRALINO_AUDIO_CACHE``), so a second run renders only lines that changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.cache import RenderCache, cache_dir
from audio.commands import caller_lines
from audio.loudness import PEAK_LIMIT_DBFS, TARGET_LUFS, loudness_lufs, peak_dbfs
from audio.tones import TONES
from audio.tts import caller_synthesizer, voice_for
from audio.wav import decode_wav
from simulator.model import Voice
from tests.library import library, scenario_ids

# The stated limits (README, "Volume sicuro"): speech within 1 LU of the target, peaks at most
# the ceiling; half a 16-bit step of tolerance for the PCM rounding.
LOUDNESS_TOLERANCE_LU = 1.0
PEAK_TOLERANCE_DB = 0.01


@pytest.fixture(scope="module")
def cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RenderCache:
    # pytest's cache folder keeps the clips between runs; without it (-p no:cacheprovider) a
    # fresh folder: slower, same checks.
    kept = getattr(request.config, "cache", None)
    folder = kept.mkdir("caller-audio") if kept is not None else tmp_path_factory.mktemp("audio")
    return RenderCache(cache_dir(Path(folder)), caller_synthesizer())


def within_limits(wav: bytes) -> tuple[float, float]:
    samples, rate = decode_wav(wav)
    return loudness_lufs(samples, rate), peak_dbfs(samples)


@pytest.mark.slow
@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_caller_line_is_within_loudness_and_peak(
    scenario_id: str, cache: RenderCache
) -> None:
    scenario = library().scenarios[scenario_id].scenario
    company = library().companies[scenario.company]
    lines = list(dict.fromkeys(caller_lines(scenario, company)))
    assert lines, "a scenario with no caller line"
    outside = []
    for text, voice in lines:
        lufs, peak = within_limits(cache.get(text, voice))
        if (
            abs(lufs - TARGET_LUFS) > LOUDNESS_TOLERANCE_LU
            or peak > PEAK_LIMIT_DBFS + PEAK_TOLERANCE_DB
        ):
            outside.append(f"{lufs:.1f} LUFS, {peak:.1f} dBFS: {voice.voice} «{text[:60]}»")
    assert not outside, "\n".join(outside)


@pytest.mark.parametrize(
    ("language", "voice"),
    [
        ("it-IT", Voice(rate=80, pitch=0)),
        ("it-IT", Voice(rate=320, pitch=99, variant="f5")),
        ("en-GB", Voice(rate=320, pitch=99, variant="m7")),
        ("en-GB", Voice(rate=80, pitch=10, variant="f2")),
    ],
)
def test_extreme_personas_stay_within_the_limits(
    language: str, voice: Voice, cache: RenderCache
) -> None:
    """The slowest, fastest, lowest and highest voices a scenario may ask for."""
    text = "Pronto! C'è un incendio, presto!" if language == "it-IT" else "Hello! Help, quickly!"
    lufs, peak = within_limits(cache.get(text, voice_for(language, voice)))
    assert abs(lufs - TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU
    assert peak <= PEAK_LIMIT_DBFS + PEAK_TOLERANCE_DB


@pytest.mark.parametrize("name", sorted(TONES))
def test_tones_and_earcons_are_never_louder_than_speech(name: str) -> None:
    lufs, peak = within_limits(TONES[name]())
    assert lufs <= TARGET_LUFS
    assert peak <= PEAK_LIMIT_DBFS + PEAK_TOLERANCE_DB
