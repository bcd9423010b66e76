"""The pyttsx3 adapter renders real Italian speech through libespeak-ng (no doubles)."""

from __future__ import annotations

import pytest

from audio.loudness import PEAK_LIMIT_DBFS, TARGET_LUFS, loudness_lufs, peak_dbfs
from audio.pyttsx3_tts import Pyttsx3Synthesizer
from audio.tts import caller_synthesizer, voice_for
from audio.wav import decode_wav, rms_dbfs
from simulator.errors import SpeechSynthesisError
from simulator.model import Voice
from simulator.ports import SpeechSynthesizer


@pytest.fixture(scope="module")
def synth() -> Pyttsx3Synthesizer:
    try:
        return Pyttsx3Synthesizer()
    except SpeechSynthesisError as exc:  # fail with the fix, never skip
        pytest.fail(f"pyttsx3 cannot start: {exc.message('en')} (apt-get install libespeak-ng1)")


def test_renders_italian_speech_at_the_loudness_target(synth: Pyttsx3Synthesizer) -> None:
    """An Italian line is non-silent, about a second per few words, at -20 LUFS, peak <= -3."""
    assert isinstance(synth, SpeechSynthesizer)
    wav = synth.render(
        "Buongiorno, sono Mario Rossi della ditta Verdi.",
        voice_for("it-IT", Voice(engine="espeak")),
    )
    samples, rate = decode_wav(wav)
    assert rate == 22_050
    assert samples.size / rate > 1.5
    assert rms_dbfs(samples) > -40
    assert abs(loudness_lufs(samples, rate) - TARGET_LUFS) <= 0.5
    assert peak_dbfs(samples) <= PEAK_LIMIT_DBFS + 1e-6


def test_every_render_has_audio(synth: Pyttsx3Synthesizer) -> None:
    """Twenty renders in a row: the empty-output race is retried away."""
    voice = voice_for("it-IT", Voice(engine="espeak", variant="f3"))
    for n in range(20):
        samples, _ = decode_wav(synth.render(f"Linea {n + 1}, attenda in linea.", voice))
        assert samples.size > 0


def test_unknown_voice_is_an_error_not_silence(synth: Pyttsx3Synthesizer) -> None:
    """pyttsx3 ignores unknown voices; the adapter refuses them."""
    with pytest.raises(SpeechSynthesisError):
        synth.render("Ciao", voice_for("it-IT", Voice(voice="roa/xx-nothing")))


def test_engine_is_selected_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CENTRALINO_TTS_ENGINE picks the adapter; an unknown name is a clear error."""
    monkeypatch.setenv("CENTRALINO_TTS_ENGINE", "pyttsx3")
    assert caller_synthesizer().engine_version.startswith("pyttsx3-")
    monkeypatch.setenv("CENTRALINO_TTS_ENGINE", "espeak")
    assert caller_synthesizer().engine_version.startswith("espeak-ng-")
    monkeypatch.setenv("CENTRALINO_TTS_ENGINE", "festival")
    with pytest.raises(SpeechSynthesisError, match="festival"):
        caller_synthesizer()


def test_festival_voices_never_reach_pyttsx3(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pyttsx3 chosen, an Italian persona's Festival voice still goes to Festival (pyttsx3
    refuses an unknown voice name, so a wrong route would raise here)."""
    monkeypatch.setenv("CENTRALINO_TTS_ENGINE", "pyttsx3")
    router = caller_synthesizer()
    spec = voice_for("it-IT", Voice(gender="female"))
    assert spec.engine == "festival"
    assert router.voice_used(spec).startswith("festival-")
    samples, rate = decode_wav(router.render("Buongiorno, sono Anna.", spec))
    assert rate == 8_000 and samples.size / rate > 0.8
    espeak = voice_for("it-IT", Voice(engine="espeak"))
    assert router.voice_used(espeak).startswith("pyttsx3-")
