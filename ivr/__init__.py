"""Practice by phone (Twilio): webhooks, TwiML from engine turns, outbound calls, call driver.

``init_app(app)`` registers the ``/ivr/`` blueprint and the ``flask ivr`` commands. Missing Twilio
settings never stop the web app: the IVR then answers calls with a spoken notice, refuses to
place calls, and ``/ivr/healthz`` names the variables to set.

Tests replace Twilio's REST servers (and nothing else) by putting a ``twilio.http.HttpClient``
in ``app.extensions["centralino_twilio_http"]``; production leaves it unset.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the IVR on an app built by ``create_app`` (idempotent)."""
    if "ivr" in app.blueprints:
        return
    from ivr import cli, pages, settings, webhooks

    config = settings.load(app.config)
    app.extensions["centralino_ivr"] = config
    app.register_blueprint(webhooks.bp)
    app.cli.add_command(cli.group)
    app.context_processor(pages.phone_context)
    # ``flask purge-recordings`` also deletes Twilio's copies of what it purged.
    app.extensions.setdefault("centralino_purge_hooks", []).append(cli.delete_remote_recordings)
    # Missing settings are said once per server start by simulator.web.notices, not here.
