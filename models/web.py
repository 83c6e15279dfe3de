"""What the web pages need beyond the follow-up itself: secretariat accounts, the units'
personal links, evidence files, and notice drafts under review."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import RowId, json_column, one_of, timestamp_column, utcnow


class Role(StrEnum):
    """What a signed-in person may do."""

    ADMIN = "admin"  # everything, accounts included
    CLERK = "clerk"  # the secretariat: registers notices, records progress, runs the outbox
    LEADER = "leader"  # reads everything, decides extensions


ROLES = tuple(role.value for role in Role)


class UserAccount(RowId, table=True):
    """A person of the secretariat or a leader who signs in to the web pages."""

    __tablename__ = "user_account"
    __table_args__ = (one_of("user_account", "role", Role),)

    name: str = Field(unique=True, index=True, max_length=100)  # what they type to sign in
    display_name: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=10)
    password_hash: str = Field(max_length=300)
    active: bool = True
    failed_logins: int = 0  # wrong passwords in a row: each one waits longer
    locked_until: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    last_login_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))


class UserPublic(SQLModel):
    """An account as pages show it (never its password hash)."""

    id: int
    name: str
    display_name: str | None = None
    role: Role
    active: bool


class UnitLink(RowId, table=True):
    """A unit's personal link: only the SHA-256 of its random token is stored."""

    __tablename__ = "unit_link"

    unit_id: int = Field(foreign_key="unit.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    expires_at: datetime = Field(sa_column=timestamp_column())
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    last_used_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))


class EvidenceFile(RowId, table=True):
    """A file a unit sent as evidence, stored once under DATA_DIR/evidence by its SHA-256."""

    __tablename__ = "evidence_file"

    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    progress_update_id: int | None = Field(
        default=None, foreign_key="progress_update.id", index=True
    )
    sha256: str = Field(max_length=64, index=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    uploaded_by: str | None = Field(default=None, max_length=200)


class NoticeDraft(RowId, table=True):
    """A document read for review in the web pages: kept until confirmed or dropped, so a
    page reload loses nothing. Nothing of the notice is stored before confirmation."""

    __tablename__ = "notice_draft"

    key: str = Field(unique=True, max_length=64)  # random, in the review page's address
    created_by: str | None = Field(default=None, max_length=200)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    stored_path: str = Field(max_length=500)  # the uploaded file, under DATA_DIR/drafts
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


__all__ = [
    "ROLES",
    "EvidenceFile",
    "NoticeDraft",
    "Role",
    "UnitLink",
    "UserAccount",
    "UserPublic",
]
