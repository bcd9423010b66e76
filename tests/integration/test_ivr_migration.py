"""The IVR's Alembic revision creates exactly the tables ``simulator/store/phone.py`` declares."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from simulator.store import phone  # noqa: F401  (IVR tables on the shared metadata)
from simulator.store.migrate import alembic_config, upgrade
from simulator.store.models import Base


def test_upgrade_then_downgrade_matches_the_models(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ivr_diff = [d for d in diff if "ivr_" in repr(d)]
    assert ivr_diff == []
    command.downgrade(alembic_config(url), "0001")
    with engine.connect() as connection:
        tables = set(engine.dialect.get_table_names(connection))
    assert not {t for t in tables if t.startswith("ivr_")}
    engine.dispose()
