"""Replay and coach: hear a finished call again, jump to each verdict, notes and overrides.

- ``GET /attempts/<id>/replay``: the timeline (trainee: own attempts only, others 404;
  instructor: every attempt), each turn with a link to its clip (works without JavaScript) and,
  with the script, native play buttons, "play all" with the real gaps and the replay keys.
- ``GET /attempts/<id>/replay/caller/<seq>.wav`` and ``.../reply/<seq>.wav``: one clip
  (a trainee's expired recording is 410 with the reason).
- ``POST /attempts/<id>/notes`` and ``/overrides``: instructors only (a trainee gets 403).
- ``POST /recording-notice``: the trainee read what is recorded and for how long.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from simulator.errors import CentralinoError
from simulator.flaskkit.i18n import pick
from simulator.flaskkit.security import current_user, db, login_required, role_required
from simulator.practice import accounts, attempts, exams, recordings, review
from simulator.store.models import User
from simulator.web import caller_audio, replay_view
from simulator.web.shortcuts import REPLAY_SHORTCUTS, replay_keys

bp = Blueprint("replay", __name__)
log = logging.getLogger(__name__)


def _(message: str, **values: Any) -> str:
    return str(gettext(message, **values))


def _me() -> User:
    user = current_user()
    assert user is not None
    return user


def _snapshot(attempt_id: int) -> attempts.Snapshot:
    """The attempt, for its owner or an instructor (anyone else: 404, like every attempt)."""
    user = _me()
    owner = None if user.role == "instructor" else user.id
    try:
        snap = attempts.snapshot(db(), attempt_id, trainee_id=owner)
    except attempts.AttemptNotFound:
        abort(404)
    if owner is not None:
        with db().read() as s:
            if exams.score_withheld(s, attempt_id):
                abort(404)  # an exam's verdicts reach the trainee only with the released report
    return snap


def retention_days() -> int:
    return int(current_app.config.get("RECORDING_RETENTION_DAYS") or 0)


def _page(
    attempt_id: int, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> ResponseReturnValue:
    snap = _snapshot(attempt_id)
    if snap.status == "active":
        abort(409, description=_("La chiamata è ancora in corso: il riascolto è alla fine."))
    user = _me()
    with db().read() as s:
        report = review.effective_verdicts(s, attempt_id)
        notes = review.notes_of(s, attempt_id)
        clips = recordings.states(s, attempt_id)
        trainee = s.get(User, snap.trainee_id)
        shortcuts_on = user.role == "instructor" or accounts.settings_of(s, user.id).shortcuts
    timeline = replay_view.build(
        snap,
        report,
        notes,
        clips,
        lambda seq: url_for("replay.caller_clip", attempt_id=attempt_id, seq=seq),
        lambda seq: url_for("replay.reply_clip", attempt_id=attempt_id, seq=seq),
    )
    instructor = user.role == "instructor"
    back = (
        url_for("instructor.attempt_detail", attempt_id=attempt_id)
        if instructor
        else url_for("console.result", attempt_id=attempt_id)
    )
    return render_template(
        "replay.html",
        snap=snap,
        report=report,
        timeline=timeline,
        trainee=trainee,
        instructor=instructor,
        errors=errors or {},
        values=values or {},
        back_url=back,
        shortcuts_on=shortcuts_on,
        replay_shortcuts=REPLAY_SHORTCUTS,
        replay_keys=replay_keys,
        keymap=json.dumps({s.code: s.name for s in REPLAY_SHORTCUTS}),
        playlist=json.dumps(timeline.playlist),
        retention_days=retention_days(),
    ), (400 if errors else 200)


@bp.get("/attempts/<int:attempt_id>/replay")
@login_required
def page(attempt_id: int) -> ResponseReturnValue:
    """The call as a timeline of turns with every verdict at its moment."""
    return _page(attempt_id)


def _wav(data: bytes) -> Response:
    response = Response(data, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/attempts/<int:attempt_id>/replay/caller/<int:seq>.wav")
@login_required
def caller_clip(attempt_id: int, seq: int) -> ResponseReturnValue:
    """A caller line of the attempt, from the audio cache (rendered again if evicted)."""
    snap = _snapshot(attempt_id)
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
    return _wav(wav)


@bp.get("/attempts/<int:attempt_id>/replay/reply/<int:seq>.wav")
@login_required
def reply_clip(attempt_id: int, seq: int) -> ResponseReturnValue:
    """The trainee's recorded reply ``seq`` (410 once the retention period has removed it)."""
    _snapshot(attempt_id)  # 404 for anyone but the owner and instructors
    with db().read() as s:
        row = recordings.clip(s, attempt_id, seq)
        expired = row is None and recordings.states(s, attempt_id).get(seq) == "expired"
        audio = row.audio if row is not None else None
    if expired:
        abort(
            410, description=_("Registrazione cancellata alla fine del periodo di conservazione.")
        )
    if not audio:
        abort(404)
    return _wav(audio)


@bp.post("/attempts/<int:attempt_id>/notes")
@role_required("instructor")
def add_note(attempt_id: int) -> ResponseReturnValue:
    """A coaching note at a turn, on a criterion, or on the whole call."""
    _snapshot(attempt_id)
    at = request.form.get("at", "")
    seq: int | None = None
    criterion: str | None = None
    if at.startswith("seq-") and at[4:].isdigit():
        seq = int(at[4:])
    elif at.startswith("criterion-"):
        criterion = at[len("criterion-") :]
    elif at not in ("", "call"):
        abort(400)
    values = {"at": at, "text": request.form.get("text", "")}
    try:
        with db().write() as s:
            review.add_note(
                s,
                attempt_id,
                author_id=_me().id,
                text=values["text"],
                seq=seq,
                criterion_id=criterion,
            )
    except review.ReviewError as exc:
        return _page(attempt_id, errors={f"note-{exc.field}": pick(exc)}, values=values)
    flash(_("Nota salvata."), "status")
    return redirect(url_for("replay.page", attempt_id=attempt_id) + "#notes-heading")


@bp.post("/attempts/<int:attempt_id>/overrides")
@role_required("instructor")
def override(attempt_id: int) -> ResponseReturnValue:
    """The instructor's verdict on a criterion, with a reason; the totals follow."""
    _snapshot(attempt_id)
    verdict = request.form.get("verdict", "")
    values = {
        "criterion": request.form.get("criterion", ""),
        "verdict": verdict,
        "reason": request.form.get("reason", ""),
    }
    if verdict not in ("passed", "failed"):
        message = _("Scegli superato o non superato.")
        return _page(attempt_id, errors={"override-verdict": message}, values=values)
    try:
        with db().write() as s:
            review.override(
                s,
                attempt_id,
                values["criterion"],
                passed=verdict == "passed",
                reason=values["reason"],
                author_id=_me().id,
            )
    except review.ReviewError as exc:
        return _page(attempt_id, errors={f"override-{exc.field}": pick(exc)}, values=values)
    flash(_("Verdetto salvato: i totali sono aggiornati."), "status")
    return redirect(url_for("replay.page", attempt_id=attempt_id) + "#review-heading")


@bp.post("/recording-notice")
@role_required("trainee")
def acknowledge_notice() -> ResponseReturnValue:
    """The trainee read what is recorded and for how long: not shown again."""
    with db().write() as s:
        recordings.acknowledge(s, _me().id, retention_days())
    flash(_("Grazie: l'avviso non sarà più mostrato."), "status")
    return redirect(url_for("console.home"))
