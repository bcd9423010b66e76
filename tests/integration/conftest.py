"""Fixtures shared by the web tests: the real app on SQLite, and on PostgreSQL when
TEST_DATABASE_URL names one, with an instructor and two trainees."""

from __future__ import annotations

import pytest

from simulator.web.testing import database_urls, make_app, seed_users, url_for_backend


@pytest.fixture(params=database_urls())
def app(request, tmp_path):
    app = make_app(url_for_backend(request.param, tmp_path), tmp_path)
    yield app
    app.extensions["centralino_db"].dispose()


@pytest.fixture
def users(app):
    return seed_users(app)
