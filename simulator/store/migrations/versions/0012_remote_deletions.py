"""Outbox of phone recordings to delete at Twilio (past retention, or the trainee erased)

Revision ID: 0012_remote_deletions
Revises: 0011_said_index
Create Date: 2026-12-03 11:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_remote_deletions"
down_revision: str | None = "0011_said_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remote_recording_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_recording_deletions")),
        sa.UniqueConstraint("sid", name=op.f("uq_remote_recording_deletions_sid")),
    )


def downgrade() -> None:
    op.drop_table("remote_recording_deletions")
