"""The relational schema: users, scenario versions, attempts, their event log and what they filed.

The event log (``attempt_events``) is the source of truth and is append-only; the record tables
(messages, call reports, tickets, directory changes, outgoing calls) are derived from it in the
same transaction so instructors can query them without folding logs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")

ROLES = ("instructor", "trainee")
VOICE_MODES = ("audio", "screen_reader", "both")
# Short sounds the console can play (each one switchable in the trainee's settings).
EARCONS = ("new_call", "transfer_done", "caller_hung_up")
MULTIPLIERS = (1.0, 1.5, 2.0, 3.0)
# Phone calls add how they ended when no score could be made.
ATTEMPT_STATUSES = (
    "active",
    "finished",
    "abandoned",
    "interrupted",
    "failed",
    "busy",
    "no-answer",
    "canceled",
)
CHANNELS = ("web", "phone", "terminal")


def utcnow() -> datetime:
    """Timezone-aware now, the one clock the storage layer reads."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSONType}


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    accommodation: Mapped[Accommodation | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Accommodation(Base):
    """Per-trainee adjustments (WCAG 2.2.1 timing, how the caller is voiced, shortcuts)."""

    __tablename__ = "accommodations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    time_multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    voice_mode: Mapped[str] = mapped_column(String(20), default="screen_reader")
    shortcuts: Mapped[bool] = mapped_column(Boolean, default=True)
    confirm_transcript: Mapped[bool] = mapped_column(Boolean, default=False)
    # Comma-separated names from EARCONS that are switched on.
    earcons: Mapped[str] = mapped_column(
        String(120), default=",".join(EARCONS), server_default=",".join(EARCONS)
    )

    user: Mapped[User] = relationship(back_populates="accommodation")


class CompanyVersion(Base):
    """A company file as validated, by content hash (attempts keep the one they played)."""

    __tablename__ = "company_versions"
    __table_args__ = (UniqueConstraint("company_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[str] = mapped_column(String(120), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScenarioVersion(Base):
    """A scenario YAML by content hash; the newest of an id is the one new attempts play."""

    __tablename__ = "scenario_versions"
    # One row per content and company it plays against: the same file over a changed company is
    # a new version (old attempts keep the company they played).
    __table_args__ = (UniqueConstraint("scenario_id", "sha256", "company_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(120), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(255))
    family: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    level: Mapped[int] = mapped_column(Integer)
    company_version_id: Mapped[int] = mapped_column(ForeignKey("company_versions.id"))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    company_version: Mapped[CompanyVersion] = relationship()


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("trainee_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(120))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Wall-clock origin in epoch seconds: event times are ``time.time() - clock_origin``.
    clock_origin: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="active")
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # A shortcut, never the truth: the engine state as of ``state_seq``. When it lags behind
    # ``last_seq`` (or its format changed) the state is rebuilt by replaying the events.
    state_json: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    state_seq: Mapped[int] = mapped_column(Integer, default=0)

    scenario_version: Mapped[ScenarioVersion] = relationship()
    trainee: Mapped[User] = relationship()


class AttemptEvent(Base):
    """One entry of an attempt's append-only log."""

    __tablename__ = "attempt_events"
    # The second index answers "the last thing this caller said" (the console's "repeat") from
    # the index alone, so a poll does not scan back through a long call's log.
    __table_args__ = (
        UniqueConstraint("attempt_id", "seq"),
        Index("ix_attempt_events_said", "attempt_id", "kind", "line", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(20))
    line: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Score(Base):
    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), unique=True
    )
    passed: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ra_results: Mapped[list[ScoreRA]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ScoreRA.ra"
    )


class ScoreRA(Base):
    """One expected result (RA) of a score, so results per competence are a plain query."""

    __tablename__ = "score_ras"
    __table_args__ = (UniqueConstraint("score_id", "ra"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    ra: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)


class FiledRecord(Base):
    """Common columns of what the trainee filed during an attempt (derived from its events)."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    line: Mapped[str | None] = mapped_column(String(40))


class Message(FiledRecord):
    """A message or a fonogramma taken for someone."""

    __tablename__ = "messages"

    kind: Mapped[str] = mapped_column(String(20))  # message / fonogramma
    recipient: Mapped[str] = mapped_column(String(255), default="")
    sender: Mapped[str] = mapped_column(String(255), default="")
    organisation: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    text: Mapped[str] = mapped_column(Text, default="")


class CallReport(FiledRecord):
    __tablename__ = "call_reports"

    caller: Mapped[str] = mapped_column(String(255), default="")
    organisation: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Ticket(FiledRecord):
    __tablename__ = "tickets"

    queue: Mapped[str] = mapped_column(String(120), default="")
    caller: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(20), default="")


class DirectoryChangeRecord(Base):
    __tablename__ = "directory_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    staff: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(255))


class OutgoingCall(FiledRecord):
    __tablename__ = "outgoing_calls"

    number: Mapped[str] = mapped_column(String(80), default="")
    requested_by: Mapped[str] = mapped_column(String(255), default="")
    code: Mapped[str] = mapped_column(String(40), default="")
    decision: Mapped[str] = mapped_column(String(20), default="")


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random token, the table its digest. Logging out
    deletes the row and a password change deletes all the user's rows, so a saved cookie stops
    working at once (the signed cookie alone cannot be revoked)."""

    __tablename__ = "login_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RateLimitCounter(Base):
    """A fixed-window hit counter shared by every worker (the limiter's default storage)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    # Epoch seconds when the window ends.
    expires_at: Mapped[float] = mapped_column(Float)


class Exam(Base):
    """A practical exam an instructor composed: its definition (calls in order with offsets,
    mark scheme, pause) as JSON, and the composed scenario version it is played as."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scenario_version: Mapped[ScenarioVersion] = relationship()


class ExamSitting(Base):
    """One trainee's sitting of an exam: assigned, started (its attempt), closed and locked.

    ``multiplier`` is the time multiplier the instructor recorded as an accommodation for this
    exam (None: real timing). ``marks`` holds the marks frozen when the sitting was locked, so
    re-scoring the attempt later cannot change them.
    """

    __tablename__ = "exam_sittings"
    __table_args__ = (UniqueConstraint("exam_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    multiplier: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    marks: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # When the instructor let the trainee read the locked report (None: not yet).
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    exam: Mapped[Exam] = relationship()
    trainee: Mapped[User] = relationship()


# Unlock rules of a course path step: open from the start, or once the previous step's scenario
# was passed (every RA, or the one RA the step names).
UNLOCK_RULES = ("always", "previous_passed")


class SchoolClass(Base):
    """A class (cohort) of trainees, taught by one or more instructors."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    instructors: Mapped[list[User]] = relationship(
        secondary="class_instructors", order_by="User.display_name", viewonly=True
    )
    members: Mapped[list[User]] = relationship(
        secondary="class_members", order_by="User.display_name", viewonly=True
    )
    path: Mapped[list[PathStep]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PathStep.position"
    )


class ClassInstructor(Base):
    __tablename__ = "class_instructors"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClassMember(Base):
    """A trainee in a class; deleted with the trainee (GDPR art. 17)."""

    __tablename__ = "class_members"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PathStep(Base):
    """One scenario of a class's course path, in order, with the rule that unlocks it."""

    __tablename__ = "path_steps"
    __table_args__ = (UniqueConstraint("class_id", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    scenario_id: Mapped[str] = mapped_column(String(120))
    unlock: Mapped[str] = mapped_column(String(20), default="previous_passed")
    # With ``previous_passed``: the RA of the previous scenario that must be passed (None: all).
    ra: Mapped[str | None] = mapped_column(String(40), nullable=True)
