"""The ``/ivr/`` blueprint: Twilio's webhooks, earcons and rendered audio, the keypad card.

Every webhook is checked against Twilio's signature before anything is read or written (403 and
no change otherwise), then answered from the database only. Whatever goes wrong inside a webhook,
Twilio gets valid TwiML with a spoken apology, never an error page: events already committed
stay, and the attempt is marked interrupted.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from ivr import flow, media, signature, state, texts
from ivr import outbound as outbound_calls
from ivr.context import hangup
from ivr.settings import IvrSettings
from ivr.twiml import Utterance, system
from simulator.flaskkit.extensions import csrf, limiter
from simulator.flaskkit.security import db
from simulator.practice.field_limits import has_control

log = logging.getLogger(__name__)
bp = Blueprint("ivr", __name__, url_prefix="/ivr", template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])
FINAL_FAILURES = ("failed", "busy", "no-answer", "canceled")
CLOCK_FIELD = "CentralinoClock"
# Turn numbers come from our own Gather URLs; anything larger is not one of ours.
MAX_TURN = 100_000
# How long a "completed" callback waits for the Gather result Twilio posts with it.
HANGUP_GRACE_S = 2.0


def settings() -> IvrSettings:
    """The IVR settings loaded at start-up."""
    return cast(IvrSettings, current_app.extensions["centralino_ivr"])


def _url_for(endpoint: str, **values: Any) -> str:
    """A URL for TwiML: absolute on PUBLIC_BASE_URL when set, else root-relative.

    Twilio resolves relative URLs against the URL it requested, which is the public one.
    """
    clean = {key: value for key, value in values.items() if value not in (None, "")}
    path = url_for(endpoint, **clean)
    base = settings().public_base_url
    if base:
        return base + path[len(request.script_root) :]
    return path


def _audio_for(utterance: Utterance) -> str | None:
    if settings().audio != "play":
        return None
    sha = media.render(
        media_store(),
        utterance.text,
        utterance.language,
        utterance.engine_voice,
        scenario=utterance.scenario,
        line=utterance.line,
    )
    if sha is None:
        return None
    secret = str(current_app.config["SECRET_KEY"])
    return _url_for("ivr.audio", sha=sha, sig=media.sign(secret, sha))


def media_store() -> Path:
    """Folder of rendered caller audio (content-addressed, shared by workers)."""
    configured = current_app.config.get("IVR_AUDIO_DIR")
    return Path(configured) if configured else media.default_store(Path(current_app.instance_path))


def _clock() -> flow.Clock:
    """Real time, or the driver's scripted time when the app runs its testing clock."""
    raw = request.form.get(CLOCK_FIELD, "")
    if settings().driver_clock and raw:
        scripted = float(raw)
        return lambda: scripted
    return time.time


def _ctx() -> flow.Ctx:
    return flow.Ctx(
        db=db(),
        settings=settings(),
        secret=str(current_app.config["SECRET_KEY"]),
        url_for=_url_for,
        audio_for=_audio_for,
        clock=_clock(),
        limits=limiter.storage,
    )


def _twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")


def webhook(view: F) -> F:
    """Disabled IVR: a spoken notice. Bad signature: 403, nothing read or written."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        config = settings()
        if not config.webhooks_enabled:
            return _twiml(flow.disabled(_ctx(), config.language))
        if not signature.is_valid(request, config.auth_token, config.public_base_url):
            abort(403)
        return view(*args, **kwargs)

    return cast(F, csrf.exempt(wrapped))


def _answer_turn(
    row: state.CallRow, number: int, answer: Callable[[flow.Ctx], flow.Reply]
) -> Response:
    """Run one turn, store its answer, and turn any failure into a spoken apology."""
    ctx = _ctx()
    call_sid = row.call_sid or ""
    lang, attempt_id = row.lang, row.attempt_id
    try:
        reply = answer(ctx)
        if settings().driver_clock and request.form.get(CLOCK_FIELD):
            reply.changes["last_clock"] = float(request.form[CLOCK_FIELD])
    except Exception:
        log.exception("IVR turn failed: call %s turn %s", call_sid, number)
        reply = flow.Reply(
            flow.apology(ctx, lang), {"stage": "interrupted", "outcome": "interrupted"}
        )
        try:
            fresh = state.current(ctx.db, call_sid)
            attempt_id = fresh.attempt_id if fresh else attempt_id
            if attempt_id is not None:
                state.mark_attempt(ctx.db, attempt_id, "interrupted")
        except Exception:
            log.exception("could not mark the attempt interrupted")
    try:
        state.answer(ctx.db, call_sid, number, reply.twiml, reply.changes)
    except Exception:
        log.exception("could not store the IVR answer: call %s turn %s", call_sid, number)
    if (
        settings().record_calls
        and row.direction == "inbound"
        and row.stage != "in_call"
        and reply.changes.get("stage") == "in_call"
    ):
        # The practice starts now, after the PIN: Twilio records from here (calls we place
        # are recorded whole from the start, as they have no PIN).
        outbound_calls.record_incoming(
            settings(), call_sid, current_app.extensions.get("centralino_twilio_http")
        )
    return _twiml(reply.twiml)


# Twilio's own fields are short; a recognised sentence of 30 s is about 500 characters.
MAX_SPEECH_CHARS = 1000
MAX_DIGITS = 64
READ_FIELDS = {
    "SpeechResult": MAX_SPEECH_CHARS,
    "Digits": MAX_DIGITS,
    "Confidence": 32,
    CLOCK_FIELD: 32,
    "lang_hint": 16,
}
_CALL_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3}
FINAL_STATUSES = ("completed", *FINAL_FAILURES)


def _params() -> dict[str, str]:
    fields = {key: request.form.get(key, "") for key in request.form}
    fields["lang_hint"] = request.args.get("lang", "")
    return fields


def input_refused(fields: dict[str, str]) -> bool:
    """An answer no caller could give: a control character (NUL included) or over-long text in
    a field the IVR reads. Fields it never reads (Twilio adds new ones, some long, such as
    STIR/SHAKEN tokens) are not judged."""
    for key, limit in READ_FIELDS.items():
        value = fields.get(key, "")
        if len(value) > limit or has_control(value):
            return True
    return False


def _clean_number(raw: str) -> str:
    """A caller or called number fit to store (String(32), no control characters)."""
    return "" if has_control(raw) or len(raw) > 32 else raw


def _unknown_call() -> Response:
    """Spoken TwiML for a request about no call we know (never an HTML error on the phone)."""
    lang = settings().language
    return _twiml(hangup(_ctx(), [system(texts.text("unknown_call", lang), lang)]).twiml)


def _call_sid() -> str | None:
    call_sid = request.form.get("CallSid", "")
    return call_sid if _CALL_SID.match(call_sid) else None


@bp.post("/voice")
@webhook
def voice() -> ResponseReturnValue:
    """A call to our number: identify the trainee (caller number or PIN), then the menu."""
    call_sid = _call_sid()
    if call_sid is None:
        return _unknown_call()
    ctx = _ctx()
    try:
        row = state.start_call(
            ctx.db,
            call_sid,
            direction="inbound",
            from_number=_clean_number(request.form.get("From", "")),
            to_number=_clean_number(request.form.get("To", "")),
            lang=settings().language,
        )
        claimed = state.Claim(call=row) if row is not None else state.claim(ctx.db, call_sid, 0)
    except Exception:
        log.exception("IVR could not record call %s", call_sid)
        return _twiml(flow.apology(ctx, settings().language))
    if claimed.call is None:
        return _replay_or_current(call_sid, 0, claimed.replay)
    call = claimed.call
    params = _params()
    if input_refused(params):
        params = {"lang_hint": params["lang_hint"]}
    params["From"] = _clean_number(request.form.get("From", ""))
    return _answer_turn(call, 0, lambda c: flow.incoming(c, call, params))


@bp.post("/outbound")
@webhook
def outbound() -> ResponseReturnValue:
    """A practice call we placed has been answered: confirm a person is there, then start."""
    call_sid = _call_sid()
    token = request.args.get("c", "")
    if call_sid is None or not token:
        return _unknown_call()
    ctx = _ctx()
    try:
        claimed = state.claim_outbound(ctx.db, token, call_sid)
    except Exception:
        log.exception("IVR could not claim outbound call %s", call_sid)
        return _twiml(flow.apology(ctx, settings().language))
    if claimed is None or claimed.unknown:
        return _unknown_call()
    if claimed.replay is not None or claimed.call is None:
        return _replay_or_current(call_sid, 0, claimed.replay)
    row = claimed.call
    return _answer_turn(row, 0, lambda c: flow.outbound(c, row))


@bp.post("/turn")
@webhook
def turn() -> ResponseReturnValue:
    """Every Gather posts here with its turn number: a retry of a turn replays its answer."""
    call_sid = _call_sid()
    try:
        number = int(request.args.get("turn", ""))
    except ValueError:
        number = -1
    if call_sid is None or not 0 <= number <= MAX_TURN:
        return _unknown_call()
    ctx = _ctx()
    try:
        claimed = state.claim(ctx.db, call_sid, number)
    except Exception:
        log.exception("IVR could not claim call %s turn %s", call_sid, number)
        return _twiml(flow.apology(ctx, settings().language))
    if claimed.unknown:
        return _unknown_call()
    if claimed.call is None:
        return _replay_or_current(call_sid, number, claimed.replay)
    row = claimed.call
    params = _params()
    if input_refused(params):
        return _answer_turn(row, number, lambda c: flow.refused(c, row, number))
    if claimed.taken_over:
        seq_before = claimed.seq_before
        return _answer_turn(
            row, number, lambda c: flow.after_takeover(c, row, number, params, seq_before)
        )
    return _answer_turn(row, number, lambda c: flow.turn(c, row, number, params))


def _replay_or_current(call_sid: str, number: int, stored: str | None = None) -> Response:
    """A duplicate request: the stored answer, or (if its twin never finished) a safe apology.

    The claim already waited once for the twin; nothing waits a second time here.
    """
    return _twiml(stored if stored is not None else flow.apology(_ctx(), settings().language))


@bp.post("/status")
@webhook
def status() -> ResponseReturnValue:
    """Call status callbacks: a finished call finishes and scores its attempt, once.

    Statuses only move forward (a late "in-progress" or a "failed" after "completed" changes
    nothing), and a turn still being answered is waited for, so the trainee's last sentence is
    in the log before the attempt is scored.
    """
    call_sid = _call_sid() or ""
    call_status = request.form.get("CallStatus", "")
    ctx = _ctx()
    try:
        row = state.current(ctx.db, call_sid)
        if row is None or not _moves_forward(row, call_status):
            return "", 204
        changes: dict[str, Any] = {"twilio_status": call_status}
        if call_status == "completed":
            _wait_for_open_turns(row)
            row = state.current(ctx.db, call_sid) or row
            changes["outcome"] = row.outcome or "completed"
            if row.stage != "interrupted":
                changes["stage"] = "finished"
                if row.attempt_id is not None and state.attempt_active(ctx.db, row.attempt_id):
                    from simulator.practice import attempts

                    attempts.finish(ctx.db, row.attempt_id, clock=ctx.clock)
        elif call_status in FINAL_FAILURES:
            changes.update(outcome=call_status, stage="finished")
            if row.attempt_id is not None:
                state.mark_attempt(ctx.db, row.attempt_id, call_status)
        state.update_call(ctx.db, call_sid, **changes)
    except Exception:
        log.exception("IVR status callback failed for %s", call_sid)
    return "", 204


_RECORDING_SID = re.compile(r"^RE[0-9a-f]{32}$")


@bp.post("/recording")
@webhook
def recording() -> ResponseReturnValue:
    """Twilio finished recording a call we placed (``IVR_RECORD_CALLS``): keep where it is.

    The audio stays with Twilio; the attempt keeps its address for the replay and the GDPR
    export, and the retention purge forgets it with the other recordings.
    """
    call_sid = _call_sid() or ""
    sid = request.form.get("RecordingSid", "")
    url = request.form.get("RecordingUrl", "")
    if (
        not settings().record_calls
        or request.form.get("RecordingStatus", "completed") != "completed"
        or not _RECORDING_SID.match(sid)
        or not url.startswith("https://")
    ):
        return "", 204
    ctx = _ctx()
    try:
        row = state.current(ctx.db, call_sid)
        if row is None or row.attempt_id is None:
            return "", 204
        from simulator.practice import recordings

        with ctx.db.write() as session:
            recordings.keep_phone_call(session, row.attempt_id, sid, url[:500])
    except Exception:
        log.exception("IVR recording callback failed for %s", call_sid)
    return "", 204


def _moves_forward(row: state.CallRow, call_status: str) -> bool:
    """Whether a status callback may change the call: never after a final status, never back."""
    current = row.twilio_status
    if current in FINAL_STATUSES:
        return False
    if call_status in FINAL_STATUSES:
        return True
    if call_status not in STATUS_RANK:
        return False
    return STATUS_RANK[call_status] >= STATUS_RANK.get(current, -1)


def _wait_for_open_turns(row: state.CallRow) -> None:
    """Let a turn racing the hang-up store the trainee's last words before the attempt is
    scored. A caller who hangs up during a Gather has Twilio post the Gather's result and the
    "completed" callback together: if the call was still listening, its next turn is given
    ``HANGUP_GRACE_S`` to arrive, then (like any open turn) until its claim is answered or
    stale. A call that ended on our own Hangup has nothing to wait for."""
    call_sid = row.call_sid or ""
    if row.stage == "in_call":
        state.wait_for_claim(db(), call_sid, row.next_turn, within=HANGUP_GRACE_S)
    for number, claimed_at in state.open_turns(db(), call_sid):
        state.wait_for_answer(db(), call_sid, number, until=claimed_at + state.STALE_CLAIM_S)


@bp.get("/tone/<name>.wav")
def tone(name: str) -> ResponseReturnValue:
    """Earcons (ring, beep): generated, public, cacheable."""
    if name not in media.TONES:
        abort(404)
    response = Response(media.tone(name), mimetype="audio/wav")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/audio/<sha>.wav")
def audio(sha: str) -> ResponseReturnValue:
    """Rendered caller audio, only with the URL's signature (not guessable from the text)."""
    secret = str(current_app.config["SECRET_KEY"])
    if not media.signature_ok(secret, sha, request.args.get("sig", "")):
        abort(404)
    path = media.stored(media_store(), sha)
    if path is None:
        abort(404)
    response = Response(path.read_bytes(), mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Whether phone practice is enabled, and which variables are missing if not."""
    config = settings()
    it, en = config.message()
    return jsonify(
        webhooks=config.webhooks_enabled,
        outbound=config.outbound_enabled,
        missing=list(config.missing),
        message=it,
        message_en=en,
    )
