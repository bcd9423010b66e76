"""The trainee's console: practice list, the call console, actions, live state, score, settings.

Every action is a plain form post answered with a redirect (works without JavaScript); the
console script posts the same forms with fetch() and gets JSON instead. Nothing about a call is
kept between requests: each one rebuilds the call from the database (``attempts``).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from simulator.errors import CallStateError
from simulator.events import Action
from simulator.flaskkit.i18n import lang, pick
from simulator.flaskkit.security import current_user, db, role_required
from simulator.knowledge import search_knowledge
from simulator.practice import accounts, attempts, classes, exams, recordings, review
from simulator.practice.library import current_scenarios
from simulator.procedure_text import duty_name
from simulator.store.models import (
    EARCONS,
    VOICE_MODES,
    Assignment,
    Attempt,
    ScenarioVersion,
    Score,
)
from simulator.web import (
    braille_views,
    caller_audio,
    console_forms,
    console_view,
    library_view,
    on_demand,
    practice_breaks,
    voice,
)
from simulator.web.errors import wants_json
from simulator.web.search import directory_hits
from simulator.web.shortcuts import REPLAY_SHORTCUTS, SHORTCUTS, aria_keys

bp = Blueprint("console", __name__)


def _me() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _trying() -> bool:
    """An instructor in the console plays their own trial (``_me()`` owns every attempt shown)."""
    user = current_user()
    return user is not None and user.role == "instructor"


@bp.get("/practice")
@role_required("trainee")
def home() -> ResponseReturnValue:
    """Assigned scenarios, the library by family and level (filterable), past attempts."""
    filters = library_view.Filters.from_args(request.args)
    reader = lang()
    with db().read() as s:
        assigned = set(
            s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == _me()))
        )
        library = current_scenarios(s)
        done = library_view.histories(s, _me())
        scenarios = library_view.grouped(
            library_view.cards([v for v in library if v.scenario_id in assigned], done), reader
        )
        free = current_app.config["FREE_PRACTICE"]
        others = library_view.cards(
            [v for v in library if v.scenario_id not in assigned] if free else [], done
        )
        shown = [card for card in others if filters.keeps(card)]
        pause = practice_breaks.pause_notice(_me())
        exam_sittings = exams.sittings_of(s, _me())
        exam_attempts = exams.exam_attempt_ids(s, _me())
        playable = [v for v in library if free or v.scenario_id in assigned]
        suggestion, paths = classes.suggestion_for(s, _me(), playable)
        titles = {v.scenario_id: v for v in library}
        rows = s.execute(
            select(Attempt, ScenarioVersion, Score)
            .join(ScenarioVersion, Attempt.scenario_version_id == ScenarioVersion.id)
            .outerjoin(Score, Score.attempt_id == Attempt.id)
            .where(Attempt.trainee_id == _me())
            .order_by(Attempt.id.desc())
            .limit(50)
        ).all()
        return render_template(
            "console/home.html",
            scenarios=[card for group in scenarios for lv in group.levels for card in lv.cards],
            others=library_view.grouped(shown, reader),
            others_total=len(others),
            others_shown=len(shown),
            filters=filters,
            options=library_view.filter_options([c.version for c in others], reader),
            rows=rows,
            exam_sittings=exam_sittings,
            exam_attempts=exam_attempts,
            pause_reminder=pause.reminder,
            until_pause=pause.until,
            practice_today=pause.today,
            recording_notice=recordings.notice_due(s, _me()),
            retention_days=current_app.config["RECORDING_RETENTION_DAYS"],
            phone_recording=current_app.config["IVR_RECORD_CALLS"],
            suggestion=suggestion,
            paths=paths,
            titles=titles,
            companies=braille_views.companies(),
        )


@bp.post("/practice/<scenario_id>/start")
@role_required("trainee")
def start(scenario_id: str) -> ResponseReturnValue:
    """Start a scenario (assigned, or any with free practice) at the trainee's multiplier."""
    with db().read() as s:
        if scenario_id in classes.locked_for(s, _me()):
            abort(
                403,
                _("Questo scenario del percorso è ancora bloccato: supera prima il precedente."),
            )
    if not current_app.config["FREE_PRACTICE"]:
        with db().read() as s:
            allowed = s.scalar(
                select(Assignment.id).where(
                    Assignment.trainee_id == _me(), Assignment.scenario_id == scenario_id
                )
            )
        if allowed is None:
            abort(404)
    try:
        attempt_id = attempts.start_attempt(db(), _me(), scenario_id)
    except attempts.AttemptNotFound:
        abort(404)
    # Render the callers' lines now, before the console opens and the first line is due.
    started = attempts.snapshot(db(), attempt_id, trainee_id=_me())
    caller_audio.prerender(started.scenario, started.company)
    return redirect(url_for("console.attempt", attempt_id=attempt_id, focus="lines-heading"))


def _snapshot(attempt_id: int, tick: bool = True, since: int = 0) -> attempts.Snapshot:
    try:
        if tick:
            return attempts.tick(db(), attempt_id, trainee_id=_me(), since=since)
        return attempts.snapshot(db(), attempt_id, trainee_id=_me(), since=since)
    except attempts.AttemptNotFound:
        abort(404)


def _pause_after(snap: attempts.Snapshot) -> str | None:
    """The pause reminder, when the call in progress has just ended and a pause is due.

    Never during a call: only once no line rings, talks or waits and one has ended.
    """
    lines = snap.state.lines.values()
    if _trying() or snap.state.open_lines() or not any(ln.status == "ended" for ln in lines):
        return None
    return practice_breaks.reminder(_me())


def _with_pause(
    notices: list[tuple[int, str, str]], snap: attempts.Snapshot
) -> list[tuple[int, str]]:
    """Notices as (seq, text), the pause reminder added to the one that ended the last call."""
    out = [(seq, text) for seq, _kind, text in notices]
    ending = [i for i, (_seq, kind, _text) in enumerate(notices) if kind in _CALL_ENDS]
    if ending:
        reminder = _pause_after(snap)
        if reminder:
            seq, text = out[ending[-1]]
            out[ending[-1]] = (seq, f"{text} {reminder}")
    return out


_CALL_ENDS = ("caller_hangup", "missed")


def _render(
    snap: attempts.Snapshot,
    *,
    tool: str | None = None,
    focus: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    view = console_view.build(snap)
    if view.finished and snap.status != "active":
        return redirect(url_for("console.result", attempt_id=snap.attempt_id))
    tool = tool if tool in console_forms.PANELS else None
    query = request.args.get("q", "").strip()
    hits = directory_hits(snap.state.company, query, snap.scenario.language) if query else []
    knowledge_query = request.args.get("kq", "").strip()[:80] if tool == "knowledge" else ""
    articles = (
        search_knowledge(snap.state.company, knowledge_query, snap.scenario.language, limit=20)
        if tool == "knowledge"
        else []
    )
    with db().read() as s:
        settings = accounts.settings_of(s, _me())
    seen = request.args.get("seen", type=int)
    # A line still ringing is announced on load (new since the last action, or on first open).
    # The page script drops those this tab has already announced (no repeat after a reload).
    ring_alerts = (
        [(seq, text) for seq, text in view.alerts if seq > (seen or 0)]
        if any(line.status == "ringing" for line in view.lines)
        else []
    )
    # After a plain-form action: what happened meanwhile that the action's own message (the
    # flashed status) does not say: a caller who hung up, a missed call.
    notices = _with_pause(
        [
            (seq, kind, text)
            for seq, kind, text in view.notices
            if seen is not None and seq > seen and kind in _CALL_ENDS
        ],
        snap,
    )
    if focus is None:
        focus = request.args.get("focus") or (f"{tool}-first" if tool else None)
    exam = _exam_of(snap.attempt_id)
    return (
        render_template(
            "console/console.html",
            snap=snap,
            view=view,
            scenario=snap.scenario,
            company=snap.state.company,
            tool=tool,
            query=query,
            hits=hits,
            knowledge_query=knowledge_query,
            articles=articles,
            focus=focus,
            seen=seen,
            ring_alerts=ring_alerts,
            notices=notices,
            errors=errors or {},
            values=values or {},
            settings=settings,
            ring_muted=bool(session.get("ring_muted")),
            aria_keys=aria_keys,
            keymap=json.dumps({s.key: s.name for s in SHORTCUTS}),
            poll_ms=current_app.config["POLL_INTERVAL_MS"],
            voice_status=voice.voice_status(voice.line_language(snap)),
            last_caller_seq=_last_caller_seq(snap),
            duty_name=duty_name,
            trial=_trying(),
            exam=exam,
        ),
        status,
    )


def _exam_of(attempt_id: int) -> dict[str, Any] | None:
    """For an exam's attempt, what the console changes: no briefing, pause only if allowed."""
    with db().read() as s:
        sitting = exams.sitting_of_attempt(s, attempt_id)
        if sitting is None:
            return None
        definition = exams.definition_of(sitting.exam)
        return {
            "sitting_id": sitting.id,
            "allow_pause": definition.allow_pause,
            "calls": len(definition.calls),
        }


def _last_caller_seq(snap: attempts.Snapshot) -> int:
    """Seq of the last caller line on the active line (what "repeat" replays), or 0."""
    active = snap.state.active_line
    said = [seq for seq, e in snap.events if e.kind == "caller_said" and e.line == active]
    if said:
        return said[-1]
    if snap.since == 0 or active is None:
        return 0
    # A poll reads only new events: the last line said before them is looked up, not loaded.
    return attempts.last_caller_seq(db(), snap.attempt_id, active)


def due_ms(snap: attempts.Snapshot, t: float) -> int:
    """Milliseconds until an event is due: a caller's reply is recorded with the action that
    caused it, timed a human gap ahead (``simulator.pacing``), and the page shows and plays it
    then, not the instant the action answers. 0 for what is already past."""
    return round(snap.due_in(t) * 1000)


def _audio_of(snap: attempts.Snapshot, after: int) -> list[dict[str, Any]]:
    """New caller lines as audio URLs, in order, for the page's player."""
    return [
        {
            "seq": seq,
            "line": event.line,
            "url": url_for("voice.caller_line", attempt_id=snap.attempt_id, seq=seq),
            "due_ms": due_ms(snap, event.t),
        }
        for seq, event in snap.events
        if seq > after and event.kind == "caller_said"
    ]


@bp.get("/attempts/<int:attempt_id>")
@role_required("trainee", "instructor")
def attempt(attempt_id: int) -> ResponseReturnValue:
    """The console: lines, conversation, reply, tools, busy lamp (timers fire on every load)."""
    snap = _snapshot(attempt_id)
    return _render(snap, tool=request.args.get("tool"))


def _message_for(
    action: Action, snap: attempts.Snapshot, before: int
) -> tuple[str, str, list[int]]:
    """(polite status message, id to focus, seqs of the notices it covers) after an action.

    The message is the one announcement of the action (docs/announcements.md): an automatic hold
    or a transfer result it caused is said in it, and the next poll stays silent about them.
    """
    numbers = console_view.line_numbers(snap.scenario)
    new = [(seq, event) for seq, event in snap.events if seq > before]
    line = next((e.line for _, e in new if e.actor == "trainee" and e.line), action.line)
    n = numbers.get(line or "", 1)
    auto_held = [
        (seq, e) for seq, e in new if e.kind == "hold" and e.actor != "trainee" and e.line != line
    ]
    covered = [seq for seq, _e in auto_held]
    kind = action.kind
    if kind == "activity":
        return "", "", covered
    if kind in ("answer", "resume"):
        if auto_held:
            held = numbers.get(auto_held[0][1].line or "", 1)
            text = _("Linea %(n)s in conversazione, %(m)s in attesa.", n=n, m=held)
            return text, "reply", covered
        if kind == "answer":
            return _("Linea %(n)s in conversazione.", n=n), "reply", covered
        return _("Linea %(n)s ripresa.", n=n), "reply", covered
    if kind == "hold":
        return _("Linea %(n)s in attesa.", n=n), f"resume-{line}", covered
    if kind == "hangup":
        return _("Linea %(n)s chiusa.", n=n), "lines-heading", covered
    if kind == "say":
        return "", "reply", covered
    if kind == "transfer":
        result = next(((seq, e) for seq, e in new if e.kind == "transfer_result"), None)
        if result is None:
            return _("Trasferimento in corso."), "reply", covered
        status = str(result[1].data.get("status", ""))
        return console_view.transfer_text(status), "reply", [*covered, result[0]]
    if kind == "pause":
        return _("Esercitazione in pausa."), "pause-button", covered
    if kind == "unpause":
        return _("Esercitazione ripresa."), "pause-button", covered
    if kind == "voicemail_listen":
        return _("Messaggio in segreteria aperto."), f"vm-{action.data.get('id')}", covered
    if kind == "directory_search":
        return "", "transfer-results", covered
    filed = console_view.filed_text(kind, action.data)
    return filed[:1].upper() + filed[1:], "reply", covered


@bp.post("/attempts/<int:attempt_id>/action")
@role_required("trainee", "instructor")
def act(attempt_id: int) -> ResponseReturnValue:
    """Apply one console action; redirect back (plain form) or answer JSON (script)."""
    form = {key: request.form.get(key, "") for key in request.form}
    tool = form.get("tool") or None
    if form.get("intent") == "search":
        form = {"kind": "directory_search", "query": form.get("to", ""), "line": ""}
    action, errors = console_forms.parse(form)
    before = request.form.get("seen", type=int)
    if (
        action is not None
        and action.kind in ("pause", "unpause")
        and not exams.pause_allowed(db(), attempt_id)
    ):
        message = _("In questo esame la pausa non è consentita.")
        if wants_json():
            return jsonify(ok=False, error=message), 409
        flash(message, "error")
        return redirect(url_for("console.attempt", attempt_id=attempt_id))
    if action is None:
        if wants_json():
            return jsonify(ok=False, errors=errors), 400
        snap = _snapshot(attempt_id, tick=False)
        field_errors = {("reply" if k == "text" and not tool else k): v for k, v in errors.items()}
        return _render(snap, tool=tool, errors=field_errors, values=form, status=400)
    try:
        snap = attempts.act(
            db(),
            attempt_id,
            action,
            trainee_id=_me(),
            since=before if before is not None else attempts.ONLY_NEW,
        )
    except attempts.AttemptNotFound:
        abort(404)
    except CallStateError as exc:
        message = pick(exc)
        if wants_json():
            return jsonify(ok=False, error=message), 409
        if tool:
            snap = _snapshot(attempt_id, tick=False)
            key = "to" if action.kind == "transfer" else "_form"
            return _render(snap, tool=tool, errors={key: message}, values=form, status=409)
        flash(message, "error")
        return redirect(url_for("console.attempt", attempt_id=attempt_id))
    seen = before if before is not None else snap.last_seq
    base = before if before is not None else snap.since
    if action.kind == "say" and action.data.get("source") == "voice":
        _attach_recording(snap, base)
    message, focus, covered = _message_for(action, snap, base)
    if action.kind in ("hangup", "transfer") and (reminder := _pause_after(snap)):
        message = f"{message} {reminder}"  # the action that ended the last call says it
    if snap.status != "active":
        target = url_for("console.result", attempt_id=attempt_id)
        return jsonify(ok=True, redirect=target) if wants_json() else redirect(target)
    if wants_json():
        return jsonify(ok=True, message=message, focus=focus, covered=covered, seq=snap.last_seq)
    if message:
        flash(message, "status")
    params: dict[str, Any] = {"attempt_id": attempt_id, "seen": seen, "focus": focus}
    if action.kind == "directory_search":
        params.update(tool="transfer", q=action.data.get("query", ""))
    elif action.kind == "voicemail_listen":
        params["tool"] = "voicemail"
    return redirect(url_for("console.attempt", **params))


def _attach_recording(snap: attempts.Snapshot, after: int) -> None:
    """A confirmed spoken reply: its audio, kept while it waited, joins the ``say`` recorded."""
    said = [
        seq for seq, e in snap.events if seq > after and e.kind == "say" and e.actor == "trainee"
    ]
    if said:
        with db().write() as s:
            recordings.attach_pending(s, snap.attempt_id, said[0])


@bp.get("/attempts/<int:attempt_id>/state")
@role_required("trainee", "instructor")
def state(attempt_id: int) -> ResponseReturnValue:
    """JSON for the console script's short polling; lets timers fire (engine.advance).

    Only the events after the client's ``after`` seq are read, so a poll costs the same at the
    tenth event and at the three hundredth.
    """
    after = max(0, request.args.get("after", default=0, type=int) or 0)
    snap = _snapshot(attempt_id, since=after)
    view = console_view.build(snap)
    ctx = {
        "live_log": True,
        "view": view,
        "scenario": snap.scenario,
        "aria_keys": aria_keys,
        "attempt_id": attempt_id,
    }
    entries = [
        {
            "seq": e.seq,
            "html": render_template("console/_entry.html", entry=e, **ctx),
            "due_ms": due_ms(snap, e.t),
        }
        for e in view.spoken_entries
        if e.seq > after
    ]
    return jsonify(
        seq=snap.last_seq,
        title=view.title,
        finished=view.finished,
        paused=view.paused,
        result_url=url_for("console.result", attempt_id=attempt_id) if view.finished else None,
        lines_html=render_template("console/_lines.html", **ctx),
        lamp_html=render_template("console/_lamp.html", **ctx),
        entries=entries,
        alerts=[text for seq, text in view.alerts if seq > after],
        alert_items=[
            {"seq": seq, "text": text, "ring": seq in view.ring_seqs}
            for seq, text in view.alerts
            if seq > after
        ],
        notices=[
            {"seq": seq, "text": text}
            for seq, text in _with_pause([n for n in view.notices if n[0] > after], snap)
        ],
        active_line=view.active_line,
        ringing=any(line.status == "ringing" for line in view.lines),
        audio=_audio_of(snap, after),
        last_caller_seq=_last_caller_seq(snap),
        earcons=caller_audio.earcons_of((e for seq, e in snap.events if seq > after), EARCONS),
        voice=voice.voice_status(voice.line_language(snap)),
    )


@bp.get("/attempts/<int:attempt_id>/ask")
@role_required("trainee", "instructor")
def ask(attempt_id: int) -> ResponseReturnValue:
    """Status on demand: a one-line summary of every line, or the last operation.

    The script shows the answer in the status region; without it, the console page does.
    """
    what = request.args.get("what", "lines")
    if what not in ("lines", "last", "pause"):
        abort(400)
    snap = _snapshot(attempt_id)
    if what == "pause":
        text = practice_breaks.until_pause(_me())
    elif what == "lines":
        text = on_demand.lines_summary(snap)
    else:
        text = on_demand.last_operation(snap)
    if wants_json():
        return jsonify(ok=True, message=text)
    flash(text, "status")
    return redirect(url_for("console.attempt", attempt_id=attempt_id, seen=snap.last_seq))


@bp.get("/attempts/<int:attempt_id>/directory")
@role_required("trainee", "instructor")
def directory(attempt_id: int) -> ResponseReturnValue:
    """Directory search for the combobox (fuzzy, tolerant of misspelt surnames)."""
    snap = _snapshot(attempt_id, tick=False)
    query = request.args.get("q", "").strip()[:80]
    if len(query) < 2:
        return jsonify(query=query, hits=[])
    hits = directory_hits(snap.state.company, query, snap.scenario.language)
    if request.args.get("record") == "1" and snap.status == "active" and not snap.state.paused:
        # A search is worth recording, never worth failing for.
        with contextlib.suppress(CallStateError):
            attempts.act(
                db(),
                attempt_id,
                Action("directory_search", None, {"query": query}),
                trainee_id=_me(),
            )
    return jsonify(query=query, hits=hits)


@bp.post("/attempts/<int:attempt_id>/finish")
@role_required("trainee", "instructor")
def finish(attempt_id: int) -> ResponseReturnValue:
    """End the session and score it."""
    try:
        attempts.finish(db(), attempt_id, trainee_id=_me())
    except attempts.AttemptNotFound:
        abort(404)
    return redirect(url_for("console.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/result")
@role_required("trainee", "instructor")
def result(attempt_id: int) -> ResponseReturnValue:
    """The score report: per RA, each criterion with evidence and advice, and the transcript."""
    snap = _snapshot(attempt_id, tick=False)
    if snap.status == "active":
        return redirect(url_for("console.attempt", attempt_id=attempt_id))
    exam = _exam_of(attempt_id)
    if exam is not None:  # an exam shows no score: the commission gives the result
        return redirect(url_for("exams.sitting_page", sitting_id=exam["sitting_id"]))
    score = attempts.stored_score(db(), attempt_id) or attempts.score_attempt(db(), attempt_id)
    if _trying():  # an instructor's trial: no grade, no pause, back to the instructor pages
        return render_template(
            "console/result.html",
            snap=snap,
            view=console_view.build(snap),
            report=score.report,
            replay_url=url_for("replay.page", attempt_id=attempt_id),
            back_url=url_for("instructor.upload"),
            trial=True,
            pause_reminder=None,
        )
    from simulator.web.lti.views import send_grade_after_finish

    send_grade_after_finish(attempt_id)  # launched from a platform: the grade goes back now
    with db().read() as s:
        report = review.effective_verdicts(s, attempt_id)
        notes = review.notes_of(s, attempt_id)
    return render_template(
        "console/result.html",
        snap=snap,
        view=console_view.build(snap),
        report=report,
        notes=notes,
        replay_url=url_for("replay.page", attempt_id=attempt_id),
        back_url=url_for("console.home"),
        # The call has ended: the moment to say a pause is due (never during a call).
        pause_reminder=practice_breaks.reminder(_me()),
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required("trainee")
def settings() -> ResponseReturnValue:
    """The trainee's own settings (the time multiplier is the instructor's choice)."""
    with db().read() as s:
        current = accounts.settings_of(s, _me())
    if request.method == "POST":
        mode = request.form.get("voice_mode", current.voice_mode)
        if mode not in VOICE_MODES:
            abort(400)
        updated = accounts.Settings(
            time_multiplier=current.time_multiplier,
            voice_mode=mode,
            shortcuts=request.form.get("shortcuts") == "on",
            confirm_transcript=request.form.get("confirm_transcript") == "on",
            earcons=tuple(name for name in EARCONS if request.form.get(f"earcon_{name}") == "on"),
        )
        with db().write() as s:
            accounts.save_settings(s, _me(), updated)
        flash(_("Impostazioni salvate."), "status")
        return redirect(url_for("console.settings"))
    return render_template("console/settings.html", settings=current, earcons=EARCONS)


@bp.get("/help")
def help_page() -> ResponseReturnValue:
    """Every shortcut, how the console works, and the screen readers it was tested with."""
    return render_template("help.html", shortcuts=SHORTCUTS, replay_shortcuts=REPLAY_SHORTCUTS)


@bp.post("/ring-mute")
@role_required("trainee", "instructor")
def ring_mute() -> ResponseReturnValue:
    """Silence or restore the ring (kept in the session, so it works without JavaScript)."""
    session["ring_muted"] = not session.get("ring_muted")
    muted = bool(session["ring_muted"])
    message = _("Suoneria silenziata.") if muted else _("Suoneria attiva.")
    if wants_json():
        return jsonify(ok=True, muted=muted, message=message)
    flash(message, "status")
    back = request.form.get("back", "")
    if back.startswith("/attempts/"):
        return redirect(back)
    return redirect(url_for("console.home"))
