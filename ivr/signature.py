"""Twilio webhook signatures, checked with the SDK's ``RequestValidator``.

Twilio signs the URL it requested (scheme, host, path and query string) followed by every POST
field, empty ones included. Behind a proxy or tunnel the URL Flask sees differs (http instead of
https, an internal host), so the public URL is rebuilt: ``PUBLIC_BASE_URL`` first, then
``X-Forwarded-Proto``/``X-Forwarded-Host``, then the URL as received. A request is accepted if one
of these validates; forwarded headers cannot forge anything, since the HMAC still needs the token.
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
    """URLs Twilio may have signed, most trusted first, without duplicates."""
    tail = _path_and_query(req)
    urls: list[str] = []
    if public_base_url:
        urls.append(public_base_url.rstrip("/") + _path_and_query_without_root(req))
    proto = req.headers.get("X-Forwarded-Proto", "").split(",")[0].strip()
    host = req.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
    if proto or host:
        urls.append(f"{proto or req.scheme}://{host or req.host}{tail}")
    urls.append(f"{req.scheme}://{req.host}{tail}")
    return list(dict.fromkeys(urls))


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
