"""Ports: the interfaces the domain and the web layer use to reach speech engines.

Real adapters live in ``audio/`` (espeak-ng through pyttsx3, pocketsphinx, Vosk); tests of the
domain use in-memory doubles. Only the standard library is imported here, so the domain can
depend on these types without pulling in numpy or an engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    """Everything that decides how a line sounds: part of the render-cache key.

    Attributes:
        language: Two-letter language code, e.g. ``"it"``.
        voice: espeak-ng voice id, e.g. ``"roa/it"``.
        variant: espeak-ng variant without ``+``, e.g. ``"f3"``, or ``None``.
        rate: Words per minute.
        pitch: 0-99, espeak-ng's scale.
        engine: ``"espeak"`` or ``"festival"`` (then ``voice`` is a Festival voice function).
        line: ``"wide"``, or ``"phone"`` for telephone band (8 kHz, 300-3400 Hz).
        background: ``"office"``, ``"street"``, ``"car"`` or ``None``.
        snr_db: Speech-to-background ratio when there is a background.
    """

    language: str
    voice: str
    variant: str | None = None
    rate: int = 165
    pitch: int = 50
    engine: str = "espeak"
    line: str = "wide"
    background: str | None = None
    snr_db: float = 20.0

    @property
    def engine_id(self) -> str:
        """The id espeak-ng takes: voice and variant joined by ``+``."""
        return f"{self.voice}+{self.variant}" if self.variant else self.voice


@dataclass(frozen=True, slots=True)
class Recognition:
    """What a recogniser heard.

    Attributes:
        transcript: Best transcript; an expected phrase as written when the step's phrases matched.
        confidence: 0-1; constrained matches score 0.5 and above, free dictation below 0.5.
        alternatives: Other candidates, best first, without the transcript itself.
        engine: Which engine and search produced it, e.g. ``"pocketsphinx-5.1.1/jsgf"``.
    """

    transcript: str
    confidence: float
    alternatives: tuple[str, ...] = ()
    engine: str = ""


@runtime_checkable
class SpeechSynthesizer(Protocol):
    """Turns text into a WAV clip, already loudness-normalised."""

    @property
    def engine_version(self) -> str:
        """Engine name and version; part of the cache key so an upgrade re-renders."""
        ...

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        """Return a complete WAV file (16-bit PCM mono)."""
        ...


@runtime_checkable
class SpeechRecognizer(Protocol):
    """Turns a WAV clip into text, helped by the phrases the current step expects."""

    def recognise(self, wav: bytes, lang: str, expected: Sequence[str] = ()) -> Recognition:
        """Recognise one utterance; raise ``SpeechRecognitionError`` on bad audio or no model."""
        ...
