"""OIDC login initiation, launch, the tool's key set, the learner's activity and deep linking."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from simulator.flaskkit.i18n import pick
from simulator.flaskkit.security import current_user, db, log_in, role_required
from simulator.practice import attempts, lti, lti_grades
from simulator.practice.library import current_scenarios
from simulator.store.lti import LtiPlatform
from simulator.web import caller_audio
from simulator.web.lti import bp, keys
from simulator.web.lti.embed import lti_context, origin

log = logging.getLogger(__name__)

IN_REQUEST_TIMEOUT_S = 4
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

# What each verification step means to a person, in Italian and English, and its status.
REFUSALS: dict[str, tuple[int, str, str]] = {
    "state": (
        403,
        "La sessione di accesso non è valida o è scaduta: riapri l'attività dalla piattaforma.",
        "The login session is invalid or has expired: open the activity again from the platform.",
    ),
    "format": (400, "Il messaggio di avvio non è leggibile.", "The launch message is unreadable."),
    "nonce": (
        403,
        "Questo avvio è già stato usato o è scaduto: riapri l'attività dalla piattaforma.",
        "This launch was already used or has expired: open the activity again from the platform.",
    ),
    "registration": (
        400,
        "Piattaforma non registrata (emittente o ID client sconosciuti): "
        "chiedi all'istruttore di registrarla in Centralino.",
        "Platform not registered (unknown issuer or client ID): "
        "ask the instructor to register it in Centralino.",
    ),
    "signature": (
        403,
        "La firma del messaggio di avvio non è valida.",
        "The launch message's signature is not valid.",
    ),
    "expired": (
        403,
        "Il messaggio di avvio è scaduto: riapri l'attività dalla piattaforma.",
        "The launch message has expired: open the activity again from the platform.",
    ),
    "deployment": (
        400,
        "Deployment sconosciuto: aggiungi il suo ID alla piattaforma registrata in Centralino.",
        "Unknown deployment: add its ID to the platform registered in Centralino.",
    ),
    "message": (
        400,
        "Messaggio LTI non valido o non supportato.",
        "Invalid or unsupported LTI message.",
    ),
    "login": (
        400,
        "Richiesta di accesso dalla piattaforma incompleta o di una piattaforma non registrata.",
        "Login request from the platform incomplete or from an unregistered platform.",
    ),
}


def _request() -> Any:
    """pylti1p3's view of the current Flask request."""
    return FlaskRequest()  # type: ignore[no-untyped-call]


def _refused(step: str, detail: str = "") -> lti.LaunchRefused:
    status, it, en = REFUSALS[step]
    return lti.LaunchRefused(it, en, status=status, detail=detail)


class _Launch(FlaskMessageLaunch):
    """pylti1p3's launch, with each failed check named and nonces used once."""

    def __init__(self, session_service: lti.NonceSessionService) -> None:
        conf = lti.DbToolConf(db(), keys())
        super().__init__(
            _request(),
            conf,
            session_service=session_service,
            launch_data_storage=None,
            # The platform's key set is fetched on each launch: a hung platform must not hang us.
            requests_session=lti_grades.TimeoutSession(),
        )
        self._nonces = session_service
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    def _checked(self, step: str, check: Callable[[], Any]) -> Any:
        try:
            return check()
        except LtiException as exc:
            if step == "signature" and "expired" in str(exc).lower():
                step = "expired"
            raise _refused(step, str(exc)) from exc

    def validate_state(self) -> Any:
        return self._checked("state", super().validate_state)

    def validate_jwt_format(self) -> Any:
        return self._checked("format", super().validate_jwt_format)

    def validate_nonce(self) -> Any:
        return self._checked("nonce", super().validate_nonce)

    def validate_registration(self) -> Any:
        return self._checked("registration", super().validate_registration)

    def validate_jwt_signature(self) -> Any:
        return self._checked("signature", super().validate_jwt_signature)

    def validate_deployment(self) -> Any:
        return self._checked("deployment", super().validate_deployment)

    def validate_message(self) -> Any:
        checked = self._checked("message", super().validate_message)
        # Every check passed: use the nonce up now, so a second post of this token is a replay.
        if not self._nonces.consume_nonce(str(self._get_jwt_body().get("nonce"))):
            raise _refused("nonce", "nonce already used")
        return checked


def _storage() -> lti.NonceSessionService:
    return lti.NonceSessionService(_request(), lti.DbLaunchDataStorage(db()))


def _refusal_page(error: lti.LtiError) -> ResponseReturnValue:
    log.warning("LTI refused: %s (%s)", error.en, error.detail)
    return (
        render_template("lti/refused.html", message=pick(error), detail=error.detail),
        error.status,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """OIDC login initiation: the platform names itself, we send the browser to its auth URL."""
    service: Any = _storage()
    oidc = FlaskOIDCLogin(
        _request(),
        lti.DbToolConf(db(), keys()),
        session_service=service,
        launch_data_storage=service.data_storage,
    )
    try:
        redirect_response: ResponseReturnValue = oidc.redirect(
            url_for("lti.launch", _external=True)
        )
        return redirect_response
    except (LtiException, OIDCException) as exc:
        return _refusal_page(_refused("login", str(exc)))


def _scenario_of(claims: dict[str, Any]) -> str | None:
    custom = claims.get(lti.CLAIM + "custom") or {}
    if custom.get("scenario"):
        return str(custom["scenario"])
    target = str(claims.get(lti.CLAIM + "target_link_uri") or "")
    found = parse_qs(urlsplit(target).query).get("scenario")
    return found[0] if found else None


def _remember_launch(platform: LtiPlatform, claims: dict[str, Any]) -> None:
    """What the session keeps of the launch: where it came from, how to go back, the grade."""
    presentation = claims.get(lti.CLAIM + "launch_presentation") or {}
    return_url = str(presentation.get("return_url") or "") or None
    if return_url and origin(return_url) is None:
        return_url = None
    urls = (platform.issuer, platform.auth_login_url, return_url or "")
    ancestors = {origin(url) for url in urls if url}
    context_claim = claims.get(lti.CLAIM + "context") or {}
    session["lti"] = {
        "platform_id": platform.id,
        "platform": platform.title,
        "course": str(context_claim.get("title") or "")[:120],
        "return_url": return_url or platform.issuer,
        "target": str(presentation.get("document_target") or "iframe"),
        "ancestors": sorted(a for a in ancestors if a),
        "scenario": _scenario_of(claims),
        "subject": str(claims["sub"]),
        "resource_link_id": str((claims.get(lti.CLAIM + "resource_link") or {}).get("id", "")),
        "ags": claims.get(lti.AGS_CLAIM) or {},
    }


@bp.post("/launch")
def launch() -> ResponseReturnValue:
    """The redirect URI: verify the id_token, log the person in, open what the link points to."""
    message = _Launch(_storage())
    try:
        message.validate()
    except lti.LtiError as exc:
        return _refusal_page(exc)
    claims: dict[str, Any] = dict(message.get_launch_data())
    conf = lti.DbToolConf(db(), keys())
    platform = conf.platform(str(claims["iss"]), message.get_client_id())
    if platform is None:  # deleted between the checks and now
        return _refusal_page(_refused("registration"))
    with db().write() as s:
        user = lti.provision_user(s, platform, claims)
        s.expunge(user)
    log_in(user)
    _remember_launch(platform, claims)
    if message.is_deep_link_launch():
        if user.role != "instructor":
            abort(403)
        session["lti"]["deep_link"] = {
            "settings": claims.get(DL_CLAIM) or {},
            "deployment_id": str(claims.get(lti.CLAIM + "deployment_id")),
            "client_id": message.get_client_id(),
        }
        return redirect(url_for("lti.deep_link"))
    if user.role == "instructor":
        return redirect(url_for("instructor.dashboard"))
    return redirect(url_for("lti.activity"))


@bp.get("/jwks")
def jwks() -> ResponseReturnValue:
    """The tool's public key set (the platform checks our signatures with it)."""
    return jsonify(keys().jwks())


def _scenario_version(scenario_id: str | None) -> Any:
    with db().read() as s:
        for version in current_scenarios(s):
            if version.scenario_id == scenario_id:
                s.expunge(version)
                return version
    return None


@bp.get("/activity")
@role_required("trainee")
def activity() -> ResponseReturnValue:
    """The learner's landing page for a platform activity: which call, and a button to start."""
    context = lti_context()
    if context is None:
        return redirect(url_for("console.home"))
    version = _scenario_version(context.get("scenario"))
    if version is None:
        # A link without a scenario (or one since removed): the whole practice list.
        return redirect(url_for("console.home"))
    return render_template("lti/activity.html", version=version)


@bp.post("/activity/start")
@role_required("trainee")
def start_activity() -> ResponseReturnValue:
    """Start the activity's scenario and remember where its grade goes."""
    context = lti_context()
    user = current_user()
    if context is None or user is None or not context.get("scenario"):
        abort(404)
    try:
        attempt_id = attempts.start_attempt(db(), user.id, str(context["scenario"]))
    except attempts.AttemptNotFound:
        abort(404)
    with db().write() as s:
        lti.link_attempt(
            s,
            attempt_id,
            platform_id=int(context["platform_id"]),
            subject=str(context["subject"]),
            resource_link_id=str(context["resource_link_id"]),
            ags_endpoint=dict(context.get("ags") or {}),
        )
    started = attempts.snapshot(db(), attempt_id, trainee_id=user.id)
    caller_audio.prerender(started.scenario, started.company)
    return redirect(url_for("console.attempt", attempt_id=attempt_id, focus="lines-heading"))


def send_grade_after_finish(attempt_id: int) -> None:
    """Try to send a finished attempt's grade now (if due), and tell the trainee how it stands."""
    with db().read() as s:
        pending = [row for row in lti_grades.outbox(s, attempt_id) if row.status == "pending"]
        title = pending[0].platform.title if pending else ""
    if not pending:
        return
    # The trainee is waiting for the result page: a short try now, the outbox keeps the rest.
    result = lti_grades.deliver(
        db(), keys(), attempt_id=attempt_id, http=lti_grades.TimeoutSession(IN_REQUEST_TIMEOUT_S)
    )
    if result.sent and not result.failed:
        flash(_("Punteggio inviato a %(platform)s.", platform=title), "status")
    else:
        flash(
            _(
                "Punteggio non ancora inviato a %(platform)s: Centralino riproverà più tardi.",
                platform=title,
            ),
            "error",
        )


@bp.route("/deep-link", methods=["GET", "POST"])
@role_required("instructor")
def deep_link() -> ResponseReturnValue:
    """A teacher picks a scenario; it goes back to the platform as a signed LTI link."""
    context = lti_context()
    request_data = (context or {}).get("deep_link")
    if context is None or not request_data:
        abort(404)
    with db().read() as s:
        scenarios = current_scenarios(s)
        by_id = {v.scenario_id: (v.title, v.family, v.language, v.level) for v in scenarios}
    error = None
    if request.method == "POST":
        chosen = request.form.get("scenario", "")
        if chosen not in by_id:
            error = _("Scegli uno scenario dall'elenco.")
        else:
            return _deep_link_answer(context, request_data, chosen, by_id[chosen][0])
    status = 400 if error else 200
    return render_template("lti/deep_link.html", scenarios=scenarios, error=error), status


def _deep_link_answer(
    context: dict[str, Any], request_data: dict[str, Any], scenario_id: str, title: str
) -> ResponseReturnValue:
    conf = lti.DbToolConf(db(), keys())
    platform = conf.platform_by_id(int(context["platform_id"]))
    if platform is None:
        abort(404)
    registration = lti.registration_of(platform, keys())
    from pylti1p3.deep_link import DeepLink

    link = DeepLink(registration, request_data["deployment_id"], request_data["settings"])
    resource = (
        DeepLinkResource()
        .set_url(url_for("lti.launch", _external=True))
        .set_title(title)
        .set_custom_params({"scenario": scenario_id})
        .set_lineitem(
            LineItem().set_label(title).set_score_maximum(100).set_resource_id(scenario_id)
        )
    )
    token = link.get_response_jwt([resource])
    return_url = str(request_data["settings"].get("deep_link_return_url") or "")
    target = origin(return_url)
    if target is None:
        abort(400)
    g.csp_form_action = [target]
    session["lti"].pop("deep_link", None)
    session.modified = True
    return render_template(
        "lti/deep_link_return.html", return_url=return_url, token=token, title=title
    )
