"""Real speech for voice tests: espeak-ng renders what a trainee says (no recordings faked)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from audio.tts import EspeakSynthesizer
from audio.wav import decode_wav, to_wav
from simulator.ports import VoiceSpec

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
# A clear voice for the trainee, distinct from the British persona of the English scenarios.
TRAINEE_EN = VoiceSpec("en", "gmw/en-us", None, 150, 50)


def require_espeak() -> None:
    """Fail (never skip) with the fix when espeak-ng is missing."""
    assert shutil.which("espeak-ng"), "espeak-ng is missing: sudo apt-get install espeak-ng"


def spoken(text: str, voice: VoiceSpec = TRAINEE_EN, pad_s: float = 0.0) -> bytes:
    """``text`` synthesised by espeak-ng, normalised, with ``pad_s`` of silence either side."""
    require_espeak()
    wav = EspeakSynthesizer().render(text, voice)
    if not pad_s:
        return wav
    samples, rate = decode_wav(wav)
    pad = np.zeros(int(pad_s * rate), dtype=np.float32)
    return to_wav(np.concatenate([pad, samples, pad]), rate)


def shared_models_root() -> Path:
    """One models folder for every voice test of a run: Whisper is assembled there once
    (145 MB), not once per test's instance folder."""
    return Path(tempfile.gettempdir()) / "centralino-test-models"


# A trainee voice for Italian that is no caller's default (callers: Festival or roa/it).
TRAINEE_IT = VoiceSpec("it", "roa/it", "m3", 150, 50)
