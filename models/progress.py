"""What units report back: progress updates and extension requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import RowId, one_of, timestamp_column, utcnow


class ProgressState(StrEnum):
    """What a unit reports: still working on it, or done."""

    IN_PROGRESS = "in_progress"
    DONE = "done"


class ExtensionDecision(StrEnum):
    """An extension request waiting for a leader, or the leader's decision."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


PROGRESS_STATES = tuple(state.value for state in ProgressState)
EXTENSION_STATES = tuple(state.value for state in ExtensionDecision)


class ProgressUpdateBase(SQLModel):
    """A unit's report on an assignment, as an edge records it."""

    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    state: str = Field(max_length=12)
    on: date
    # For a recurring directive: the period this report covers ("2024-06", "2024-Q2", "2024").
    period: str | None = Field(default=None, max_length=10)
    note: str | None = None
    evidence: str | None = Field(default=None, max_length=1000)
    recorded_by: str | None = Field(default=None, max_length=100)


class ProgressUpdate(ProgressUpdateBase, RowId, table=True):
    """A unit's report on an assignment (in progress or done, with evidence)."""

    __tablename__ = "progress_update"
    __table_args__ = (one_of("progress_update", "state", ProgressState),)

    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class ProgressUpdateCreate(ProgressUpdateBase):
    """A report to record."""

    state: ProgressState


class ProgressUpdatePublic(ProgressUpdateBase):
    """A recorded report as an edge shows it."""

    id: int
    state: ProgressState
    recorded_at: datetime


class ExtensionRequestBase(SQLModel):
    """A request to move an assignment's due date (gia hạn)."""

    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    previous_due: date | None = None
    requested_due: date
    reason: str


class ExtensionRequest(ExtensionRequestBase, RowId, table=True):
    """A request to move an assignment's due date (gia hạn), and its decision."""

    __tablename__ = "extension_request"
    __table_args__ = (one_of("extension_request", "state", ExtensionDecision),)

    state: str = Field(default=ExtensionDecision.PENDING.value, max_length=10)
    requested_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    approved_due: date | None = None  # the granted date, moved to a working day
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=100)
    decision_note: str | None = None


class ExtensionRequestCreate(SQLModel):
    """What an edge sends to file a request; the due date it moves from is the assignment's."""

    assignment_id: int
    requested_due: date
    reason: str


class ExtensionRequestPublic(ExtensionRequestBase):
    """A request and its decision as an edge shows them."""

    id: int
    state: ExtensionDecision
    requested_at: datetime
    approved_due: date | None = None
    decided_on: date | None = None
    decided_by: str | None = None
    decision_note: str | None = None
