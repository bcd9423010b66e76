"""Text to speech with espeak-ng: the offline default voice of the callers.

The issue asked for pyttsx3 on espeak-ng. pyttsx3 2.99 was tried first and measured unfit for a
server process, so this adapter runs ``espeak-ng --stdout`` (the documented fallback, same port):
- the rate is not applied: rate 120 and rate 240 gave the same 96,954 frames for one line, and
  ``GetParameter(RATE)`` still answered 175 after setting 120 (its driver queues parameters on an
  asynchronous espeak-ng and cancels "playing" work when a loop starts);
- about 4% of renders came back empty (25 of 640 in a row), from the same cancel race;
- unknown voices and variants are ignored silently, MBROLA voices are listed but fail, and the
  driver prints "Audio saved to ..." on stdout; one process-wide engine also needs a lock.
``espeak-ng --stdout`` costs about 14 ms a line (a process start), as fast as pyttsx3's 10 ms
polling loop, needs no lock, and applies voice, variant, rate and pitch every time. Voices and
variants are still checked against espeak-ng's own lists before rendering, with close matches
named in the error.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace

from audio.loudness import normalise_wav
from audio.spoken import spoken_form
from simulator.errors import SpeechSynthesisError
from simulator.model import Scenario, Voice
from simulator.ports import SpeechSynthesizer, VoiceSpec

DEFAULT_VOICES: dict[str, str] = {
    "it": "roa/it",
    "en": "gmw/en-gb-x-rp",
    "fr": "roa/fr",
    "de": "gmw/de",
    "es": "roa/es",
}
_TIMEOUT_S = 20.0
log = logging.getLogger(__name__)
_WAV_HEADER = 44


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One espeak-ng voice as listed by the engine."""

    id: str
    name: str
    language: str


def language_code(language: str) -> str:
    """``"it-IT"`` -> ``"it"``: the key of ``DEFAULT_VOICES`` and of the recogniser registry."""
    return language.replace("_", "-").split("-")[0].lower()


def _gender(voice: Voice) -> str:
    if voice.gender:
        return voice.gender
    return "female" if (voice.variant or "").lstrip("+").startswith("f") else "male"


def voice_for(language: str, voice: Voice | None = None) -> VoiceSpec:
    """The voice of a persona: Festival for Italian (female or male), else espeak-ng.

    An espeak-ng ``voice`` or ``engine: espeak`` in the persona keeps espeak-ng in Italian too.

    Raises:
        SpeechSynthesisError: No voice is given and the language has no default.
    """
    from audio.festival_tts import LANGUAGES, VOICES

    voice = voice or Voice()
    code = language_code(language)
    festival = voice.engine == "festival" or (voice.engine is None and voice.voice is None)
    if festival and code in LANGUAGES:
        spec = VoiceSpec(code, VOICES[_gender(voice)], None, voice.rate, voice.pitch, "festival")
        return _on_line(spec, voice)
    engine_voice = voice.voice or DEFAULT_VOICES.get(code)
    if engine_voice is None:
        raise SpeechSynthesisError(
            f"Nessuna voce predefinita per la lingua '{language}': indica 'voice' nella persona.",
            f"No default voice for language '{language}': set 'voice' in the persona.",
        )
    variant = voice.variant.lstrip("+") if voice.variant else None
    return _on_line(VoiceSpec(code, engine_voice, variant or None, voice.rate, voice.pitch), voice)


def _on_line(spec: VoiceSpec, voice: Voice) -> VoiceSpec:
    """The persona's line: telephone band or wide, its background and signal-to-noise ratio."""
    return replace(spec, line=voice.line, background=voice.background, snr_db=voice.snr_db)


def distinct_voices(voices: dict[str, VoiceSpec]) -> dict[str, VoiceSpec]:
    """The voices of a scenario's lines, none sounding the same as another: a repeated voice is
    raised in pitch until it differs (two callers with one voice confuse a listener)."""
    seen: set[tuple[str, str, str | None, int, int]] = set()
    out: dict[str, VoiceSpec] = {}
    for line, spec in voices.items():
        while (spec.engine, spec.voice, spec.variant, spec.rate, spec.pitch) in seen:
            spec = replace(spec, pitch=(spec.pitch + 12) % 100)
        seen.add((spec.engine, spec.voice, spec.variant, spec.rate, spec.pitch))
        out[line] = spec
    return out


def scenario_voices(scenario: Scenario) -> dict[str, VoiceSpec]:
    """Each line's caller voice, distinct within the scenario."""
    return distinct_voices(
        {
            call.line: voice_for(call.caller.language or scenario.language, call.caller.voice)
            for call in scenario.calls
        }
    )


def line_voice(scenario: Scenario, line: str | None, language: str) -> VoiceSpec:
    """The voice the caller on ``line`` speaks ``language`` with: distinct from the scenario's
    other callers (the same rule in the browser, the terminal and on the phone, so a line
    rendered for one is found in the render cache by the others)."""
    call = next((c for c in scenario.calls if c.line == line), None)
    persona = call.caller if call is not None else None
    spec = voice_for(language, persona.voice if persona is not None else None)
    distinct = scenario_voices(scenario).get(line or "")
    if distinct is not None and distinct.language == spec.language:
        return distinct
    return spec


def _unknown_voice(kind: str, name: str, known: list[str]) -> SpeechSynthesisError:
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    hint = ", ".join(close) if close else ", ".join(sorted(known)[:8]) + ", ..."
    return SpeechSynthesisError(
        f"Voce espeak-ng sconosciuta ({kind}) '{name}'. Simili: {hint}.",
        f"Unknown espeak-ng {kind} '{name}'. Close ones: {hint}.",
    )


def _run(binary: str, args: list[str], text: bytes = b"") -> bytes:
    try:
        done = subprocess.run(
            [binary, *args], input=text, capture_output=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechSynthesisError(
            f"espeak-ng non risponde ({exc}).", f"espeak-ng did not answer ({exc})."
        ) from exc
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip()
        raise SpeechSynthesisError(f"espeak-ng: {error}", f"espeak-ng: {error}")
    return done.stdout


def _voice_table(listing: str) -> list[tuple[str, str, str]]:
    """(file id, name, language) rows of ``espeak-ng --voices`` output."""
    rows = []
    for line in listing.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 5:
            rows.append((columns[4], columns[3], columns[1]))
    return rows


class EspeakSynthesizer:
    """``SpeechSynthesizer`` on the ``espeak-ng`` program, returning loudness-normalised WAV."""

    def __init__(self, *, normalise: bool = True, binary: str = "espeak-ng") -> None:
        """Find espeak-ng and read its voices once.

        Raises:
            SpeechSynthesisError: espeak-ng is missing (Debian package ``espeak-ng``).
        """
        found = shutil.which(binary)
        if found is None:
            raise SpeechSynthesisError(
                f"Sintesi vocale non disponibile: '{binary}' non trovato. Installa il pacchetto "
                "'espeak-ng' (bash scripts/setup.sh).",
                f"Speech synthesis unavailable: '{binary}' not found. Install the 'espeak-ng' "
                "package (bash scripts/setup.sh).",
            )
        self._binary = found
        self._normalise = normalise
        version = _run(found, ["--version"]).decode(errors="replace")
        number = re.search(r"(\d+\.\d+(?:\.\d+)?)", version)
        self._version = f"espeak-ng-{number.group(1) if number else 'unknown'}"
        voices = _voice_table(_run(found, ["--voices"]).decode(errors="replace"))
        # Ids are matched lower-case: espeak-ng lists gmw/en-GB-x-rp and takes gmw/en-gb-x-rp.
        # MBROLA voices need voice files Debian does not ship: they are listed but fail.
        self._voices = {
            vid.lower(): VoiceInfo(vid.lower(), name.replace("_", " "), lang)
            for vid, name, lang in voices
            if not vid.startswith("mb/")
        }
        variants = _voice_table(_run(found, ["--voices=variant"]).decode(errors="replace"))
        self._variants = frozenset(vid.split("/", 1)[-1] for vid, _, _ in variants)

    @property
    def engine_version(self) -> str:
        """e.g. ``espeak-ng-1.51``."""
        return self._version

    def available_voices(self) -> list[VoiceInfo]:
        """Voices that really speak here (MBROLA ones excluded), sorted by id."""
        return sorted(self._voices.values(), key=lambda v: v.id)

    def available_variants(self) -> list[str]:
        """Variant names usable after ``+`` (``m1``..``m7``, ``f1``..``f5``, ``klatt``...)."""
        return sorted(self._variants)

    def check(self, voice: VoiceSpec) -> None:
        """Raise ``SpeechSynthesisError`` naming the voice and close ones if it does not exist."""
        if voice.voice.lower() not in self._voices:
            raise _unknown_voice("voice", voice.voice, list(self._voices))
        if voice.variant and voice.variant not in self._variants:
            raise _unknown_voice("variant", voice.variant, list(self._variants))

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        """Synthesise one line as a 22,050 Hz 16-bit mono WAV."""
        if not text.strip():
            raise SpeechSynthesisError(
                "Testo vuoto: niente da dire.", "Empty text: nothing to say."
            )
        self.check(voice)
        args = ["--stdout", "-b", "1", "-v", voice.engine_id]
        args += ["-s", str(voice.rate), "-p", str(voice.pitch)]
        # Text goes through stdin: a line starting with '-' is then never read as an option.
        wav = _run(self._binary, args, text.encode("utf-8"))
        if len(wav) <= _WAV_HEADER:
            raise SpeechSynthesisError(
                f"espeak-ng non ha prodotto audio per la voce '{voice.engine_id}'.",
                f"espeak-ng produced no audio for voice '{voice.engine_id}'.",
            )
        return normalise_wav(wav) if self._normalise else wav


_SHARED: EspeakSynthesizer | None = None


def default_synthesizer() -> EspeakSynthesizer:
    """The process's synthesiser, created on first use (after a gunicorn fork, not before)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = EspeakSynthesizer()
    return _SHARED


ENGINE_ENV = "CENTRALINO_TTS_ENGINE"
ENGINES = ("espeak", "pyttsx3")
_ROUTERS: dict[str, CallerSynthesizer] = {}


class CallerSynthesizer:
    """The callers' synthesiser: each ``VoiceSpec`` to its engine, then onto the phone line.

    Festival voices go to Festival and nowhere else (pyttsx3 never sees a Festival voice name);
    espeak-ng voices go to the espeak engine chosen by ``CENTRALINO_TTS_ENGINE``. When Festival
    is not installed its lines are said by espeak-ng's Italian voice of the same gender, so a
    call never stops for a voice; ``voice_used`` says which engine and voice a spec really gets.
    """

    def __init__(self, espeak: SpeechSynthesizer) -> None:
        from audio.festival_tts import FestivalSynthesizer

        self._espeak = espeak
        self._festival: FestivalSynthesizer | None
        try:
            self._festival = FestivalSynthesizer()
        except SpeechSynthesisError as missing:
            log.warning("%s", missing.message("en"))
            self._festival = None
        festival = self._festival.engine_version if self._festival else "no-festival"
        self._version = f"{espeak.engine_version}+{festival}+line-5"

    @property
    def engine_version(self) -> str:
        """Both engines' versions and the line processing's: part of the cache key."""
        return self._version

    def _route(self, voice: VoiceSpec) -> tuple[SpeechSynthesizer, VoiceSpec]:
        from audio.festival_tts import FEMALE

        if voice.engine != "festival":
            return self._espeak, voice
        if self._festival is not None:
            return self._festival, voice
        variant = "f3" if voice.voice == FEMALE else "m3"
        fallback = DEFAULT_VOICES.get(voice.language, "roa/it")
        return self._espeak, replace(voice, engine="espeak", voice=fallback, variant=variant)

    def voice_used(self, voice: VoiceSpec) -> str:
        """Which engine and voice render ``voice``, e.g. ``festival-2.5.0/voice_pc_diphone``."""
        engine, spec = self._route(voice)
        return f"{engine.engine_version}/{spec.engine_id}"

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        """One caller line as WAV, in telephone band and with its background when asked."""
        from audio.telephone import on_the_line

        engine, spec = self._route(voice)
        text = spoken_form(text, voice.language)
        try:
            wav = engine.render(text, spec)
        except SpeechSynthesisError as failed:
            if spec.engine != "festival":
                raise
            # A line Festival cannot say (it printed nothing): espeak-ng says it, the call goes on.
            log.warning("Festival failed on %r: %s", text, failed.message("en"))
            fallback = replace(spec, engine="espeak", voice=DEFAULT_VOICES["it"], variant=None)
            wav = self._espeak.render(text, fallback)
        if voice.line != "phone" and voice.background is None:
            return wav
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")
        return on_the_line(wav, kind=voice.background, snr_db=voice.snr_db, seed=seed)


def caller_synthesizer() -> CallerSynthesizer:
    """The synthesiser for callers' lines: Festival for its voices, and for espeak-ng voices the
    engine ``CENTRALINO_TTS_ENGINE`` names (default espeak; ``pyttsx3`` selects
    ``audio.pyttsx3_tts.Pyttsx3Synthesizer``, see its limitations).

    Raises:
        SpeechSynthesisError: Unknown engine name, or the espeak engine is not installed.
    """
    name = os.environ.get(ENGINE_ENV, "espeak").strip().lower() or "espeak"
    if name not in ENGINES:
        raise SpeechSynthesisError(
            f"{ENGINE_ENV}='{name}' non valido: usa 'espeak' o 'pyttsx3'.",
            f"{ENGINE_ENV}='{name}' is not valid: use 'espeak' or 'pyttsx3'.",
        )
    if name not in _ROUTERS:
        if name == "espeak":
            _ROUTERS[name] = CallerSynthesizer(default_synthesizer())
        else:
            from audio.pyttsx3_tts import Pyttsx3Synthesizer

            _ROUTERS[name] = CallerSynthesizer(Pyttsx3Synthesizer())
    return _ROUTERS[name]


def available_voices() -> list[VoiceInfo]:
    """Voices of the shared synthesiser: for the instructor's voice picker and the CLI."""
    return default_synthesizer().available_voices()
