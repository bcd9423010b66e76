"""Audio input errors with a stable code, so the web layer can map them to a 4xx response.

SpeechRecognitionError          (simulator.errors)
└── AudioInputError             the uploaded clip cannot be used; ``code`` says why
"""

from __future__ import annotations

from typing import Literal

from simulator.errors import SpeechRecognitionError

AudioErrorCode = Literal["not_wav", "bad_format", "too_big", "too_long", "too_short", "silent"]


class AudioInputError(SpeechRecognitionError):
    """A clip sent for recognition is not usable audio.

    Attributes:
        code: Machine-readable reason, stable for clients and tests.
    """

    def __init__(self, code: AudioErrorCode, it: str, en: str) -> None:
        super().__init__(it, en)
        self.code: AudioErrorCode = code
