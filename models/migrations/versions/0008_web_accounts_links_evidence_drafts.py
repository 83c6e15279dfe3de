"""the web pages' tables: secretariat accounts, units' personal links, evidence files, and
notice drafts under review

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("display_name", String(length=200), nullable=True),
        sa.Column("role", String(length=10), nullable=False),
        sa.Column("password_hash", String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", Stamp, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("last_login_at", Stamp, nullable=True),
        sa.CheckConstraint("role IN ('admin', 'clerk', 'leader')", name="ck_user_account_role"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_account_name", "user_account", ["name"], unique=True)
    op.create_table(
        "unit_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", String(length=64), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", Stamp, nullable=False),
        sa.Column("revoked_at", Stamp, nullable=True),
        sa.Column("last_used_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_unit_link_unit_id", "unit_link", ["unit_id"], unique=False)
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("progress_update_id", sa.Integer(), nullable=True),
        sa.Column("sha256", String(length=64), nullable=False),
        sa.Column("original_name", String(length=255), nullable=False),
        sa.Column("content_type", String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", Stamp, nullable=False),
        sa.Column("uploaded_by", String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["progress_update_id"], ["progress_update.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_evidence_file_assignment_id", "evidence_file", ["assignment_id"], unique=False
    )
    op.create_index(
        "ix_evidence_file_progress_update_id",
        "evidence_file",
        ["progress_update_id"],
        unique=False,
    )
    op.create_index("ix_evidence_file_sha256", "evidence_file", ["sha256"], unique=False)
    op.create_table(
        "notice_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=64), nullable=False),
        sa.Column("created_by", String(length=200), nullable=True),
        sa.Column("file_name", String(length=255), nullable=False),
        sa.Column("sha256", String(length=64), nullable=False),
        sa.Column("stored_path", String(length=500), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("notice_draft")
    op.drop_index("ix_evidence_file_sha256", table_name="evidence_file")
    op.drop_index("ix_evidence_file_progress_update_id", table_name="evidence_file")
    op.drop_index("ix_evidence_file_assignment_id", table_name="evidence_file")
    op.drop_table("evidence_file")
    op.drop_index("ix_unit_link_unit_id", table_name="unit_link")
    op.drop_table("unit_link")
    op.drop_index("ix_user_account_name", table_name="user_account")
    op.drop_table("user_account")
