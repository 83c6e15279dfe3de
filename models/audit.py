"""The audit log: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp_column, utcnow


class AuditEvent(SQLModel, table=True):
    """One change to a notice, directive, assignment or extension request."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    actor: str = Field(max_length=100)
    entity: str = Field(max_length=40, index=True)
    entity_id: int = Field(index=True)
    action: str = Field(max_length=10)  # create | update | delete
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
