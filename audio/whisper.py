"""``SpeechRecognizer`` on faster-whisper: Whisper base, offline, in it, en, fr, de and es.

Free transcription, never snapped to an expected phrase: the intent layer matches what Whisper
wrote, so a trainee is credited only with what they said (pocketsphinx's grammar search took 37%
of never-expected phrases for expected ones). Settings measured on a 2-core machine (SPEECH.md):
int8, 2 threads, beam 1, temperature 0 (no fallback re-decodes), no timestamps: about 0.7-0.95 s a
clip on a quiet machine, because Whisper always encodes a 30 s window.

Hints, measured (benchmarks/bench_asr.py, Italian set): ``initial_prompt`` with the expected
sentence made it drop words (SPEECH.md); as ``hotwords`` the exact sentence cuts WER to 0.03, which
is the bias that would credit a phrase not said, so expected phrases are never hints; the call's
names (company, staff, departments, caller) as hotwords raised WER from 0.21 to 0.38 on sentences
without names. So the first decode has no hints; below ``LOW_CONFIDENCE`` a second decode with the
names runs, and when it differs it becomes the alternative the trainee may pick at confirmation.

Confidence is the mean token probability, lowered by the no-speech probability.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from audio.tts import language_code
from audio.wav import for_recognition, read_wav
from audio.whisper_model import assemble
from simulator.errors import SpeechRecognitionError
from simulator.ports import Recognition

LANGUAGES = ("it", "en", "fr", "de", "es")
# Under this the console asks the trainee to confirm (and offers the alternative).
LOW_CONFIDENCE = 0.5
BEAM_SIZE = 1
_MAX_HOTWORD_CHARS = 300
_CPU_THREADS = 2


def hotword_text(names: Sequence[str]) -> str | None:
    """Names joined for Whisper's prompt, without duplicates, cut to a few dozen tokens."""
    unique = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    text = ", ".join(unique)[:_MAX_HOTWORD_CHARS]
    return text or None


def confidence_of(segments: Sequence[Any]) -> float:
    """Mean token probability over segments weighted by length, times (1 - no-speech)."""
    if not segments:
        return 0.0
    weights = [max(1, len(s.tokens)) for s in segments]
    logprob = sum(s.avg_logprob * w for s, w in zip(segments, weights, strict=True)) / sum(weights)
    speech = 1.0 - max(s.no_speech_prob for s in segments)
    return float(max(0.0, min(1.0, math.exp(logprob) * (0.5 + 0.5 * speech))))


class WhisperRecognizer:
    """One faster-whisper model per process, loaded on first use under a lock.

    CTranslate2 runs one transcription at a time well on two cores; a lock serialises callers so
    two threads never fight for the same cores (parallelism comes from pool processes).
    """

    def __init__(
        self, models_root: Path, cpu_threads: int = _CPU_THREADS, beam_size: int = BEAM_SIZE
    ) -> None:
        self.models_root = models_root
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self.engine = f"faster-whisper-{metadata.version('faster-whisper')}/base"

    def model(self) -> Any:
        """The loaded model (assembled from the wheels and checked the first time)."""
        with self._load_lock:
            if self._model is None:
                folder = assemble(self.models_root)
                from faster_whisper import WhisperModel

                self._model = WhisperModel(
                    str(folder), device="cpu", compute_type="int8", cpu_threads=self.cpu_threads
                )
            return self._model

    def _decode(self, audio: Any, code: str, hotwords: str | None) -> tuple[str, float]:
        with self._run_lock:
            segments, _info = self.model().transcribe(
                audio,
                language=code,
                beam_size=self.beam_size,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
                hotwords=hotwords,
            )
            found = list(segments)
        text = " ".join(s.text.strip() for s in found).strip()
        return text, confidence_of(found)

    def transcribe(self, wav: bytes, lang: str, hints: Sequence[str] = ()) -> tuple[str, float]:
        """One decode with ``hints`` as hotwords: (text, confidence). For measuring hints."""
        samples, rate = read_wav(wav)
        return self._decode(
            for_recognition(samples, rate), language_code(lang), hotword_text(hints)
        )

    def recognise(
        self, wav: bytes, lang: str, expected: Sequence[str] = (), names: Sequence[str] = ()
    ) -> Recognition:
        """Transcribe one utterance in the call's language.

        ``expected`` is accepted for the port but not used to bias: see the module docstring.

        Raises:
            AudioInputError: The clip is not usable audio.
            SpeechRecognitionError: The language is not one Whisper serves here, or the model
                cannot be assembled (the message says why).
        """
        code = language_code(lang)
        if code not in LANGUAGES:
            raise SpeechRecognitionError(
                f"Lingua '{lang}' non prevista per il riconoscimento (it, en, fr, de, es).",
                f"Language '{lang}' is not served by recognition (it, en, fr, de, es).",
            )
        samples, rate = read_wav(wav)
        audio = for_recognition(samples, rate)
        hotwords = hotword_text(names)
        text, confidence = self._decode(audio, code, None)
        alternatives: tuple[str, ...] = ()
        if confidence < LOW_CONFIDENCE and hotwords:
            other, _ = self._decode(audio, code, hotwords)
            if other and other != text:
                alternatives = (other,)
        return Recognition(text, confidence, alternatives, self.engine)


_SHARED: dict[Path, WhisperRecognizer] = {}
_SHARED_LOCK = threading.Lock()


def shared_whisper(models_root: Path, cpu_threads: int | None = None) -> WhisperRecognizer:
    """The process's recogniser for a models folder (the model itself loads on first use).

    ``cpu_threads`` applies when it is first created (pool processes split the cores).
    """
    key = models_root.resolve()
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = WhisperRecognizer(models_root, cpu_threads or _CPU_THREADS)
        return _SHARED[key]
