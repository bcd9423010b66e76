"""A caller heard through a telephone line: narrow band, and the room they are calling from.

Telephone band is 8 kHz sampling and 300-3400 Hz (ITU-T G.712's voice channel). A background
(office, street, car) is generated here from seeded noise, never downloaded, and mixed at a stated
signal-to-noise ratio measured on the voice's RMS. The result goes back to the usual loudness
(-20 LUFS with the peak limiter), so a noisy caller is no louder than a quiet one.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

from audio.loudness import normalise
from audio.wav import Samples, decode_wav, resample, to_wav

PHONE_RATE = 8_000
BAND_HZ = (300.0, 3400.0)
BACKGROUNDS = ("office", "street", "car")
DEFAULT_SNR_DB = 20.0


def band_limit(samples: Samples, rate: int) -> Samples:
    """The clip at 8 kHz through a 300-3400 Hz band-pass (4th-order Butterworth)."""
    narrow = resample(samples, rate, PHONE_RATE) if rate != PHONE_RATE else samples
    if narrow.size < 16:  # nothing to filter (a line of punctuation only)
        return narrow.astype(np.float32)
    sos = butter(4, BAND_HZ, btype="bandpass", fs=PHONE_RATE, output="sos")
    filtered: Samples = sosfilt(sos, narrow).astype(np.float32)
    return filtered


def background(kind: str, size: int, rate: int, seed: int = 0) -> Samples:
    """``size`` samples of a generated background, RMS 1.

    office: pink-ish noise with a slow murmur swell; street: brown noise with passing swells;
    car: low rumble (brown noise low-passed at 300 Hz, which the phone band mostly cuts, so a
    little hiss is kept).
    """
    if kind not in BACKGROUNDS:
        raise ValueError(f"unknown background {kind!r}: use one of {', '.join(BACKGROUNDS)}")
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(size)
    t = np.arange(size) / rate
    if kind == "office":
        sos = butter(1, 1000.0, btype="lowpass", fs=rate, output="sos")
        noise = sosfilt(sos, white) * (1.0 + 0.4 * np.sin(2 * np.pi * 0.3 * t))
    elif kind == "street":
        brown = np.cumsum(white)
        brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # no slow drift
        swell = 1.0 + 0.8 * np.clip(np.sin(2 * np.pi * 0.12 * t + rng.uniform(0, 6)), 0, None)
        noise = brown * swell
    else:
        brown = np.cumsum(white)
        brown -= np.convolve(brown, np.ones(401) / 401, mode="same")
        sos = butter(2, 300.0, btype="lowpass", fs=rate, output="sos")
        noise = sosfilt(sos, brown) + 0.05 * white * float(np.std(brown))
    rms = float(np.sqrt(np.mean(np.square(noise)))) or 1.0
    out: Samples = (noise / rms).astype(np.float32)
    return out


def mix(speech: Samples, noise: Samples, snr_db: float) -> Samples:
    """Speech plus noise scaled so that speech RMS / noise RMS is ``snr_db``."""
    voiced = speech[np.abs(speech) > 0.02 * float(np.max(np.abs(speech)) or 1.0)]
    speech_rms = float(np.sqrt(np.mean(np.square(voiced)))) if voiced.size else 0.0
    noise_rms = float(np.sqrt(np.mean(np.square(noise)))) or 1.0
    scale = speech_rms / noise_rms / (10 ** (snr_db / 20))
    mixed: Samples = (speech + noise * scale).astype(np.float32)
    return mixed


def on_the_line(
    wav: bytes, *, kind: str | None = None, snr_db: float = DEFAULT_SNR_DB, seed: int = 0
) -> bytes:
    """A rendered line as a caller on the phone sounds: band-limited, optional background,
    loudness-normalised again."""
    samples, rate = decode_wav(wav)
    narrow = band_limit(samples, rate)
    if kind is not None:
        noise = band_limit(background(kind, narrow.size, PHONE_RATE, seed), PHONE_RATE)
        narrow = mix(narrow, noise, snr_db)
    return to_wav(normalise(narrow, PHONE_RATE), PHONE_RATE)
