"""One loudness for every clip, so a trainee on a headset never reaches for the volume.

Clips are normalised to an integrated loudness (ITU-R BS.1770 via pyloudnorm) and then peak
limited. -20 LUFS suits headset listening of speech (EBU R128's -23 is for broadcast with a
calibrated chain and sounds quiet on a laptop); the -3 dBFS sample-peak ceiling leaves headroom for
the browser's and the phone codec's resampling. Tones and earcons sit 6 LU lower: they should be
heard, not startle.
"""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from audio.wav import Samples, decode_wav, to_wav

TARGET_LUFS = -20.0
PEAK_LIMIT_DBFS = -3.0
TONE_TARGET_LUFS = -26.0
# pyloudnorm gates 400 ms blocks: shorter clips are measured on a repetition of themselves.
_MIN_MEASURE_SECONDS = 0.4
# Below this a clip is treated as silence and left alone (the BS.1770 absolute gate).
_SILENCE_LUFS = -70.0
_LIMITER_LOOKAHEAD_S = 0.005


def loudness_lufs(samples: Samples, rate: int) -> float:
    """Integrated loudness in LUFS; ``-inf`` for silence, clips under 0.4 s measured by tiling."""
    if samples.size == 0 or not np.any(samples):
        return -math.inf
    needed = math.ceil(_MIN_MEASURE_SECONDS * rate) + 1
    if samples.size < needed:
        samples = np.tile(samples, math.ceil(needed / samples.size))
    meter = pyloudnorm.Meter(rate)
    return float(meter.integrated_loudness(samples.astype(np.float64)))


def peak_dbfs(samples: Samples) -> float:
    """Sample peak in dBFS; ``-inf`` for silence."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit(samples: Samples, rate: int, ceiling_dbfs: float = PEAK_LIMIT_DBFS) -> Samples:
    """Look-ahead peak limiter: a smooth gain that never lets a sample over the ceiling.

    The gain each sample needs is spread by a minimum filter twice the smoothing window wide, so
    after the moving-average smoothing every sample still gets at most the gain it needs; a final
    clip guards against rounding.
    """
    ceiling = 10 ** (ceiling_dbfs / 20)
    magnitude = np.abs(samples)
    if magnitude.size == 0 or float(magnitude.max()) <= ceiling - 1 / 32768:
        return samples
    needed = np.minimum(1.0, ceiling / np.maximum(magnitude, 1e-12))
    window = max(1, int(_LIMITER_LOOKAHEAD_S * rate))
    spread = minimum_filter1d(needed, size=2 * window + 1, mode="nearest")
    gain = uniform_filter1d(spread, size=window + 1, mode="nearest")
    # One 16-bit step of margin so rounding to PCM cannot cross the ceiling.
    safe = ceiling - 1 / 32768
    limited: Samples = np.clip(samples * gain, -safe, safe).astype(np.float32)
    return limited


def normalise(
    samples: Samples,
    rate: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbfs: float = PEAK_LIMIT_DBFS,
) -> Samples:
    """Bring a clip to ``target_lufs`` with peaks at most ``ceiling_dbfs``; silence is unchanged.

    Limiting lowers loudness a little, so gain and limiter run again until the clip is within
    0.2 LU of the target: up to eight times, as a short, peaky line ("Come, scusi?") needed more
    than three to come within 1 LU.
    """
    out = samples.astype(np.float32)
    for _ in range(8):
        measured = loudness_lufs(out, rate)
        if measured < _SILENCE_LUFS:
            return out
        if abs(measured - target_lufs) <= 0.2 and peak_dbfs(out) <= ceiling_dbfs + 1e-6:
            break
        gain = 10 ** ((target_lufs - measured) / 20)
        out = limit((out * gain).astype(np.float32), rate, ceiling_dbfs)
    return out


def normalise_wav(
    wav: bytes, target_lufs: float = TARGET_LUFS, ceiling_dbfs: float = PEAK_LIMIT_DBFS
) -> bytes:
    """``normalise`` for a whole WAV file, keeping its sample rate."""
    samples, rate = decode_wav(wav)
    return to_wav(normalise(samples, rate, target_lufs, ceiling_dbfs), rate)


def settings() -> tuple[float, float, float]:
    """The loudness settings that change rendered audio: part of the render-cache key."""
    return (TARGET_LUFS, PEAK_LIMIT_DBFS, TONE_TARGET_LUFS)
