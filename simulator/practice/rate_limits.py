"""Rate-limit counters every worker shares: Flask-Limiter's storage on the app's own database.

Flask-Limiter keeps counters in process memory unless told otherwise, so with gunicorn's
workers each had its own count and "10 a minute" became 10 a minute per worker. This storage
(``centralino+db://``, the default) keeps fixed-window counters in the ``rate_limits`` table,
one atomic upsert per hit, on SQLite and PostgreSQL alike; ``redis://`` works too when a school
runs Redis. ``hit`` is the one helper the phone's PIN limits use, on whichever storage is set.
"""

from __future__ import annotations

import time
from typing import Any, cast

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from simulator.store.db import Database
from simulator.store.models import RateLimitCounter

SCHEME = "centralino+db"


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table (see the module docstring)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the name and type limits' registry reads)

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        database: Database | None = None,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        if database is None:
            raise ValueError("centralino+db:// needs the app's Database (database=...)")
        self.database = database

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = pg_insert if self.database.engine.dialect.name == "postgresql" else sqlite_insert
        table = cast(Table, RateLimitCounter.__table__)
        expired = table.c.expires_at <= now
        statement = (
            insert(table)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": case((expired, amount), else_=table.c.hits + amount),
                    "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.hits)
        )
        with self.database.write() as session:
            return int(session.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with self.database.read() as session:
            hits = session.scalar(
                select(RateLimitCounter.hits).where(
                    RateLimitCounter.key == key, RateLimitCounter.expires_at > time.time()
                )
            )
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        with self.database.read() as session:
            expires = session.scalar(
                select(RateLimitCounter.expires_at).where(RateLimitCounter.key == key)
            )
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.database.read() as session:
                session.scalar(select(func.count()).select_from(RateLimitCounter))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.database.write() as session:
            result = session.execute(delete(RateLimitCounter))
        return int(getattr(result, "rowcount", 0) or 0)

    def clear(self, key: str) -> None:
        with self.database.write() as session:
            session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def hit(storage: Storage, limit: str, *keys: str) -> bool:
    """Count one hit on each key; False if any key is over ``limit`` ("5 per 15 minutes")."""
    item: RateLimitItem = parse(limit)
    limiter = FixedWindowRateLimiter(storage)
    results = [limiter.hit(item, key) for key in keys]
    return all(results)


def allowed(storage: Storage, limit: str, *keys: str) -> bool:
    """Whether every key is still under ``limit`` (nothing counted)."""
    item: RateLimitItem = parse(limit)
    limiter = FixedWindowRateLimiter(storage)
    return all(limiter.test(item, key) for key in keys)


def window_minutes(limit: str) -> int:
    """The window of a limit in whole minutes (for the spoken lock-out), at least 1."""
    item = parse(limit)
    return max(1, round(item.get_expiry() / 60))
