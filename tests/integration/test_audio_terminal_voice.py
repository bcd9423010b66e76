"""Spoken replies in terminal practice, through a real ``simulator play`` subprocess.

``/listen FILE.wav`` takes a WAV synthesised by espeak-ng as the trainee's reply; it goes through
the same recognition path as the browser and the caller reacts. ``/speak`` without PortAudio says
why and how to install it, and typing carries on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.voice_support import ROOT, spoken


def _play(tmp_path: Path, commands: list[str]) -> str:
    env = {**os.environ, "CENTRALINO_AUDIO_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "--lang",
            "en",
            "play",
            "en-routing-export-manager",
            "--log",
            str(tmp_path / "session.jsonl"),
        ],
        input="\n".join(commands) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_listen_recognises_a_wav_and_the_caller_reacts(tmp_path: Path) -> None:
    """Greeting and a question by WAV: both recognised, the caller answers each."""
    greeting = tmp_path / "greeting.wav"
    greeting.write_bytes(spoken("Good morning, how can I help you?"))
    question = tmp_path / "question.wav"
    question.write_bytes(spoken("May I ask who's calling, please?"))
    out = _play(tmp_path, ["/answer", f"/listen {greeting}", f"/listen {question}", "/finish"])
    assert "recognised: good morning" in out.lower()
    assert "Caller: Good morning. Could I speak to your export manager, please?" in out
    assert "Recognised: " in out.split("export manager, please?")[1]
    assert "Caller: It's James Whitfield." in out
    log = (tmp_path / "session.jsonl").read_text(encoding="utf-8")
    assert '"source": "voice"' in log


def test_listen_refuses_bad_files_and_speak_explains_the_microphone(tmp_path: Path) -> None:
    """A missing or non-WAV file is explained; /speak names what to install; typing works."""
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio", encoding="utf-8")
    out = _play(
        tmp_path,
        [
            "/answer",
            f"/listen {tmp_path / 'none.wav'}",
            f"/listen {junk}",
            "/speak",
            "Good morning, how can I help you?",
            "/finish",
        ],
    )
    assert "Cannot read the file" in out
    assert "Not recognised: The file is not a WAV" in out
    try:
        import sounddevice  # noqa: F401

        has_portaudio = True
    except OSError:
        has_portaudio = False
    if not has_portaudio:
        assert "apt-get install libportaudio2" in out and "pip install sounddevice" in out
    assert "Caller: Good morning. Could I speak to your export manager, please?" in out


def test_spoken_reply_is_kept_beside_the_log_until_it_expires(tmp_path: Path) -> None:
    """/listen keeps the WAV as <log>.audio/<line>.wav, says so once; the purge removes it."""
    import json

    greeting = tmp_path / "greeting.wav"
    greeting.write_bytes(spoken("Good morning, how can I help you?"))
    out = _play(tmp_path, ["/answer", f"/listen {greeting}", "/finish"])
    assert "the recording of your voice is saved in" in out and "for 90 days" in out
    lines = (tmp_path / "session.jsonl").read_text(encoding="utf-8").splitlines()
    said = next(i for i, line in enumerate(lines, start=1) if json.loads(line)["kind"] == "say")
    kept = tmp_path / "session.audio" / f"{said}.wav"
    assert kept.read_bytes() == greeting.read_bytes()
    again = _play(tmp_path, ["/answer", f"/listen {greeting}", "/finish"])
    assert "the recording of your voice is saved in" not in again  # said once
    old = kept.stat().st_mtime - 91 * 86_400
    os.utime(kept, (old, old))
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "--lang", "en", "purge-recordings",
         "--sessions", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "Recordings deleted (older than 90 days): 1" in done.stdout
    assert not kept.exists() and (tmp_path / "session.jsonl").exists()


def test_a_form_field_is_dictated_and_filed_as_text(tmp_path: Path) -> None:
    """At the message's text prompt, /listen FILE.wav dictates the field: the words are said
    back and filed in the message; nothing is said to the caller."""
    import json

    dictated = tmp_path / "dictated.wav"
    dictated.write_bytes(spoken("Please call back tomorrow morning."))
    out = _play(
        tmp_path,
        [
            "/answer",
            "/message",
            "Sales",
            "James Whitfield",
            "",
            "",
            f"/listen {dictated}",
            "/finish",
        ],
    )
    assert "(In text fields: /speak or /listen FILE.wav to dictate.)" in out
    assert "Dictated: " in out
    events = [
        json.loads(line)
        for line in (tmp_path / "session.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    message = next(e for e in events if e["kind"] == "take_message")
    assert "call back tomorrow" in message["data"]["text"].lower()
    assert not any(e["kind"] == "say" for e in events)
