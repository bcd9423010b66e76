"""Twilio webhook signatures, checked with the SDK's ``RequestValidator``.

Twilio signs the URL it requested (scheme, host, path and query string) followed by every POST
field, empty ones included. With ``PUBLIC_BASE_URL`` set, that URL alone is checked: a request
signed for another host (another app on the same Twilio account, ``X-Forwarded-Host: evil``) is
refused. Without it, the URL as the app sees it is checked; ``X-Forwarded-*`` headers change that
URL only when ``CENTRALINO_TRUSTED_PROXIES`` says how many proxies to believe (Werkzeug's
ProxyFix, installed by ``create_app``), never because a client sent them.
"""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator

HEADER = "X-Twilio-Signature"


def _path_and_query(req: Request) -> str:
    # request.full_path always ends with "?", which Twilio never signs for a bare path.
    query = req.query_string.decode("latin-1")
    path = req.script_root + req.path
    return f"{path}?{query}" if query else path


def candidate_urls(req: Request, public_base_url: str) -> list[str]:
    """The one URL Twilio must have signed: on ``PUBLIC_BASE_URL`` when set, else as received
    (scheme and host already corrected by ProxyFix when trusted proxies are configured)."""
    if public_base_url:
        return [public_base_url.rstrip("/") + _path_and_query_without_root(req)]
    return [f"{req.scheme}://{req.host}{_path_and_query(req)}"]


def _path_and_query_without_root(req: Request) -> str:
    # PUBLIC_BASE_URL already holds any prefix the proxy strips (https://host/centralino).
    query = req.query_string.decode("latin-1")
    return f"{req.path}?{query}" if query else req.path


def is_valid(req: Request, auth_token: str, public_base_url: str) -> bool:
    """True when the request carries a valid Twilio signature for one candidate URL."""
    signature = req.headers.get(HEADER, "")
    if not signature or not auth_token:
        return False
    validator = RequestValidator(auth_token)
    # Every field as received, empty values included (werkzeug keeps blank values).
    params = req.form
    return any(
        validator.validate(url, params, signature) for url in candidate_urls(req, public_base_url)
    )
