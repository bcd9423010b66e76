"""pocketsphinx, the English fallback without the Whisper wheels: espeak-ng speech and a real
human recording; and which engine serves which language (Whisper: test_audio_whisper.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio.asr import SphinxRecognizer, VoskRecognizer, recogniser_for, shared_sphinx
from audio.commands import transcribe
from audio.tts import EspeakSynthesizer, voice_for
from audio.wav import to_wav
from simulator.errors import SpeechRecognitionError
from simulator.model import Voice
from simulator.ports import SpeechRecognizer, VoiceSpec

TRANSFER_STEP = [
    "I'll put you through.",
    "Could you hold the line, please?",
    "May I ask who is calling?",
]
REPO = Path(__file__).resolve().parents[2]
HUMAN_EN = REPO / "tests/data/human-speech/human-en-speech-recognition-example.wav"


@pytest.fixture(scope="module")
def human_wav() -> bytes:
    """The real 'one two three' recording (BSD-3, see tests/data/human-speech/README.md)."""
    return HUMAN_EN.read_bytes()


@pytest.fixture(scope="module")
def sphinx() -> SphinxRecognizer:
    return shared_sphinx()


@pytest.fixture(scope="module")
def synth() -> EspeakSynthesizer:
    return EspeakSynthesizer()


def test_recogniser_implements_the_port(sphinx: SphinxRecognizer) -> None:
    """The adapter satisfies the protocol."""
    assert isinstance(sphinx, SpeechRecognizer)


@pytest.mark.parametrize("phrase", TRANSFER_STEP)
@pytest.mark.parametrize("voice", [Voice(), Voice(voice="gmw/en-us", variant="f3", rate=180)])
def test_synthesised_answer_is_recognised_as_the_expected_phrase(
    sphinx: SphinxRecognizer, synth: EspeakSynthesizer, phrase: str, voice: Voice
) -> None:
    """Real synthesis then constrained recognition gives back the phrase as written."""
    wav = synth.render(phrase, voice_for("en-GB", voice))
    result = sphinx.recognise(wav, "en-GB", TRANSFER_STEP)
    assert result.transcript == phrase
    assert result.confidence >= 0.5
    assert phrase not in result.alternatives


def test_human_recording_without_constraints(sphinx: SphinxRecognizer, human_wav: bytes) -> None:
    """Free dictation on a real voice gives 'one two three' (confidence stays under 0.5)."""
    result = sphinx.recognise(human_wav, "en-US")
    assert result.transcript == "one two three"
    assert result.engine.endswith("/lm")
    assert result.confidence < 0.5


def test_human_recording_with_constraints(sphinx: SphinxRecognizer, human_wav: bytes) -> None:
    """With the step's phrases the same recording picks the right one, confidently."""
    expected = ["One, two, three.", "Four five six", "Hold the line", "yes"]
    result = sphinx.recognise(human_wav, "en", expected)
    assert result.transcript == "One, two, three."
    assert result.engine.endswith("/jsgf")
    assert result.confidence >= 0.5


def test_unexpected_speech_falls_back_to_dictation(
    sphinx: SphinxRecognizer, synth: EspeakSynthesizer
) -> None:
    """An utterance far from every expected phrase is not forced into one of them."""
    wav = synth.render("Yes.", VoiceSpec("en", "gmw/en-us"))
    result = sphinx.recognise(wav, "en", ["Could you spell your surname for me, please?"])
    assert result.transcript != "Could you spell your surname for me, please?"


def test_switching_grammars_reuses_the_decoder(
    sphinx: SphinxRecognizer, synth: EspeakSynthesizer
) -> None:
    """Alternating phrase sets on one decoder keeps working and keeps one search per set."""
    other = ["Thank you, goodbye.", "One moment, please.", "Yes.", "No."]
    hold = synth.render("Could you hold the line, please?", VoiceSpec("en", "gmw/en"))
    bye = synth.render("Thank you, goodbye.", VoiceSpec("en", "gmw/en"))
    for _ in range(3):
        assert sphinx.recognise(hold, "en", TRANSFER_STEP).transcript == TRANSFER_STEP[1]
        assert sphinx.recognise(bye, "en", other).transcript == "Thank you, goodbye."
    assert sphinx.grammar_for(TRANSFER_STEP) is sphinx.grammar_for(list(TRANSFER_STEP))


def test_digital_silence_around_speech_does_not_break_recognition(
    sphinx: SphinxRecognizer, synth: EspeakSynthesizer
) -> None:
    """Zero padding (a muted mic before speaking) is handled by the noise floor."""
    from audio.wav import decode_wav

    samples, rate = decode_wav(synth.render("I'll put you through.", VoiceSpec("en", "gmw/en")))
    padded = np.concatenate([np.zeros(rate, np.float32), samples, np.zeros(rate, np.float32)])
    result = sphinx.recognise(to_wav(padded, rate), "en", TRANSFER_STEP)
    assert result.transcript == "I'll put you through."


def test_sphinx_refuses_other_languages(sphinx: SphinxRecognizer, human_wav: bytes) -> None:
    """The shipped model is English only."""
    with pytest.raises(SpeechRecognitionError, match="it-IT"):
        sphinx.recognise(human_wav, "it-IT")


def test_registry_every_course_language_has_whisper_others_none(tmp_path: Path) -> None:
    """Whisper serves the course languages; a language outside them has no voice input
    until an instructor installs a Vosk model for it."""
    from audio.whisper import WhisperRecognizer

    for lang in ("en-GB", "it-IT", "fr-FR", "de-DE", "es-ES"):
        assert isinstance(recogniser_for(lang, tmp_path), WhisperRecognizer)
    assert recogniser_for("nl-NL", tmp_path) is None


def test_vosk_without_model_names_the_install_command(tmp_path: Path, human_wav: bytes) -> None:
    """The message tells the user, in Italian and English, the command that fixes it."""
    with pytest.raises(SpeechRecognitionError) as caught:
        VoskRecognizer(tmp_path).recognise(human_wav, "it-IT", ["sì", "no"])
    for lang in ("it", "en"):
        assert "simulator models install FILE" in caught.value.message(lang)
        assert str(tmp_path / "vosk-it") in caught.value.message(lang)


def test_transcribe_command_without_recogniser_says_keyboard_works(
    tmp_path: Path, human_wav: bytes
) -> None:
    """The CLI path for a language no recogniser serves explains what to do."""
    wav = tmp_path / "clip.wav"
    wav.write_bytes(human_wav)
    with pytest.raises(SpeechRecognitionError) as caught:
        transcribe(wav, "nl-NL", (), tmp_path)
    assert "simulator models install FILE" in caught.value.message("it")
    assert "keyboard" in caught.value.message("en")
