"""Does a request cost more as the call grows? A phone turn and a console poll at 10 events
against the same at 300 events, in one process, interleaved so machine noise hits both alike.

    .venv/bin/python benchmarks/bench_log_growth.py [--samples 30] [--big 300]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Service time inside the app (Flask test client, no network, no gunicorn): the cost the
request itself adds. Each small-call sample is a fresh call answered and greeted (about 10
events); the big call is grown to ``--big`` events first. Prints medians and p90 for both and
their ratio (target: the 300-event turn within 10% of the 10-event one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from simulator.events import Action  # noqa: E402
from simulator.practice import attempts  # noqa: E402
from simulator.store.models import AttemptEvent  # noqa: E402
from simulator.web.testing import login  # noqa: E402
from tests.integration import ivr_support  # noqa: E402

QUESTIONS = ["Mi scusi, chi parla?", "Mi dice il suo numero di telefono?", "Di quale ditta?"]


def _events(database, attempt_id: int | None = None) -> int:
    with database.read() as session:
        query = select(func.max(AttemptEvent.seq))
        if attempt_id is not None:
            query = query.where(AttemptEvent.attempt_id == attempt_id)
        return int(session.scalar(query) or 0)


class PhoneTurns:
    """Phone calls through the real webhooks (signed requests), each with its own clock."""

    def __init__(self, app) -> None:
        self.app = app
        self.n = 0

    def new_call(self) -> ivr_support.Phone:
        phone = ivr_support.Phone(self.app.test_client(), from_number=ivr_support.PHONE)
        phone.into_call(0.0)
        phone.t = 1.0
        phone.post(Digits="*7")
        self.turn(phone)
        return phone

    def turn(self, phone: ivr_support.Phone) -> float:
        phone.t = (phone.t or 0.0) + 2.0
        self.n += 1
        started = time.perf_counter()
        phone.post(SpeechResult=QUESTIONS[self.n % len(QUESTIONS)], Confidence="0.9")
        return time.perf_counter() - started


def phone_figures(app, samples: int, big: int) -> tuple[list[float], list[float], int]:
    turns = PhoneTurns(app)
    database = app.extensions["centralino_db"]
    grown = turns.new_call()
    for _ in range(big * 2):
        if _events(database) >= big:  # the big call is the only call so far
            break
        turns.turn(grown)
    size = _events(database)
    small: list[float] = []
    large: list[float] = []
    for _ in range(samples):
        small.append(turns.turn(turns.new_call()))
        large.append(turns.turn(grown))
    return small, large, size


def console_figures(
    app, samples: int, big: int, trainee_id: int
) -> tuple[list[float], list[float], int]:
    database = app.extensions["centralino_db"]
    client = app.test_client()
    login(client, "luca", ivr_support.PASSWORD)

    def new_attempt() -> int:
        attempt_id = attempts.start_attempt(database, trainee_id, ivr_support.SCENARIO)
        attempts.act(database, attempt_id, Action("answer", "l1"))
        attempts.act(
            database, attempt_id, Action("say", "l1", {"text": "Lucania Forniture, buongiorno"})
        )
        return attempt_id

    held: set[int] = set()

    def toggle(attempt_id: int) -> None:
        # Hold and resume add events without wearing the caller's patience: the same question
        # asked a hundred times would (rightly) make it hang up.
        kind = "resume" if attempt_id in held else "hold"
        held.symmetric_difference_update({attempt_id})
        attempts.act(database, attempt_id, Action(kind, "l1"))

    def poll(attempt_id: int) -> float:
        seen = _events(database, attempt_id)
        toggle(attempt_id)  # on hold, then back: the same two events on either call
        toggle(attempt_id)
        started = time.perf_counter()
        response = client.get(f"/attempts/{attempt_id}/state?after={seen}")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed

    grown = new_attempt()
    for _ in range(big * 2):
        if _events(database, grown) >= big:
            break
        toggle(grown)
    size = _events(database, grown)
    small: list[float] = []
    large: list[float] = []
    for _ in range(samples):
        small.append(poll(new_attempt()))
        large.append(poll(grown))
    return small, large, size


def _summary(label: str, small: list[float], large: list[float], size: int) -> None:
    def ms(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    ratio = statistics.median(large) / statistics.median(small)
    print(
        f"{label}: about 10 events p50 {ms(small, 0.5):.2f} ms p90 {ms(small, 0.9):.2f} ms; "
        f"{size} events p50 {ms(large, 0.5):.2f} ms p90 {ms(large, 0.9):.2f} ms; "
        f"ratio {ratio:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--big", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    # CENTRALINO_BENCH_QUICK=1: the short mode the docs test runs (a smoke pass, no real figures).
    if os.environ.get("CENTRALINO_BENCH_QUICK") == "1":
        args.samples, args.big = min(args.samples, 2), min(args.big, 30)
    with tempfile.TemporaryDirectory() as folder:
        extra = {"DATABASE_URL": args.database_url} if args.database_url else {}
        if args.database_url:
            from simulator.store.db import Database

            shared = Database(args.database_url)
            shared.drop_all()  # a scratch database: start from empty tables
            shared.dispose()
        generator = ivr_support.make_app(Path(folder), **extra)
        app = next(generator)
        try:
            backend = str(app.config["DATABASE_URL"]).split(":")[0]
            print(f"machine: {os.cpu_count()} cores (nproc); database: {backend}")
            print(
                f"samples: {args.samples} interleaved; service time in process (Flask test client)"
            )
            _summary("phone turn", *phone_figures(app, args.samples, args.big))
            _summary(
                "console poll",
                *console_figures(app, args.samples, args.big, app.config["TRAINEE_ID"]),
            )
        finally:
            app.extensions["centralino_db"].dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
