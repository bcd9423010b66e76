"""Working inside the platform: framing, cookies and CSP for LTI sessions only.

A session opened by an LTI launch remembers the platform's origins. Its pages may then be framed
by those origins (``frame-ancestors``, no ``X-Frame-Options: DENY``), and, when the activity
opens in the platform's iframe over HTTPS, the session cookie is ``SameSite=None; Secure;
Partitioned`` so the browser sends it inside a cross-site frame. Every other session keeps the
strict defaults (``frame-ancestors 'none'``, ``SameSite=Lax``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, session
from flask.sessions import SecureCookieSessionInterface


def origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an URL, or None if it is not http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def lti_context() -> dict[str, Any] | None:
    """The LTI launch this session came from, if any."""
    value = session.get("lti")
    return value if isinstance(value, dict) else None


def _in_frame(app: Flask) -> bool:
    if not has_request_context():
        return False
    context = lti_context()
    return bool(
        context and context.get("target") != "window" and app.config["SESSION_COOKIE_SECURE"]
    )


class EmbeddableSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, made cross-site only for sessions launched in an iframe."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if _in_frame(app) else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if _in_frame(app) else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if _in_frame(app) else super().get_cookie_partitioned(app)


def allow_platform_framing() -> None:
    """Before each request: let an LTI session's platform frame our pages (CSP only)."""
    context = lti_context()
    if context and context.get("ancestors"):
        g.csp_frame_ancestors = list(context["ancestors"])
