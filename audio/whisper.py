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

Expected phrases are used after the fact instead: the transcript rewritten with a near expected
phrase (``simulator.language.hypotheses``) is scored against the same audio by forced alignment,
and a rewrite whose log-likelihood is close to that of what was heard (``RESCORE_MARGIN`` in all,
``RESCORE_PER_TOKEN`` per token changed) becomes an alternative for the intent matcher ("e lo
farso subito" -> "e glielo passo subito"). Measured on the Italian trainee set against every
builtin Italian phrase (benchmarks/bench_asr.py): the rewrites that restore what was said lost at
most 1.8 nats per changed token, the nearest rewrites of never-expected sentences 2.5 or more
("il direttore è partito per Roma" -> "... è perfetto per Roma").

Confidence is the mean token probability, lowered by the no-speech probability.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from audio.tts import language_code
from audio.wav import for_recognition, read_wav
from audio.whisper_model import assemble
from simulator.errors import SpeechRecognitionError
from simulator.language.hypotheses import phrase_hypotheses
from simulator.language.intents import MATCH_THRESHOLD, phrase_present
from simulator.ports import Recognition

LANGUAGES = ("it", "en", "fr", "de", "es")
# Under this the console asks the trainee to confirm (and offers the alternative).
LOW_CONFIDENCE = 0.5
BEAM_SIZE = 1
_MAX_HOTWORD_CHARS = 300
_CPU_THREADS = 2
# A rewrite with an expected phrase is an alternative when it is at most this many nats less
# likely than the transcript, and at most ``RESCORE_PER_TOKEN`` nats for each token it changes
# (see the module docstring).
RESCORE_MARGIN = 9.0
RESCORE_PER_TOKEN = 2.0
# A decode that compresses this well is repeating itself ("1, 1, 1, ..." on a line of digits):
# Whisper's own threshold. It is decoded again with a beam, which does not loop there.
_LOOPING_RATIO = 2.4
_LOOP_BEAM = 5
# faster-whisper's own rule for a window with no speech in it.
_NO_SPEECH_PROB = 0.6
_NO_SPEECH_LOGPROB = -1.0


def hotword_text(names: Sequence[str]) -> str | None:
    """Names joined for Whisper's prompt, without duplicates, cut to a few dozen tokens."""
    unique = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    text = ", ".join(unique)[:_MAX_HOTWORD_CHARS]
    return text or None


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

    def _encode(self, audio: Any) -> tuple[Any, int]:
        """The encoder's output for one clip (Whisper's 30 s window) and its speech frames."""
        from faster_whisper.audio import pad_or_trim

        model = self.model()
        features = model.feature_extractor(audio)
        frames = features.shape[-1] - 1
        return model.encode(pad_or_trim(features[:, :frames])), frames

    def _generate(
        self, encoded: Any, tokenizer: Any, hotwords: str | None, beam_size: int = 0
    ) -> tuple[str, float]:
        """Greedy decode of an encoded clip, as faster-whisper's ``transcribe`` does it; a decode
        that repeats itself is done again with a beam."""
        from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

        model = self.model()
        beam = beam_size or self.beam_size
        prompt = model.get_prompt(tokenizer, [], without_timestamps=True, hotwords=hotwords)
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=beam,
            max_length=model.max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        )[0]
        tokens = result.sequences_ids[0]
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        if result.no_speech_prob > _NO_SPEECH_PROB and avg_logprob < _NO_SPEECH_LOGPROB:
            return "", 0.0
        text = tokenizer.decode(tokens).strip()
        if beam < _LOOP_BEAM and get_compression_ratio(text) > _LOOPING_RATIO:
            return self._generate(encoded, tokenizer, hotwords, _LOOP_BEAM)
        speech = 1.0 - result.no_speech_prob
        return text, float(max(0.0, min(1.0, math.exp(avg_logprob) * (0.5 + 0.5 * speech))))

    def _log_likelihoods(
        self, encoded: Any, frames: int, tokenizer: Any, tokens: list[list[int]]
    ) -> list[float]:
        """Summed log-probability of each token sequence given the clip (forced alignment, one
        batch)."""
        import ctranslate2
        import numpy as np

        batch = ctranslate2.StorageView.from_array(
            np.repeat(np.asarray(encoded), len(tokens), axis=0)
        )
        results = self.model().model.align(batch, tokenizer.sot_sequence, tokens, frames)
        return [
            float(np.sum(np.log(np.maximum(np.asarray(r.text_token_probs), 1e-9)))) for r in results
        ]

    @staticmethod
    def _tokens(tokenizer: Any, text: str) -> list[int]:
        return list(tokenizer.encode(" " + text.strip()))

    def _tokenizer(self, code: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        model = self.model()
        return Tokenizer(model.hf_tokenizer, True, task="transcribe", language=code)

    def transcribe(self, wav: bytes, lang: str, hints: Sequence[str] = ()) -> tuple[str, float]:
        """One decode with ``hints`` as hotwords: (text, confidence). For measuring hints."""
        samples, rate = read_wav(wav)
        with self._run_lock:
            encoded, _ = self._encode(for_recognition(samples, rate))
            return self._generate(
                encoded, self._tokenizer(language_code(lang)), hotword_text(hints)
            )

    def _rescored(
        self,
        encoded: Any,
        frames: int,
        tokenizer: Any,
        text: str,
        expected: Sequence[str],
        lang: str,
    ) -> list[tuple[str, float]]:
        """Rewrites of ``text`` with an expected phrase that the clip supports, best first, with
        how many nats each is below (negative) or above the transcript.

        None when the transcript already holds an expected phrase: a rewrite is for what the
        recogniser misheard, never a second reading of what it heard well.
        """
        if phrase_present(text, expected, lang, threshold=MATCH_THRESHOLD) is not None:
            return []
        rewrites = phrase_hypotheses(text, expected, lang)
        if not rewrites:
            return []
        said, *written = [self._tokens(tokenizer, t) for t in (text, *rewrites)]
        heard, *scores = self._log_likelihoods(encoded, frames, tokenizer, [said, *written])
        found = []
        for rewrite, tokens, score in zip(rewrites, written, scores, strict=True):
            margin = score - heard
            changed = max(1, Levenshtein.distance(said, tokens))
            if margin >= -RESCORE_MARGIN and margin >= -RESCORE_PER_TOKEN * changed:
                found.append((rewrite, margin))
        return sorted(found, key=lambda pair: -pair[1])

    def recognise(
        self, wav: bytes, lang: str, expected: Sequence[str] = (), names: Sequence[str] = ()
    ) -> Recognition:
        """Transcribe one utterance in the call's language.

        ``expected`` never biases the decode; rewrites with them that the audio supports are
        returned as alternatives (see the module docstring).

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
        with self._run_lock:
            encoded, frames = self._encode(audio)
            tokenizer = self._tokenizer(code)
            text, confidence = self._generate(encoded, tokenizer, None)
            alternatives: list[str] = []
            if confidence < LOW_CONFIDENCE and hotwords:
                other, _ = self._generate(encoded, tokenizer, hotwords)
                if other and other != text:
                    alternatives.append(other)
            verified = (
                self._rescored(encoded, frames, tokenizer, text, expected, lang) if text else []
            )
        alternatives.extend(r for r, _ in verified if r not in alternatives)
        engine = f"{self.engine}/rescored" if verified else self.engine
        return Recognition(text, confidence, tuple(alternatives), engine)


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
