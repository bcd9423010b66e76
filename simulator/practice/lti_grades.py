"""Grades back to the platform (LTI Assignment and Grade Services), through an outbox.

When an attempt launched from a platform is scored, ``queue_grade`` adds a row to the outbox in
the same transaction as the score, so the grade exists as soon as the score does. ``deliver``
sends due rows: an OAuth2 client-credentials token from the platform's token URL (a JWT client
assertion signed with the tool key, by pylti1p3), then the score to ``<lineitem>/scores``. A
failure is logged and kept with its error and the time of the next try (backing off); nothing is
dropped. ``flask --app app lti send-grades`` (cron) retries what is due.

Which mark is sent is decided in one place, ``mark_for``: today the practice score (the RA
results averaged, out of 100) of the effective report, so an instructor's override moves the
grade (``review.effective_verdicts``; ``review.override`` queues the new grade). An exam mark
out of 50 plugs in there as another ``Mark`` source, checked before the practice score.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulator.practice.lti import SCORE_SCOPE, ToolKeys, registration_of
from simulator.store.db import Database
from simulator.store.lti import LtiAttemptLink, LtiGradeOutbox
from simulator.store.models import utcnow

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S = 10
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Mark:
    """What the platform's gradebook receives for one attempt."""

    score_given: float
    score_maximum: float
    comment: str
    source: str  # "practice"; later "exam" or "override"


# A source looks at an attempt and its score report and gives a mark, or None to pass.
MarkSource = Callable[[Session, int, dict[str, Any]], "Mark | None"]


def practice_mark(session: Session, attempt_id: int, report: dict[str, Any]) -> Mark:
    """The practice result: the RA-weighted score of the report, out of 100."""
    score = float(report.get("score") or 0.0)
    verdict = "Superato / Passed" if report.get("passed") else "Non superato / Not passed"
    parts = [
        f"{ra} {round(float(result.get('score', 0.0)) * 100)}%"
        for ra, result in sorted((report.get("ra") or {}).items())
    ]
    comment = f"Centralino: {report.get('scenario', '')} · {verdict}"
    if parts:
        comment += " · " + ", ".join(parts)
    return Mark(round(score * 100, 1), 100.0, comment, "practice")


# Checked in order; the first that gives a mark wins (an override or exam source goes first).
MARK_SOURCES: list[MarkSource] = []


def mark_for(session: Session, attempt_id: int, report: dict[str, Any]) -> Mark:
    """The mark to send for an attempt: the first source that has one, else the practice score."""
    for source in MARK_SOURCES:
        mark = source(session, attempt_id, report)
        if mark is not None:
            return mark
    return practice_mark(session, attempt_id, report)


def queue_grade(session: Session, attempt_id: int, report: dict[str, Any]) -> LtiGradeOutbox | None:
    """Put the attempt's grade in the outbox if it came from a platform that takes scores."""
    link = session.get(LtiAttemptLink, attempt_id)
    if link is None or not link.lineitem_url or SCORE_SCOPE not in link.ags_scopes:
        return None
    mark = mark_for(session, attempt_id, report)
    latest = session.scalar(
        select(LtiGradeOutbox)
        .where(LtiGradeOutbox.attempt_id == attempt_id)
        .order_by(LtiGradeOutbox.id.desc())
        .limit(1)
    )
    same = latest is not None and (
        latest.score_given,
        latest.score_maximum,
        latest.source,
        latest.comment,
    ) == (mark.score_given, mark.score_maximum, mark.source, mark.comment)
    if latest is not None and same:
        return latest  # re-scored to the same mark: nothing new to send
    if latest is not None and latest.status == "pending":
        # Not sent yet: the newer mark replaces it (one score per attempt in the gradebook).
        latest.score_given, latest.score_maximum = mark.score_given, mark.score_maximum
        latest.source, latest.comment, latest.graded_at = mark.source, mark.comment, utcnow()
        session.flush()
        return latest
    row = LtiGradeOutbox(
        attempt_id=attempt_id,
        platform_id=link.platform_id,
        subject=link.subject,
        lineitem_url=link.lineitem_url,
        ags_scopes=list(link.ags_scopes),
        source=mark.source,
        score_given=mark.score_given,
        score_maximum=mark.score_maximum,
        activity_progress="Completed",
        grading_progress="FullyGraded",
        comment=mark.comment,
        graded_at=utcnow(),
        status="pending",
        tries=0,
        last_error="",
        next_try_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


class _Connector(ServiceConnector):
    """pylti1p3's connector without a token cache: one token per delivery run is enough."""

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        return None


class TimeoutSession(requests.Session):
    """An HTTP session whose every request to a platform gives up after ``timeout_s``."""

    def __init__(self, timeout_s: float = HTTP_TIMEOUT_S) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(*args, **kwargs)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a delivery run did."""

    sent: int
    failed: int


def _send(row: LtiGradeOutbox, keys: ToolKeys, http: requests.Session) -> None:
    registration = registration_of(row.platform, keys)
    connector = _Connector(registration, http)
    endpoint: Any = {"scope": list(row.ags_scopes), "lineitem": row.lineitem_url}
    service = AssignmentsGradesService(connector, endpoint)
    grade = (
        Grade()
        .set_score_given(row.score_given)
        .set_score_maximum(row.score_maximum)
        .set_activity_progress(row.activity_progress)
        .set_grading_progress(row.grading_progress)
        .set_timestamp(_aware(row.graded_at))
        .set_user_id(row.subject)
        .set_comment(row.comment)
    )
    service.put_grade(grade)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def deliver(
    db: Database,
    keys: ToolKeys,
    *,
    attempt_id: int | None = None,
    http: requests.Session | None = None,
) -> Delivery:
    """Send the grades that are due (of one attempt, or all); failures wait for a later try."""
    now = utcnow()
    with db.read() as session:
        query = select(LtiGradeOutbox).where(LtiGradeOutbox.status == "pending")
        if attempt_id is not None:
            query = query.where(LtiGradeOutbox.attempt_id == attempt_id)
        rows = [
            row
            for row in session.scalars(query.order_by(LtiGradeOutbox.id))
            if _aware(row.next_try_at) <= now
        ]
        for row in rows:
            _ = row.platform
            session.expunge(row)
    http = http or TimeoutSession()
    sent = failed = 0
    for row in rows:
        error = ""
        try:
            _send(row, keys, http)
        except Exception as exc:  # any fault of the platform or network: keep the grade
            response = getattr(exc, "response", None)
            extra = f" (HTTP {response.status_code}: {response.text[:200]})" if response else ""
            error = f"{type(exc).__name__}: {exc}{extra}"
            log.warning("LTI grade %s for attempt %s not sent: %s", row.id, row.attempt_id, error)
        with db.write() as session:
            stored = session.get(LtiGradeOutbox, row.id)
            if stored is None:
                continue
            if error:
                stored.tries += 1
                stored.last_error = error[:2000]
                stored.next_try_at = utcnow() + min(timedelta(minutes=2**stored.tries), MAX_BACKOFF)
                failed += 1
            else:
                stored.status = "sent"
                stored.sent_at = utcnow()
                stored.last_error = ""
                sent += 1
    return Delivery(sent, failed)


def outbox(session: Session, attempt_id: int | None = None) -> list[LtiGradeOutbox]:
    """Outbox rows, newest first (all, or one attempt's)."""
    query = select(LtiGradeOutbox).order_by(LtiGradeOutbox.id.desc())
    if attempt_id is not None:
        query = query.where(LtiGradeOutbox.attempt_id == attempt_id)
    return list(session.scalars(query))
