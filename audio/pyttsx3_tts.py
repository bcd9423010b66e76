"""Text to speech through pyttsx3 on libespeak-ng: the engine the issue named, kept selectable.

Choose it with ``CENTRALINO_TTS_ENGINE=pyttsx3`` (the default is ``espeak``, see ``audio/tts.py``
for the measurements behind that choice). Known limitations of pyttsx3 2.99 that this adapter
designs around, and the ones it cannot fix:
- only the last ``save_to_file`` queued before ``runAndWait`` is produced: one file per loop;
- about 4% of renders come back empty: an empty or header-only file is rendered again (3 tries);
- an unknown voice id is ignored silently: voices are checked against the engine's own list, and
  variants against espeak-ng's ``voices/!v`` folder when it can be found;
- NOT fixed: the speaking rate is not applied in ``save_to_file`` (every rate gives the same
  length) and ``getProperty('rate')`` answers 175; personas' ``rate`` is therefore ignored here;
- the driver prints "Audio saved to ..." on stdout: it is captured while rendering;
- one process-wide engine: renders are serialised with a lock (about 10-15 ms each).
Requires the Debian package ``libespeak-ng1``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import tempfile
import threading
import wave
from importlib import metadata
from pathlib import Path
from typing import Any

from audio.loudness import normalise_wav
from simulator.errors import SpeechSynthesisError
from simulator.ports import VoiceSpec

_RETRIES = 3
_VARIANT_DIRS = (
    Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v"),
    Path("/usr/lib/aarch64-linux-gnu/espeak-ng-data/voices/!v"),
    Path("/usr/share/espeak-ng-data/voices/!v"),
)


def _frames(wav: bytes) -> int:
    """Audio frames in a WAV file, 0 when it is empty or unreadable."""
    try:
        with wave.open(io.BytesIO(wav), "rb") as reader:
            return reader.getnframes()
    except (wave.Error, EOFError):
        return 0


def _variants() -> frozenset[str] | None:
    """Variant names espeak-ng ships, or ``None`` when its data folder is not found."""
    for folder in _VARIANT_DIRS:
        if folder.is_dir():
            return frozenset(p.name for p in folder.iterdir() if p.is_file())
    return None


class Pyttsx3Synthesizer:
    """``SpeechSynthesizer`` on pyttsx3's espeak driver, returning loudness-normalised WAV."""

    def __init__(self, *, normalise: bool = True) -> None:
        """Start the pyttsx3 engine and read its voices once.

        Raises:
            SpeechSynthesisError: pyttsx3 or libespeak-ng is missing.
        """
        try:
            import pyttsx3

            self._engine: Any = pyttsx3.init("espeak")
        except (ImportError, RuntimeError, OSError) as exc:
            raise SpeechSynthesisError(
                f"pyttsx3 non disponibile ({exc}): installa il pacchetto 'libespeak-ng1' oppure "
                "usa CENTRALINO_TTS_ENGINE=espeak.",
                f"pyttsx3 unavailable ({exc}): install the 'libespeak-ng1' package or use "
                "CENTRALINO_TTS_ENGINE=espeak.",
            ) from exc
        self._voices = frozenset(str(v.id).lower() for v in self._engine.getProperty("voices"))
        self._variants = _variants()
        self._normalise = normalise
        self._lock = threading.Lock()
        self._version = f"pyttsx3-{metadata.version('pyttsx3')}-espeak"
        # pyttsx3's driver errors in __del__ if it outlives the interpreter's modules.
        atexit.register(self.close)

    def close(self) -> None:
        """Release the engine (also done at exit)."""
        with self._lock:
            self._engine = None

    @property
    def engine_version(self) -> str:
        """e.g. ``pyttsx3-2.99-espeak`` (part of the cache key: never mixed with espeak-ng's)."""
        return self._version

    def check(self, voice: VoiceSpec) -> None:
        """Raise ``SpeechSynthesisError`` when the voice or variant does not exist."""
        if voice.voice.lower() not in self._voices:
            raise SpeechSynthesisError(
                f"Voce sconosciuta per pyttsx3: '{voice.voice}'.",
                f"Unknown pyttsx3 voice: '{voice.voice}'.",
            )
        if voice.variant and self._variants is not None and voice.variant not in self._variants:
            raise SpeechSynthesisError(
                f"Variante sconosciuta: '{voice.variant}'.", f"Unknown variant: '{voice.variant}'."
            )

    def _render_once(self, text: str, voice: VoiceSpec, path: Path) -> bytes:
        if self._engine is None:
            raise SpeechSynthesisError("pyttsx3 chiuso.", "pyttsx3 is closed.")
        path.unlink(missing_ok=True)
        self._engine.setProperty("voice", voice.engine_id)
        self._engine.setProperty("rate", voice.rate)  # not applied by pyttsx3 2.99 (see above)
        self._engine.setProperty("pitch", voice.pitch)
        with contextlib.redirect_stdout(io.StringIO()):
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
        return path.read_bytes() if path.exists() else b""

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        """Synthesise one line as a 22,050 Hz 16-bit mono WAV, retrying empty output."""
        if not text.strip():
            raise SpeechSynthesisError(
                "Testo vuoto: niente da dire.", "Empty text: nothing to say."
            )
        self.check(voice)
        wav = b""
        with self._lock, tempfile.TemporaryDirectory(prefix="centralino-tts-") as folder:
            path = Path(folder) / "line.wav"
            for _ in range(_RETRIES):
                wav = self._render_once(text, voice, path)
                if _frames(wav) > 0:
                    break
        if _frames(wav) == 0:
            raise SpeechSynthesisError(
                f"pyttsx3 non ha prodotto audio dopo {_RETRIES} tentativi.",
                f"pyttsx3 produced no audio after {_RETRIES} tries.",
            )
        return normalise_wav(wav) if self._normalise else wav
