"""The attempt service: start a practice call, apply trainee actions, let time pass, score it.

No call state lives in process memory: every operation reads the engine state stored with the
attempt after its last append (``engine.replay`` of the log only when that snapshot is missing or
stale), applies the action at ``now`` (seconds since the attempt started) and appends the new
events in the same committed transaction. A request reads only the events after the seq its
client has already seen (``since``), so its cost stays flat as the call grows. Writes to one
attempt are serialised: ``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite,
and the unique ``(attempt_id, seq)`` constraint as the last guard. Nothing here touches Flask, so
the phone (IVR) webhooks and the terminal reuse it unchanged.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from simulator import engine, scoring
from simulator.call_state import CallState, from_snapshot, to_snapshot
from simulator.errors import CallStateError
from simulator.events import Action, Event
from simulator.model import Company, Scenario
from simulator.practice import accounts, field_limits, lti_grades, review
from simulator.practice.library import models_for, models_of
from simulator.store.db import Database
from simulator.store.models import (
    Attempt,
    AttemptEvent,
    CallReport,
    DirectoryChangeRecord,
    Message,
    OutgoingCall,
    ScenarioVersion,
    Score,
    ScoreRA,
    Ticket,
    utcnow,
)

Clock = Callable[[], float]

# ``since=ONLY_NEW``: read none of the stored events, only those this call appends.
ONLY_NEW = 2**62


class AttemptNotFound(LookupError):
    """No such attempt, or it belongs to someone else (callers answer 404 either way)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An attempt as a surface needs it: models, state and the numbered events after ``since``.

    ``events`` holds the whole log when ``since`` is 0 (a full page, an export) and only what
    came after it otherwise (a poll, a phone turn); ``last_seq`` is the log's last seq either way.
    """

    attempt_id: int
    trainee_id: int
    status: str
    scenario: Scenario
    company: Company
    state: CallState
    events: list[tuple[int, Event]]
    now: float
    last_seq: int
    since: int = 0
    # The clock itself, which ``now`` is not: ``now`` never goes back before the last event, and
    # a caller's reply is recorded ahead of the clock by its human gap (see ``due_ms``).
    clock_now: float | None = None

    def due_in(self, t: float) -> float:
        """Seconds until session time ``t`` by the clock (0 when it has passed)."""
        clock = self.now if self.clock_now is None else self.clock_now
        return max(0.0, t - clock)


def _to_event(row: AttemptEvent) -> Event:
    actor: Any = row.actor
    return Event(t=row.t, kind=row.kind, actor=actor, line=row.line, data=dict(row.data or {}))


def _load_events(session: Session, attempt_id: int, since: int = 0) -> list[tuple[int, Event]]:
    """The numbered events after ``since`` (the whole log for 0), in order."""
    query = select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id)
    if since > 0:
        query = query.where(AttemptEvent.seq > since)
    rows = session.scalars(query.order_by(AttemptEvent.seq)).all()
    return [(row.seq, _to_event(row)) for row in rows]


def logged_events(session: Session, attempt_id: int) -> list[Event]:
    """The attempt's whole log, in order, read in the caller's transaction."""
    return [event for _, event in _load_events(session, attempt_id)]


def last_caller_seq(db: Database, attempt_id: int, line: str) -> int:
    """Seq of the last caller line on ``line`` (what "repeat" replays), or 0."""
    with db.read() as session:
        found = session.scalar(
            select(func.max(AttemptEvent.seq)).where(
                AttemptEvent.attempt_id == attempt_id,
                AttemptEvent.kind == "caller_said",
                AttemptEvent.line == line,
            )
        )
    return int(found or 0)


def _get(session: Session, attempt_id: int, trainee_id: int | None, lock: bool) -> Attempt:
    query = select(Attempt).where(Attempt.id == attempt_id)
    if trainee_id is not None:
        query = query.where(Attempt.trainee_id == trainee_id)
    if lock:
        query = query.with_for_update()
    attempt = session.scalar(query)
    if attempt is None:
        raise AttemptNotFound(attempt_id)
    return attempt


def _keep_state(attempt: Attempt, state: CallState, company: Company) -> None:
    """Store the state reached after the last append, so the next request need not replay."""
    attempt.state_json = to_snapshot(state, company)
    attempt.state_seq = attempt.last_seq


def _append(session: Session, attempt: Attempt, new_events: Sequence[Event]) -> list[int]:
    """Append events after the attempt's last seq, with the records derived from them."""
    seqs: list[int] = []
    for event in new_events:
        attempt.last_seq += 1
        seq = attempt.last_seq
        session.add(
            AttemptEvent(
                attempt_id=attempt.id,
                seq=seq,
                t=round(event.t, 3),
                kind=event.kind,
                actor=event.actor,
                line=event.line,
                data=dict(event.data),
            )
        )
        record = _record_of(attempt.id, seq, event)
        if record is not None:
            session.add(record)
        seqs.append(seq)
    session.flush()
    return seqs


def _text(data: Any, key: str) -> str:
    return str(data.get(key) or "")


def _record_of(attempt_id: int, seq: int, event: Event) -> object | None:
    """The queryable row an accepted trainee action files, if any."""
    if event.actor != "trainee":
        return None
    d = event.data
    base: dict[str, Any] = {"attempt_id": attempt_id, "seq": seq, "t": event.t}
    if event.kind == "take_message":
        return Message(
            **base,
            line=event.line,
            kind="message",
            recipient=_text(d, "for"),
            sender=_text(d, "caller"),
            organisation=_text(d, "organisation"),
            phone=_text(d, "phone"),
            text=_text(d, "text"),
        )
    if event.kind == "fonogramma":
        return Message(
            **base,
            line=event.line,
            kind="fonogramma",
            recipient=_text(d, "recipient"),
            sender=_text(d, "sender"),
            text=_text(d, "text"),
        )
    if event.kind == "report":
        return CallReport(
            **base,
            line=event.line,
            caller=_text(d, "caller"),
            organisation=_text(d, "organisation"),
            phone=_text(d, "phone"),
            reason=_text(d, "reason"),
            outcome=_text(d, "outcome"),
            notes=_text(d, "notes"),
        )
    if event.kind == "ticket":
        return Ticket(
            **base,
            line=event.line,
            queue=_text(d, "queue"),
            caller=_text(d, "caller"),
            phone=_text(d, "phone"),
            problem=_text(d, "problem"),
            priority=_text(d, "priority"),
        )
    if event.kind == "directory_update":
        return DirectoryChangeRecord(
            **base, staff=_text(d, "staff"), field=_text(d, "field"), value=_text(d, "value")
        )
    if event.kind == "outgoing_call":
        return OutgoingCall(
            **base,
            line=event.line,
            number=_text(d, "number"),
            requested_by=_text(d, "requested_by"),
            code=_text(d, "code"),
            decision=_text(d, "decision"),
        )
    return None


def start_attempt(
    db: Database,
    trainee_id: int,
    scenario_id: str,
    *,
    channel: str = "web",
    clock: Clock = time.time,
) -> int:
    """Start the current version of a scenario for a trainee, at their time multiplier."""
    with db.write() as session:
        version = session.scalar(
            select(ScenarioVersion).where(
                ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.current.is_(True)
            )
        )
        if version is None:
            raise AttemptNotFound(scenario_id)
        return begin(session, trainee_id, version, channel=channel, clock=clock)


def start_version(
    session: Session,
    version: ScenarioVersion,
    trainee_id: int,
    *,
    multiplier: float,
    channel: str = "web",
    clock: Clock = time.time,
) -> int:
    """Start a given scenario version at a given multiplier, in the caller's transaction.

    The exam uses it: its composed scenario is no library scenario, and its timing is real
    unless the instructor recorded a multiplier for the exam.
    """
    return begin(session, trainee_id, version, channel=channel, clock=clock, multiplier=multiplier)


def begin(
    session: Session,
    owner_id: int,
    version: ScenarioVersion,
    *,
    channel: str = "web",
    clock: Clock = time.time,
    multiplier: float | None = None,
) -> int:
    """A new attempt of ``version`` for ``owner_id``, its first events appended; its id.

    ``multiplier`` is the owner's own unless given (an exam's timing is real by default).
    """
    if multiplier is None:
        multiplier = accounts.settings_of(session, owner_id).time_multiplier
    scenario, company = models_of(version)
    # Each attempt draws its own caller reply gaps; the seed is in the log, so replay agrees.
    state, first_events = engine.start(
        scenario, company, multiplier=multiplier, seed=secrets.randbelow(2**31)
    )
    attempt = Attempt(
        trainee_id=owner_id,
        scenario_version_id=version.id,
        clock_origin=clock(),
        multiplier=multiplier,
        channel=channel,
        status="active",
        last_seq=0,
    )
    session.add(attempt)
    session.flush()
    _append(session, attempt, first_events)
    _keep_state(attempt, state, company)
    return attempt.id


def _rebuild(session: Session, attempt: Attempt, clock: Clock, since: int = 0) -> Snapshot:
    scenario, company = models_for(session, attempt.scenario_version_id)
    since = max(0, min(since, attempt.last_seq))
    numbered = _load_events(session, attempt.id, since)
    state = None
    if attempt.state_json is not None and attempt.state_seq == attempt.last_seq:
        state = from_snapshot(scenario, company, attempt.state_json)
    if state is None:
        # No fresh stored state (an attempt from before snapshots, or a crash between append
        # and snapshot): rebuild it from the whole log, which is the source of truth.
        whole = numbered if since == 0 else _load_events(session, attempt.id)
        state = engine.replay(scenario, company, [event for _, event in whole])
    raw = clock() - attempt.clock_origin
    now = max(raw, state.last_t)
    return Snapshot(
        attempt.id,
        attempt.trainee_id,
        attempt.status,
        scenario,
        company,
        state,
        numbered,
        now,
        attempt.last_seq,
        since,
        raw,
    )


def snapshot(
    db: Database,
    attempt_id: int,
    *,
    trainee_id: int | None = None,
    clock: Clock = time.time,
    since: int = 0,
) -> Snapshot:
    """The attempt as stored, without letting time pass (read-only); events after ``since``."""
    with db.read() as session:
        attempt = _get(session, attempt_id, trainee_id, lock=False)
        return _rebuild(session, attempt, clock, since)


def _grown(
    snap: Snapshot, attempt: Attempt, state: CallState, seqs: list[int], new: list[Event]
) -> Snapshot:
    """The snapshot after appending ``new`` under ``seqs``."""
    return Snapshot(
        attempt.id,
        attempt.trainee_id,
        attempt.status,
        snap.scenario,
        snap.company,
        state,
        snap.events + list(zip(seqs, new, strict=True)),
        snap.now,
        attempt.last_seq,
        snap.since,
        snap.clock_now,
    )


def act(
    db: Database,
    attempt_id: int,
    action: Action,
    *,
    trainee_id: int | None = None,
    clock: Clock = time.time,
    since: int = 0,
) -> Snapshot:
    """Apply one trainee action now; raises CallStateError (recording nothing) if refused.

    The engine runs outside the write lock on a snapshot; under the lock we only check that
    nobody appended meanwhile (else we recompute there) and append. The lock is held for
    milliseconds, which is what lets one SQLite file serve a classroom.
    """
    field_limits.check_action({**action.data, "line": action.line or ""})
    snap = snapshot(db, attempt_id, trainee_id=trainee_id, clock=clock, since=since)
    if snap.status != "active":
        raise CallStateError("L'esercitazione è terminata.", "The session has ended.")
    state, new_events = _step_and_reply(snap.state, action, snap.now)
    with db.write() as session:
        attempt = _get(session, attempt_id, trainee_id, lock=True)
        if attempt.last_seq != snap.last_seq or attempt.status != "active":
            if attempt.status != "active":
                raise CallStateError("L'esercitazione è terminata.", "The session has ended.")
            snap = _rebuild(session, attempt, clock, snap.since)
            state, new_events = _step_and_reply(snap.state, action, snap.now)
        seqs = _append(session, attempt, new_events)
        _keep_state(attempt, state, snap.company)
        if state.finished:
            attempt.status = "finished"
            attempt.finished_at = utcnow()
        result = _grown(snap, attempt, state, seqs, new_events)
    if result.state.finished:
        score_attempt(db, attempt_id)
    return result


def _step_and_reply(state: CallState, action: Action, now: float) -> tuple[CallState, list[Event]]:
    """The action, then the caller's reply to it at its own time (a human gap later).

    Every surface answers a request with what it caused, so the reply is recorded in the same
    append, timed ahead by its gap (at most ``simulator.pacing.MAX_GAP_S``); the phone and the
    page then play it, and scoring reads the gap from the log.
    """
    state, new_events = engine.step(state, action, now)
    due = engine.replies_due_by(state)
    if due is not None:
        state, replies = engine.advance(state, due)
        new_events = [*new_events, *replies]
    return state, new_events


def trainee_acted_since(db: Database, attempt_id: int, seq: int) -> bool:
    """Whether the log holds a trainee event after ``seq`` (a turn's action reached it)."""
    with db.read() as session:
        found = session.scalar(
            select(AttemptEvent.seq)
            .where(
                AttemptEvent.attempt_id == attempt_id,
                AttemptEvent.seq > seq,
                AttemptEvent.actor == "trainee",
            )
            .limit(1)
        )
    return found is not None


def tick(
    db: Database,
    attempt_id: int,
    *,
    trainee_id: int | None = None,
    clock: Clock = time.time,
    since: int = 0,
) -> Snapshot:
    """Let time pass: fire due timers and record what they cause (writes only when needed)."""
    snap = snapshot(db, attempt_id, trainee_id=trainee_id, clock=clock, since=since)
    if snap.status != "active":
        return snap
    state, due = engine.advance(snap.state, snap.now)
    if not due:
        return snap
    with db.write() as session:
        attempt = _get(session, attempt_id, trainee_id, lock=True)
        if attempt.last_seq != snap.last_seq:
            snap = _rebuild(session, attempt, clock, snap.since)
            state, due = engine.advance(snap.state, snap.now)
        seqs = _append(session, attempt, due)
        _keep_state(attempt, state, snap.company)
        return _grown(snap, attempt, state, seqs, due)


def finish(
    db: Database, attempt_id: int, *, trainee_id: int | None = None, clock: Clock = time.time
) -> Score:
    """End the attempt (if still running) and return its stored score."""
    # Already finished: score what was recorded.
    with contextlib.suppress(CallStateError):
        act(db, attempt_id, Action("finish"), trainee_id=trainee_id, clock=clock)
    return score_attempt(db, attempt_id)


def score_attempt(db: Database, attempt_id: int, *, rubric_version_id: int | None = None) -> Score:
    """Score the recorded log and store the report (replacing an earlier score).

    ``rubric_version_id``: judge with that scenario version's rubric (a re-score after the
    rubric changed) instead of the version played. The instructor's overrides are kept, and
    the totals stored with the score are the effective ones (``review.after_rescore``).
    """
    with db.write() as session:
        attempt = _get(session, attempt_id, None, lock=True)
        rubric = attempt.scenario_version
        if rubric_version_id is not None:
            rubric = session.get(ScenarioVersion, rubric_version_id) or rubric
        scenario, company = models_of(rubric)
        events = [event for _, event in _load_events(session, attempt_id)]
        report = scoring.score(scenario, company, events)
        session.execute(delete(Score).where(Score.attempt_id == attempt_id))
        stored = {**report.to_json(), "rubric_sha256": rubric.sha256}
        row = Score(attempt_id=attempt_id, passed=report.passed, report=stored)
        row.ra_results = [
            ScoreRA(ra=ra, score=round(result.score, 3), passed=result.passed)
            for ra, result in report.ra.items()
        ]
        session.add(row)
        session.flush()
        effective = review.after_rescore(session, row)
        # A launch from a learning platform: its grade goes out with the score (never lost).
        lti_grades.queue_grade(session, attempt_id, effective)
        if attempt.status == "active":
            attempt.status = "finished"
            attempt.finished_at = utcnow()
        session.flush()
        return row


def stored_score(db: Database, attempt_id: int) -> Score | None:
    """The stored score of an attempt, if it was scored."""
    with db.read() as session:
        row = session.scalar(select(Score).where(Score.attempt_id == attempt_id))
        if row is not None:
            _ = list(row.ra_results)
        return row


def rescore(db: Database, scenario_id: str) -> list[int]:
    """Re-score every ended attempt of a scenario with its current rubric; the ids re-scored.

    Overrides survive; those the new automatic verdict agrees with are flagged.
    """
    with db.read() as session:
        current = session.scalar(
            select(ScenarioVersion.id).where(
                ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.current.is_(True)
            )
        )
        ids = list(
            session.scalars(
                select(Attempt.id)
                .join(ScenarioVersion, ScenarioVersion.id == Attempt.scenario_version_id)
                .where(ScenarioVersion.scenario_id == scenario_id, Attempt.status != "active")
                .order_by(Attempt.id)
            )
        )
    if current is None:
        raise AttemptNotFound(scenario_id)
    for attempt_id in ids:
        score_attempt(db, attempt_id, rubric_version_id=current)
    return ids


def effective_score(db: Database, attempt_id: int) -> dict[str, Any] | None:
    """The attempt's score report with the instructor's overrides applied, or None if unscored.

    The one report every surface shows or exports (``review.effective_verdicts``).
    """
    with db.read() as session:
        return review.effective_verdicts(session, attempt_id)
