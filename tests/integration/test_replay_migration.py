"""Revision 0009_replay creates exactly the tables ``simulator/store/review.py`` declares."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from simulator.store import review  # noqa: F401  (replay tables on the shared metadata)
from simulator.store.migrate import alembic_config, upgrade
from simulator.store.models import Base

TABLES = {"utterance_recordings", "recording_notices", "coaching_notes", "verdict_overrides"}


def test_upgrade_then_downgrade_matches_the_models(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert set(engine.dialect.get_table_names(connection)) >= TABLES
    assert [d for d in diff if any(table in repr(d) for table in TABLES)] == []
    command.downgrade(alembic_config(url), "0006_lti")
    with engine.connect() as connection:
        assert not TABLES & set(engine.dialect.get_table_names(connection))
    engine.dispose()
