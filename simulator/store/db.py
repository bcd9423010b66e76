"""Database engine and transactions, for SQLite (default) and PostgreSQL.

Reads run in ordinary transactions. Writes that must be serialised per attempt run in
``Database.write()``: on SQLite that is ``BEGIN IMMEDIATE`` (one writer at a time, readers keep
going thanks to WAL); on PostgreSQL the service adds ``SELECT ... FOR UPDATE`` on the attempt row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _install_sqlite_hooks(engine: Engine) -> None:
    """WAL, foreign keys and explicit BEGIN, which pysqlite otherwise issues lazily."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and its two session factories (read and serialised write)."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        writer_bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(writer_bind, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads (and writes that need no per-attempt serialisation)."""
        with self._reader.begin() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A serialised write transaction, committed on exit, rolled back on error."""
        with self._writer.begin() as session:
            yield session

    def create_all(self) -> None:
        """Create every table (tests; production uses the Alembic migrations)."""
        from simulator.store import lti, phone, review  # noqa: F401  (tables join the metadata)
        from simulator.store.models import Base

        Base.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        """Drop every table (test sessions on a shared PostgreSQL)."""
        from simulator.store import lti, phone, review  # noqa: F401  (tables join the metadata)
        from simulator.store.models import Base

        Base.metadata.drop_all(self.engine)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
