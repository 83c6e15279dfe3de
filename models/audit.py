"""The audit log: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, one_of, timestamp_column, utcnow


class AuditAction(StrEnum):
    """What happened to the row."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class AuditEvent(SQLModel, table=True):
    """One change to a notice, directive, assignment or extension request."""

    __tablename__ = "audit_event"
    __table_args__ = (one_of("audit_event", "action", AuditAction),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    actor: str = Field(max_length=100)
    entity: str = Field(max_length=40, index=True)
    entity_id: int = Field(index=True)
    action: str = Field(max_length=10)  # an AuditAction
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
