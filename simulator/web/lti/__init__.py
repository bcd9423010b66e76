"""The LTI 1.3 tool surface: OIDC login, launch, JWKS, deep linking and platform registration.

Routes (all under ``/lti``): ``login`` (OIDC login initiation), ``launch`` (the redirect URI),
``jwks`` (the tool's public keys), ``deep-link`` (a teacher picks a scenario), ``activity`` (a
learner's landing page), ``platforms`` (an instructor registers a platform). The protocol work
is pylti1p3's; the database side is ``simulator.practice.lti``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app

from simulator.practice.lti import ToolKeys, tool_keys

bp = Blueprint("lti", __name__, url_prefix="/lti")


def keys() -> ToolKeys:
    """The tool's keys (generated on first use into the instance folder)."""
    instance = Path(current_app.instance_path)
    cache: dict[Path, ToolKeys] = current_app.extensions.setdefault("lti_keys", {})
    if instance not in cache:
        cache[instance] = tool_keys(instance)
    return cache[instance]


def init_app(app: Flask) -> None:
    """Register the blueprint, the embeddable session, the CSRF exemptions and the CLI."""
    from simulator.flaskkit.extensions import csrf
    from simulator.web.lti import cli, embed, platforms, views

    app.session_interface = embed.EmbeddableSessionInterface()
    app.before_request(embed.allow_platform_framing)
    # The platform posts these cross-site; state, nonce and the signed id_token protect them.
    csrf.exempt(views.login)
    csrf.exempt(views.launch)
    _ = platforms
    app.register_blueprint(bp)
    app.cli.add_command(cli.group)
