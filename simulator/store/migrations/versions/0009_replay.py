"""Replay and review: trainees' recorded utterances (blobs), the recording notice, coaching notes,
instructors' verdict overrides

Revision ID: 0009_replay
Revises: 0008_classes
Create Date: 2026-12-02 17:55:56

Only new tables (no change to existing ones), so the merger can re-chain it after 0007/0008.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009_replay'
down_revision: str | None = '0008_classes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recording_notices',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recording_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_recording_notices'))
    )
    op.create_table('coaching_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('criterion_id', sa.String(length=120), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_coaching_notes_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coaching_notes_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_notes'))
    )
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_notes_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('utterance_recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('mimetype', sa.String(length=40), nullable=False),
    sa.Column('audio', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('remote_sid', sa.String(length=64), nullable=True),
    sa.Column('remote_url', sa.String(length=500), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_utterance_recordings_attempt_id_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utterance_recordings'))
    )
    with op.batch_alter_table('utterance_recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_utterance_recordings_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_utterance_recordings_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('verdict_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('automatic_status', sa.String(length=20), nullable=False),
    sa.Column('automatic_passed', sa.Boolean(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('automatic_now', sa.Boolean(), nullable=True),
    sa.Column('agrees_now', sa.Boolean(), nullable=False),
    sa.Column('rescored_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_verdict_overrides_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_verdict_overrides_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verdict_overrides')),
    sa.UniqueConstraint('attempt_id', 'criterion_id', name=op.f('uq_verdict_overrides_attempt_id'))
    )
    with op.batch_alter_table('verdict_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_overrides_attempt_id'), ['attempt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('verdict_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_overrides_attempt_id'))

    op.drop_table('verdict_overrides')
    with op.batch_alter_table('utterance_recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_utterance_recordings_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_utterance_recordings_attempt_id'))

    op.drop_table('utterance_recordings')
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_notes_attempt_id'))

    op.drop_table('coaching_notes')
    op.drop_table('recording_notices')
