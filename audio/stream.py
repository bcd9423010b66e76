"""Utterances streamed in chunks while the trainee speaks, assembled when speech ends.

The page posts 16 kHz mono 16-bit PCM every half second during speech; at the end of speech only
the tail is sent, so the upload is done by the time the trainee stops. Chunks go to a file per
utterance in the instance folder (any gunicorn worker may receive any chunk: a file is shared by
all of them on one machine), appended only at the offset the sender says it has reached, so a
repeated or reordered chunk is refused rather than stitched in twice. Files older than
``STALE_SECONDS`` (an utterance abandoned by a closed tab) are removed on the next write.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from audio.errors import AudioInputError
from audio.wav import MAX_SECONDS, RECOGNITION_RATE

STALE_SECONDS = 600
MAX_STREAM_BYTES = int(MAX_SECONDS * RECOGNITION_RATE * 2)
_UTTERANCE_ID = re.compile(r"^[0-9a-f]{16,64}$")


class StreamOrderError(AudioInputError):
    """A chunk did not start where the stored utterance ends."""


def _path(root: Path, owner: str, utterance: str) -> Path:
    if not _UTTERANCE_ID.fullmatch(utterance) or not re.fullmatch(r"[0-9]+", owner):
        raise AudioInputError("bad_format", "Identificativo non valido.", "Invalid identifier.")
    return root / f"{owner}-{utterance}.pcm"


def _sweep(root: Path) -> None:
    limit = time.time() - STALE_SECONDS
    for old in root.glob("*.pcm"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except FileNotFoundError:
            pass


def append_chunk(root: Path, owner: str, utterance: str, offset: int, pcm: bytes) -> int:
    """Append ``pcm`` at byte ``offset`` of the utterance; returns the new length.

    Raises:
        StreamOrderError: ``offset`` is not the stored length (a lost or repeated chunk).
        AudioInputError: ``too_long`` past the recogniser's limit, or an odd byte count.
    """
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root)
    path = _path(root, owner, utterance)
    if len(pcm) % 2:
        raise AudioInputError("bad_format", "Campioni incompleti.", "Incomplete samples.")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size != offset:
            raise StreamOrderError(
                "bad_format",
                f"Parte audio fuori ordine (attesa a {size}, ricevuta a {offset}).",
                f"Audio chunk out of order (expected at {size}, got {offset}).",
            )
        if size + len(pcm) > MAX_STREAM_BYTES:
            raise AudioInputError(
                "too_long",
                f"Registrazione troppo lunga (massimo {MAX_SECONDS:.0f} s).",
                f"Recording too long (at most {MAX_SECONDS:.0f} s).",
            )
        os.write(fd, pcm)
        return size + len(pcm)
    finally:
        os.close(fd)


def take(root: Path, owner: str, utterance: str) -> bytes:
    """The utterance's PCM so far, removing its file (an unknown one is empty)."""
    path = _path(root, owner, utterance)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return b""
    path.unlink(missing_ok=True)
    return data
