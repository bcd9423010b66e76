"""Practical exam: exams (definition and composed scenario) and trainees' sittings

Revision ID: 0007_exam
Revises: 0006_lti
Create Date: 2026-12-02 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_exam"
down_revision: str | None = "0006_lti"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("scenario_version_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario_version_id"],
            ["scenario_versions.id"],
            name=op.f("fk_exams_scenario_version_id_scenario_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_exams_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exams")),
    )
    op.create_table(
        "exam_sittings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("multiplier", sa.Float(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("marks", JSON, nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["exam_id"],
            ["exams.id"],
            name=op.f("fk_exam_sittings_exam_id_exams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["users.id"],
            name=op.f("fk_exam_sittings_trainee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_exam_sittings_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_sittings")),
        sa.UniqueConstraint("exam_id", "trainee_id", name=op.f("uq_exam_sittings_exam_id")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_exam_sittings_attempt_id")),
    )
    with op.batch_alter_table("exam_sittings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exam_sittings_exam_id"), ["exam_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exam_sittings_trainee_id"), ["trainee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exam_sittings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_sittings_trainee_id"))
        batch_op.drop_index(batch_op.f("ix_exam_sittings_exam_id"))
    op.drop_table("exam_sittings")
    op.drop_table("exams")
