"""A learning platform for the tests, playing Moodle's part of LTI 1.3 over real HTTP.

It has its own RSA keys and serves its key set, answers the OIDC authentication request with a
signed ``id_token`` posted back to the tool (the auto-submitting form a platform sends), issues
OAuth2 tokens after checking the tool's signed client assertion against the tool's key set,
receives scores on its line item and deep-linking answers. Everything it received is kept on the
object for the tests to assert on.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from flask import Flask, Response, abort, request
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> tuple[str, dict[str, Any]]:
    """A private PEM and its public JWK (with kid and alg)."""
    key = JWK.generate(kty="RSA", size=2048)
    public = json.loads(key.export_public())
    public.update(alg="RS256", use="sig", kid=key.thumbprint())
    return key.export_to_pem(private_key=True, password=None).decode(), public


@dataclass
class Launch:
    """What the platform will put in the next id_token for a login hint."""

    sub: str
    name: str
    roles: list[str]
    message_type: str = "LtiResourceLinkRequest"
    custom: dict[str, str] = field(default_factory=dict)
    deployment_id: str = "dep-1"
    document_target: str = "window"
    extra: dict[str, Any] = field(default_factory=dict)


class TestPlatform:
    """The platform app and what it has seen."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.private_pem, self.public_jwk = new_key()
        self.client_id = "centralino-client-id"
        self.deployment_id = "dep-1"
        self.tool_launch_url: str | None = None
        self.tool_jwks: dict[str, Any] | None = None
        self.launches: dict[str, Launch] = {}
        self.last_id_token: str | None = None
        self.tokens: dict[str, list[str]] = {}
        self.scores: list[dict[str, Any]] = []
        self.score_arrived = threading.Event()
        self.deep_link_answers: list[dict[str, Any]] = []
        self.fail_scores = 0  # how many score posts to answer with 503
        self.app = self._build()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------ registration data

    @property
    def issuer(self) -> str:
        return self.url

    def registration(self, title: str = "Moodle di prova") -> dict[str, str]:
        """The fields an instructor copies from Moodle into Centralino."""
        return {
            "title": title,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": self.deployment_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
        }

    def lineitem(self) -> str:
        return f"{self.url}/lineitems/7"

    # ------------------------------------------------------------ tokens

    def claims(self, launch: Launch, nonce: str) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": launch.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": launch.name,
            CLAIM + "message_type": launch.message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": launch.deployment_id,
            CLAIM + "roles": launch.roles,
            CLAIM + "context": {"id": "course-1", "title": "Centralinisti 2026"},
            CLAIM + "launch_presentation": {
                "document_target": launch.document_target,
                "return_url": f"{self.url}/course/1",
            },
            CLAIM + "custom": launch.custom,
        }
        if launch.message_type == "LtiResourceLinkRequest":
            body[CLAIM + "target_link_uri"] = self.tool_launch_url
            body[CLAIM + "resource_link"] = {"id": "link-1", "title": "Centralino"}
            body[AGS] = {
                "scope": [SCORE_SCOPE],
                "lineitem": self.lineitem(),
                "lineitems": f"{self.url}/lineitems",
            }
        else:
            body[CLAIM + "target_link_uri"] = self.tool_launch_url
            body[DL] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        body.update(launch.extra)
        return body

    def sign(self, body: dict[str, Any], pem: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(
            body,
            pem or self.private_pem,
            algorithm="RS256",
            headers={"kid": kid or self.public_jwk["kid"]},
        )

    def login_params(self, login_hint: str) -> dict[str, str]:
        """The OIDC third-party login initiation a platform sends to the tool."""
        return {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": self.tool_launch_url or "",
            "lti_message_hint": "hint-" + login_hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    # ------------------------------------------------------------ the HTTP side

    def _build(self) -> Flask:
        app = Flask("test_platform")

        @app.get("/jwks")
        def jwks() -> Any:
            return {"keys": [self.public_jwk]}

        @app.get("/auth")
        def auth() -> Any:
            args = request.args
            if args.get("client_id") != self.client_id or args.get("scope") != "openid":
                abort(400)
            if args.get("redirect_uri") != self.tool_launch_url:
                abort(400)
            launch = self.launches.get(args.get("login_hint", ""))
            if launch is None:
                abort(403)
            token = self.sign(self.claims(launch, args["nonce"]))
            self.last_id_token = token
            state = html.escape(args["state"])
            target = html.escape(args["redirect_uri"])
            page = (
                "<!doctype html><html lang='it'><head><title>Moodle di prova</title></head><body>"
                f"<form id='f' method='post' action='{target}'>"
                f"<input type='hidden' name='id_token' value='{token}'>"
                f"<input type='hidden' name='state' value='{state}'>"
                "<button type='submit'>Continua</button></form>"
                "<script>document.getElementById('f').submit()</script></body></html>"
            )
            return Response(page, mimetype="text/html")

        @app.post("/token")
        def token() -> Any:
            form = request.form
            if form.get("grant_type") != "client_credentials":
                return {"error": "unsupported_grant_type"}, 400
            assertion = form.get("client_assertion", "")
            try:
                header = jwt.get_unverified_header(assertion)
                key = next(k for k in self._tool_keys() if k.get("kid") == header.get("kid"))
                claims = jwt.decode(
                    assertion,
                    jwt.PyJWK(key).key,
                    algorithms=["RS256"],
                    audience=f"{self.url}/token",
                )
            except Exception as exc:
                return {"error": "invalid_client", "error_description": str(exc)}, 401
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return {"error": "invalid_client"}, 401
            access = secrets.token_urlsafe(16)
            self.tokens[access] = form.get("scope", "").split()
            return {"access_token": access, "token_type": "bearer", "expires_in": 3600}

        @app.post("/lineitems/<int:item>/scores")
        def scores(item: int) -> Any:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if SCORE_SCOPE not in self.tokens.get(bearer, []):
                return {"error": "invalid token"}, 401
            if request.mimetype != "application/vnd.ims.lis.v1.score+json":
                return {"error": "wrong content type"}, 415
            if self.fail_scores > 0:
                self.fail_scores -= 1
                return {"error": "maintenance"}, 503
            self.scores.append({"lineitem": item, **json.loads(request.get_data())})
            self.score_arrived.set()
            return {}, 200

        @app.post("/deep-link-return")
        def deep_link_return() -> Any:
            token = request.form.get("JWT", "")
            header = jwt.get_unverified_header(token)
            key = next(k for k in self._tool_keys() if k.get("kid") == header.get("kid"))
            claims = jwt.decode(
                token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=self.issuer
            )
            self.deep_link_answers.append(claims)
            return Response(
                "<!doctype html><title>Attività aggiunta</title><h1>Attività aggiunta</h1>"
            )

        @app.get("/course/<int:course>")
        def course(course: int) -> Any:
            return Response("<!doctype html><title>Corso</title><h1>Corso</h1>")

        @app.get("/open/<hint>")
        def open_tool(hint: str) -> Any:
            """A course page's link to the activity: starts the tool's OIDC login."""
            from urllib.parse import urlencode

            login = self.tool_launch_url.replace("/lti/launch", "/lti/login")  # type: ignore[union-attr]
            return Response(
                status=302, headers={"Location": login + "?" + urlencode(self.login_params(hint))}
            )

        @app.get("/course-page/<hint>")
        def course_page(hint: str) -> Any:
            return Response(
                "<!doctype html><html lang='it'><head><title>Corso - Moodle di prova</title></head>"
                f"<body><h1>Corso</h1><p><a href='/open/{hint}'>Centralino: esercitazione</a></p>"
                "</body></html>"
            )

        @app.get("/course-frame/<hint>")
        def course_frame(hint: str) -> Any:
            """A course page with the activity embedded, as Moodle shows an iframe launch."""
            return Response(
                "<!doctype html><html lang='it'><head><title>Corso - Moodle di prova</title></head>"
                "<body><h1>Corso</h1><main><iframe title='Centralino' width='1000' height='900' "
                f"src='/open/{hint}'></iframe></main></body></html>"
            )

        return app

    def _tool_keys(self) -> list[dict[str, Any]]:
        if self.tool_jwks is None:
            assert self.tool_launch_url
            url = self.tool_launch_url.replace("/lti/launch", "/lti/jwks")
            return list(requests.get(url, timeout=10).json()["keys"])
        return list(self.tool_jwks["keys"])

    # ------------------------------------------------------------ lifecycle

    @contextmanager
    def running(self) -> Iterator[TestPlatform]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.thread.join(timeout=5)


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the platform's auto-submitting form (what a browser would post)."""
    return dict(re.findall(r"name='(\w+)' value='([^']*)'", page))


def new_sub() -> str:
    return "moodle-user-" + uuid.uuid4().hex[:8]
