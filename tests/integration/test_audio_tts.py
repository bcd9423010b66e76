"""Real espeak-ng synthesis: every voice valid, at one loudness, under the peak limit."""

from __future__ import annotations

import pytest

from audio.loudness import PEAK_LIMIT_DBFS, TARGET_LUFS, loudness_lufs, peak_dbfs
from audio.tts import (
    DEFAULT_VOICES,
    EspeakSynthesizer,
    available_voices,
    caller_synthesizer,
    scenario_voices,
    voice_for,
)
from audio.wav import read_wav
from simulator.errors import SpeechSynthesisError
from simulator.model import Voice
from simulator.ports import SpeechSynthesizer, VoiceSpec

LINES = {
    "it": "Buongiorno, sono Mario Rossi della ditta Bianchi: vorrei parlare con il dottor Verdi.",
    "en": "Good morning, this is Mary Brown from Acme, could I speak to Mr Green, please?",
    "fr": "Bonjour, je suis Marie Dubois, je voudrais parler à monsieur Martin.",
    "de": "Guten Tag, hier spricht Anna Schmidt, ich möchte Herrn Weber sprechen.",
    "es": "Buenos días, soy Carmen López, quisiera hablar con el señor García.",
}


@pytest.fixture(scope="module")
def synth() -> EspeakSynthesizer:
    return EspeakSynthesizer()


def assert_normalised(wav: bytes, expected_rate: int = 22_050) -> None:
    samples, rate = read_wav(wav)
    assert rate == expected_rate
    assert abs(loudness_lufs(samples, rate) - TARGET_LUFS) <= 1.0
    assert peak_dbfs(samples) <= PEAK_LIMIT_DBFS
    assert samples.size / rate > 1.0


def test_synthesizer_implements_the_port(synth: EspeakSynthesizer) -> None:
    """The adapter satisfies the protocol and names engine and version."""
    assert isinstance(synth, SpeechSynthesizer)
    assert synth.engine_version.startswith("espeak-ng-1.")


@pytest.mark.parametrize("lang", sorted(DEFAULT_VOICES))
def test_default_voice_of_every_language(synth: EspeakSynthesizer, lang: str) -> None:
    """Each language's default espeak-ng voice speaks a valid WAV at the target loudness and peak
    (Italian callers default to Festival, audio/festival_tts.py; espeak-ng is asked for here)."""
    spec = voice_for(f"{lang}-XX", Voice(engine="espeak"))
    assert spec.voice == DEFAULT_VOICES[lang]
    assert_normalised(synth.render(LINES[lang], spec))


@pytest.mark.parametrize(
    ("lang", "voice"),
    [
        ("it", Voice(engine="espeak", variant="f3", rate=140, pitch=70)),
        ("it", Voice(engine="espeak", variant="m3", rate=200, pitch=30)),
        ("it", Voice(engine="espeak", variant="+m7", rate=90, pitch=10)),
        ("en", Voice(voice="gmw/en-us", variant="f4", rate=180, pitch=60)),
        ("en", Voice(voice="gmw/en", variant="m1", rate=300, pitch=99)),
        ("fr", Voice(variant="f2", rate=150, pitch=50)),
        ("de", Voice(variant="m2", rate=170, pitch=40)),
        ("es", Voice(variant="f1", rate=160, pitch=55)),
    ],
)
def test_persona_voices(synth: EspeakSynthesizer, lang: str, voice: Voice) -> None:
    """Variants, rates and pitches from persona files all come out normalised."""
    assert_normalised(synth.render(LINES[lang], voice_for(lang, voice)))


def test_variant_rate_and_pitch_change_the_audio(synth: EspeakSynthesizer) -> None:
    """Variant, rate and pitch really change the audio (pyttsx3 2.99 lost the rate)."""
    base = VoiceSpec("it", "roa/it")
    clips = {
        synth.render(LINES["it"], spec)
        for spec in (
            base,
            VoiceSpec("it", "roa/it", "f3"),
            VoiceSpec("it", "roa/it", rate=220),
            VoiceSpec("it", "roa/it", pitch=80),
        )
    }
    assert len(clips) == 4
    slow, _ = read_wav(synth.render(LINES["it"], VoiceSpec("it", "roa/it", rate=120)))
    fast, _ = read_wav(synth.render(LINES["it"], VoiceSpec("it", "roa/it", rate=240)))
    assert slow.size > 1.5 * fast.size


def test_many_renders_in_a_row_all_produce_audio(synth: EspeakSynthesizer) -> None:
    """60 lines in a row all have audio (pyttsx3 2.99 returned about 4% empty)."""
    for index in range(60):
        wav = synth.render(f"Linea numero {index}.", VoiceSpec("it", "roa/it", "f3"))
        assert len(wav) > 10_000


def test_unknown_voice_names_it_and_suggests_close_ones(synth: EspeakSynthesizer) -> None:
    """Unknown voices and variants are refused, naming them and suggesting close ones."""
    with pytest.raises(SpeechSynthesisError) as caught:
        synth.render("Ciao", VoiceSpec("it", "roa/itt"))
    assert "roa/itt" in caught.value.message("en")
    assert "roa/it" in caught.value.message("en").split("Close ones:")[1]
    with pytest.raises(SpeechSynthesisError, match="f9"):
        synth.render("Ciao", VoiceSpec("it", "roa/it", "f9"))


def test_mbrola_voices_are_not_offered(synth: EspeakSynthesizer) -> None:
    """MBROLA voices need files Debian does not ship: hidden and refused."""
    ids = {v.id for v in available_voices()}
    assert {"roa/it", "gmw/en-gb-x-rp", "roa/fr", "gmw/de", "roa/es"} <= ids
    assert not any(i.startswith("mb/") for i in ids)
    assert {"m1", "m7", "f1", "f4"} <= set(synth.available_variants())


def test_empty_text_and_unknown_language_are_errors(synth: EspeakSynthesizer) -> None:
    """Nothing to say, or no default voice for a language, is a clear error."""
    with pytest.raises(SpeechSynthesisError):
        synth.render("  ", VoiceSpec("it", "roa/it"))
    with pytest.raises(SpeechSynthesisError, match="xx-YY"):
        voice_for("xx-YY", None)
    assert voice_for("pt-BR", Voice(voice="roa/pt-br")).voice == "roa/pt-br"


def _library_voices() -> list[tuple[str, str, VoiceSpec]]:
    from tests.library import library

    found = []
    for scenario_id, loaded in sorted(library().scenarios.items()):
        for line, spec in scenario_voices(loaded.scenario).items():
            found.append((scenario_id, line, spec))
    return found


@pytest.mark.parametrize(
    ("scenario_id", "line", "spec"),
    _library_voices(),
    ids=lambda v: str(getattr(v, "engine_id", v)),
)
def test_every_bundled_caller_voice_is_valid_at_a_safe_level(
    scenario_id: str, line: str, spec: VoiceSpec
) -> None:
    """Each caller of the library speaks a valid WAV at the target loudness, under the peak,
    through the callers' synthesiser (Festival or espeak-ng, then the line)."""
    lang = spec.language.split("-")[0]
    rate = 8_000 if spec.line == "phone" else 22_050
    assert_normalised(caller_synthesizer().render(LINES[lang], spec), rate)


def test_callers_of_one_scenario_have_distinct_voices() -> None:
    """Several callers in one scenario never share a voice: the trainee tells them apart."""
    by_scenario: dict[str, list[VoiceSpec]] = {}
    for scenario_id, _line, spec in _library_voices():
        by_scenario.setdefault(scenario_id, []).append(spec)
    shared = {sid: specs for sid, specs in by_scenario.items() if len(set(specs)) < len(specs)}
    assert not shared, f"scenarios whose callers share a voice: {sorted(shared)}"
