"""Trainee earcons: which short console sounds are switched on

Revision ID: 0003_earcons
Revises: 0002_ivr
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_earcons"
down_revision: str | None = "0002_ivr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "new_call,transfer_done,caller_hung_up"


def upgrade() -> None:
    with op.batch_alter_table("accommodations") as batch:
        batch.add_column(
            sa.Column("earcons", sa.String(length=120), nullable=False, server_default=DEFAULT)
        )


def downgrade() -> None:
    with op.batch_alter_table("accommodations") as batch:
        batch.drop_column("earcons")
