"""Call-progress tones checked by FFT and envelope; earcons distinct; all at the tone loudness."""

from __future__ import annotations

import numpy as np
import pytest

from audio.loudness import PEAK_LIMIT_DBFS, TONE_TARGET_LUFS, loudness_lufs, peak_dbfs
from audio.tones import TONE_RATE, TONES, busy, caller_hung_up, new_call, ringback, transfer_done
from audio.wav import Samples, decode_wav


def dominant_hz(samples: Samples, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


def on_off_runs(samples: Samples, rate: int) -> list[tuple[bool, float]]:
    """Runs of tone/silence from a 10 ms RMS envelope, as (on, seconds)."""
    hop = rate // 100
    frames = samples[: samples.size // hop * hop].reshape(-1, hop)
    on = np.sqrt(np.mean(frames**2, axis=1)) > 0.01
    runs: list[tuple[bool, float]] = []
    for value in on:
        if runs and runs[-1][0] == value:
            runs[-1] = (bool(value), runs[-1][1] + 0.01)
        else:
            runs.append((bool(value), 0.01))
    return runs


def test_ringback_is_425_hz_one_on_four_off() -> None:
    """Italian ringback: 425 Hz, 1 s tone, 4 s silence."""
    samples, rate = decode_wav(ringback(cycles=2))
    assert rate == TONE_RATE
    assert samples.size == 10 * rate
    assert abs(dominant_hz(samples[:rate], rate) - 425) < 2
    runs = on_off_runs(samples, rate)
    assert [on for on, _ in runs] == [True, False, True, False]
    for on, seconds in runs:
        assert seconds == pytest.approx(1.0 if on else 4.0, abs=0.03)


def test_busy_is_425_hz_half_on_half_off() -> None:
    """Italian busy: 425 Hz, 0.5 s on, 0.5 s off."""
    samples, rate = decode_wav(busy(cycles=4))
    assert abs(dominant_hz(samples[: rate // 2], rate) - 425) < 3
    runs = on_off_runs(samples, rate)
    assert [on for on, _ in runs] == [True, False] * 4
    for _, seconds in runs:
        assert seconds == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("name", sorted(TONES))
def test_every_tone_is_at_the_tone_loudness(name: str) -> None:
    """Tones share one loudness, 6 LU under speech, and respect the peak limit."""
    samples, rate = decode_wav(TONES[name]())
    assert abs(loudness_lufs(samples, rate) - TONE_TARGET_LUFS) <= 1.0
    assert peak_dbfs(samples) <= PEAK_LIMIT_DBFS


def test_earcons_are_short_and_have_distinct_contours() -> None:
    """New call rises, transfer rises in three notes, hang-up falls: told apart by ear."""
    contours = {}
    for name, make in [
        ("new_call", new_call),
        ("transfer_done", transfer_done),
        ("caller_hung_up", caller_hung_up),
    ]:
        samples, rate = decode_wav(make())
        assert samples.size / rate < 0.7
        chunks = [c for c in np.array_split(samples, 6) if np.sqrt(np.mean(c**2)) > 0.01]
        contours[name] = [round(dominant_hz(c, rate)) for c in chunks]
    assert contours["new_call"][0] < contours["new_call"][-1]
    assert contours["transfer_done"][0] < contours["transfer_done"][-1]
    assert contours["caller_hung_up"][0] > contours["caller_hung_up"][-1]
    assert len({tuple(c) for c in contours.values()}) == 3
