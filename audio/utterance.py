"""Recognise a trainee's spoken reply for a call state: one path for browser, terminal and phone.

The clip is checked first (so bad audio is refused the same way whatever the language), then the
recogniser for the caller's language is constrained to what the current step expects
(``simulator.expected``). The result becomes a ``say`` action with ``source: voice``, its
confidence and alternatives, which the intent matcher also uses.

SpeechRecognitionError               (simulator.errors)
├── AudioInputError                  the clip is not usable (audio.errors; ``code``)
├── VoiceUnavailableError            no recogniser serves the call's language
└── NotUnderstoodError               the recogniser heard no words
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio import asr_service
from audio.asr import has_recogniser
from audio.wav import read_wav
from simulator.call_state import CallState
from simulator.errors import CallStateError, SpeechRecognitionError
from simulator.events import Action
from simulator.expected import Listening, listening, names_for_dictation
from simulator.ports import Recognition

log = logging.getLogger(__name__)


class VoiceUnavailableError(SpeechRecognitionError):
    """No speech recogniser for this language here: the keyboard carries on."""

    def __init__(self, language: str) -> None:
        super().__init__(
            f"Riconoscimento vocale non disponibile per questa lingua ({language}): "
            "scrivi la risposta.",
            f"Voice input is not available for this language ({language}): type your reply.",
        )
        self.language = language


class NotUnderstoodError(SpeechRecognitionError):
    """The recogniser heard no words in the clip."""

    def __init__(self) -> None:
        super().__init__("Non ho capito, riprova o scrivi.", "Not understood: try again or type.")


@dataclass(frozen=True, slots=True)
class Heard:
    """A recognised utterance and where it goes."""

    recognition: Recognition
    listening: Listening

    def action(self, text: str | None = None) -> Action:
        """The ``say`` action; ``text`` is the trainee's correction of the transcript, if any."""
        said = self.recognition.transcript if text is None else text
        data: dict[str, Any] = {
            "text": said,
            "source": "voice",
            "confidence": round(self.recognition.confidence, 3),
        }
        if said == self.recognition.transcript:
            data["alternatives"] = list(self.recognition.alternatives)
        return Action("say", self.listening.line, data)


def not_listening() -> CallStateError:
    """The error for speech with no line in conversation."""
    return CallStateError(
        "Nessuna linea in conversazione: rispondi prima di parlare.",
        "No line in conversation: answer before speaking.",
    )


def voice_available(language: str, models_root: Path) -> bool:
    """Whether a recogniser serves ``language`` here (English always; others with a model)."""
    return has_recogniser(language, models_root)


def recognise_utterance(
    wav: bytes,
    state: CallState,
    models_root: Path,
    line: str | None = None,
    *,
    inline: bool = False,
) -> Heard:
    """Recognise a WAV clip as the trainee's reply on the line in conversation.

    The clip goes to the configured recognition service (``audio.asr_service``: a process pool
    by default, Redis when configured) and this thread only waits; ``inline`` recognises here
    (the terminal, which has no other trainee to stall). The log records engine, confidence and
    audio duration of every utterance.

    Raises:
        CallStateError: No line is in conversation.
        AudioInputError: The clip is not usable audio (not WAV, too long, silent...).
        VoiceUnavailableError: No recogniser for the caller's language.
        NotUnderstoodError: No words were heard.
        RecognitionTimeoutError: The recognition service did not answer in time.
    """
    listen = listening(state, line)
    if listen is None:
        raise not_listening()
    job = asr_service.Job(wav, listen.language, listen.phrases, listen.names)
    recognition = _recognise(job, models_root, inline, "speech")
    return Heard(recognition, listen)


def recognise_dictation(
    wav: bytes, state: CallState, models_root: Path, language: str, *, inline: bool = False
) -> Recognition:
    """Recognise words the trainee dictates into a form field (a message taken down, a fonogramma,
    the voice-mail greeting): free text in ``language`` with the call's names as hints.

    Nothing is expected (a message is whatever the caller said), so nothing is re-scored, and
    nothing is recorded in the call: the words only fill the field, which the trainee checks and
    files as typed text. Same errors as :func:`recognise_utterance`, except that no line needs
    to be in conversation.
    """
    job = asr_service.Job(wav, language, (), names_for_dictation(state))
    return _recognise(job, models_root, inline, "dictation")


def _recognise(job: asr_service.Job, models_root: Path, inline: bool, what: str) -> Recognition:
    """Run ``job`` here or on the recognition service, log it, and refuse an empty result."""
    samples, rate = read_wav(job.wav)
    if not has_recogniser(job.lang, models_root):
        raise VoiceUnavailableError(job.lang)
    if inline:
        recognition, where = asr_service.run_job(job, models_root), "inline"
    else:
        recognition, where = asr_service.recognise(
            models_root, job.wav, job.lang, job.expected, job.names
        )
    log.info(
        "%s recognised: engine=%s service=%s lang=%s confidence=%.3f audio_s=%.2f",
        what,
        recognition.engine,
        where,
        job.lang,
        recognition.confidence,
        samples.size / rate,
    )
    if not recognition.transcript.strip():
        raise NotUnderstoodError()
    return recognition
