"""What units report back: progress updates and extension requests."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.base import timestamp_column, utcnow

EXTENSION_STATES = ("pending", "approved", "rejected")


class ProgressUpdate(SQLModel, table=True):
    """A unit's report on an assignment (in progress or done, with evidence)."""

    __tablename__ = "progress_update"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    state: str = Field(max_length=12)
    on: date
    # For a recurring directive: the period this report covers ("2024-06", "2024-Q2", "2024").
    period: str | None = Field(default=None, max_length=10)
    note: str | None = None
    evidence: str | None = Field(default=None, max_length=1000)
    recorded_by: str | None = Field(default=None, max_length=100)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ExtensionRequest(SQLModel, table=True):
    """A request to move an assignment's due date (gia hạn), and its decision."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    previous_due: date | None = None
    requested_due: date
    reason: str
    state: str = Field(default="pending", max_length=10)
    requested_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    approved_due: date | None = None  # the granted date, moved to a working day
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=100)
    decision_note: str | None = None
