"""Every 4xx and 5xx as an accessible page in the user's language, or JSON for scripts."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API paths, our fetch() calls and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    if request.headers.get("X-Requested-With") == "fetch":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _texts(code: int) -> tuple[str, str]:
    """(title, explanation) for a status code."""
    table = {
        400: (_("Richiesta non valida"), _("Il modulo inviato non è valido. Riprova.")),
        401: (_("Accesso richiesto"), _("Accedi per continuare.")),
        403: (_("Accesso negato"), _("Non hai il permesso di vedere questa pagina.")),
        404: (_("Pagina non trovata"), _("L'indirizzo non esiste o non è tuo.")),
        405: (_("Metodo non consentito"), _("Questa azione non si fa così.")),
        409: (_("Azione non possibile"), _("L'azione non è possibile adesso.")),
        413: (_("File troppo grande"), _("Il file supera il limite consentito.")),
        429: (
            _("Troppi tentativi"),
            _("Hai fatto troppi tentativi. Aspetta un minuto e riprova."),
        ),
        500: (
            _("Errore del server"),
            _("Qualcosa è andato storto. Quanto hai già fatto è stato salvato."),
        ),
    }
    return table.get(code, (_("Errore"), _("Si è verificato un errore.")))


def render_error(code: int, detail: str | None = None) -> ResponseReturnValue:
    """The error page (or JSON) for ``code``."""
    title, text = _texts(code)
    if wants_json():
        return jsonify(error=title, message=detail or text, status=code), code
    return render_template("error.html", code=code, title=title, text=detail or text), code


def install(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return render_error(400, _("Il modulo è scaduto o non è valido: ricarica la pagina."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        # A message we raised ourselves (abort(400, "...")) is shown; Werkzeug's defaults are not.
        default = type(error).description
        detail = error.description if error.description != default else None
        return render_error(error.code, detail)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
