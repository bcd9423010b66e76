"""Voice in the browser: caller lines as audio, tones and earcons, and push-to-talk replies.

- ``GET /attempts/<id>/audio/<seq>.wav``: the caller line ``seq`` of the trainee's own attempt,
  rendered through the cache (another trainee gets 404, like every attempt page).
- ``GET /tones/<name>.wav``: ring (Italian 425 Hz cadence) and earcons from ``audio.tones``.
- ``POST /attempts/<id>/speech/stream``: raw 16 kHz PCM chunks sent while the trainee speaks
  (``X-Utterance`` id, ``X-Offset`` bytes already sent), kept by ``audio.stream``.
- ``POST /attempts/<id>/speech``: a 16 kHz mono 16-bit WAV recorded in the page (raw body,
  CSRF token in ``X-CSRFToken``), or with ``X-Utterance`` the tail of a streamed utterance;
  transcribed by Whisper through the recognition service (``audio.asr_service``) for the line in
  conversation, then recorded as a ``say`` with ``source: voice``, or sent back for the trainee
  to confirm when their accommodation asks for it or the recogniser was not sure. Bad audio is
  a 4xx with nothing recorded. The audio is kept with the attempt for the replay
  (``simulator.practice.recordings``): with the ``say``, or until the confirmed reply arrives.
- ``POST /attempts/<id>/dictation``: the same WAV, dictated into a form field (a message taken
  down, a fonogramma, the voice-mail greeting): the transcript comes back for the field and
  nothing is recorded in the call, nor is the audio kept (the trainee files the form as text).
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from audio import stream
from audio.asr_service import RecognitionTimeoutError
from audio.errors import AudioInputError
from audio.tones import tone
from audio.utterance import (
    NotUnderstoodError,
    VoiceUnavailableError,
    recognise_dictation,
    recognise_utterance,
    voice_available,
)
from audio.wav import RECOGNITION_RATE, read_wav, resample, to_wav
from audio.whisper import LOW_CONFIDENCE
from simulator.errors import CallStateError, CentralinoError
from simulator.expected import speaking_language
from simulator.flaskkit.i18n import pick
from simulator.flaskkit.security import current_user, db, role_required
from simulator.practice import accounts, attempts, recordings
from simulator.web import caller_audio

bp = Blueprint("voice", __name__)
log = logging.getLogger(__name__)

TONE_NAMES = ("ringback", "new_call", "transfer_done", "caller_hung_up")
_AUDIO_STATUS = {"too_big": 413}


def _(message: str, **values: Any) -> str:
    """gettext with a str type (Flask-Babel is untyped)."""
    return str(gettext(message, **values))


def _me() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _wav(data: bytes, cache_control: str) -> ResponseReturnValue:
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = cache_control
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return response.make_conditional(request)


def raise_speech_limit() -> None:
    """Let a spoken reply exceed the form upload limit (runs before the CSRF check reads it)."""
    if request.endpoint in ("voice.speech", "voice.speech_stream"):
        request.max_content_length = int(current_app.config["SPEECH_MAX_BYTES"]) + 1024


@bp.get("/attempts/<int:attempt_id>/audio/<int:seq>.wav")
@role_required("trainee", "instructor")
def caller_line(attempt_id: int, seq: int) -> ResponseReturnValue:
    """One caller line of the trainee's own attempt, as normalised WAV (cached by the browser)."""
    try:
        snap = attempts.snapshot(db(), attempt_id, trainee_id=_me(), since=max(0, seq - 1))
    except attempts.AttemptNotFound:
        abort(404)
    event = next((e for s, e in snap.events if s == seq and e.kind == "caller_said"), None)
    if event is None:
        abort(404)
    try:
        wav = caller_audio.render_cache().get(
            str(event.data.get("text", "")), caller_audio.voice_of(snap.scenario, event)
        )
    except CentralinoError as exc:
        log.warning("caller line %s/%s not rendered: %s", attempt_id, seq, exc.message("en"))
        abort(503)
    # A recorded line never changes: the browser may keep it for the whole lesson.
    return _wav(wav, "private, max-age=86400, immutable")


@lru_cache(maxsize=len(TONE_NAMES))
def _tone(name: str) -> bytes:
    return tone(name)


@bp.get("/tones/<name>.wav")
def tone_wav(name: str) -> ResponseReturnValue:
    """The ring and the earcons, generated once per process."""
    if name not in TONE_NAMES:
        abort(404)
    return _wav(_tone(name), "public, max-age=86400")


def voice_status(language: str) -> dict[str, Any]:
    """Whether the trainee can speak in ``language`` here, with the reason when not."""
    if voice_available(language, caller_audio.models_root()):
        return {"available": True, "language": language, "reason": ""}
    return {
        "available": False,
        "language": language,
        "reason": _(
            "Riconoscimento vocale non disponibile per questa lingua (%(lang)s): "
            "scrivi la risposta.",
            lang=language,
        ),
    }


def _error(code: str, message: str, status: int) -> ResponseReturnValue:
    return jsonify(ok=False, code=code, error=message), status


_RECOGNITION_FAILURES = (
    AudioInputError,
    VoiceUnavailableError,
    NotUnderstoodError,
    RecognitionTimeoutError,
)


def _recognition_failure(exc: Exception) -> ResponseReturnValue:
    """A clip that could not be recognised, as the 4xx/503 JSON the page announces."""
    if isinstance(exc, AudioInputError):
        return _error(exc.code, pick(exc), _AUDIO_STATUS.get(exc.code, 400))
    if isinstance(exc, VoiceUnavailableError):
        return _error("no_engine", pick(exc), 422)
    if isinstance(exc, NotUnderstoodError):
        return _error("not_understood", _("Non ho capito, riprova o scrivi."), 422)
    message = _("Il riconoscimento vocale è occupato: riprova tra poco o scrivi la risposta.")
    return _error("busy", message, 503)


def _streams() -> Path:
    return Path(current_app.instance_path) / "speech-streams"


@bp.post("/attempts/<int:attempt_id>/speech/stream")
@role_required("trainee", "instructor")
def speech_stream(attempt_id: int) -> ResponseReturnValue:
    """Keep one chunk of an utterance being spoken; the reply says how much is stored."""
    utterance = request.headers.get("X-Utterance", "")
    try:
        offset = int(request.headers.get("X-Offset", "-1"))
        stored = stream.append_chunk(
            _streams(), str(_me()), utterance, offset, request.get_data(cache=False)
        )
    except ValueError:
        return _error("bad_format", _("Richiesta audio non valida."), 400)
    except stream.StreamOrderError as exc:
        return _error("out_of_order", pick(exc), 409)
    except AudioInputError as exc:
        return _error(exc.code, pick(exc), _AUDIO_STATUS.get(exc.code, 400))
    return jsonify(ok=True, stored=stored)


def _with_streamed_head(wav: bytes, utterance: str) -> bytes:
    """The whole utterance: the streamed chunks, then the tail WAV sent at the end of speech."""
    head = stream.take(_streams(), str(_me()), utterance)
    samples = np.frombuffer(head[: len(head) - len(head) % 2], dtype="<i2") / 32768.0
    if wav:
        # The tail is often the silence that ended speech: only the whole utterance is judged.
        tail, rate = read_wav(wav, silence_dbfs=float("-inf"), min_seconds=0.0)
        samples = np.concatenate([samples, resample(tail, rate, RECOGNITION_RATE)])
    return to_wav(samples.astype(np.float32), RECOGNITION_RATE)


@bp.post("/attempts/<int:attempt_id>/speech")
@role_required("trainee", "instructor")
def speech(attempt_id: int) -> ResponseReturnValue:
    """Recognise a spoken reply and record it (or return it for confirmation)."""
    wav = request.get_data(cache=False)
    if not wav and "audio" in request.files:
        wav = request.files["audio"].read()
    utterance = request.headers.get("X-Utterance", "")
    if utterance:
        try:
            wav = _with_streamed_head(wav, utterance)
        except AudioInputError as exc:
            return _error(exc.code, pick(exc), _AUDIO_STATUS.get(exc.code, 400))
    try:
        snap = attempts.tick(db(), attempt_id, trainee_id=_me(), since=attempts.ONLY_NEW)
    except attempts.AttemptNotFound:
        abort(404)
    if snap.status != "active":
        return _error("ended", _("L'esercitazione è terminata."), 409)
    limit = int(current_app.config["SPEECH_MAX_BYTES"])
    try:
        read_wav(wav, max_bytes=limit)
        heard = recognise_utterance(wav, snap.state, caller_audio.models_root())
    except _RECOGNITION_FAILURES as exc:
        return _recognition_failure(exc)
    except CallStateError as exc:
        return _error("no_line", pick(exc), 409)
    recognition = heard.recognition
    result: dict[str, Any] = {
        "ok": True,
        "transcript": recognition.transcript,
        "confidence": round(recognition.confidence, 3),
        "alternatives": list(recognition.alternatives),
        "line": heard.listening.line,
    }
    with db().read() as s:
        confirm = accounts.settings_of(s, _me()).confirm_transcript
    if recognition.confidence < LOW_CONFIDENCE and not confirm:
        # Not sure enough to put words in the trainee's mouth: they confirm or correct it.
        message = _(
            "Riconosciuto con poca sicurezza: %(text)s. Correggi se serve e premi Invio.",
            text=recognition.transcript,
        )
        if recognition.alternatives:
            message += " " + _("In alternativa: %(other)s", other=recognition.alternatives[0])
        _keep_recording(attempt_id, wav, None)
        return jsonify({**result, "recorded": False, "confirm": True, "message": message})
    if confirm:
        message = _("Riconosciuto: %(text)s. Premi Invio per inviare.", text=recognition.transcript)
        _keep_recording(attempt_id, wav, None)
        return jsonify({**result, "recorded": False, "confirm": True, "message": message})
    try:
        done = attempts.act(
            db(), attempt_id, heard.action(), trainee_id=_me(), since=attempts.ONLY_NEW
        )
    except CallStateError as exc:
        return _error("refused", pick(exc), 409)
    except Exception:
        # The engine failed on this reply: what was recorded before stays; the call goes on.
        log.exception("engine error on a spoken reply, attempt %s", attempt_id)
        message = _("Errore del simulatore: la frase non è stata registrata. Riprova o scrivi.")
        return _error("engine_error", message, 500)
    _keep_recording(attempt_id, wav, done)
    message = _("Riconosciuto: %(text)s", text=recognition.transcript)
    return jsonify({**result, "recorded": True, "confirm": False, "message": message})


@bp.post("/attempts/<int:attempt_id>/dictation")
@role_required("trainee", "instructor")
def dictation(attempt_id: int) -> ResponseReturnValue:
    """Recognise words dictated into a form field; nothing is recorded in the call."""
    wav = request.get_data(cache=False)
    try:
        snap = attempts.tick(db(), attempt_id, trainee_id=_me(), since=attempts.ONLY_NEW)
    except attempts.AttemptNotFound:
        abort(404)
    if snap.status != "active":
        return _error("ended", _("L'esercitazione è terminata."), 409)
    try:
        read_wav(wav, max_bytes=int(current_app.config["SPEECH_MAX_BYTES"]))
        recognition = recognise_dictation(
            wav, snap.state, caller_audio.models_root(), line_language(snap)
        )
    except _RECOGNITION_FAILURES as exc:
        return _recognition_failure(exc)
    message = _("Dettato: %(text)s", text=recognition.transcript)
    if recognition.confidence < LOW_CONFIDENCE:
        message = _(
            "Dettato, con poca sicurezza: %(text)s. Controlla il campo.",
            text=recognition.transcript,
        )
    return jsonify(
        ok=True,
        transcript=recognition.transcript,
        confidence=round(recognition.confidence, 3),
        message=message,
    )


def _keep_recording(attempt_id: int, wav: bytes, done: attempts.Snapshot | None) -> None:
    """Keep the reply's audio with the attempt: with its ``say``, or waiting for confirmation.

    Keeping it is never worth failing the reply for: a storage error is logged, nothing more.
    """
    seq = None
    if done is not None:
        seq = next((s for s, e in done.events if e.kind == "say" and e.actor == "trainee"), None)
    try:
        with db().write() as s:
            recordings.keep(s, attempt_id, seq, wav, source="web")
    except Exception:
        log.exception("recording of a reply not kept, attempt %s", attempt_id)


def line_language(snap: attempts.Snapshot) -> str:
    """The language the trainee speaks now: the talking line's caller, else the scenario's."""
    return speaking_language(snap.state)
