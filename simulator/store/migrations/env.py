"""Alembic environment: the URL comes from the app's settings (CENTRALINO_DATABASE_URL or the
instance SQLite file), or from the Config built by ``simulator.store.migrate.alembic_config``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import simulator.store.lti  # the LTI tables join the metadata
import simulator.store.phone
import simulator.store.review  # noqa: F401  (replay and review tables join the metadata)
from simulator.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from app import create_app

    return str(create_app().config["DATABASE_URL"])


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=is_sqlite
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
