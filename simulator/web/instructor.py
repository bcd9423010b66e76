"""Instructor pages: trainees and results per RA, attempt detail, assignments, accommodations,
new trainees, scenario upload with placed errors, and GDPR export/delete of a trainee's data."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from simulator import names
from simulator.calibration import agreement_by_scenario_kind
from simulator.errors import Problem, ScenarioError, ScriptError
from simulator.flaskkit.i18n import lang, pick
from simulator.flaskkit.security import current_user, db, role_required
from simulator.model import RA_IDS
from simulator.practice import (
    accounts,
    attempts,
    classes,
    exams,
    library,
    recordings,
    register,
    review,
    trials,
)
from simulator.store.models import (
    MULTIPLIERS,
    VOICE_MODES,
    Assignment,
    Attempt,
    AttemptEvent,
    CallReport,
    DirectoryChangeRecord,
    Message,
    OutgoingCall,
    ScenarioVersion,
    Score,
    ScoreRA,
    Ticket,
    User,
)
from simulator.web import (
    braille_views,
    caller_audio,
    console_view,
    library_view,
    practice_breaks,
)

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.before_request
@role_required("instructor")
def _instructors_only() -> None:
    """Every route here is for instructors: trainees get 403."""


def _last_results(s: Session) -> dict[int, dict[str, ScoreRA]]:
    """For each trainee, the latest result per RA."""
    rows = s.execute(
        select(Attempt.trainee_id, ScoreRA)
        .join(Score, Score.attempt_id == Attempt.id)
        .join(ScoreRA, ScoreRA.score_id == Score.id)
        .join(User, User.id == Attempt.trainee_id)
        .where(User.role == "trainee")  # an instructor's trials are counted nowhere
        .order_by(Attempt.id)
    ).all()
    out: dict[int, dict[str, ScoreRA]] = {}
    for trainee_id, ra_row in rows:
        out.setdefault(trainee_id, {})[ra_row.ra] = ra_row
    return out


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    """Trainees with their latest result per RA, and the scenario library."""
    with db().read() as s:
        trainees = s.scalars(
            select(User).where(User.role == "trainee").order_by(User.display_name)
        ).all()
        results = _last_results(s)
        scenarios = library.current_scenarios(s)
    practice = practice_breaks.practice(t.id for t in trainees)
    return render_template(
        "instructor/dashboard.html",
        trainees=trainees,
        results=results,
        practice=practice,
        duration=practice_breaks.duration,
        ra_ids=RA_IDS,
        scenarios=scenarios,
    )


@bp.route("/trainees/new", methods=["GET", "POST"])
def new_trainee() -> ResponseReturnValue:
    """Create a trainee account with an initial password the instructor hands over."""
    errors: dict[str, str] = {}
    values = {k: request.form.get(k, "") for k in ("username", "display_name")}
    if request.method == "POST":
        with db().read() as s:
            problems = accounts.new_user_problems(
                s,
                username=values["username"],
                display_name=values["display_name"],
                password=request.form.get("password", ""),
                role="trainee",
            )
        errors = {p.field: pick(p) for p in problems}
    if request.method == "POST" and not errors:
        try:
            with db().write() as s:
                user = accounts.create_user(
                    s,
                    username=values["username"],
                    display_name=values["display_name"],
                    password=request.form.get("password", ""),
                    role="trainee",
                )
                user_id = user.id
        except accounts.AccountError as exc:
            errors[exc.field] = pick(exc)
        else:
            flash(_("Allievo creato."), "status")
            return redirect(url_for("instructor.trainee", user_id=user_id))
    return render_template("instructor/new_trainee.html", errors=errors, values=values), (
        400 if errors else 200
    )


def _trainee_or_404(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None or user.role != "trainee":
        abort(404)
    return user


@bp.get("/trainees/<int:user_id>")
def trainee(user_id: int) -> ResponseReturnValue:
    """One trainee: accommodations, assigned scenarios, attempts."""
    return _trainee_page(user_id)


def _trainee_page(
    user_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    with db().read() as s:
        user = _trainee_or_404(s, user_id)
        settings = accounts.settings_of(s, user_id)
        assigned = set(
            s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == user_id))
        )
        scenarios = library.current_scenarios(s)
        # By family (course order) and level, as the trainee's library shows them.
        groups = library_view.grouped(library_view.cards(scenarios, {}), lang())
        rows = s.execute(
            select(Attempt, ScenarioVersion, Score)
            .join(ScenarioVersion, Attempt.scenario_version_id == ScenarioVersion.id)
            .outerjoin(Score, Score.attempt_id == Attempt.id)
            .where(Attempt.trainee_id == user_id)
            .order_by(Attempt.id.desc())
        ).all()
        playable = classes.playable_for(s, user_id, current_app.config["FREE_PRACTICE"])
        suggestion, paths = classes.suggestion_for(s, user_id, playable)
        in_classes = [k.name for k in classes.classes_of_trainee(s, user_id)]
    return render_template(
        "instructor/trainee.html",
        suggestion=suggestion,
        paths=paths,
        titles={v.scenario_id: v for v in scenarios},
        in_classes=in_classes,
        companies=braille_views.companies(),
        user=user,
        settings=settings,
        assigned=assigned,
        scenarios=scenarios,
        groups=groups,
        rows=rows,
        multipliers=MULTIPLIERS,
        voice_modes=VOICE_MODES,
        errors=errors or {},
    ), status


@bp.post("/trainees/<int:user_id>/accommodations")
def accommodations(user_id: int) -> ResponseReturnValue:
    """Set the time multiplier, caller voice, shortcuts and transcript confirmation."""
    try:
        multiplier = float(request.form.get("time_multiplier", "1"))
    except ValueError:
        abort(400)
    try:
        with db().write() as s:
            _trainee_or_404(s, user_id)
            updated = accounts.Settings(
                time_multiplier=multiplier,
                voice_mode=request.form.get("voice_mode", "screen_reader"),
                shortcuts=request.form.get("shortcuts") == "on",
                confirm_transcript=request.form.get("confirm_transcript") == "on",
                earcons=accounts.settings_of(s, user_id).earcons,  # the trainee's own choice
            )
            accounts.save_settings(s, user_id, updated)
    except accounts.AccountError:
        abort(400)
    flash(_("Adattamenti salvati."), "status")
    return redirect(url_for("instructor.trainee", user_id=user_id))


@bp.post("/trainees/<int:user_id>/assignments")
def assignments(user_id: int) -> ResponseReturnValue:
    """Replace the trainee's assigned scenarios with the ticked ones."""
    wanted = set(request.form.getlist("scenario"))
    with db().write() as s:
        _trainee_or_404(s, user_id)
        known = {v.scenario_id for v in library.current_scenarios(s)}
        wanted &= known
        current = set(
            s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == user_id))
        )
        s.execute(
            delete(Assignment).where(
                Assignment.trainee_id == user_id, Assignment.scenario_id.in_(current - wanted)
            )
        )
        for scenario_id in sorted(wanted - current):
            s.add(Assignment(trainee_id=user_id, scenario_id=scenario_id))
    flash(_("Assegnazioni salvate."), "status")
    return redirect(url_for("instructor.trainee", user_id=user_id))


def _scenario_names(version: ScenarioVersion) -> dict[str, Any]:
    """Title, family, level and language with their human names (the reader's language)."""
    reader = lang()
    return {
        "title": version.title,
        "family": version.family,
        "family_name": names.family_name(version.family, reader),
        "level": version.level,
        "level_name": names.level_name(version.level, reader),
        "language": version.language,
        "language_name": names.language_name(version.language, reader),
    }


def export_data(s: Session, user: User) -> dict[str, Any]:
    """Everything stored about a trainee, as JSON (GDPR art. 15 and 20)."""
    settings = accounts.settings_of(s, user.id)
    out: dict[str, Any] = {
        "user": {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "created_at": user.created_at.isoformat(),
        },
        "accommodations": {
            "time_multiplier": settings.time_multiplier,
            "voice_mode": settings.voice_mode,
            "shortcuts": settings.shortcuts,
            "confirm_transcript": settings.confirm_transcript,
        },
        "assignments": list(
            s.scalars(select(Assignment.scenario_id).where(Assignment.trainee_id == user.id))
        ),
        "classes": [k.name for k in classes.classes_of_trainee(s, user.id)],
        # The course register rows (the CSV export), one per attempt.
        "register": register.register_records(
            register.attempt_rows(s, [user.id], register.Filters())
        ),
        "attempts": [],
    }
    attempt_ids: list[int] = []
    for attempt in s.scalars(select(Attempt).where(Attempt.trainee_id == user.id)):
        events = s.scalars(
            select(AttemptEvent)
            .where(AttemptEvent.attempt_id == attempt.id)
            .order_by(AttemptEvent.seq)
        )
        score = s.scalar(select(Score).where(Score.attempt_id == attempt.id))
        attempt_ids.append(attempt.id)
        out["attempts"].append(
            {
                "id": attempt.id,
                "scenario": attempt.scenario_version.scenario_id,
                "scenario_sha256": attempt.scenario_version.sha256,
                **_scenario_names(attempt.scenario_version),
                "started_at": attempt.started_at.isoformat(),
                "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
                "status": attempt.status,
                "multiplier": attempt.multiplier,
                "channel": attempt.channel,
                "events": [
                    {
                        "seq": e.seq,
                        "t": e.t,
                        "kind": e.kind,
                        "actor": e.actor,
                        "line": e.line,
                        "data": e.data,
                    }
                    for e in events
                ],
                # As shown: the scorer's report with the instructor's overrides applied; the
                # scorer's own verdicts stay under each overridden criterion's "automatic".
                "score": review.effective_of(s, score) if score else None,
                "overrides": review.overrides_json(s, attempt.id),
                "coaching_notes": review.notes_of(s, attempt.id),
            }
        )
    out["exam_sittings"] = exams.export_sittings(s, user.id)
    kept = recordings.export(s, user.id, attempt_ids)
    out["recording_notice"] = kept["notice"]
    out["recordings"] = kept["recordings"]
    return out


@bp.get("/trainees/<int:user_id>/export")
def export(user_id: int) -> ResponseReturnValue:
    """Download the trainee's personal data as JSON."""
    with db().read() as s:
        user = _trainee_or_404(s, user_id)
        data = export_data(s, user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="centralino-{user.username}.json"'},
    )


@bp.post("/trainees/<int:user_id>/delete")
def delete_trainee(user_id: int) -> ResponseReturnValue:
    """Erase the trainee with every attempt and event (GDPR art. 17); needs a confirmation."""
    with db().read() as s:
        user = _trainee_or_404(s, user_id)
        username = user.username
    if request.form.get("confirm_username", "").strip().lower() != username:
        # An error on the field itself (summary focused, aria-invalid, "Errore:" in the title).
        message = _("Per cancellare, scrivi esattamente il nome utente dell'allievo.")
        return _trainee_page(user_id, errors={"confirm_username": message}, status=400)
    with db().write() as s:
        recordings.forget_trainee(s, user_id)  # Twilio's copies, deleted by purge-recordings
        s.execute(delete(User).where(User.id == user_id))
    flash(_("Dati dell'allievo cancellati."), "status")
    return redirect(url_for("instructor.dashboard"))


@bp.get("/attempts/<int:attempt_id>")
def attempt_detail(attempt_id: int) -> ResponseReturnValue:
    """One attempt: transcript, score with evidence, and what the trainee filed."""
    try:
        snap = attempts.snapshot(db(), attempt_id)
    except attempts.AttemptNotFound:
        abort(404)
    with db().read() as s:
        report = review.effective_verdicts(s, attempt_id)
        notes = review.notes_of(s, attempt_id)
        trainee_user = s.get(User, snap.trainee_id)
        if trainee_user is None or trainee_user.role != "trainee":
            abort(404)  # a trial is seen in the console it was played in, not as an attempt
        filed = {
            "messages": s.scalars(select(Message).where(Message.attempt_id == attempt_id)).all(),
            "reports": s.scalars(
                select(CallReport).where(CallReport.attempt_id == attempt_id)
            ).all(),
            "tickets": s.scalars(select(Ticket).where(Ticket.attempt_id == attempt_id)).all(),
            "directory": s.scalars(
                select(DirectoryChangeRecord).where(DirectoryChangeRecord.attempt_id == attempt_id)
            ).all(),
            "outgoing": s.scalars(
                select(OutgoingCall).where(OutgoingCall.attempt_id == attempt_id)
            ).all(),
        }
    return render_template(
        "instructor/attempt.html",
        snap=snap,
        view=console_view.build(snap),
        report=report,
        notes=notes,
        trainee=trainee_user,
        filed=filed,
        replay_url=url_for("replay.page", attempt_id=attempt_id),
        back_url=url_for("instructor.trainee", user_id=snap.trainee_id),
    )


@bp.get("/calibration")
def calibration() -> ResponseReturnValue:
    """How often instructors agree with the scorer, per scenario and criterion kind."""
    with db().read() as s:
        pairs = review.calibration_pairs(s)
        titles = {v.scenario_id: v.title for v in library.current_scenarios(s)}
    table = agreement_by_scenario_kind(pairs)
    changed = [p for p in pairs if p.scorer != p.assessor]
    return render_template(
        "instructor/calibration.html",
        table=table,
        titles=titles,
        reviewed=len(pairs),
        changed=len(changed),
    )


@dataclass(frozen=True, slots=True)
class SourceView:
    """An uploaded file shown read-only, so each of its problems can link to its line."""

    file: str
    anchor: str  # line N of the file has the id f"{anchor}{N}"
    lines: list[str]
    error_lines: frozenset[int]


def _source_view(file: str, anchor: str, raw: bytes, problems: list[Problem]) -> SourceView:
    mine = frozenset(p.line for p in problems if p.file == file)
    return SourceView(file, anchor, raw.decode("utf-8", errors="replace").splitlines(), mine)


def _try_script(checked: Any, companies: dict[str, Any], name: str, raw: bytes) -> dict[str, Any]:
    """Play an uploaded scripted trainee through the checked scenario: nothing is stored."""
    from simulator.harness import run_call
    from simulator.script import expectation_differences, parse_script
    from simulator.yaml_source import decode

    if len(raw) > current_app.config["MAX_UPLOAD_BYTES"]:
        limit = current_app.config["MAX_UPLOAD_BYTES"] // 1024
        raise ScriptError(
            f"Il file è troppo grande: massimo {limit} KB.",
            f"The file is too large: at most {limit} KB.",
        )
    try:
        text = decode(raw, name)
    except ScenarioError as exc:
        raise ScriptError.of(exc.problems) from None
    scenario = checked.scenario
    script, _doc = parse_script(text, name, playing=scenario)
    result = run_call(scenario, companies[scenario.company], script)
    differences = [
        Problem(name, 1, 1, "expect", it, en)
        for it, en in expectation_differences(script.expect, result.report)
    ]
    return {
        "name": name,
        "report": result.report.to_json(),
        "differences": differences,
        "rejected": [Problem(name, 1, 1, "", r.it, r.en) for r in result.rejected],
    }


def _start_trial(version_id: int) -> ResponseReturnValue:
    """Purge this instructor's earlier trial and open the new one in the console."""
    user = current_user()
    assert user is not None
    try:
        attempt_id = trials.start_trial(db(), user.id, version_id)
    except attempts.AttemptNotFound:
        abort(404)
    started = attempts.snapshot(db(), attempt_id, trainee_id=user.id)
    caller_audio.prerender(started.scenario, started.company)
    return redirect(url_for("console.attempt", attempt_id=attempt_id, focus="lines-heading"))


@bp.post("/scenarios/<int:version_id>/try")
def try_version(version_id: int) -> ResponseReturnValue:
    """Play a scenario of the library in the real console as a trial (counted nowhere)."""
    return _start_trial(version_id)


_MAX_SCRIPTS = 10  # scripted trainees tried in one check


def _anchor_of(problem: Problem, views: list[SourceView]) -> str:
    """Where a problem's link goes: its line in its file's view, else the file field."""
    for view in views:
        if view.file == problem.file and 1 <= problem.line <= len(view.lines):
            return f"#{view.anchor}{problem.line}"
    return "#scenario-file"


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> ResponseReturnValue:
    """Check a scenario YAML (errors with line numbers) or add it to the library."""
    problems: list[Any] = []
    field_error: str | None = None
    checked: Any = None
    views: list[SourceView] = []
    tried: list[dict[str, Any]] = []
    trial_id: int | None = None
    if request.method == "POST":
        upload_file = request.files.get("scenario")
        if upload_file is None or not upload_file.filename:
            field_error = _("Scegli un file YAML dello scenario.")
        else:
            raw = upload_file.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
            filename = upload_file.filename.rsplit("/", 1)[-1][:200]
            try:
                with db().read() as s:
                    companies = library.current_companies(s)
                checked = library.check_upload(
                    raw, filename, current_app.config["MAX_UPLOAD_BYTES"], companies
                )
            except ScenarioError as exc:
                problems = exc.problems
                if len(raw) <= current_app.config["MAX_UPLOAD_BYTES"]:
                    # The file as uploaded, read-only, so each error can link to its line.
                    views.append(_source_view(filename, "line-", raw, problems))
            else:
                scripts = [f for f in request.files.getlist("script") if f.filename]
                if request.form.get("intent") == "check":
                    # Every scripted trainee chosen, each with its score and expect differences.
                    limit = current_app.config["MAX_UPLOAD_BYTES"]
                    for number, script_file in enumerate(scripts[:_MAX_SCRIPTS], start=1):
                        name = (script_file.filename or "script.yaml").rsplit("/", 1)[-1][:200]
                        script_raw = script_file.read(limit + 1)
                        try:
                            tried.append(_try_script(checked, companies, name, script_raw))
                        except ScriptError as exc:
                            found = exc.problems or [Problem(name, 1, 1, "", exc.it, exc.en)]
                            problems += found
                            if len(script_raw) <= limit:
                                views.append(
                                    _source_view(name, f"s{number}-line-", script_raw, found)
                                )
                if request.form.get("intent") != "add":
                    # Kept as a version trainees never see, so it can be tried in the console.
                    scenario = checked.scenario
                    with db().write() as s:
                        trial_id = trials.trial_version(
                            s, scenario, checked.source, filename, companies[scenario.company]
                        ).id
                if request.form.get("intent") == "add":
                    scenario = checked.scenario
                    with db().write() as s:
                        _row, created = library.store_scenario(
                            s, scenario, checked.source, filename, companies[scenario.company]
                        )
                    flash(
                        _("Scenario aggiunto alla raccolta: %(title)s.", title=scenario.title)
                        if created
                        else _(
                            "Lo scenario era già nella raccolta: %(title)s.", title=scenario.title
                        ),
                        "status",
                    )
                    return redirect(url_for("instructor.dashboard"))
    has_errors = bool(problems or field_error)
    return render_template(
        "instructor/upload.html",
        problems=problems,
        field_error=field_error,
        checked=checked,
        views=views,
        problem_links=[(p, _anchor_of(p, views)) for p in problems],
        tried=tried,
        trial_id=trial_id if not problems else None,
        limit_kb=current_app.config["MAX_UPLOAD_BYTES"] // 1024,
    ), (400 if has_errors else 200)
