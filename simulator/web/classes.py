"""Instructor pages for classes: members, co-instructors, course path, results, exports.

An instructor reaches only the classes they teach (any other id is a 404, the same answer as a
class that does not exist); trainees get 403 on every route here. Results and exports read one
set of rows (:mod:`simulator.practice.register`), narrowed by the same GET filters.
"""

from __future__ import annotations

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
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator import names
from simulator.flaskkit.i18n import lang
from simulator.flaskkit.security import current_user, db, role_required
from simulator.model import RA_IDS
from simulator.next_practice import PathRule
from simulator.practice import classes, library, register
from simulator.store.models import SchoolClass, User
from simulator.web import charts, library_view
from simulator.web.pdf import pdf_response

bp = Blueprint("classes", __name__, url_prefix="/instructor")


@bp.before_request
@role_required("instructor")
def _instructors_only() -> None:
    """Every route here is for instructors: trainees get 403."""


def _me() -> int:
    user = current_user()
    assert user is not None
    return user.id


def _class_or_404(s: Session, class_id: int) -> SchoolClass:
    klass = classes.taught_class(s, class_id, _me())
    if klass is None:
        abort(404)
    return klass


@bp.route("/classes", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    """The classes I teach, and a form for a new one."""
    error = None
    name = request.form.get("name", "")
    if request.method == "POST":
        try:
            with db().write() as s:
                klass = classes.create_class(s, name, _me())
                class_id = klass.id
        except classes.ClassError as exc:
            error = exc.message(lang())
        else:
            flash(_("Classe creata."), "status")
            return redirect(url_for("classes.detail", class_id=class_id))
    with db().read() as s:
        taught = [(k, len(classes.member_ids(s, k))) for k in classes.classes_taught(s, _me())]
    errors = {"name": error} if error else {}
    return render_template("instructor/classes.html", taught=taught, errors=errors, name=name), (
        400 if error else 200
    )


def _detail(
    class_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    with db().read() as s:
        klass = _class_or_404(s, class_id)
        trainees = s.scalars(
            select(User).where(User.role == "trainee").order_by(User.display_name)
        ).all()
        instructors = s.scalars(
            select(User).where(User.role == "instructor").order_by(User.display_name)
        ).all()
        members = set(classes.member_ids(s, klass))
        teachers = {u.id for u in klass.instructors}
        steps = {step.scenario_id: step for step in klass.path}
        scenarios = library.current_scenarios(s)
        groups = library_view.grouped(library_view.cards(scenarios, {}), lang())
        return render_template(
            "instructor/class.html",
            klass=klass,
            trainees=trainees,
            instructors=instructors,
            members=members,
            teachers=teachers,
            steps=steps,
            groups=groups,
            ra_ids=RA_IDS,
            errors=errors or {},
        ), status


@bp.get("/classes/<int:class_id>")
def detail(class_id: int) -> ResponseReturnValue:
    """One class: its trainees, its instructors, its course path."""
    return _detail(class_id)


@bp.post("/classes/<int:class_id>/members")
def members(class_id: int) -> ResponseReturnValue:
    ids = [int(v) for v in request.form.getlist("trainee") if v.isdigit()]
    with db().write() as s:
        classes.set_members(s, _class_or_404(s, class_id), ids)
    flash(_("Allievi della classe salvati."), "status")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.post("/classes/<int:class_id>/instructors")
def instructors(class_id: int) -> ResponseReturnValue:
    ids = [int(v) for v in request.form.getlist("instructor") if v.isdigit()]
    with db().write() as s:
        classes.set_instructors(s, _class_or_404(s, class_id), ids, _me())
    flash(_("Istruttori della classe salvati."), "status")
    return redirect(url_for("classes.detail", class_id=class_id))


def _path_rules(form: Any, known: set[str]) -> list[PathRule]:
    """The ticked scenarios ordered by their position field; 400 on a bad position or rule."""
    placed: list[tuple[int, str, PathRule]] = []
    for scenario_id in sorted(known):
        raw = (form.get(f"pos-{scenario_id}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 999:
            raise ValueError(scenario_id)
        rule_raw = form.get(f"rule-{scenario_id}") or "previous_passed"
        unlock, _sep, ra = rule_raw.partition(":")
        if unlock not in ("always", "previous_passed") or (ra and ra not in RA_IDS):
            raise ValueError(scenario_id)
        placed.append((int(raw), scenario_id, PathRule(scenario_id, unlock, ra or None)))
    return [rule for _pos, _id, rule in sorted(placed)]


@bp.post("/classes/<int:class_id>/path")
def path(class_id: int) -> ResponseReturnValue:
    """Replace the course path: scenarios with a position, in that order, each with its rule."""
    with db().read() as s:
        _class_or_404(s, class_id)
        known = {v.scenario_id for v in library.current_scenarios(s)}
    try:
        rules = _path_rules(request.form, known)
    except ValueError:
        message = _("Posizione o regola non valida: scrivi un numero da 1 a 999.")
        return _detail(class_id, errors={"path": message}, status=400)
    with db().write() as s:
        classes.set_path(s, _class_or_404(s, class_id), rules)
    flash(_("Percorso del corso salvato."), "status")
    return redirect(url_for("classes.detail", class_id=class_id))


def _filters() -> tuple[register.Filters, dict[str, str]]:
    filters, problems = register.Filters.parse(request.args)
    en = lang() == "en"
    return filters, {key: (pair[1] if en else pair[0]) for key, pair in problems.items()}


def _chosen_trainee() -> int | None:
    """The one trainee the page is narrowed to (``?trainee=ID``), if any."""
    raw = (request.args.get("trainee") or "").strip()
    return int(raw) if raw.isdigit() else None


def _rows(s: Session, klass: SchoolClass, filters: register.Filters) -> list[register.AttemptRow]:
    """The attempts of the class's trainees, or of the one chosen (404 if not in the class)."""
    ids = classes.member_ids(s, klass)
    chosen = _chosen_trainee()
    if chosen is not None:
        if chosen not in ids:
            abort(404)
        ids = [chosen]
    return register.attempt_rows(s, ids, filters)


@bp.get("/classes/<int:class_id>/results")
def results(class_id: int) -> ResponseReturnValue:
    """Progress per RA over time, weakest criteria, practice time and attempts, filterable."""
    filters, errors = _filters()
    with db().read() as s:
        klass = _class_or_404(s, class_id)
        rows = _rows(s, klass, filters if not errors else register.Filters())
        members = s.scalars(
            select(User)
            .where(User.id.in_(classes.member_ids(s, klass)))
            .order_by(User.display_name)
        ).all()
        chosen = _chosen_trainee()
        people = [u for u in members if chosen is None or u.id == chosen]
        versions = library.current_scenarios(s)
        free = current_app.config["FREE_PRACTICE"]
        suggestions = {
            u.id: classes.suggestion_for(s, u.id, classes.playable_for(s, u.id, free))[0]
            for u in people
        }
        titles = {v.scenario_id: v.title for v in versions}
    points = register.ra_over_time(rows)
    weakest = register.weakest(rows)
    by_family = register.counts_by(rows, "family")
    most = max((n for _f, n in by_family), default=1)
    en = lang() == "en"
    return render_template(
        "instructor/class_results.html",
        klass=klass,
        rows=rows,
        people=people,
        members=members,
        chosen=chosen,
        export_args={**filters.query(), **({"trainee": str(chosen)} if chosen else {})},
        filters=filters,
        errors=errors,
        options=library_view.filter_options(versions, lang()),
        ra_ids=RA_IDS,
        points=points,
        ra_chart=charts.ra_lines(points, RA_IDS),
        weakest=weakest,
        weak_chart=charts.bars(
            [(w.title_en if en else w.title, w.rate, f"{w.passed}/{w.judged}") for w in weakest]
        ),
        by_family=by_family,
        family_chart=charts.bars(
            [(names.family_name(f, lang()), n / most, str(n)) for f, n in by_family]
        ),
        by_language=register.counts_by(rows, "language"),
        by_level=register.counts_by(rows, "level"),
        practice=register.practice_seconds(rows),
        latest=register.latest_ra(rows),
        suggestions=suggestions,
        titles=titles,
        lang_code=lang(),
    ), (400 if errors else 200)


def _csv(rows: list[register.AttemptRow], filename: str) -> Response:
    # A byte-order mark so a spreadsheet opens the UTF-8 names right.
    return Response(
        "\ufeff" + register.to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _register_pdf(title: str, rows: list[register.AttemptRow], filename: str) -> Response:
    html = render_template(
        "exports/register.html",
        title=title,
        records=register.register_records(rows),
        columns=register.register_columns(),
    )
    return pdf_response(html, filename, title=title)


@bp.get("/classes/<int:class_id>/register.csv")
def class_csv(class_id: int) -> ResponseReturnValue:
    filters, errors = _filters()
    if errors:
        abort(400, "; ".join(errors.values()))
    with db().read() as s:
        klass = _class_or_404(s, class_id)
        rows = _rows(s, klass, filters)
    return _csv(rows, f"registro-classe-{class_id}.csv")


@bp.get("/classes/<int:class_id>/register.pdf")
def class_pdf(class_id: int) -> ResponseReturnValue:
    filters, errors = _filters()
    if errors:
        abort(400, "; ".join(errors.values()))
    with db().read() as s:
        klass = _class_or_404(s, class_id)
        rows = _rows(s, klass, filters)
        name = klass.name
    return _register_pdf(
        _("Registro: %(name)s", name=name), rows, f"registro-classe-{class_id}.pdf"
    )


def _trainee_or_404(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None or user.role != "trainee":
        abort(404)
    return user


@bp.get("/trainees/<int:user_id>/register.csv")
def trainee_csv(user_id: int) -> ResponseReturnValue:
    with db().read() as s:
        user = _trainee_or_404(s, user_id)
        rows = register.attempt_rows(s, [user_id], register.Filters())
    return _csv(rows, f"registro-{user.username}.csv")


@bp.get("/trainees/<int:user_id>/register.pdf")
def trainee_pdf(user_id: int) -> ResponseReturnValue:
    with db().read() as s:
        user = _trainee_or_404(s, user_id)
        rows = register.attempt_rows(s, [user_id], register.Filters())
    return _register_pdf(
        _("Registro: %(name)s", name=user.display_name), rows, f"registro-{user.username}.pdf"
    )
