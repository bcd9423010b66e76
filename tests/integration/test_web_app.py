"""The app factory, configuration, health check, first run, CLI and error pages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app import create_app
from simulator.practice import accounts
from simulator.web.testing import (
    form_data,
    login,
    seed_users,
)


def test_healthz_reports_database_scenarios_and_version(app):
    """GET /healthz answers JSON with the database state and the playable scenarios."""
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert {k: body[k] for k in ("database", "scenarios", "version")} == {
        "database": "ok",
        "scenarios": 2,
        "version": "0.1.0",
    }
    assert body["phone"].startswith("Phone practice disabled")  # no Twilio settings here


def test_secret_key_generated_once_with_owner_only_permissions(tmp_path, monkeypatch):
    """Without CENTRALINO_SECRET_KEY a key is generated in the instance folder, mode 0600."""
    monkeypatch.delenv("CENTRALINO_SECRET_KEY", raising=False)
    from simulator.web import config

    first = config.secret_key(tmp_path, None)
    second = config.secret_key(tmp_path, None)
    assert first == second and len(first) == 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    """CENTRALINO_* variables override the defaults in code."""
    monkeypatch.setenv("CENTRALINO_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("CENTRALINO_SECRET_KEY", "from-env")
    monkeypatch.setenv("CENTRALINO_SECURE_COOKIES", "1")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers_on_every_page(app):
    """Strict CSP without unsafe-inline, no framing, no sniffing."""
    response = app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "media-src 'self' blob:" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_first_run_page_only_while_no_user_exists(app):
    """/setup creates the first instructor, then disappears (404)."""
    client = app.test_client()
    assert client.get("/").location.endswith("/setup")
    page = client.get("/setup")
    assert page.status_code == 200
    response = client.post(
        "/setup",
        data=form_data(
            page.get_data(as_text=True),
            display_name="Ada Rossi",
            username="ada",
            password="una-password-lunga",
            confirm="una-password-lunga",
        ),
    )
    assert response.status_code == 302 and response.location.endswith("/instructor/")
    assert client.get("/setup").status_code == 404


def test_first_run_mismatched_passwords_shows_error_summary(app):
    """Errors come back in an error summary, 'Errore:' in the title, fields marked invalid."""
    client = app.test_client()
    page = client.get("/setup")
    response = client.post(
        "/setup",
        data=form_data(
            page.get_data(as_text=True),
            display_name="Ada",
            username="ada",
            password="una-password-lunga",
            confirm="diversa-password",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Errore:" in html
    assert 'id="error-summary"' in html and 'href="#f-confirm"' in html
    assert 'aria-invalid="true"' in html


def test_create_instructor_cli_reads_password_from_env(app, monkeypatch):
    """`flask create-instructor` takes the password from an env var for automation."""
    monkeypatch.setenv("CENTRALINO_INSTRUCTOR_PASSWORD", "password-automatica")
    result = app.test_cli_runner().invoke(
        args=["create-instructor", "--username", "bea", "--name", "Bea Verdi"]
    )
    assert result.exit_code == 0, result.output
    with app.extensions["centralino_db"].read() as s:
        assert accounts.authenticate(s, "bea", "password-automatica") is not None


def test_create_instructor_cli_prompts_twice(app, monkeypatch):
    """Without the env var the password is asked twice (hidden)."""
    monkeypatch.delenv("CENTRALINO_INSTRUCTOR_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(
        args=["create-instructor", "--username", "bea", "--name", "Bea Verdi"],
        input="password-digitata\npassword-digitata\n",
    )
    assert result.exit_code == 0, result.output


def test_db_upgrade_and_status_commands(tmp_path):
    """The Alembic migration builds the schema; status says how to create the instructor."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/m.db", "SECRET_KEY": "k"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db-upgrade"]).exit_code == 0
    result = runner.invoke(args=["status"])
    assert "create-instructor" in result.output
    result = runner.invoke(args=["load-scenarios", "--root", "tests/fixtures/web"])
    assert result.exit_code == 0, result.output
    assert "2 nuovi" in result.output


def test_migration_matches_models(tmp_path):
    """The initial revision creates exactly the tables the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from simulator.store.migrate import upgrade
    from simulator.store.models import Base

    url = f"sqlite:///{tmp_path}/cmp.db"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_language_switch_sets_lang_and_translates(app):
    """Italian by default; the header link switches to English, html lang follows."""
    client = app.test_client()
    seed_users(app)
    assert '<html lang="it">' in client.get("/login").get_data(as_text=True)
    client.get("/lang/en?next=/login")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_error_pages_html_and_json(app):
    """A 404 is an accessible page in HTML, and JSON for scripts."""
    client = app.test_client()
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "<h1>Pagina non trovata</h1>" in html and "<title>Errore:" in html
    response = client.get("/no-such-page", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 404 and response.json["status"] == 404


def test_login_then_home_by_role(app):
    """Instructors land on the dashboard, trainees on their practice list."""
    seed_users(app)
    client = app.test_client()
    assert login(client, "ada").location.endswith("/instructor/")
    other = app.test_client()
    assert login(other, "luca").location.endswith("/practice")


def test_instance_secret_never_in_repo():
    """The generated key lives in the instance folder, which is not tracked."""
    assert not (Path(__file__).parents[2] / "secret_key").exists()
    assert os.path.basename(os.getcwd())
