"""A render cache on disk, safe for several gunicorn workers rendering the same line at once.

The key is the sha256 of everything that changes the audio: text, voice, engine version and the
loudness settings. Files are written to a temporary name in the same directory and moved into
place with ``os.replace`` (atomic on POSIX), so a reader sees either no file or a whole one; two
workers racing on one line both write a complete file and the last rename wins, harmlessly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from audio import loudness
from simulator.ports import SpeechSynthesizer, VoiceSpec

CACHE_ENV = "CENTRALINO_AUDIO_CACHE"
# Bump when the rendering pipeline changes in a way the other key parts do not capture.
_FORMAT_VERSION = 1


def cache_dir(default: Path) -> Path:
    """The cache directory: ``$CENTRALINO_AUDIO_CACHE``, else ``default`` (instance/audio-cache)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else default


def cache_key(
    text: str,
    voice: VoiceSpec,
    engine_version: str,
    loudness_settings: tuple[float, ...] | None = None,
) -> str:
    """Hex sha256 over a canonical JSON of everything that changes the rendered audio."""
    settings = loudness.settings() if loudness_settings is None else loudness_settings
    payload = {
        "format": _FORMAT_VERSION,
        "text": text,
        "voice": asdict(voice),
        "engine": engine_version,
        "loudness": list(settings),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class RenderCache:
    """Rendered caller lines on disk, keyed by content; wraps any ``SpeechSynthesizer``."""

    def __init__(self, root: Path, synthesizer: SpeechSynthesizer) -> None:
        self.root = root
        self.synthesizer = synthesizer

    def path_for(self, text: str, voice: VoiceSpec) -> Path:
        """Where the clip for this line lives (two-level fan-out keeps directories small)."""
        key = cache_key(text, voice, self.synthesizer.engine_version)
        return self.root / key[:2] / f"{key}.wav"

    def get(self, text: str, voice: VoiceSpec) -> bytes:
        """The clip for a line, rendered and stored on first use."""
        path = self.path_for(text, voice)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        wav = self.synthesizer.render(text, voice)
        write_atomic(path, wav)
        return wav

    def prerender(self, lines: Iterable[tuple[str, VoiceSpec]]) -> int:
        """Render every line not cached yet, before a call starts; returns how many were new."""
        rendered = 0
        for text, voice in lines:
            path = self.path_for(text, voice)
            if not path.exists():
                write_atomic(path, self.synthesizer.render(text, voice))
                rendered += 1
        return rendered
