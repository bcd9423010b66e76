"""Helpers to build a real app on a real database for tests and benchmarks (no mocks).

``make_app`` creates the schema on a fresh SQLite file or on PostgreSQL (dropping our tables
first), loads a scenario folder and returns the app; ``seed_users`` adds an instructor and
trainees with the scenarios assigned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from simulator.practice import accounts, library
from simulator.store.db import Database
from simulator.store.models import Assignment

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "web"
PASSWORD = "password-di-prova"


def make_app(
    database_url: str, instance: Path, scenario_root: Path = FIXTURES, **overrides: Any
) -> Flask:
    """A configured app with an empty schema and the scenarios of ``scenario_root`` stored."""
    from app import create_app

    config: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TESTING": True,
        "SECURE_COOKIES": False,
        "SCENARIO_ROOT": str(scenario_root),
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }
    config.update(overrides)
    app = create_app(config)
    app.instance_path = str(instance)
    database: Database = app.extensions["centralino_db"]
    database.drop_all()
    database.create_all()
    with database.write() as s:
        library.sync_library(s, scenario_root)
    return app


def seed_users(
    app: Flask, trainees: Iterable[str] = ("luca", "marta"), scenarios: Iterable[str] | None = None
) -> dict[str, int]:
    """An instructor "ada" and the given trainees (password ``PASSWORD``), scenarios assigned."""
    database: Database = app.extensions["centralino_db"]
    ids: dict[str, int] = {}
    with database.write() as s:
        ids["ada"] = accounts.create_user(
            s,
            username="ada",
            display_name="Ada Istruttrice",
            password=PASSWORD,
            role="instructor",
        ).id
        wanted = (
            list(scenarios)
            if scenarios is not None
            else [v.scenario_id for v in library.current_scenarios(s)]
        )
        for name in trainees:
            user = accounts.create_user(
                s, username=name, display_name=name.title(), password=PASSWORD, role="trainee"
            )
            ids[name] = user.id
            for scenario_id in wanted:
                s.add(Assignment(trainee_id=user.id, scenario_id=scenario_id))
    return ids


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Log a test client in through the real form (CSRF token included)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def form_data(html: str, **fields: str) -> Mapping[str, str]:
    """Fields plus the page's CSRF token."""
    return {"csrf_token": csrf_from(html), **fields}


def database_urls() -> list[str]:
    """The backends tests run on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""
    import os

    return ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def url_for_backend(backend: str, tmp_path: Path) -> str:
    """A database URL for a test: a fresh SQLite file, or the shared PostgreSQL database."""
    import os

    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'centralino-test.db'}"
    return os.environ["TEST_DATABASE_URL"]
