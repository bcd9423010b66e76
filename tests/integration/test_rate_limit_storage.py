"""The limiter's database storage counts exactly under concurrency, on SQLite and PostgreSQL:
what lets a limit hold across gunicorn workers."""

from __future__ import annotations

import threading

from simulator.practice import rate_limits


def _storage(app):
    return rate_limits.DatabaseStorage(database=app.extensions["centralino_db"])


def test_concurrent_hits_are_all_counted(app):
    storage = _storage(app)
    threads = [
        threading.Thread(target=lambda: [storage.incr("k", 60) for _ in range(10)])
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.get("k") == 80


def test_a_window_that_ended_starts_again(app):
    storage = _storage(app)
    assert storage.incr("w", 0) == 1  # expired at once
    assert storage.incr("w", 60) == 1
    assert storage.incr("w", 60) == 2
    storage.clear("w")
    assert storage.get("w") == 0


def test_hit_refuses_over_the_limit_on_every_key(app):
    storage = _storage(app)
    results = [rate_limits.hit(storage, "3 per minute", "a", "b") for _ in range(4)]
    assert results == [True, True, True, False]
    assert rate_limits.allowed(storage, "3 per minute", "c")
    assert not rate_limits.allowed(storage, "3 per minute", "a", "c")
    assert rate_limits.window_minutes("5 per 15 minutes") == 15
