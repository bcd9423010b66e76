"""Playing the callers' lines aloud in terminal practice (``simulator practice``).

Lines come from the render cache, so a line already heard plays at once. Playback uses the first
player found (PulseAudio ``paplay``, ALSA ``aplay``, sox ``play``, macOS ``afplay``) and blocks
until the line ends, so lines never overlap. With no player, the console says so once and goes on
in text only.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from audio.cache import RenderCache, cache_dir
from audio.commands import DEFAULT_CACHE
from audio.tts import caller_synthesizer, line_voice
from simulator.call_state import CallState
from simulator.events import Event
from simulator.model import Scenario

_PLAYERS: tuple[tuple[str, ...], ...] = (
    ("paplay",),
    ("aplay", "-q"),
    ("play", "-q"),
    ("afplay",),
)


def find_player() -> list[str] | None:
    """The command line of the first audio player installed, or ``None``."""
    for command in _PLAYERS:
        if shutil.which(command[0]):
            return list(command)
    return None


def make_speaker(
    scenario: Scenario, *, lang: str, out: TextIO
) -> Callable[[Event, CallState], None]:
    """A ``Speaker`` for the terminal session: renders (cached) and plays each caller line."""
    cache = RenderCache(cache_dir(DEFAULT_CACHE), caller_synthesizer())
    player = find_player()
    warned = False

    def speak(event: Event, state: CallState) -> None:
        nonlocal warned
        if player is None:
            if not warned:
                warned = True
                print(
                    "Nessun lettore audio (paplay, aplay, play): continuo solo testo."
                    if lang == "it"
                    else "No audio player (paplay, aplay, play): carrying on in text only.",
                    file=out,
                )
            return
        language = str(event.data.get("lang") or scenario.language)
        voice = line_voice(scenario, event.line, language)
        wav = cache.get(str(event.data.get("text", "")), voice)
        with tempfile.TemporaryDirectory(prefix="centralino-play-") as folder:
            clip = Path(folder) / "line.wav"
            clip.write_bytes(wav)
            subprocess.run([*player, str(clip)], check=False, capture_output=True)

    return speak
