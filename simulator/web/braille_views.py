"""BRF downloads: a company's directory (any signed-in user) and a score report.

A trainee downloads only their own reports (another trainee's attempt is a 404, as in the
console); an instructor downloads any trainee's. Files are made on request from stored data.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from simulator.flaskkit.i18n import lang
from simulator.flaskkit.security import current_user, db, login_required
from simulator.practice import braille, documents, exams
from simulator.store.models import Attempt

bp = Blueprint("braille", __name__)


def brf_response(body: bytes, filename: str) -> Response:
    """A BRF download."""
    return Response(
        body,
        mimetype="application/x-brf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def companies() -> list[tuple[str, str]]:
    """The companies of the stored library as (id, name), for the download links."""
    with db().read() as s:
        found = documents.companies(s)
    return sorted(((cid, c.name) for cid, c in found.items()), key=lambda item: item[1])


@bp.get("/braille/directory/<company_id>.brf")
@login_required
def directory(company_id: str) -> ResponseReturnValue:
    """The company directory as BRF (40 cells, 25 lines a page)."""
    with db().read() as s:
        company = documents.company(s, company_id)
    if company is None:
        abort(404)
    text = documents.directory_text(company, lang())
    return brf_response(braille.to_brf(text), f"rubrica-{company_id}.brf")


@bp.get("/braille/attempts/<int:attempt_id>.brf")
@login_required
def report(attempt_id: int) -> ResponseReturnValue:
    """An attempt's score report as BRF: the trainee's own, or any for an instructor."""
    user = current_user()
    assert user is not None
    with db().read() as s:
        attempt = s.get(Attempt, attempt_id)
        if attempt is None or (user.role != "instructor" and attempt.trainee_id != user.id):
            abort(404)
        if user.role != "instructor" and exams.score_withheld(s, attempt_id):
            abort(404)  # an exam's result is the commission's report, once released
        if attempt.status == "active":
            abort(409, _("La chiamata è ancora in corso: il risultato non c'è ancora."))
        text = documents.report_text(s, attempt, lang())
    return brf_response(braille.to_brf(text), f"valutazione-{attempt_id}.brf")
