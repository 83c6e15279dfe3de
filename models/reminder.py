"""The reminder plan: which level of reminder falls due on which day for each assignment."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.base import one_of, timestamp_column


class ReminderState(StrEnum):
    """Where one rung of a ladder stands (see Reminder)."""

    PLANNED = "planned"
    QUEUED = "queued"
    SKIPPED = "skipped"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


REMINDER_STATES = tuple(state.value for state in ReminderState)


class Reminder(SQLModel, table=True):
    """One rung of an assignment's escalation ladder (for one occurrence of a recurring task).

    ``planned`` rows whose day has come are picked by a sweep and become ``queued`` in the
    same transaction that writes their outbox rows; a lower rung overtaken by a higher one
    is ``skipped``; an extension marks the old ladder ``superseded``; a period of a recurring
    directive reported done has its planned rungs ``cancelled``.
    """

    __table_args__ = (
        UniqueConstraint("assignment_id", "occurrence", "level", "due_on", name="uq_reminder_rung"),
        # A sweep finds the rungs it queued by their queued_at; skipped rungs stay out.
        Index(
            "ix_reminder_queued_at",
            "queued_at",
            sqlite_where=text("state = 'queued'"),
            postgresql_where=text("state = 'queued'"),
        ),
        # The sweep's search: planned rungs due by today. Partial, so that a rung leaving
        # ``planned`` costs one index entry removed and nothing else.
        Index(
            "ix_reminder_planned_due_on",
            "due_on",
            sqlite_where=text("state = 'planned'"),
            postgresql_where=text("state = 'planned'"),
        ),
        one_of("reminder", "state", ReminderState),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Looked up through uq_reminder_rung, whose first column it is.
    assignment_id: int = Field(foreign_key="assignment.id")
    occurrence: date | None = None  # the due date this ladder leads to (None: no due date)
    level: str = Field(max_length=40)
    rank: int = 0  # order of the rungs; the highest due rung wins
    due_on: date
    state: str = Field(default=ReminderState.PLANNED.value, max_length=12)
    queued_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
