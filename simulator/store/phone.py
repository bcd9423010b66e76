"""Phone tables: trainees' phones and PINs, phone calls keyed by CallSid, and answered turns.

They share the store's declarative ``Base`` (same metadata, same migrations); the phone surface
(``ivr/``) reads and writes them. No call state is kept in process memory, so any gunicorn
worker can answer any webhook of any call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from simulator.store.models import Base, JSONType, utcnow

STAGES = ("dialing", "identify", "menu", "confirm", "in_call", "finished", "interrupted")


class IvrPhone(Base):
    """A trainee's verified phone number and the digest of their phone PIN."""

    __tablename__ = "ivr_phones"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # E.164 ("+393331234567"): what Twilio sends as From.
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # HMAC-SHA256 of the PIN with the app secret: unique, so a PIN alone finds its trainee.
    pin_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IvrCall(Base):
    """One phone call and where it is in the IVR, keyed by Twilio's CallSid."""

    __tablename__ = "ivr_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Outbound calls are created before Twilio gives a CallSid: the webhook finds them by token.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(20), default="inbound")
    from_number: Mapped[str] = mapped_column(String(32), default="")
    to_number: Mapped[str] = mapped_column(String(32), default="")
    trainee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), index=True
    )
    stage: Mapped[str] = mapped_column(String(20), default="identify")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    menu: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    scenario_id: Mapped[str | None] = mapped_column(String(120))
    # A form or choice in progress (message fields, extension digits, line choice).
    pending: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Last attempt event already spoken on the phone.
    heard_seq: Mapped[int] = mapped_column(Integer, default=0)
    next_turn: Mapped[int] = mapped_column(Integer, default=1)
    lang: Mapped[str] = mapped_column(String(5), default="it")
    # Session time of the driver's scripted clock on the last request (testing only).
    last_clock: Mapped[float | None] = mapped_column(Float)
    twilio_status: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class IvrTurn(Base):
    """A webhook request already answered: a retry with the same turn gets the same TwiML."""

    __tablename__ = "ivr_turns"
    __table_args__ = (UniqueConstraint("call_sid", "turn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    # NULL while the first request is still being answered.
    response: Mapped[str | None] = mapped_column(Text)
    # When the turn was (last) claimed, in epoch seconds: an unanswered claim older than a few
    # seconds belonged to a worker that died, and a retry takes it over.
    claimed_at: Mapped[float | None] = mapped_column(Float)
    # Which process holds the claim ("host:pid"): the log names the worker that died in a turn.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    # The attempt's last event seq when the turn was claimed: a takeover that finds the
    # trainee's action already logged answers from the log instead of acting twice.
    seq_before: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
