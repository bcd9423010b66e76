"""Reading, checking, writing and resampling WAV clips.

Uploaded clips come from browsers and phones we do not control, so every way a clip can be unusable
has its own ``AudioInputError`` code; the web layer answers those with a 4xx, never a 500.
"""

from __future__ import annotations

import io
import math
import wave
from math import gcd

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

from audio.errors import AudioInputError

Samples = npt.NDArray[np.float32]

RECOGNITION_RATE = 16_000
MAX_SECONDS = 30.0
MAX_BYTES = 8 * 1024 * 1024
MIN_SECONDS = 0.1
# A clip whose RMS is below this carries no speech a recogniser could use (dBFS).
SILENCE_DBFS = -60.0


def rms_dbfs(samples: Samples) -> float:
    """RMS level in dBFS; ``-inf`` for digital silence."""
    if samples.size == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def read_wav(
    data: bytes,
    *,
    max_seconds: float = MAX_SECONDS,
    max_bytes: int = MAX_BYTES,
    silence_dbfs: float = SILENCE_DBFS,
    min_seconds: float = MIN_SECONDS,
) -> tuple[Samples, int]:
    """Decode a 16-bit PCM WAV into float32 mono samples in [-1, 1] and its sample rate.

    Raises:
        AudioInputError: ``too_big``, ``not_wav``, ``bad_format``, ``too_short``, ``too_long``
            or ``silent``, each with an Italian and an English message.
    """
    if len(data) > max_bytes:
        raise AudioInputError(
            "too_big",
            f"File audio troppo grande ({len(data)} byte, massimo {max_bytes}).",
            f"Audio file too large ({len(data)} bytes, at most {max_bytes}).",
        )
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioInputError(
            "not_wav",
            "Il file non è un WAV: registra di nuovo o invia un file WAV.",
            "The file is not a WAV: record again or send a WAV file.",
        )
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioInputError(
            "bad_format",
            f"Formato WAV non supportato ({exc}): serve PCM a 16 bit.",
            f"Unsupported WAV format ({exc}): 16-bit PCM is needed.",
        ) from exc
    if width != 2 or channels not in (1, 2) or not 8_000 <= rate <= 48_000:
        raise AudioInputError(
            "bad_format",
            f"Formato WAV non supportato ({width * 8} bit, {channels} canali, {rate} Hz): "
            "serve PCM a 16 bit, mono o stereo, 8-48 kHz.",
            f"Unsupported WAV format ({width * 8}-bit, {channels} channels, {rate} Hz): "
            "16-bit PCM, mono or stereo, 8-48 kHz is needed.",
        )
    pcm = np.frombuffer(frames[: len(frames) - len(frames) % (2 * channels)], dtype="<i2")
    samples = (pcm.reshape(-1, channels).mean(axis=1) / 32768.0).astype(np.float32)
    seconds = samples.size / rate
    if seconds < min_seconds:
        raise AudioInputError(
            "too_short",
            f"Registrazione troppo breve ({seconds:.2f} s).",
            f"Recording too short ({seconds:.2f} s).",
        )
    if seconds > max_seconds:
        raise AudioInputError(
            "too_long",
            f"Registrazione troppo lunga ({seconds:.1f} s, massimo {max_seconds:.0f} s).",
            f"Recording too long ({seconds:.1f} s, at most {max_seconds:.0f} s).",
        )
    if rms_dbfs(samples) < silence_dbfs:
        raise AudioInputError(
            "silent",
            "Non si sente nulla: controlla il microfono e riprova.",
            "Nothing can be heard: check the microphone and try again.",
        )
    return samples, rate


def to_wav(samples: Samples, rate: int) -> bytes:
    """Encode float samples in [-1, 1] as a 16-bit PCM mono WAV file."""
    pcm = np.round(np.clip(samples, -1.0, 32767 / 32768) * 32768).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def decode_wav(data: bytes) -> tuple[Samples, int]:
    """Decode a WAV we produced ourselves, without the upload limits (silence is allowed)."""
    return read_wav(
        data, max_seconds=math.inf, max_bytes=2**62, silence_dbfs=-math.inf, min_seconds=0.0
    )


def resample(samples: Samples, rate: int, target: int) -> Samples:
    """Polyphase resampling (anti-aliased), exact for any pair of integer rates."""
    if rate == target:
        return samples
    common = gcd(rate, target)
    out = resample_poly(samples, target // common, rate // common)
    return np.asarray(out, dtype=np.float32)


def for_recognition(samples: Samples, rate: int) -> Samples:
    """Mono float samples at the 16 kHz both recognisers expect."""
    return resample(samples, rate, RECOGNITION_RATE)


def to_pcm16(samples: Samples) -> bytes:
    """Raw little-endian 16-bit PCM, the input pocketsphinx and Vosk take."""
    return np.round(np.clip(samples, -1.0, 32767 / 32768) * 32768).astype("<i2").tobytes()
