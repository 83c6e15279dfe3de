"""reminder indexes the sweep does not pay for twice: queued_at only for queued rungs, and
no index on assignment_id alone (uq_reminder_rung starts with it)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

A sweep moves tens of thousands of rungs out of ``planned`` at once; on PostgreSQL each
row it writes gets a new entry in every index whose predicate it satisfies. An index on
``assignment_id`` alone duplicated the leading column of ``uq_reminder_rung``, and
``queued_at`` indexed the NULL of every skipped rung; only the queued ones are looked up.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


QUEUED = sa.text("state = 'queued'")


def upgrade() -> None:
    op.drop_index("ix_reminder_assignment_id", table_name="reminder")
    op.drop_index("ix_reminder_queued_at", table_name="reminder")
    op.create_index(
        "ix_reminder_queued_at",
        "reminder",
        ["queued_at"],
        unique=False,
        sqlite_where=QUEUED,
        postgresql_where=QUEUED,
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_queued_at", table_name="reminder")
    op.create_index("ix_reminder_queued_at", "reminder", ["queued_at"], unique=False)
    op.create_index("ix_reminder_assignment_id", "reminder", ["assignment_id"], unique=False)
