"""IVR tables: trainees' phones and PINs, phone calls by CallSid, answered turns

Revision ID: 0002_ivr
Revises: 0001
Create Date: 2026-11-28 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_ivr"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ivr_phones",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("pin_digest", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ivr_phones_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_ivr_phones")),
        sa.UniqueConstraint("phone", name=op.f("uq_ivr_phones_phone")),
        sa.UniqueConstraint("pin_digest", name=op.f("uq_ivr_phones_pin_digest")),
    )
    op.create_table(
        "ivr_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("from_number", sa.String(length=32), nullable=False),
        sa.Column("to_number", sa.String(length=32), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("menu", JSON, nullable=False),
        sa.Column("scenario_id", sa.String(length=120), nullable=True),
        sa.Column("pending", JSON, nullable=False),
        sa.Column("heard_seq", sa.Integer(), nullable=False),
        sa.Column("next_turn", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("last_clock", sa.Float(), nullable=True),
        sa.Column("twilio_status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["users.id"], name=op.f("fk_ivr_calls_trainee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_ivr_calls_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_calls")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_ivr_calls_call_sid")),
        sa.UniqueConstraint("token", name=op.f("uq_ivr_calls_token")),
    )
    with op.batch_alter_table("ivr_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ivr_calls_trainee_id"), ["trainee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ivr_calls_attempt_id"), ["attempt_id"], unique=False)
    op.create_table(
        "ivr_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_turns")),
        sa.UniqueConstraint("call_sid", "turn", name=op.f("uq_ivr_turns_call_sid")),
    )
    with op.batch_alter_table("ivr_turns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ivr_turns_call_sid"), ["call_sid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ivr_turns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ivr_turns_call_sid"))
    op.drop_table("ivr_turns")
    with op.batch_alter_table("ivr_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ivr_calls_attempt_id"))
        batch_op.drop_index(batch_op.f("ix_ivr_calls_trainee_id"))
    op.drop_table("ivr_calls")
    op.drop_table("ivr_phones")
