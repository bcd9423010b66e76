"""Each trainee's practice time, derived from the attempts already stored (no table of its own).

A session's span runs from its first event to its last (``clock_origin`` plus the event times);
a session still open counts up to now while the trainee is still at it. The fold into today's
total and the next pause is :mod:`simulator.breaks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator.breaks import PracticeTime, Span, practice_time, session_spans
from simulator.store.models import Attempt, AttemptEvent

# Sessions older than this cannot reach today's continuous stretch or today's total.
_LOOKBACK_S = 36 * 3600


def day_start(now: float) -> float:
    """Local midnight of ``now``: the school's day, as the server's clock keeps it."""
    moment = datetime.fromtimestamp(now)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _spans(
    s: Session, trainee_ids: Iterable[int], now: float, pause_s: float
) -> dict[int, list[Span]]:
    ids = list(trainee_ids)
    out: dict[int, list[Span]] = {i: [] for i in ids}
    if not ids:
        return out
    attempts = s.execute(
        select(Attempt.id, Attempt.trainee_id, Attempt.clock_origin, Attempt.status).where(
            Attempt.trainee_id.in_(ids), Attempt.clock_origin >= now - _LOOKBACK_S
        )
    ).all()
    by_attempt = {row.id: row for row in attempts}
    events: dict[int, list[tuple[float, str]]] = {row.id: [] for row in attempts}
    if attempts:
        rows = s.execute(
            select(AttemptEvent.attempt_id, AttemptEvent.t, AttemptEvent.kind)
            .where(AttemptEvent.attempt_id.in_(list(by_attempt)))
            .order_by(AttemptEvent.attempt_id, AttemptEvent.seq)
        ).all()
        # Unpacked by position: ``Row.t`` is SQLAlchemy's typed-tuple accessor, not the column.
        for attempt_id, t, kind in rows:
            events[attempt_id].append((t, kind))
    for attempt_id, attempt in by_attempt.items():
        spans = session_spans(attempt.clock_origin, events[attempt_id], pause_s)
        if spans and attempt.status == "active" and 0 <= now - spans[-1].end < pause_s:
            spans[-1] = Span(spans[-1].start, now)  # still at the console
        out[attempt.trainee_id].extend(spans)
    return out


def practice_of(
    s: Session,
    trainee_ids: Iterable[int],
    now: float,
    *,
    limit_minutes: float,
    pause_minutes: float,
) -> dict[int, PracticeTime]:
    """Today's practice and the next pause of each trainee."""
    spans = _spans(s, trainee_ids, now, pause_minutes * 60)
    start = day_start(now)
    return {
        trainee_id: practice_time(
            found, now, start, limit_minutes=limit_minutes, pause_minutes=pause_minutes
        )
        for trainee_id, found in spans.items()
    }
