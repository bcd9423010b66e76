"""Classes of trainees, their instructors and members, and each class's course path

Revision ID: 0008_classes
Revises: 0007_exam
Create Date: 2026-12-02 18:15:00

Follows 0007 (exam).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_classes'
down_revision: str | None = "0007_exam"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classes')),
    sa.UniqueConstraint('name', name=op.f('uq_classes_name'))
    )
    op.create_table('class_instructors',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_instructors_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_instructors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_instructors'))
    )
    with op.batch_alter_table('class_instructors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_instructors_user_id'), ['user_id'], unique=False)

    op.create_table('class_members',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_class_members_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_members'))
    )
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_members_user_id'), ['user_id'], unique=False)

    op.create_table('path_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=120), nullable=False),
    sa.Column('unlock', sa.String(length=20), nullable=False),
    sa.Column('ra', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_path_steps_class_id_classes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_path_steps')),
    sa.UniqueConstraint('class_id', 'scenario_id', name=op.f('uq_path_steps_class_id'))
    )
    with op.batch_alter_table('path_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_path_steps_class_id'), ['class_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('path_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_path_steps_class_id'))
    op.drop_table('path_steps')
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_members_user_id'))
    op.drop_table('class_members')
    with op.batch_alter_table('class_instructors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_instructors_user_id'))
    op.drop_table('class_instructors')
    op.drop_table('classes')
