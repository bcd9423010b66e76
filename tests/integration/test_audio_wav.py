"""Bad audio input is refused with a specific code and messages in Italian and English."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from audio.errors import AudioInputError
from audio.wav import RECOGNITION_RATE, for_recognition, read_wav, to_wav
from simulator.errors import SpeechRecognitionError


def tone_wav(seconds: float, rate: int = 16_000, amplitude: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return to_wav((amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate)


def raw_wav(width: int, channels: int, rate: int, frames: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(bytes(range(256)) * (frames * width * channels // 256 + 1))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not audio at all, just some text" * 10, "not_wav"),
        (b"OggS" + bytes(400), "not_wav"),
        (b"RIFF\x24\x00\x00\x00WAVEjunk", "bad_format"),
        (raw_wav(1, 1, 16_000, 16_000), "bad_format"),
        (raw_wav(3, 1, 16_000, 16_000), "bad_format"),
        (raw_wav(2, 6, 16_000, 16_000), "bad_format"),
        (raw_wav(2, 1, 4_000, 16_000), "bad_format"),
        (tone_wav(31.0), "too_long"),
        (tone_wav(0.05), "too_short"),
        (to_wav(np.zeros(16_000, dtype=np.float32), 16_000), "silent"),
        (tone_wav(2.0, amplitude=0.0005), "silent"),
    ],
)
def test_bad_input_raises_its_code(data: bytes, code: str) -> None:
    """Each kind of unusable clip has its own code; all are SpeechRecognitionErrors."""
    with pytest.raises(AudioInputError) as caught:
        read_wav(data)
    assert caught.value.code == code
    assert isinstance(caught.value, SpeechRecognitionError)
    assert caught.value.message("it") != caught.value.message("en")


def test_too_big_is_checked_before_parsing() -> None:
    """A huge upload is refused by size without being decoded."""
    with pytest.raises(AudioInputError) as caught:
        read_wav(tone_wav(2.0), max_bytes=1000)
    assert caught.value.code == "too_big"


def test_limits_are_configurable() -> None:
    """max_seconds is a parameter (the web layer may allow longer dictation)."""
    samples, rate = read_wav(tone_wav(31.0), max_seconds=40.0)
    assert rate == 16_000 and samples.size == 31 * 16_000


def test_stereo_44k_is_mixed_down_and_resampled_to_16k() -> None:
    """Browsers send 44.1/48 kHz stereo; recognition gets 16 kHz mono at the same pitch."""
    rate = 44_100
    t = np.arange(rate) / rate
    left = (0.5 * np.sin(2 * np.pi * 1000 * t) * 32767).astype("<i2")
    stereo = np.stack([left, left], axis=1).tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(stereo)
    samples, got_rate = read_wav(buffer.getvalue())
    assert got_rate == rate
    down = for_recognition(samples, got_rate)
    assert down.size == RECOGNITION_RATE
    spectrum = np.abs(np.fft.rfft(down))
    assert abs(np.argmax(spectrum) * RECOGNITION_RATE / down.size - 1000) < 2
