"""Exam pages: the instructor composes, assigns, records accommodations, closes and locks, and
reads the commission's report; the trainee opens and starts an assigned exam.

The calls themselves run in the ordinary console (``simulator.web.console``), which asks
``simulator.practice.exams`` whether an attempt is an exam's (no pause unless allowed, no score
page for the trainee).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator.exam import MAX_CALLS, ExamCall, ExamDefinition, ExamProblem
from simulator.exam_report import accommodation_text, exam_report_text
from simulator.flaskkit.i18n import lang, pick
from simulator.flaskkit.security import current_user, db, role_required
from simulator.model import RA_IDS, RA_TITLES
from simulator.practice import attempts, braille, exams, library
from simulator.store.models import MULTIPLIERS, Exam, ExamSitting, ScenarioVersion, User
from simulator.web.braille_views import brf_response
from simulator.web.pdf import pdf_response

bp = Blueprint("exams", __name__)


def _me() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _number(form: Any, name: str, default: float) -> float | None:
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        return None


def _parse(form: Any, rows: int) -> tuple[ExamDefinition | None, dict[str, str]]:
    """The definition in a compose form, or the errors by field id (without the prefix)."""
    errors: dict[str, str] = {}
    calls: list[ExamCall] = []
    for n in range(1, rows + 1):
        scenario_id = (form.get(f"call{n}-scenario") or "").strip()
        if not scenario_id:
            continue
        offset = _number(form, f"call{n}-offset", 0.0)
        weight = _number(form, f"call{n}-weight", 1.0)
        if offset is None:
            errors[f"call{n}-offset"] = _("Scrivi l'inizio in secondi, per esempio 30.")
        if weight is None:
            errors[f"call{n}-weight"] = _("Scrivi il peso come numero, per esempio 1.")
        if offset is not None and weight is not None:
            calls.append(ExamCall(scenario_id, offset, weight))
    pass_mark = _number(form, "pass_mark", 30.0)
    if pass_mark is None:
        errors["pass_mark"] = _("Scrivi la soglia come numero, per esempio 30.")
    ra_weights: dict[str, float] = {}
    for index, ra in enumerate(RA_IDS, start=1):
        weight = _number(form, f"ra{index}", 1.0)
        if weight is None:
            errors[f"ra{index}"] = _("Scrivi il peso come numero, per esempio 1.")
        else:
            ra_weights[ra] = weight
    if errors:
        return None, errors
    return (
        ExamDefinition(
            title=(form.get("title") or "").strip(),
            calls=tuple(calls),
            pass_mark=pass_mark or 30.0,
            allow_pause=form.get("allow_pause") == "on",
            ra_weights=ra_weights,
            require_foreign=form.get("require_foreign") == "on",
            require_fonogramma=form.get("require_fonogramma") == "on",
        ),
        {},
    )


_FIELD_OF = {"calls": "call1-scenario", "ra_weights": "ra1", "pass_mark": "pass_mark"}


def _compose_page(
    errors: dict[str, str] | None = None, values: Any = None, status: int = 200
) -> ResponseReturnValue:
    with db().read() as s:
        scenarios = library.current_scenarios(s)
        rows = s.execute(
            select(Exam, User.display_name).outerjoin(User, User.id == Exam.created_by)
        ).all()
        listed = [(exam, name) for exam, name in sorted(rows, key=lambda r: -r[0].id)]
    return render_template(
        "exams/compose.html",
        scenarios=scenarios,
        exams=listed,
        errors=errors or {},
        values=values or {},
        fresh=values is None,
        max_calls=MAX_CALLS,
        ra_ids=RA_IDS,
        ra_titles=RA_TITLES,
    ), status


@bp.get("/instructor/exams")
@role_required("instructor")
def compose_page() -> ResponseReturnValue:
    """The exams composed so far and the form to compose one."""
    return _compose_page()


@bp.post("/instructor/exams")
@role_required("instructor")
def create() -> ResponseReturnValue:
    """Compose an exam from the form; errors come back on the form (400)."""
    definition, errors = _parse(request.form, MAX_CALLS)
    if definition is not None:
        try:
            with db().write() as s:
                exam_id = exams.create_exam(s, definition, _me()).id
        except exams.ExamError as exc:
            for problem in exc.problems:
                key = _FIELD_OF.get(problem.field, problem.field)
                errors[key] = f"{errors[key]} {pick(problem)}" if key in errors else pick(problem)
        else:
            flash(_("Esame creato."), "status")
            return redirect(url_for("exams.exam_page", exam_id=exam_id))
    return _compose_page(errors, request.form, 400)


def _exam_or_404(s: Session, exam_id: int) -> Exam:
    row = s.get(Exam, exam_id)
    if row is None:
        abort(404)
    return row


def _state(sitting: ExamSitting, status: str | None) -> str:
    if sitting.locked:
        return str(_("chiuso e bloccato"))
    if sitting.attempt_id is None:
        return str(_("assegnato, non iniziato"))
    if status == "active":
        return str(_("in corso"))
    return str(_("consegnato, da chiudere"))


@bp.get("/instructor/exams/<int:exam_id>")
@role_required("instructor")
def exam_page(exam_id: int) -> ResponseReturnValue:
    """One exam: its calls, who sits it, accommodations, closing and the reports."""
    with db().read() as s:
        exam = _exam_or_404(s, exam_id)
        definition = exams.definition_of(exam)
        versions = [s.get(ScenarioVersion, v) for v in exam.definition["versions"]]
        trainees = s.scalars(
            select(User).where(User.role == "trainee").order_by(User.display_name)
        ).all()
        sittings = s.scalars(
            select(ExamSitting).where(ExamSitting.exam_id == exam_id).order_by(ExamSitting.id)
        ).all()
        rows = []
        for sitting in sittings:
            attempt = exams.attempt_of(s, sitting)
            rows.append(
                {
                    "sitting": sitting,
                    "trainee": sitting.trainee,
                    "state": _state(sitting, attempt.status if attempt else None),
                    "accommodation": accommodation_text(
                        sitting.multiplier, definition.allow_pause, lang()
                    ),
                }
            )
        seated = {sitting.trainee_id for sitting in sittings}
        return render_template(
            "exams/exam.html",
            exam=exam,
            definition=definition,
            calls=list(zip(definition.calls, versions, strict=True)),
            trainees=[t for t in trainees if t.id not in seated],
            rows=rows,
            multipliers=MULTIPLIERS,
            ra_ids=RA_IDS,
            ra_titles=RA_TITLES,
        )


@bp.post("/instructor/exams/<int:exam_id>/assign")
@role_required("instructor")
def assign(exam_id: int) -> ResponseReturnValue:
    """Give the exam to the ticked trainees."""
    wanted = []
    for raw in request.form.getlist("trainee"):
        if not raw.isdigit():
            abort(400)
        wanted.append(int(raw))
    with db().write() as s:
        _exam_or_404(s, exam_id)
        added = exams.assign(s, exam_id, wanted)
    flash(_("Allievi a cui hai assegnato l'esame: %(n)s.", n=len(added)), "status")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


def _sitting_or_404(s: Session, sitting_id: int) -> ExamSitting:
    sitting = s.get(ExamSitting, sitting_id)
    if sitting is None:
        abort(404)
    return sitting


@bp.post("/instructor/exam-sittings/<int:sitting_id>/accommodation")
@role_required("instructor")
def accommodation(sitting_id: int) -> ResponseReturnValue:
    """Record the time multiplier for this sitting (empty: real timing)."""
    raw = request.form.get("multiplier", "")
    multiplier: float | None = None
    if raw:
        try:
            multiplier = float(raw)
        except ValueError:
            multiplier = -1.0
        if multiplier not in MULTIPLIERS:
            problem = ExamProblem("Moltiplicatore non valido.", "Not a valid multiplier.")
            return _refused(exams.ExamError([problem]), 400)
    try:
        with db().write() as s:
            sitting = _sitting_or_404(s, sitting_id)
            exam_id = sitting.exam_id
            exams.record_multiplier(s, sitting, multiplier)
    except exams.ExamError as exc:
        return _refused(exc)
    flash(_("Adattamento registrato per l'esame."), "status")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


def _refused(exc: exams.ExamError, status: int = 409) -> ResponseReturnValue:
    """An error page that says why (409: the sitting's state forbids it; 400: bad input)."""
    return render_template(
        "error.html",
        code=status,
        title=_("Operazione non possibile"),
        text=" ".join(pick(p) for p in exc.problems),
    ), status


@bp.post("/instructor/exam-sittings/<int:sitting_id>/close")
@role_required("instructor")
def close(sitting_id: int) -> ResponseReturnValue:
    """End the sitting's call if it is still running, freeze and lock its marks."""
    try:
        exams.close_and_lock(db(), sitting_id)
    except attempts.AttemptNotFound:
        abort(404)
    except exams.ExamError as exc:
        return _refused(exc)
    flash(_("Esame chiuso e bloccato: i voti non cambiano più."), "status")
    return redirect(url_for("exams.report", sitting_id=sitting_id))


@bp.post("/instructor/exam-sittings/<int:sitting_id>/release")
@role_required("instructor")
def release(sitting_id: int) -> ResponseReturnValue:
    """Show the locked report to the trainee on their exam page."""
    try:
        with db().write() as s:
            sitting = _sitting_or_404(s, sitting_id)
            exam_id = sitting.exam_id
            exams.release(s, sitting)
    except exams.ExamError as exc:
        return _refused(exc)
    flash(_("Verbale mostrato all'allievo."), "status")
    return redirect(url_for("exams.exam_page", exam_id=exam_id))


def _report_context(sitting_id: int) -> dict[str, Any]:
    with db().read() as s:
        sitting = _sitting_or_404(s, sitting_id)
        report = exams.report_of(s, sitting)
        attempt = exams.attempt_of(s, sitting)
        return {
            "report": report,
            "sitting": sitting,
            # Verdicts are corrected on the replay of a handed-in, not yet locked sitting.
            "review_attempt_id": attempt.id
            if attempt is not None and attempt.status != "active" and not sitting.locked
            else None,
            "exam_id": sitting.exam_id,
            "accommodations": accommodation_text(report.multiplier, report.allow_pause, lang()),
        }


@bp.get("/instructor/exam-sittings/<int:sitting_id>/report")
@role_required("instructor")
def report(sitting_id: int) -> ResponseReturnValue:
    """The commission's report: marks per call and criterion with evidence, total /50."""
    return render_template("exams/report.html", **_report_context(sitting_id))


def printable_report_html(sitting_id: int) -> str:
    """The report as a standalone, printable HTML document (the source for a PDF).

    Needs a request context (translations, the reader's language).
    """
    return render_template("exams/report_print.html", **_report_context(sitting_id))


@bp.get("/instructor/exam-sittings/<int:sitting_id>/report.html")
@role_required("instructor")
def report_print(sitting_id: int) -> ResponseReturnValue:
    """The printable report, a standalone page without the site's menus."""
    return printable_report_html(sitting_id)


def _report_plain_text(sitting_id: int) -> str:
    with db().read() as s:
        return exam_report_text(exams.report_of(s, _sitting_or_404(s, sitting_id)), lang())


@bp.get("/instructor/exam-sittings/<int:sitting_id>/report.txt")
@role_required("instructor")
def report_text(sitting_id: int) -> ResponseReturnValue:
    """The report as plain text (for a Braille display or embosser)."""
    return Response(
        _report_plain_text(sitting_id),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="esame-{sitting_id}.txt"'},
    )


def _report_pdf(sitting_id: int) -> Response:
    # The PDF's title is the printable page's own <title>.
    return pdf_response(printable_report_html(sitting_id), f"esame-{sitting_id}.pdf")


def _report_brf(sitting_id: int) -> Response:
    return brf_response(braille.to_brf(_report_plain_text(sitting_id)), f"esame-{sitting_id}.brf")


@bp.get("/instructor/exam-sittings/<int:sitting_id>/report.pdf")
@role_required("instructor")
def report_pdf(sitting_id: int) -> ResponseReturnValue:
    """The commission's report as a tagged PDF, made from the printable page."""
    return _report_pdf(sitting_id)


@bp.get("/instructor/exam-sittings/<int:sitting_id>/report.brf")
@role_required("instructor")
def report_brf(sitting_id: int) -> ResponseReturnValue:
    """The commission's report in Braille (BRF: 40 cells, 25 lines a page, page numbers)."""
    return _report_brf(sitting_id)


# --------------------------------------------------------------------------- trainee


def _my_sitting(s: Session, sitting_id: int) -> ExamSitting:
    sitting = s.get(ExamSitting, sitting_id)
    if sitting is None or sitting.trainee_id != _me():
        abort(404)
    return sitting


@bp.get("/practice/exams/<int:sitting_id>")
@role_required("trainee")
def sitting_page(sitting_id: int) -> ResponseReturnValue:
    """The assigned exam: how it runs, start or resume it; never a score."""
    with db().read() as s:
        sitting = _my_sitting(s, sitting_id)
        definition = exams.definition_of(sitting.exam)
        attempt = exams.attempt_of(s, sitting)
        accommodations = accommodation_text(sitting.multiplier, definition.allow_pause, lang())
        # The marks only once the instructor has locked the sitting and released its report.
        released = sitting.locked and sitting.released_at is not None
        return render_template(
            "exams/sitting.html",
            sitting=sitting,
            definition=definition,
            status=attempt.status if attempt else None,
            accommodations=accommodations,
            report=exams.report_of(s, sitting) if released else None,
        )


def _released_or_404(sitting_id: int) -> None:
    """The trainee's own sitting whose report the instructor has released, or a 404."""
    with db().read() as s:
        sitting = _my_sitting(s, sitting_id)
        if not (sitting.locked and sitting.released_at is not None):
            abort(404)


@bp.get("/practice/exams/<int:sitting_id>/report.pdf")
@role_required("trainee")
def my_report_pdf(sitting_id: int) -> ResponseReturnValue:
    """The trainee's released exam report as PDF."""
    _released_or_404(sitting_id)
    return _report_pdf(sitting_id)


@bp.get("/practice/exams/<int:sitting_id>/report.brf")
@role_required("trainee")
def my_report_brf(sitting_id: int) -> ResponseReturnValue:
    """The trainee's released exam report in Braille."""
    _released_or_404(sitting_id)
    return _report_brf(sitting_id)


@bp.post("/practice/exams/<int:sitting_id>/start")
@role_required("trainee")
def start(sitting_id: int) -> ResponseReturnValue:
    """Start the sitting (or go back to it) in the console."""
    try:
        attempt_id = exams.start_sitting(db(), sitting_id, _me())
    except attempts.AttemptNotFound:
        abort(404)
    except exams.ExamError as exc:
        return _refused(exc)
    from simulator.web import caller_audio

    started = attempts.snapshot(db(), attempt_id, trainee_id=_me())
    if started.status != "active":
        return redirect(url_for("exams.sitting_page", sitting_id=sitting_id))
    caller_audio.prerender(started.scenario, started.company)
    return redirect(url_for("console.attempt", attempt_id=attempt_id, focus="lines-heading"))
