"""Index for the last line a caller said on a line (a console poll reads it without a scan);
a scenario version is unique per content and company, as the library looks it up

Revision ID: 0011_said_index
Revises: 0009_replay
Create Date: 2026-12-02 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_said_index"
down_revision: str | None = "0009_replay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_attempt_events_said",
        "attempt_events",
        ["attempt_id", "kind", "line", "seq"],
        unique=False,
    )
    # The same file stored again after its company changed is a new version; the old rule
    # (id and content only) made that a constraint error.
    with op.batch_alter_table("scenario_versions") as batch:
        batch.drop_constraint("uq_scenario_versions_scenario_id", type_="unique")
        batch.create_unique_constraint(
            "uq_scenario_versions_scenario_id", ["scenario_id", "sha256", "company_version_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scenario_versions") as batch:
        batch.drop_constraint("uq_scenario_versions_scenario_id", type_="unique")
        batch.create_unique_constraint(
            "uq_scenario_versions_scenario_id", ["scenario_id", "sha256"]
        )
    op.drop_index("ix_attempt_events_said", table_name="attempt_events")
