"""Sessions, roles and HTTP security headers.

The signed session cookie holds only the user id and role; the user is read from the database on
every request, so a deleted account is logged out everywhere at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for

from simulator.store.models import User

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
    """Put the logged-in user (or None) on ``g`` before each request."""
    g.user = None
    user_id = session.get("uid")
    if user_id is None:
        return
    with db().read() as s:
        user = s.get(User, int(user_id))
        if user is not None:
            s.expunge(user)
    if user is None or user.role != session.get("role"):
        session.clear()
        return
    g.user = user


def log_in(user: User) -> None:
    """Start a fresh session for this user (no data carried over from before login)."""
    lang = session.get("lang")
    session.clear()
    session["uid"] = user.id
    session["role"] = user.role
    if lang:
        session["lang"] = lang
    session.permanent = True


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


def role_required(role: str) -> Callable[[F], F]:
    """Allow one role only: anyone else logged in gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


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
    app.before_request(_start_timer)
    app.before_request(load_user)
    app.after_request(add_security_headers)
    app.after_request(_server_timing)
