"""Log in, log out, first-run setup of the first instructor, and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_babel import gettext as _

from simulator.flaskkit.extensions import limiter
from simulator.flaskkit.i18n import LANGUAGES, pick
from simulator.flaskkit.security import current_user, db, log_in, log_out, safe_next
from simulator.practice import accounts

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["ACCOUNT_RATE_LIMIT"])


def _account_key() -> str:
    """Failed logins count against the account asked for, whichever address they come from."""
    return "account:" + request.form.get("username", "").strip().lower()[:80]


def _failed(response: Response) -> bool:
    """Only refused logins count: a class logging in at once from one address is never
    locked out, a guesser is."""
    return response.status_code == 400


def home_for(role: str) -> str:
    """Where each role lands after login."""
    return url_for("instructor.dashboard") if role == "instructor" else url_for("console.home")


@bp.get("/")
def index() -> ResponseReturnValue:
    """Send visitors to their home page, to login, or to first-run setup."""
    user = current_user()
    if user is not None:
        return redirect(home_for(user.role))
    with db().read() as s:
        if accounts.user_count(s) == 0:
            return redirect(url_for("auth.setup"))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login() -> ResponseReturnValue:
    """Username and password; accepts paste and password managers (WCAG 3.3.8)."""
    errors: dict[str, str] = {}
    username = request.form.get("username", "")
    if request.method == "POST":
        password = request.form.get("password", "")
        if not username.strip():
            errors["username"] = _("Inserisci il nome utente.")
        if not password:
            errors["password"] = _("Inserisci la password.")
        if not errors:
            with db().write() as s:
                user = accounts.authenticate(s, username, password)
                if user is not None:
                    s.expunge(user)
            if user is None:
                errors["username"] = _("Nome utente o password non corretti.")
            else:
                log_in(user)
                return redirect(safe_next(request.args.get("next"), home_for(user.role)))
    with db().read() as s:
        if accounts.user_count(s) == 0:
            return redirect(url_for("auth.setup"))
    status = 400 if errors else 200
    return render_template("login.html", errors=errors, username=username), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (a POST with the CSRF token, never a link)."""
    log_out()
    flash(_("Sei uscito da Centralino."))
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def setup() -> ResponseReturnValue:
    """Create the first instructor: open only while no account exists (no default password)."""
    with db().read() as s:
        if accounts.user_count(s) > 0:
            abort(404)
    errors: dict[str, str] = {}
    values = {k: request.form.get(k, "") for k in ("username", "display_name")}
    if request.method == "POST":
        try:
            with db().write() as s:
                if accounts.user_count(s) > 0:
                    abort(404)
                user = accounts.create_user(
                    s,
                    username=values["username"],
                    display_name=values["display_name"],
                    password=request.form.get("password", ""),
                    confirm=request.form.get("confirm", ""),
                    role="instructor",
                )
                s.expunge(user)
        except accounts.AccountError as exc:
            errors[exc.field] = pick(exc)
        else:
            log_in(user)
            flash(_("Account istruttore creato. Benvenuto!"))
            return redirect(url_for("instructor.dashboard"))
    status = 400 if errors else 200
    return render_template("setup.html", errors=errors, values=values), status


@bp.get("/lang/<code>")
def language(code: str) -> ResponseReturnValue:
    """Switch the interface language and go back to the same page."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("auth.index")))
