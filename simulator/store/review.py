"""Replay and review tables: the trainee's recorded utterances, coaching notes and overrides.

Recordings are database blobs, not files in the instance folder: the app runs several gunicorn
workers (and machines on PostgreSQL) with no state outside the database, a blob leaves with the
trainee through the same ``ON DELETE CASCADE`` as the attempt, and the retention purge is one
transaction. A spoken reply is at most ``SPEECH_MAX_BYTES`` (30 s of 16 kHz PCM is 960 KB).
When the retention period ends the audio is removed and the row kept (``purged_at``), so the
replay can say the clip expired; the text of the turn is in the event log and stays.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from simulator.store.models import Base, utcnow

RECORDING_SOURCES = ("web", "terminal", "phone")


class UtteranceRecording(Base):
    """The audio of one trainee turn (``seq`` of its ``say`` event; None until attached)."""

    __tablename__ = "utterance_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="web")
    mimetype: Mapped[str] = mapped_column(String(40), default="audio/wav")
    audio: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    # A whole phone call recorded by Twilio (when the school enables it): where Twilio keeps it.
    remote_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remote_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RemoteRecordingDeletion(Base):
    """A phone recording Twilio still holds that must go: past retention or its trainee erased.

    An outbox, not a flag on the recording: erasing a trainee deletes their recordings' rows
    (cascade) in the same transaction that queues Twilio's copies here, and ``flask
    purge-recordings`` asks Twilio to delete each one, retrying the failures on its next run.
    """

    __tablename__ = "remote_recording_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RecordingNotice(Base):
    """When a trainee read the notice on what is recorded and for how long (shown once)."""

    __tablename__ = "recording_notices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retention_days: Mapped[int] = mapped_column(Integer)


class CoachingNote(Base):
    """An instructor's note at a moment of the call (a turn's ``seq``) or on a criterion."""

    __tablename__ = "coaching_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    criterion_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VerdictOverride(Base):
    """The assessor's verdict on one criterion of an attempt, beside the scorer's.

    ``automatic_passed`` is the scorer's verdict when the override was made (kept as it was);
    ``automatic_now`` is the scorer's verdict after the latest re-score, and ``agrees_now`` flags
    an override the re-scored rubric now agrees with.
    """

    __tablename__ = "verdict_overrides"
    __table_args__ = (UniqueConstraint("attempt_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    automatic_status: Mapped[str] = mapped_column(String(20))
    automatic_passed: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    author_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    automatic_now: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    agrees_now: Mapped[bool] = mapped_column(Boolean, default=False)
    rescored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
