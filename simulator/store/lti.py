"""Tables of the LTI 1.3 tool: registered platforms, one-time login data, who a platform's user
is here, which attempt a launch started, and the outbox of grades to send back.

The outbox keeps every grade until the platform has acknowledged it: a failed delivery stays
``pending`` with the error and the time of the next try, so no grade is lost to a network fault.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from simulator.store.models import Base, JSONType, utcnow

GRADE_STATUSES = ("pending", "sent")


class LtiPlatform(Base):
    """A learning platform (a Moodle site) registered by an instructor."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(JSONType)
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LtiLaunchData(Base):
    """One-time values of the OIDC login and launch (state, nonce, launch claims), with expiry."""

    __tablename__ = "lti_launch_data"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LtiIdentity(Base):
    """A platform's user (issuer + subject) and the Centralino account it logs in."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class LtiAttemptLink(Base):
    """An attempt started from a platform's activity: where its grade goes."""

    __tablename__ = "lti_attempt_links"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    # The AGS endpoint claim: the line item URL, the line items URL and the scopes granted.
    lineitem_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    ags_scopes: Mapped[list[str]] = mapped_column(JSONType)

    platform: Mapped[LtiPlatform] = relationship()


class LtiGradeOutbox(Base):
    """A grade to send to a platform (kept after sending, as the record of what was sent)."""

    __tablename__ = "lti_grade_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(500))
    ags_scopes: Mapped[list[str]] = mapped_column(JSONType)
    # Where the mark came from: "practice" today; an exam mark or an override later.
    source: Mapped[str] = mapped_column(String(20), default="practice")
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    graded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    platform: Mapped[LtiPlatform] = relationship()
