"""notice.follow_up: a notice stays "pending" until its reminder plan is written

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Notices registered before this revision whose assignments already have a reminder plan are
"done"; the others (registered with DONDOC_FOLLOW_UP=false, or whose follow-up failed) are
"pending" and the next sweep plans them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch_op:
        batch_op.add_column(
            sa.Column(
                "follow_up",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="pending",
            )
        )
        batch_op.add_column(sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_notice_follow_up", ["follow_up"])
    op.execute(
        """
        UPDATE notice SET follow_up = 'done', followed_up_at = registered_at
        WHERE EXISTS (
            SELECT 1 FROM reminder
            JOIN assignment ON assignment.id = reminder.assignment_id
            JOIN directive ON directive.id = assignment.directive_id
            WHERE directive.notice_id = notice.id
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch_op:
        batch_op.drop_index("ix_notice_follow_up")
        batch_op.drop_column("followed_up_at")
        batch_op.drop_column("follow_up")
