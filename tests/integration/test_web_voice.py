"""Voice in the web console with real parts: espeak-ng speech, Whisper, real SQLite.

Caller audio is served only to the attempt's owner; spoken replies are validated, recognised
against the current step and recorded (or returned for confirmation); bad audio is refused with
nothing recorded; Italian is spoken like English (Whisper, through the recognition pool).
"""

from __future__ import annotations

import io
import math
import wave
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from audio.loudness import PEAK_LIMIT_DBFS, TARGET_LUFS, loudness_lufs, peak_dbfs
from audio.wav import decode_wav, resample, to_wav
from audio.wer import word_error_rate
from simulator.practice import accounts, recordings
from simulator.store.models import AttemptEvent
from simulator.store.review import UtteranceRecording
from simulator.web.testing import csrf_from, form_data, login, make_app, seed_users
from tests import speech_sets
from tests.voice_support import SCENARIOS, shared_models_root, spoken

EN = "en-routing-export-manager"
IT = "smistamento-acquisti-assente"


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(
        f"sqlite:///{tmp_path / 'voice.db'}",
        tmp_path,
        scenario_root=SCENARIOS,
        AUDIO_CACHE=str(tmp_path / "cache"),
        MODELS_ROOT=str(shared_models_root()),
    )
    app.config["IDS"] = seed_users(app, trainees=("luca", "marta"), scenarios=[EN, IT])
    yield app
    app.extensions["centralino_db"].dispose()


def _start(client, scenario: str = EN, answer: bool = True) -> tuple[str, str]:
    home = client.get("/practice").get_data(as_text=True)
    started = client.post(f"/practice/{scenario}/start", data=form_data(home))
    url = started.location.split("?")[0]
    token = csrf_from(client.get(url).get_data(as_text=True))
    if answer:
        client.post(f"{url}/action", data={"csrf_token": token, "kind": "answer", "line": "l1"})
    return url, token


def _speak(client, url: str, token: str, body: bytes):
    return client.post(
        f"{url}/speech",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "audio/wav", "X-Requested-With": "fetch"},
    )


def _events(app, attempt_url: str) -> int:
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    with app.extensions["centralino_db"].read() as s:
        return int(s.scalar(select(func.count()).where(AttemptEvent.attempt_id == attempt_id)) or 0)


def _state(client, url: str, after: int = 0) -> dict:
    return client.get(f"{url}/state?after={after}", headers={"X-Requested-With": "fetch"}).json


def test_spoken_reply_is_recognised_recorded_and_answered(app) -> None:
    """A real spoken greeting becomes 'Operatore: ...' with source voice; the caller reacts."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    response = _speak(client, url, token, spoken("Good morning, how can I help you?"))
    assert response.status_code == 200, response.json
    payload = response.json
    assert payload["recorded"] is True and payload["transcript"]
    assert payload["message"].startswith("Riconosciuto: ")
    state = _state(client, url)
    html = " ".join(entry["html"] for entry in state["entries"])
    # The operator spoke English to an English caller: the line is marked with its language.
    assert 'Operatore:</span> <span lang="en-GB">' + payload["transcript"] in html
    assert "Could I speak to your export manager" in html  # the caller moved on
    attempt_id = int(url.rsplit("/", 1)[1])
    with app.extensions["centralino_db"].read() as s:
        said = s.scalars(
            select(AttemptEvent).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "say"
            )
        ).one()
    assert said.data["source"] == "voice"
    assert 0.5 <= said.data["confidence"] <= 1.0
    assert isinstance(said.data["alternatives"], list)
    # What was said is kept with the turn, for the replay (the owner hears it back).
    with app.extensions["centralino_db"].read() as s:
        kept = recordings.clip(s, attempt_id, said.seq)
    assert kept is not None and kept.source == "web" and kept.audio[:4] == b"RIFF"
    client.post(f"{url}/finish", data={"csrf_token": token})
    replayed = client.get(f"/attempts/{attempt_id}/replay/reply/{said.seq}.wav")
    assert replayed.status_code == 200 and replayed.data == kept.audio


def test_confirm_transcript_returns_text_and_records_nothing(app) -> None:
    """With the accommodation on, the transcript comes back for the reply field first."""
    with app.extensions["centralino_db"].write() as s:
        accounts.save_settings(
            s, app.config["IDS"]["luca"], accounts.Settings(confirm_transcript=True)
        )
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    before = _events(app, url)
    response = _speak(client, url, token, spoken("Good morning, how can I help you?"))
    assert response.status_code == 200
    assert response.json["confirm"] is True and response.json["recorded"] is False
    assert _events(app, url) == before
    # The trainee presses Enter: the confirmed reply counts as voice.
    client.post(
        f"{url}/action",
        data={
            "csrf_token": token,
            "kind": "say",
            "text": response.json["transcript"],
            "source": "voice",
            "confidence": str(response.json["confidence"]),
            "alternatives": "\n".join(response.json["alternatives"]),
        },
    )
    attempt_id = int(url.rsplit("/", 1)[1])
    with app.extensions["centralino_db"].read() as s:
        said = s.scalars(
            select(AttemptEvent).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "say"
            )
        ).one()
    assert said.data["source"] == "voice" and said.data["text"] == response.json["transcript"]
    # The audio waited for the confirmation and joined the reply it became.
    with app.extensions["centralino_db"].read() as s:
        kept = recordings.clip(s, attempt_id, said.seq)
    assert kept is not None and kept.audio[:4] == b"RIFF"


def _tone_wav(seconds: float, rate: int = 16_000, level: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return to_wav((level * np.sin(2 * math.pi * 440 * t)).astype(np.float32), rate)


def _eight_bit_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(16_000)
        writer.writeframes(bytes([128, 200, 56, 128]) * 8000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "status", "code"),
    [
        ("not audio", b"<html>not a recording</html>" * 10, 400, "not_wav"),
        ("too long", _tone_wav(31.0, rate=8_000), 400, "too_long"),
        ("silent", to_wav(np.zeros(16_000, dtype=np.float32), 16_000), 400, "silent"),
        ("wrong format", _eight_bit_wav(), 400, "bad_format"),
        ("too short", _tone_wav(0.05), 400, "too_short"),
    ],
)
def test_bad_audio_is_refused_and_nothing_recorded(app, name, body, status, code) -> None:
    """Each unusable clip gets a 4xx with an Italian message and no event is recorded."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    before = _events(app, url)
    response = _speak(client, url, token, body)
    assert response.status_code == status, name
    assert response.json["code"] == code and response.json["ok"] is False
    assert response.json["error"]
    assert _events(app, url) == before


def test_too_big_body_is_413_json(app) -> None:
    """A body over the speech limit is refused before it is read into memory."""
    app.config["SPEECH_MAX_BYTES"] = 64 * 1024
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    before = _events(app, url)
    response = _speak(client, url, token, _tone_wav(5.0))
    assert response.status_code == 413
    assert _events(app, url) == before


def test_italian_call_is_answered_by_voice(app) -> None:
    """Italian call: voice is available (Whisper), and a spoken Italian greeting is recorded as
    what was said or handed to the trainee to confirm, never refused for the language."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client, IT)
    page = client.get(url).get_data(as_text=True)
    assert "non disponibile" not in page
    assert _state(client, url)["voice"]["available"] is True
    # The web path, not Whisper's accuracy, is under test: a sentence Whisper base hears right in
    # this voice. ("ufficio acquisti" came back as "pubbiccio a questi" in it on this machine:
    # the accuracy figures are bench_asr's, README.)
    said = "Buongiorno, come posso aiutarla?"
    engine, voice, effects = speech_sets.VOICES["it"][0]  # a shifted Festival voice, no caller's
    response = _speak(client, url, token, speech_sets.render("it", said, engine, voice, effects))
    assert response.status_code == 200, response.json
    heard = [response.json["transcript"], *response.json["alternatives"]]
    # Right in the transcript, or (when Whisper was not sure and the trainee must confirm) in
    # the alternative decoded with the company's names as hints.
    assert min(word_error_rate(said, text, "it") for text in heard) <= 0.35, response.json
    if response.json["confidence"] < 0.5:
        assert response.json["confirm"] is True and response.json["recorded"] is False
    attempt_id = int(url.rsplit("/", 1)[1])
    with app.extensions["centralino_db"].read() as s:
        said = s.scalars(
            select(AttemptEvent).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "say"
            )
        ).all()
    # Recorded at once when confident; otherwise waiting for the trainee's Enter.
    assert len(said) == (1 if response.json["recorded"] else 0)
    assert response.json["recorded"] is not response.json["confirm"]


def test_speech_before_answering_is_409(app) -> None:
    """No line in conversation: refused, nothing recorded."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client, answer=False)
    before = _events(app, url)
    response = _speak(client, url, token, spoken("Good morning"))
    assert response.status_code == 409 and response.json["code"] == "no_line"
    assert _events(app, url) == before


def test_caller_audio_served_to_owner_only(app) -> None:
    """The caller line is a normalised WAV for its trainee; another trainee gets 404."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    _speak(client, url, token, spoken("Good morning, how can I help you?"))
    audio = _state(client, url)["audio"]
    assert audio, "the caller's reply has an audio URL"
    response = client.get(audio[-1]["url"])
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert "private" in response.headers["Cache-Control"]
    samples, rate = decode_wav(response.data)
    assert abs(loudness_lufs(samples, rate) - TARGET_LUFS) <= 0.5
    assert peak_dbfs(samples) <= PEAK_LIMIT_DBFS + 1e-6
    again = client.get(audio[-1]["url"], headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    other = app.test_client()
    login(other, "marta")
    assert other.get(audio[-1]["url"]).status_code == 404
    assert client.get(url.replace("/attempts/", "/attempts/") + "/audio/1.wav").status_code == 404


def test_lines_are_prerendered_at_start(app, tmp_path: Path) -> None:
    """Starting an attempt fills the render cache with the scenario's fixed caller lines."""
    client = app.test_client()
    login(client, "luca")
    _start(client, answer=False)
    assert len(list((tmp_path / "cache").rglob("*.wav"))) >= 5


def test_tones_and_earcon_settings(app) -> None:
    """Ring and earcons are WAV routes; earcons switch off in the trainee's settings."""
    client = app.test_client()
    for name in ("ringback", "new_call", "transfer_done", "caller_hung_up"):
        response = client.get(f"/tones/{name}.wav")
        assert response.status_code == 200 and response.data[:4] == b"RIFF"
    assert client.get("/tones/nothing.wav").status_code == 404
    login(client, "luca")
    page = client.get("/settings").get_data(as_text=True)
    client.post(
        "/settings",
        data=form_data(page, voice_mode="audio", earcon_new_call="on", shortcuts="on"),
    )
    with app.extensions["centralino_db"].read() as s:
        saved = accounts.settings_of(s, app.config["IDS"]["luca"])
    assert saved.earcons == ("new_call",) and saved.voice_mode == "audio"
    url, _ = _start(client)
    page = client.get(url).get_data(as_text=True)
    assert 'data-earcons="new_call"' in page
    assert 'id="caller-volume"' in page and 'id="caller-speed"' in page


def test_streamed_utterance_is_joined_and_recognised(app) -> None:
    """Chunks posted while speaking, then the tail at the end of speech: the server joins
    them and the whole reply is recognised and recorded; a chunk out of order is a 409."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    samples, rate = decode_wav(spoken("Good morning, how can I help you?", pad_s=0.3))
    pcm = (np.clip(resample(samples, rate, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
    head, tail = pcm[: len(pcm) // 2 & ~1], pcm[len(pcm) // 2 & ~1 :]
    utterance = "ab" * 16
    headers = {"X-CSRFToken": token, "X-Requested-With": "fetch", "X-Utterance": utterance}
    sent = 0
    for start in range(0, len(head), 16_000):
        chunk = head[start : start + 16_000]
        response = client.post(
            f"{url}/speech/stream", data=chunk, headers={**headers, "X-Offset": str(sent)}
        )
        assert response.status_code == 200, response.json
        sent += len(chunk)
    repeated = client.post(f"{url}/speech/stream", data=chunk, headers={**headers, "X-Offset": "0"})
    assert repeated.status_code == 409 and repeated.json["code"] == "out_of_order"
    tail_wav = to_wav(np.frombuffer(tail, "<i2") / 32768.0, 16_000)
    response = client.post(
        f"{url}/speech", data=tail_wav, headers={**headers, "Content-Type": "audio/wav"}
    )
    assert response.status_code == 200, response.json
    transcript = response.json["transcript"].lower()
    assert "good morning" in transcript and "help you" in transcript  # head and tail both heard


def test_streamed_utterance_ending_in_digital_silence(app) -> None:
    """The tail sent at the end of speech is often pure silence (a muted pad): it is accepted,
    since only the whole utterance is judged for being silent."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    samples, rate = decode_wav(spoken("Good morning, how can I help you?"))
    pcm = (np.clip(resample(samples, rate, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
    headers = {"X-CSRFToken": token, "X-Requested-With": "fetch", "X-Utterance": "cd" * 16}
    stored = client.post(f"{url}/speech/stream", data=pcm, headers={**headers, "X-Offset": "0"})
    assert stored.status_code == 200 and stored.json["stored"] == len(pcm)
    silence = to_wav(np.zeros(1600, dtype=np.float32), 16_000)
    response = client.post(
        f"{url}/speech", data=silence, headers={**headers, "Content-Type": "audio/wav"}
    )
    assert response.status_code == 200, response.json
    assert "good morning" in response.json["transcript"].lower()


def _dictate(client, url: str, token: str | None, body: bytes):
    headers = {"Content-Type": "audio/wav", "X-Requested-With": "fetch"}
    if token is not None:
        headers["X-CSRFToken"] = token
    return client.post(f"{url}/dictation", data=body, headers=headers)


def test_dictation_fills_a_field_and_records_nothing(app) -> None:
    """Italian words dictated into a form (before answering too: a voice-mail greeting needs no
    line) come back as text for the field; nothing is added to the call, no audio is kept."""
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client, IT, answer=False)
    page = client.get(f"{url}?tool=voicemail").get_data(as_text=True)
    assert 'data-dictate="voicemail-text"' in page and "/dictation" in page
    before = _events(app, url)
    said = "Mi può lasciare un numero di telefono?"
    engine, voice, effects = speech_sets.VOICES["it"][0]
    response = _dictate(client, url, token, speech_sets.render("it", said, engine, voice, effects))
    assert response.status_code == 200, response.json
    assert word_error_rate(said, response.json["transcript"], "it") <= 0.35, response.json
    assert response.json["message"].startswith("Dettato")
    assert _events(app, url) == before
    attempt_id = int(url.rsplit("/", 1)[1])
    with app.extensions["centralino_db"].read() as s:
        kept = s.scalar(select(func.count()).where(UtteranceRecording.attempt_id == attempt_id))
    assert kept == 0


def test_dictation_refuses_bad_audio_a_missing_token_and_other_trainees(app) -> None:
    client = app.test_client()
    login(client, "luca")
    url, token = _start(client)
    before = _events(app, url)
    silent = _dictate(client, url, token, to_wav(np.zeros(16_000, dtype=np.float32), 16_000))
    assert silent.status_code == 400 and silent.json["code"] == "silent" and silent.json["error"]
    assert _dictate(client, url, None, spoken("Good morning")).status_code == 400
    other = app.test_client()
    login(other, "marta")
    _start(other)
    other_token = csrf_from(other.get("/practice").get_data(as_text=True))
    assert _dictate(other, url, other_token, spoken("Good morning")).status_code == 404
    assert _events(app, url) == before
