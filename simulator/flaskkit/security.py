"""Sessions, roles and HTTP security headers.

The signed session cookie holds only the user id and role; the user is read from the database on
every request, so a deleted account is logged out everywhere at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from simulator.practice import accounts
from simulator.store.models import LoginSession, User

F = TypeVar("F", bound=Callable[..., Any])

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csp_for(frame_ancestors: list[str] | None = None, form_action: list[str] | None = None) -> str:
    """The CSP, with extra origins allowed to frame the page or receive its forms."""
    policy = CSP
    if frame_ancestors:
        policy = policy.replace(
            "frame-ancestors 'none'", "frame-ancestors " + " ".join(frame_ancestors)
        )
    if form_action:
        policy = policy.replace("form-action 'self'", "form-action 'self' " + " ".join(form_action))
    return policy


def db() -> Any:
    """The app's Database (typed loosely to avoid an import cycle with app setup)."""
    return current_app.extensions["centralino_db"]


def load_user() -> None:
    """Put the logged-in user (or None) on ``g`` before each request.

    The cookie's session token must still have its row in ``login_sessions``: logging out or
    changing the password deletes it, so a cookie saved before then opens nothing.
    """
    g.user = None
    user_id = session.get("uid")
    token = session.get("sid")
    if user_id is None:
        return
    user = None
    if isinstance(token, str):
        with db().read() as s:
            live = s.get(LoginSession, accounts.session_digest(token))
            if live is not None and live.user_id == int(user_id):
                user = s.get(User, int(user_id))
                if user is not None:
                    s.expunge(user)
    if user is None or user.role != session.get("role"):
        _clear_keeping_language()
        return
    g.user = user


def _clear_keeping_language() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def log_in(user: User) -> None:
    """Start a fresh session for this user (no data carried over from before login)."""
    _clear_keeping_language()
    with db().write() as s:
        token = accounts.open_session(s, user.id)
    session["uid"] = user.id
    session["role"] = user.role
    session["sid"] = token
    session.permanent = True


def log_out() -> None:
    """End this browser's session on the server too, then clear the cookie."""
    token = session.get("sid")
    if isinstance(token, str):
        with db().write() as s:
            accounts.close_session(s, token)
    _clear_keeping_language()


def current_user() -> User | None:
    """The logged-in user, if any."""
    return cast("User | None", g.get("user"))


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, remembering where they were going."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow these roles only: anyone else logged in gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only same-origin paths are followed after login or a language switch (no open redirect).

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    ``/\t/evil.example`` becomes ``//evil.example``: any control character refuses the target,
    as does anything a URL parser would read as having a scheme or a host.
    """
    if not target or not target.startswith("/"):
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target) or "\\" in target:
        return default
    if target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def add_security_headers(response: Response) -> Response:
    """Strict CSP (no inline script or style), no framing, no sniffing, private pages."""
    headers = response.headers
    # An LTI session may be framed by its platform, and a deep-linking answer posts to it.
    ancestors = g.get("csp_frame_ancestors")
    headers.setdefault("Content-Security-Policy", csp_for(ancestors, g.get("csp_form_action")))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not ancestors:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
    if not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "no-store")
    return response


# Endpoints Twilio posts to: they judge their own fields and answer in TwiML.
TWILIO_WEBHOOKS = frozenset({"ivr.voice", "ivr.outbound", "ivr.turn", "ivr.status"})
# Primary keys are INTEGER columns (32-bit on PostgreSQL): a larger id cannot name a row.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ids outside the column's range are 404, not a 500 from the
    database driver (``/attempts/99999999999999999999``)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def refuse_nul_bytes() -> None:
    """400 with a message for any NUL byte in a query or form field: PostgreSQL cannot store one,
    and no typed text holds one. Twilio's webhooks answer in speech instead (``ivr.webhooks``)."""
    if request.endpoint in TWILIO_WEBHOOKS:
        return
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest(
                    _("Il testo contiene un carattere nullo (NUL), non ammesso: toglilo e riprova.")
                )


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _server_timing(response: Response) -> Response:
    """How long the app worked on this request (Server-Timing), for load tests and browsers'
    network panels: it tells service time apart from time spent queueing or on the wire."""
    started = g.get("request_started")
    if started is not None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
    return response


def install(app: Flask) -> None:
    """Register the per-request hooks."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_start_timer)
    app.before_request(refuse_nul_bytes)
    app.before_request(load_user)
    app.after_request(add_security_headers)
    app.after_request(_server_timing)
