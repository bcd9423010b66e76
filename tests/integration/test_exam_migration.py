"""The exam's Alembic revision creates exactly the exam tables the models declare, and its
downgrade removes them (SQLite here; PostgreSQL too when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from simulator.store import phone  # noqa: F401  (IVR tables on the shared metadata)
from simulator.store.migrate import alembic_config, upgrade
from simulator.store.models import Base


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_then_downgrade_matches_the_exam_models(tmp_path: Path, backend: str):
    if backend == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL not set: PostgreSQL not judged")
        engine = create_engine(url)
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diff if "exam" in repr(d)] == []
    command.downgrade(alembic_config(url), "0006_lti")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert not {"exams", "exam_sittings"} & tables
    assert "attempts" in tables
    engine.dispose()
