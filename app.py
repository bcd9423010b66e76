"""Centralino's web application factory: ``flask --app app run`` or ``gunicorn 'app:create_app()'``.

Configuration: defaults in code, then ``CENTRALINO_*`` environment variables, then the mapping a
test passes. See ``simulator/web/config.py`` for the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from simulator.flaskkit import i18n, security
from simulator.flaskkit.extensions import babel, csrf, limiter
from simulator.practice import rate_limits
from simulator.store.db import Database
from simulator.web import cli, config, library_view, notices

VERSION = "0.1.0"
ROOT = Path(__file__).resolve().parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, error pages and CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="simulator/web/templates",
        static_folder="simulator/web/static",
    )
    settings = config.load_settings(test_config)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    debug = bool(settings["DEBUG"])
    app.config.update(
        SECRET_KEY=config.secret_key(instance, settings["SECRET_KEY"]),
        DATABASE_URL=settings["DATABASE_URL"] or config.default_database_url(instance),
        TESTING=bool(settings["TESTING"]),
        DEBUG=debug,
        VERSION=VERSION,
        SCENARIO_ROOT=str(settings["SCENARIO_ROOT"] or ROOT / "scenarios"),
        MAX_UPLOAD_BYTES=int(settings["MAX_UPLOAD_BYTES"]),
        # A little above the upload limit so an oversized file gets our own message.
        MAX_CONTENT_LENGTH=int(settings["MAX_UPLOAD_BYTES"]) + 64 * 1024,
        LOGIN_RATE_LIMIT=settings["LOGIN_RATE_LIMIT"],
        POLL_INTERVAL_MS=int(settings["POLL_INTERVAL_MS"]),
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"] or f"{rate_limits.SCHEME}://",
        RATELIMIT_HEADERS_ENABLED=True,
        SESSION_COOKIE_NAME="centralino_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["SECURE_COOKIES"]) and not debug,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session; a long lesson must not expire forms
        BABEL_DEFAULT_LOCALE="it",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "simulator/web/translations"),
    )
    for key, value in settings.items():
        app.config.setdefault(key, value)

    database = Database(app.config["DATABASE_URL"])
    app.extensions["centralino_db"] = database
    if app.config["RATELIMIT_STORAGE_URI"].startswith(rate_limits.SCHEME):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"database": database}
    trusted = int(settings["TRUSTED_PROXIES"])
    if trusted > 0:
        # Only then are X-Forwarded-For/Proto/Host/Port/Prefix believed: the client address the
        # limits count, and the URL Twilio's signature is checked against.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted, x_port=trusted,
            x_prefix=trusted,
        )  # fmt: skip
    from simulator.web import voice

    # Before the CSRF check, which reads the body: a spoken reply may exceed the form limit.
    app.before_request(voice.raise_speech_limit)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    security.install(app)
    i18n.install(app)
    library_view.install(app)

    from simulator.web import (
        auth,
        braille_views,
        classes,
        console,
        errors,
        exams,
        health,
        instructor,
        replay,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(instructor.bp)
    app.register_blueprint(exams.bp)
    app.register_blueprint(replay.bp)
    app.register_blueprint(classes.bp)
    app.register_blueprint(braille_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(voice.bp)

    from ivr import init_app as init_ivr

    init_ivr(app)
    from simulator.web import lti

    lti.init_app(app)
    errors.install(app)
    cli.install(app)
    notices.announce(app)
    cli.purge_at_start(app)
    return app
