"""An instructor's trial of a scenario in the real console, never a trainee's attempt.

A trial is an ordinary attempt (same engine, log, console, score) whose owner is an instructor:
the owner's role is the flag, so no column marks it and nothing can forget to set one. Results,
exports, practice time and LTI grades read trainees' attempts only (an instructor has no launch
link, no export, no row in the class view), and each instructor keeps one trial at a time:
starting a new one purges the previous ones with their events and score, and a trial left
behind is purged a day after it started (``purge_stale``, run when the app starts).

A scenario checked on the upload page but not yet added is stored as a version that is not
current: trainees never see it, and adding it later makes that same version current.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from simulator.model import Company, Scenario
from simulator.practice import attempts
from simulator.practice.library import store_scenario
from simulator.store.db import Database
from simulator.store.models import Attempt, ScenarioVersion, User, utcnow


class NotAnInstructor(PermissionError):
    """Only an instructor tries scenarios (a trainee's call is always an attempt)."""


def is_trial(session: Session, attempt_id: int) -> bool:
    """Whether the attempt belongs to an instructor (a trial, counted nowhere)."""
    role = session.scalar(
        select(User.role)
        .join(Attempt, Attempt.trainee_id == User.id)
        .where(Attempt.id == attempt_id)
    )
    return role == "instructor"


def purge_trials(session: Session, instructor_id: int) -> int:
    """Delete the instructor's trials with their events, records and score; how many."""
    owned = session.scalars(select(Attempt.id).where(Attempt.trainee_id == instructor_id))
    return _delete(session, list(owned))


def _delete(session: Session, ids: list[int]) -> int:
    """Delete these attempts (their events, records and score go with them); how many."""
    if ids:
        session.execute(delete(Attempt).where(Attempt.id.in_(ids)))
    return len(ids)


STALE_AFTER = timedelta(days=1)


def purge_stale(session: Session, now: datetime | None = None) -> int:
    """Delete every instructor's trials started over a day ago (nobody is still trying them);
    how many."""
    cutoff = (now or utcnow()) - STALE_AFTER
    stale = session.scalars(
        select(Attempt.id)
        .join(User, User.id == Attempt.trainee_id)
        .where(User.role == "instructor", Attempt.started_at < cutoff)
    )
    return _delete(session, list(stale))


def trial_version(
    session: Session, scenario: Scenario, source: str, filename: str, company: Company
) -> ScenarioVersion:
    """The stored version of this content, added as not current when new (trainees never see
    it until the instructor adds it to the library)."""
    row, _created = store_scenario(session, scenario, source, filename, company, current=False)
    return row


def start_trial(
    db: Database, instructor_id: int, version_id: int, *, clock: attempts.Clock = time.time
) -> int:
    """Purge the instructor's earlier trials and start ``version_id`` for them; the attempt id."""
    with db.write() as session:
        user = session.get(User, instructor_id)
        if user is None or user.role != "instructor":
            raise NotAnInstructor(instructor_id)
        version = session.get(ScenarioVersion, version_id)
        if version is None:
            raise attempts.AttemptNotFound(version_id)
        purge_trials(session, instructor_id)
        return attempts.begin(session, instructor_id, version, clock=clock)
