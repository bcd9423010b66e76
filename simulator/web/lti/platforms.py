"""The instructor's LTI page: what to paste into Moodle, and the platforms registered here."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from simulator.flaskkit.i18n import pick
from simulator.flaskkit.security import db, role_required
from simulator.practice import accounts, lti, lti_grades
from simulator.web.lti import bp

FIELDS = (
    "title",
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
)


def tool_urls() -> dict[str, str]:
    """The addresses a platform administrator pastes into the platform's tool form."""
    return {
        "tool_url": url_for("lti.launch", _external=True),
        "login_url": url_for("lti.login", _external=True),
        "redirect_url": url_for("lti.launch", _external=True),
        "jwks_url": url_for("lti.jwks", _external=True),
        "deep_link_url": url_for("lti.launch", _external=True),
    }


@bp.route("/platforms", methods=["GET", "POST"])
@role_required("instructor")
def platforms() -> ResponseReturnValue:
    """Register a platform (issuer, client id, deployments, its three URLs) and list them."""
    errors: dict[str, str] = {}
    values = {name: request.form.get(name, "") for name in FIELDS}
    if request.method == "POST":
        try:
            with db().write() as s:
                lti.register_platform(s, **values)
        except accounts.AccountError as exc:
            errors[exc.field] = pick(exc)
        else:
            flash(_("Piattaforma registrata: ora puoi aprire Centralino da lì."), "status")
            return redirect(url_for("lti.platforms"))
    with db().read() as s:
        registered = lti.platforms(s)
        grades = lti_grades.outbox(s)[:20]
        for row in grades:
            _unused = row.platform.title
    return render_template(
        "lti/platforms.html",
        errors=errors,
        values=values,
        registered=registered,
        grades=grades,
        urls=tool_urls(),
    ), (400 if errors else 200)
