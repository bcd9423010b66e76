"""Caller audio for the console: the render cache, each line's voice, earcons from new events.

Lines are rendered before the call starts (``prerender``) so the first one plays at once; a line
with placeholders is rendered on its first request and cached like the others. A missing speech
engine never stops a call: the console goes on in text and the log says why.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from flask import current_app

from audio.cache import RenderCache, cache_dir
from audio.commands import caller_lines
from audio.tts import caller_synthesizer, line_voice
from simulator.errors import CentralinoError
from simulator.events import Event
from simulator.model import Company, Scenario
from simulator.ports import VoiceSpec

log = logging.getLogger(__name__)

# Event kinds that sound an earcon (when the trainee keeps it switched on).
_HUNG_UP = "caller_hung_up"


def cache_root() -> Path:
    """``AUDIO_CACHE`` setting, else ``$CENTRALINO_AUDIO_CACHE``, else instance/audio-cache."""
    configured = current_app.config.get("AUDIO_CACHE")
    if configured:
        return Path(configured)
    return cache_dir(Path(current_app.instance_path) / "audio-cache")


def models_root() -> Path:
    """Where Vosk models are installed: ``MODELS_ROOT`` setting, else instance/models."""
    configured = current_app.config.get("MODELS_ROOT")
    return Path(configured) if configured else Path(current_app.instance_path) / "models"


def render_cache() -> RenderCache:
    """The cache over the process's synthesiser (``CENTRALINO_TTS_ENGINE``)."""
    return RenderCache(cache_root(), caller_synthesizer())


# Lines rendered before the console opens (the first steps' lines); the rest render in a
# background thread: Festival takes about 0.4 s a line, a whole scenario several seconds.
FIRST_LINES = 5


def prerender(scenario: Scenario, company: Company) -> int:
    """Render what a scenario's callers may say; 0 if TTS is missing.

    The first lines are rendered now, before the call starts, so the first one plays at once;
    the others in a background thread (a line not yet in the cache renders when it is asked).
    """
    try:
        cache = render_cache()
        lines = list(caller_lines(scenario, company))
        done = cache.prerender(lines[:FIRST_LINES])
    except CentralinoError as exc:
        log.warning("caller audio not pre-rendered for %s: %s", scenario.id, exc.message("en"))
        return 0

    def rest() -> None:
        try:
            cache.prerender(lines[FIRST_LINES:])
        except Exception:  # a background nicety: the line renders on demand when it is asked
            log.warning("caller audio not pre-rendered for %s", scenario.id, exc_info=True)

    threading.Thread(target=rest, name="caller-prerender", daemon=True).start()
    return done


def voice_of(scenario: Scenario, event: Event) -> VoiceSpec:
    """The voice of the persona who said ``event`` (the same rule as ``caller_lines``)."""
    return line_voice(scenario, event.line, str(event.data.get("lang") or scenario.language))


def earcons_of(events: Iterable[Event], enabled: Iterable[str]) -> list[str]:
    """Earcon names the new events sound, in order, keeping only those switched on."""
    wanted = set(enabled)
    names: list[str] = []
    for event in events:
        if event.kind == "ring":
            names.append("new_call")
        elif event.kind == "transfer_result" and event.data.get("status") == "connected":
            names.append("transfer_done")
        elif event.kind == "caller_hangup":
            names.append(_HUNG_UP)
    return [name for name in names if name in wanted]
