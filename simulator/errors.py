"""The error tree of Centralino.

    CentralinoError                 root: every error we raise on purpose
    ├── ScenarioError               a scenario or company file cannot be used
    │     (carries every ``Problem`` found, each with file, line, column, path and fix)
    ├── CallStateError              an action that makes no sense now (hold with no call...)
    ├── ScriptError                 a scripted trainee file is malformed
    └── AdapterError                a real adapter failed
          ├── SpeechSynthesisError  TTS engine missing, unknown voice, render failed
          ├── SpeechRecognitionError ASR engine or model missing, bad audio
          └── TelephonyError        Twilio settings or requests

Every error has an Italian and an English message: ``message(lang)`` picks one. Handlers at the
edges turn them into an accessible page, a JSON error, a CLI line or spoken TwiML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CentralinoError(Exception):
    """Root of the errors we raise on purpose."""

    def __init__(self, it: str, en: str | None = None) -> None:
        super().__init__(it)
        self.it = it
        self.en = en or it

    def message(self, lang: str = "it") -> str:
        return self.en if lang.startswith("en") else self.it


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in an instructor's file, placed precisely and with the fix."""

    file: str
    line: int
    column: int
    path: str
    it: str
    en: str

    def render(self, lang: str = "it") -> str:
        text = self.en if lang.startswith("en") else self.it
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" [{self.path}]" if self.path else ""
        return f"{where}:{field} {text}"


class ScenarioError(CentralinoError):
    """One or more problems in scenario or company files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        super().__init__(
            "\n".join(p.render("it") for p in self.problems),
            "\n".join(p.render("en") for p in self.problems),
        )


class CallStateError(CentralinoError):
    """An action the console cannot do in the current state of the call."""


class ScriptError(CentralinoError):
    """A scripted trainee file is malformed; ``problems`` places each mistake when known."""

    def __init__(self, it: str, en: str | None = None, problems: Sequence[Problem] = ()) -> None:
        super().__init__(it, en)
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> ScriptError:
        """One error carrying every problem found in a script, rendered in both languages."""
        ordered = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        return cls(
            "\n".join(p.render("it") for p in ordered),
            "\n".join(p.render("en") for p in ordered),
            ordered,
        )


class AdapterError(CentralinoError):
    """A real adapter (speech, telephony) failed."""


class SpeechSynthesisError(AdapterError):
    """Text to speech is unavailable or failed."""


class SpeechRecognitionError(AdapterError):
    """Speech recognition is unavailable or failed."""


class TelephonyError(AdapterError):
    """Twilio settings are missing or a telephony request failed."""
