"""Streamed utterances on disk: chunks kept in order, a lost or repeated chunk refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio import stream
from audio.errors import AudioInputError

UTT = "0123456789abcdef0123456789abcdef"


def test_chunks_join_in_order_and_are_taken_once(tmp_path: Path) -> None:
    assert stream.append_chunk(tmp_path, "7", UTT, 0, b"\x01\x00" * 4) == 8
    assert stream.append_chunk(tmp_path, "7", UTT, 8, b"\x02\x00" * 2) == 12
    assert stream.take(tmp_path, "7", UTT) == b"\x01\x00" * 4 + b"\x02\x00" * 2
    assert stream.take(tmp_path, "7", UTT) == b""  # gone once used


def test_a_repeated_or_lost_chunk_is_refused(tmp_path: Path) -> None:
    stream.append_chunk(tmp_path, "7", UTT, 0, b"\x00\x00" * 4)
    with pytest.raises(stream.StreamOrderError):
        stream.append_chunk(tmp_path, "7", UTT, 0, b"\x00\x00" * 4)  # repeated
    with pytest.raises(stream.StreamOrderError):
        stream.append_chunk(tmp_path, "7", UTT, 16, b"\x00\x00")  # one lost before it
    assert len(stream.take(tmp_path, "7", UTT)) == 8


def test_another_trainee_cannot_take_the_utterance(tmp_path: Path) -> None:
    stream.append_chunk(tmp_path, "7", UTT, 0, b"\x00\x00")
    assert stream.take(tmp_path, "8", UTT) == b""
    assert stream.take(tmp_path, "7", UTT) == b"\x00\x00"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "XYZ", ""])
def test_identifiers_cannot_leave_the_folder(tmp_path: Path, bad: str) -> None:
    with pytest.raises(AudioInputError):
        stream.append_chunk(tmp_path, "7", bad, 0, b"\x00\x00")


def test_too_long_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AudioInputError) as caught:
        stream.append_chunk(tmp_path, "7", UTT, 0, b"\x00" * (stream.MAX_STREAM_BYTES + 2))
    assert caught.value.code == "too_long"
