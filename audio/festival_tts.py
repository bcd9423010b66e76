"""Text to speech with Festival's Italian diphone voices: the callers a trainee can follow.

An offline recogniser (Whisper base) got 0.66 word error rate on espeak-ng's Italian caller lines
and 0.25-0.30 on these two voices (Debian main: ``festival``, ``festvox-italp16k``,
``festvox-itapc16k``). SPEECH.md calls lp male and pc female; measured here (median F0 of the same
sentence, autocorrelation over voiced 40 ms frames) lp speaks at about 208 Hz and pc at about
114 Hz, so ``voice_lp_diphone`` is the female voice and ``voice_pc_diphone`` the male one.

Festival reads ISO-8859-1: characters outside it are folded to ASCII first (``unidecode``).
Rate is Festival's ``Duration_Stretch``; pitch is moved by rendering slower and resampling, which
raises or lowers the voice without changing its speed (the stretch makes up for the resampling).
A diphone voice loses clarity far from the speed and pitch it was recorded at: measured by
``benchmarks/bench_caller_wer.py``'s listener on 40 of the female voice's lines, the personas'
own rates and pitches gave a word error rate of 0.51, neutral speed 0.37, and half the
persona's distance from neutral 0.35. So a persona moves these voices half as far as it asks
(``RATE_SPAN``, and at most 2 semitones of pitch): still slower, faster, higher or lower, and
still distinct within a scenario.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from scipy.signal import resample_poly
from unidecode import unidecode

from audio.errors import AudioInputError
from audio.loudness import normalise_wav
from audio.wav import decode_wav, to_wav
from simulator.errors import SpeechSynthesisError
from simulator.ports import VoiceSpec

FEMALE = "voice_lp_diphone"  # measured: median F0 about 208 Hz
MALE = "voice_pc_diphone"  # measured: median F0 about 114 Hz
VOICES: dict[str, str] = {"female": FEMALE, "male": MALE}
LANGUAGES = frozenset({"it"})
NEUTRAL_RATE = 165
NEUTRAL_PITCH = 50
# Pitch 0-99 maps to at most this many semitones down or up.
PITCH_RANGE_SEMITONES = 2.0
# How far from the neutral rate a persona's rate moves the voice (see the module's docstring).
RATE_SPAN = 0.5
_TIMEOUT_S = 30.0
RETRY_STRETCH = 1.02
_WAV_HEADER = 44


# Festival's Italian letter-to-sound rules have no rule for guillemets (ISO-8859-1 has them, so
# they are not folded): a line with «carta inceppata» stopped there and wrote an empty WAV.
_QUOTES = str.maketrans({"«": '"', "»": '"', "‹": "'", "›": "'"})


def latin1(text: str) -> bytes:
    """The text as Festival reads it: ISO-8859-1, anything outside folded to ASCII, and the
    guillemets its Italian rules cannot read as plain quotes."""
    out = []
    for character in text.translate(_QUOTES):
        try:
            out.append(character.encode("iso-8859-1"))
        except UnicodeEncodeError:
            out.append(unidecode(character).encode("ascii", errors="ignore"))
    return b"".join(out)


def festival_rate(rate: int) -> float:
    """The speed asked of Festival for a persona's rate: half as far from neutral."""
    return NEUTRAL_RATE + (rate - NEUTRAL_RATE) * RATE_SPAN


def pitch_factor(pitch: int) -> float:
    """How much higher than the voice's own (1.0 at pitch 50)."""
    semitones = (pitch - NEUTRAL_PITCH) / NEUTRAL_PITCH * PITCH_RANGE_SEMITONES
    return float(2 ** (semitones / 12))


class FestivalSynthesizer:
    """``SpeechSynthesizer`` on Festival's ``text2wave``, returning loudness-normalised WAV."""

    def __init__(self, *, normalise: bool = True, binary: str = "text2wave") -> None:
        """Find text2wave and the two Italian voices.

        Raises:
            SpeechSynthesisError: Festival or a voice is missing (bash scripts/setup.sh).
        """
        found = shutil.which(binary)
        voices_dir = Path("/usr/share/festival/voices/italian")
        missing = [v for v in ("lp_diphone", "pc_diphone") if not (voices_dir / v).is_dir()]
        if found is None or missing:
            raise SpeechSynthesisError(
                "Festival non disponibile: installa 'festival', 'festvox-italp16k' e "
                "'festvox-itapc16k' (bash scripts/setup.sh).",
                "Festival unavailable: install 'festival', 'festvox-italp16k' and "
                "'festvox-itapc16k' (bash scripts/setup.sh).",
            )
        self._binary = found
        self._normalise = normalise
        self._version = f"festival-{_version()}"

    @property
    def engine_version(self) -> str:
        """e.g. ``festival-2.5.0``."""
        return self._version

    def check(self, voice: VoiceSpec) -> None:
        """Raise ``SpeechSynthesisError`` for a voice Festival does not have here."""
        if voice.voice not in VOICES.values():
            known = ", ".join(sorted(VOICES.values()))
            raise SpeechSynthesisError(
                f"Voce Festival sconosciuta '{voice.voice}': usa {known}.",
                f"Unknown Festival voice '{voice.voice}': use {known}.",
            )

    def render(self, text: str, voice: VoiceSpec) -> bytes:
        """Synthesise one line as a 16,000 Hz 16-bit mono WAV."""
        if not text.strip():
            raise SpeechSynthesisError(
                "Testo vuoto: niente da dire.", "Empty text: nothing to say."
            )
        self.check(voice)
        factor = pitch_factor(voice.pitch)
        stretch = NEUTRAL_RATE / max(festival_rate(voice.rate), 1) * factor
        wav, error = self._text2wave(text, voice, stretch)
        if not _has_audio(wav):
            # The diphone voices crash (SIGSEGV, no message) on some lines at some durations,
            # e.g. "Sì? Allora, arrivano?" at stretch 0.884 but not 0.89: 2% slower, once more,
            # before the caller falls back to espeak-ng.
            wav, error = self._text2wave(text, voice, stretch * RETRY_STRETCH)
        if not _has_audio(wav):
            raise SpeechSynthesisError(
                f"Festival non ha prodotto audio ({voice.voice}): {error}",
                f"Festival produced no audio ({voice.voice}): {error}",
            )
        if abs(factor - 1.0) > 1e-3:
            samples, rate = decode_wav(wav)
            # Played back faster by ``factor``: higher by that much, and as long as asked.
            up, down = 1000, round(1000 * factor)
            wav = to_wav(resample_poly(samples, up, down).astype(samples.dtype), rate)
        return normalise_wav(wav) if self._normalise else wav

    def _text2wave(self, text: str, voice: VoiceSpec, stretch: float) -> tuple[bytes, str]:
        """One run of text2wave: the WAV it wrote (empty on failure) and its last words."""
        with tempfile.TemporaryDirectory(prefix="centralino-festival-") as folder:
            source = Path(folder) / "line.txt"
            source.write_bytes(latin1(text))
            args = [
                self._binary,
                "-eval",
                f"({voice.voice})",
                "-eval",
                f"(Parameter.set 'Duration_Stretch {stretch:.3f})",
                str(source),
                "-o",
                str(Path(folder) / "line.wav"),
            ]
            try:
                done = subprocess.run(args, capture_output=True, timeout=_TIMEOUT_S, check=False)
                output = Path(folder) / "line.wav"
                wav = output.read_bytes() if done.returncode == 0 and output.exists() else b""
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SpeechSynthesisError(
                    f"Festival non risponde ({exc}).", f"Festival did not answer ({exc})."
                ) from exc
        # A failure midway leaves a header that counts no samples: the caller judges by that.
        error = done.stderr.decode(errors="replace").strip()[-300:] or f"exit {done.returncode}"
        return wav, error


def _has_audio(wav: bytes) -> bool:
    """Whether a WAV from text2wave holds samples (a failure midway leaves an empty header)."""
    if len(wav) <= _WAV_HEADER:
        return False
    try:
        return len(decode_wav(wav)[0]) > 0
    except AudioInputError:
        return False


def _version() -> str:
    try:
        done = subprocess.run(
            ["festival", "--version"], capture_output=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    number = re.search(r"(\d+\.\d+(?:\.\d+)?)", done.stdout.decode(errors="replace"))
    return number.group(1) if number else "unknown"
