"""Real Whisper on real audio: human English and French, generated Italian, German and Spanish.

No timing is asserted (speed is in benchmarks/bench_asr.py). The Italian set is the acceptance
criterion of issue 10: trainee sentences in voices that are not the callers', over a telephone
channel with noise, transcribed at a word error rate of at most 0.35.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audio import asr_service
from audio.asr import recogniser_for
from audio.commands import list_models, transcribe
from audio.wer import corpus_word_error_rate, wer_words, word_error_rate
from audio.whisper import WhisperRecognizer, shared_whisper
from audio.whisper_model import MODEL_NAME, MODEL_SHA256, assemble, sha256_of
from simulator.errors import SpeechRecognitionError
from simulator.language.intents import intent_candidates, match_intent
from simulator.language.lexicon import BUILTIN_INTENTS
from simulator.ports import Recognition, SpeechRecognizer
from tests import speech_sets

REPO = Path(__file__).resolve().parents[2]
HUMAN = REPO / "tests/data/human-speech"
ITALIAN_WER_MAX = 0.35
# German and Spanish come from espeak-ng only (no Festival voice for them here), whose voices
# Whisper base hears badly: measured 0.71 (de) and 0.64 (es) at 30 dB SNR on the telephone band
# on one machine, 0.83 and 0.92 (de) on this one in two runs (int8 arithmetic differs with the
# CPU and its load). The checks catch a broken path (a wrong language or nothing heard gives
# about 1.0 everywhere), not a quality target: under 1.0 overall and one sentence mostly right.
OTHER_WER_MAX = 1.0
ONE_SENTENCE_WER_MAX = 0.5


@pytest.fixture(scope="module")
def models_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def whisper(models_root: Path) -> WhisperRecognizer:
    return shared_whisper(models_root)


def test_the_model_is_assembled_once_and_checked(models_root: Path) -> None:
    """Parts from the two wheels become one model.bin with the pinned sha256; a second call
    reuses it (same file, not rewritten)."""
    folder = assemble(models_root)
    assert folder == models_root / MODEL_NAME
    model = folder / "model.bin"
    assert sha256_of(model) == MODEL_SHA256
    written = model.stat().st_mtime_ns
    assert assemble(models_root) == folder
    assert model.stat().st_mtime_ns == written
    listed = {info.name: info for info in list_models(models_root)}
    assert listed[MODEL_NAME].size_bytes > 145_000_000
    assert "sha256 ok" in listed[MODEL_NAME].detail


def test_a_damaged_model_is_refused_with_the_reason(tmp_path: Path) -> None:
    """A part that is not the pinned one: refused, nothing left in place, the fix named."""
    first, second = tmp_path / "p1", tmp_path / "data" / "model.bin.part2"
    second.parent.mkdir()
    first.write_bytes(b"not a model")
    second.write_bytes(b"either")
    with pytest.raises(SpeechRecognitionError) as caught:
        assemble(tmp_path / "models", parts=(first, second))
    assert "sha256" in caught.value.message("en")
    assert "scripts/setup.sh" in caught.value.message("it")
    assert not (tmp_path / "models" / MODEL_NAME).exists()


def test_every_course_language_has_whisper(whisper: WhisperRecognizer, models_root: Path) -> None:
    """it, en, fr, de, es are all served by the same recogniser, which implements the port."""
    assert isinstance(whisper, SpeechRecognizer)
    for lang in ("it-IT", "en-GB", "fr-FR", "de-DE", "es-ES"):
        assert recogniser_for(lang, models_root) is whisper


def test_human_english(whisper: WhisperRecognizer) -> None:
    """The real 'one two three' recording, whatever digits or words Whisper writes."""
    wav = (HUMAN / "human-en-speech-recognition-example.wav").read_bytes()
    result = whisper.recognise(wav, "en-US")
    assert word_error_rate("one two three", result.transcript, "en") == 0.0, result
    assert result.engine.startswith("faster-whisper-")


def test_human_french_through_the_cli(models_root: Path) -> None:
    """The real French clip through ``simulator transcribe`` 's function: "la dictée numéro
    un" heard; the first word, swallowed in the recording ("si"/"c'est"), may differ."""
    path = HUMAN / "human-fr-speech-recognition-example.wav"
    result = transcribe(path, "fr-FR", (), models_root)
    heard = wer_words(result.transcript, "fr")
    assert heard[-4:] == ["la", "dictee", "numero", "1"], result


def test_italian_trainee_sentences_meet_the_wer_criterion(whisper: WhisperRecognizer) -> None:
    """Issue 10's acceptance: WER at most 0.35 over the Italian set (3 shifted Festival voices
    x 8 trainee sentences, telephone band, noise), counted over the whole set."""
    pairs = [
        (clip.text, whisper.recognise(clip.wav, "it-IT").transcript)
        for clip in speech_sets.clips("it")
    ]
    assert corpus_word_error_rate(pairs, "it") <= ITALIAN_WER_MAX, pairs


@pytest.mark.parametrize("lang", ["de", "es"])
def test_german_and_spanish_sentences_are_transcribed(
    whisper: WhisperRecognizer, lang: str
) -> None:
    """An espeak-ng trainee voice, every sentence: WER under the stated bound."""
    pairs = [
        (c.text, whisper.recognise(c.wav, lang).transcript)
        for c in speech_sets.clips(lang, voices=1)
    ]
    assert corpus_word_error_rate(pairs, lang) < OTHER_WER_MAX, pairs
    assert min(word_error_rate(ref, heard, lang) for ref, heard in pairs) <= ONE_SENTENCE_WER_MAX


def _intent(heard: Recognition, candidates: dict[str, list[str]], rescored: bool) -> str:
    alternatives = heard.alternatives if rescored else ()
    found = match_intent(heard.transcript, candidates, "it-IT", alternatives=alternatives)
    return found.intent if found else ""


def test_rescoring_restores_the_expected_phrases_whisper_misheard(
    whisper: WhisperRecognizer,
) -> None:
    """The Italian set with its intents expected: the rewrites the audio supports bring the
    intents found to 90% or more (measured 23/24 here, 17/24 from the transcript alone), and
    none of them is an intent the trainee did not mean."""
    clips = speech_sets.clips("it")
    candidates = intent_candidates(sorted({c.intent for c in clips}), "it-IT")
    expected = [p for phrases in candidates.values() for p in phrases]
    found = [
        (clip.intent, _intent(whisper.recognise(clip.wav, "it-IT", expected), candidates, True))
        for clip in clips
    ]
    right = sum(said == heard for said, heard in found)
    assert right >= 0.9 * len(clips), found
    assert all(heard in ("", said) for said, heard in found), found


def test_nothing_is_credited_that_was_not_said(whisper: WhisperRecognizer) -> None:
    """Never-expected sentences, office talk among them, with every builtin Italian phrase
    expected: neither the transcript nor a rescored rewrite expresses any intent."""
    builtin = sorted(i for i, by_lang in BUILTIN_INTENTS.items() if by_lang.get("it"))
    candidates = intent_candidates(builtin, "it-IT")
    expected = [p for phrases in candidates.values() for p in phrases]
    credited = []
    for clip in speech_sets.never_expected_clips("it"):
        heard = whisper.recognise(clip.wav, "it-IT", expected)
        if _intent(heard, candidates, True):
            credited.append((clip.text, heard))
    assert credited == []


def test_the_pool_recognises_off_the_calling_thread(models_root: Path) -> None:
    """The default service: a spawned process with its own model answers the clip."""
    wav = (HUMAN / "human-en-speech-recognition-example.wav").read_bytes()
    pool = asr_service.PoolService(models_root, workers=1)
    try:
        result = pool.recognise(asr_service.Job(wav, "en"), timeout=120)
    finally:
        pool.close()
    assert word_error_rate("one two three", result.transcript, "en") == 0.0


def test_the_pool_sends_bad_audio_errors_back(models_root: Path) -> None:
    """An error in the pool process reaches the waiting thread as the same error, with its code."""
    from audio.errors import AudioInputError

    pool = asr_service.PoolService(models_root, workers=1)
    try:
        with pytest.raises(AudioInputError) as caught:
            pool.recognise(asr_service.Job(b"RIFF nonsense", "it"), timeout=120)
    finally:
        pool.close()
    assert caught.value.code == "not_wav"


def test_redis_queue_and_worker(models_root: Path) -> None:
    """With Redis, a clip queued by the web side is answered by an ``asr-worker`` loop."""
    import threading

    import redis

    url = "redis://127.0.0.1:6379/10"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379: sudo apt-get install redis-server")
    worker = threading.Thread(target=asr_service.serve_redis, args=(url, models_root, True))
    worker.start()
    wav = (HUMAN / "human-en-speech-recognition-example.wav").read_bytes()
    result = asr_service.RedisService(url).recognise(asr_service.Job(wav, "en"), timeout=120)
    worker.join()
    assert word_error_rate("one two three", result.transcript, "en") == 0.0


def test_a_line_of_digits_is_not_heard_as_a_loop(whisper: WhisperRecognizer) -> None:
    """The Prefettura's switchboard number in the female Festival caller voice: the greedy decode
    loops ("1, 1, 1, ..." to the token limit), so it is decoded again with a beam; the number
    and the rest of the sentence come back."""
    from faster_whisper.transcribe import get_compression_ratio

    from audio.commands import caller_lines
    from audio.tts import caller_synthesizer
    from simulator.loader import load_library

    library = load_library(REPO / "scenarios")
    synthesizer = caller_synthesizer()
    wav = next(
        synthesizer.render(text, spec)
        for loaded in library.scenarios.values()
        for text, spec in caller_lines(loaded.scenario, library.companies[loaded.scenario.company])
        if text.startswith("Il centralino della Prefettura") and spec.voice == "voice_lp_diphone"
    )
    heard = whisper.recognise(wav, "it-IT").transcript
    assert get_compression_ratio(heard) <= 2.4, heard
    assert "gabinetto" in heard.lower(), heard
