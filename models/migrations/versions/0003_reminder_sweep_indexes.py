"""reminder indexes for the sweep: planned rungs by due date (partial), queued_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


PLANNED = sa.text("state = 'planned'")


def upgrade() -> None:
    op.drop_index("ix_reminder_state", table_name="reminder")
    op.drop_index("ix_reminder_due_on", table_name="reminder")
    op.create_index(
        "ix_reminder_planned_due_on",
        "reminder",
        ["due_on"],
        unique=False,
        sqlite_where=PLANNED,
        postgresql_where=PLANNED,
    )
    op.create_index("ix_reminder_queued_at", "reminder", ["queued_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reminder_queued_at", table_name="reminder")
    op.drop_index("ix_reminder_planned_due_on", table_name="reminder")
    op.create_index("ix_reminder_due_on", "reminder", ["due_on"], unique=False)
    op.create_index("ix_reminder_state", "reminder", ["state"], unique=False)
