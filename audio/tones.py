"""Call-progress tones and earcons, generated so they need no asset files or licences.

Italian tones follow ITU-T E.180 (national tones of Italy): 425 Hz, ringback 1 s on and 4 s off,
busy 0.5 s on and 0.5 s off. Earcons are short and distinct in pitch contour so a blind trainee
tells them apart without looking: rising for a new call, a rising triad for a completed transfer,
falling for a caller who hung up. Everything is normalised to ``TONE_TARGET_LUFS``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audio.loudness import TONE_TARGET_LUFS, normalise
from audio.wav import Samples, to_wav

TONE_RATE = 16_000
ITALIAN_TONE_HZ = 425.0
_FADE_S = 0.008


def _sine(freq: float, seconds: float, rate: int = TONE_RATE) -> Samples:
    """A sine burst with short raised-cosine edges, so it starts and stops without a click."""
    n = round(seconds * rate)
    wave = np.sin(2 * np.pi * freq * np.arange(n) / rate)
    fade = min(int(_FADE_S * rate), n // 2)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
        wave[:fade] *= ramp
        wave[n - fade :] *= ramp[::-1]
    return wave.astype(np.float32)


def _silence(seconds: float, rate: int = TONE_RATE) -> Samples:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def _finish(samples: Samples) -> bytes:
    return to_wav(normalise(samples, TONE_RATE, TONE_TARGET_LUFS), TONE_RATE)


def ringback(cycles: int = 1) -> bytes:
    """Italian ringback: 425 Hz, 1 s on, 4 s off, ``cycles`` times."""
    cycle = np.concatenate([_sine(ITALIAN_TONE_HZ, 1.0), _silence(4.0)])
    return _finish(np.tile(cycle, cycles))


def busy(cycles: int = 4) -> bytes:
    """Italian busy tone: 425 Hz, 0.5 s on, 0.5 s off, ``cycles`` times."""
    cycle = np.concatenate([_sine(ITALIAN_TONE_HZ, 0.5), _silence(0.5)])
    return _finish(np.tile(cycle, cycles))


def hold_music(seconds: float = 8.0) -> bytes:
    """A soft, looping arpeggio (A minor, then F, C, G) that tells the caller they are on hold."""
    chords = ((220.0, 261.63, 329.63), (174.61, 220.0, 261.63), (130.81, 164.81, 196.0))
    notes = [f for chord in (*chords, (196.0, 246.94, 293.66)) for f in (*chord, chord[1])]
    note_s = 0.25
    phrase = np.concatenate([_sine(f, note_s) + 0.3 * _sine(2 * f, note_s) for f in notes])
    repeats = max(1, int(np.ceil(seconds / (len(notes) * note_s))))
    return _finish(np.tile(phrase, repeats)[: int(seconds * TONE_RATE)])


def _earcon(*parts: tuple[float, float]) -> bytes:
    pieces: list[Samples] = []
    for freq, seconds in parts:
        pieces.append(_silence(seconds) if freq == 0 else _sine(freq, seconds))
    return _finish(np.concatenate(pieces))


def new_call() -> bytes:
    """Two rising beeps: a line is ringing."""
    return _earcon((660.0, 0.12), (0.0, 0.06), (990.0, 0.18))


def transfer_done() -> bytes:
    """A quick rising triad: the transfer went through."""
    return _earcon((523.25, 0.09), (659.25, 0.09), (783.99, 0.2))


def caller_hung_up() -> bytes:
    """Two falling low beeps: the caller has gone."""
    return _earcon((494.0, 0.15), (0.0, 0.05), (330.0, 0.3))


TONES: dict[str, Callable[[], bytes]] = {
    "ringback": ringback,
    "busy": busy,
    "hold": hold_music,
    "new_call": new_call,
    "transfer_done": transfer_done,
    "caller_hung_up": caller_hung_up,
}


def tone(name: str) -> bytes:
    """The WAV for a tone by name (see ``TONES``); raises ``KeyError`` for an unknown name."""
    return TONES[name]()
