"""Recording the trainee from the default microphone in a terminal (``/parla`` in practice).

Needs the Python package ``sounddevice`` and the PortAudio library (Debian ``libportaudio2``);
PyAudio is not used because it has no Linux wheel. ``record_speech`` (hands-free, the default
of ``/parla``) records until silero's end of speech; ``record_until`` until the trainee presses
Enter. Both at the 16 kHz mono 16-bit the recognisers expect, at most ``MAX_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from audio.wav import MAX_SECONDS, RECOGNITION_RATE, to_wav
from simulator.errors import SpeechRecognitionError

INSTALL_HINT_IT = (
    "Per parlare dal terminale installa PortAudio e sounddevice: "
    "'sudo apt-get install libportaudio2' e '.venv/bin/pip install sounddevice'. "
    "Intanto scrivi la risposta, oppure usa /ascolta FILE.wav."
)
INSTALL_HINT_EN = (
    "To speak from the terminal install PortAudio and sounddevice: "
    "'sudo apt-get install libportaudio2' and '.venv/bin/pip install sounddevice'. "
    "Meanwhile type your reply, or use /listen FILE.wav."
)


class MicrophoneUnavailableError(SpeechRecognitionError):
    """No microphone can be used: the library is missing or there is no input device."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:  # OSError: "PortAudio library not found"
        raise MicrophoneUnavailableError(
            f"Microfono non disponibile ({exc}). {INSTALL_HINT_IT}",
            f"Microphone unavailable ({exc}). {INSTALL_HINT_EN}",
        ) from exc
    return sounddevice


def check_microphone() -> None:
    """Raise ``MicrophoneUnavailableError`` (saying why and how to fix it) if none is usable."""
    sounddevice = _sounddevice()
    try:
        sounddevice.query_devices(kind="input")
    except Exception as exc:  # PortAudioError or ValueError: no default input device
        raise MicrophoneUnavailableError(
            f"Nessun microfono trovato ({exc}): collega un microfono o delle cuffie con "
            "microfono, oppure scrivi la risposta.",
            f"No microphone found ({exc}): plug in a microphone or a headset, or type your reply.",
        ) from exc


def record_until(wait: Callable[[], object]) -> bytes:
    """Record while ``wait()`` blocks (e.g. until Enter) and return a 16 kHz mono WAV.

    Raises:
        MicrophoneUnavailableError: No microphone or PortAudio.
    """
    check_microphone()
    sounddevice = _sounddevice()
    chunks: list[np.ndarray[Any, np.dtype[np.float32]]] = []
    limit = int(MAX_SECONDS * RECOGNITION_RATE)

    def collect(indata: Any, frames: int, time: Any, status: Any) -> None:
        if sum(len(c) for c in chunks) < limit:
            chunks.append(np.array(indata[:, 0], dtype=np.float32))

    with sounddevice.InputStream(
        samplerate=RECOGNITION_RATE, channels=1, dtype="float32", callback=collect
    ):
        wait()
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return to_wav(samples[:limit], RECOGNITION_RATE)


def record_speech(on_start: Callable[[], object] | None = None) -> bytes:
    """Record one utterance hands-free: from the start of speech to its end (silero VAD).

    ``on_start`` runs when speech starts (the terminal stops the caller's audio: barge-in).

    Raises:
        MicrophoneUnavailableError: No microphone or PortAudio.
    """
    import queue

    from audio.vad import Segmenter

    check_microphone()
    sounddevice = _sounddevice()
    blocks: queue.Queue[np.ndarray[Any, np.dtype[np.float32]]] = queue.Queue()
    segmenter = Segmenter()

    def collect(indata: Any, frames: int, time: Any, status: Any) -> None:
        blocks.put(np.array(indata[:, 0], dtype=np.float32))

    heard = 0
    limit = int(MAX_SECONDS * RECOGNITION_RATE)
    with sounddevice.InputStream(
        samplerate=RECOGNITION_RATE, channels=1, dtype="float32", callback=collect
    ):
        while heard < limit:
            block = blocks.get()
            was_started = segmenter.started
            if segmenter.push(block):
                break
            if segmenter.started and not was_started and on_start is not None:
                on_start()
            if segmenter.started:
                heard += block.size
    return to_wav(segmenter.utterance()[:limit], RECOGNITION_RATE)
