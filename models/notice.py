"""Notices, their directives, and the assignment of each directive to units.

Each concept is a family: ``…Base`` (the fields it is registered with), the table,
``…Create`` (what an edge sends to register one) and ``…Public`` (what an edge shows).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import RowId, json_column, one_of, timestamp_column, utcnow


class NoticeFollowUp(StrEnum):
    """Whether a notice's reminder plan is written yet."""

    PENDING = "pending"
    DONE = "done"


class DueKind(StrEnum):
    """How a directive's deadline is stated."""

    DATE = "date"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RECURRING = "recurring"
    NONE = "none"


class Recurrence(StrEnum):
    """How often a recurring directive falls due (``ongoing``: thường xuyên, no period)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    ONGOING = "ongoing"


class AssignmentRole(StrEnum):
    """Lead (chủ trì) or support (phối hợp)."""

    LEAD = "lead"
    SUPPORT = "support"


class AssignmentState(StrEnum):
    """Where an assignment stands; a recurring one stays open and is done period by period."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


DUE_KINDS = tuple(kind.value for kind in DueKind)
ROLES = tuple(role.value for role in AssignmentRole)
ASSIGNMENT_STATES = tuple(state.value for state in AssignmentState)


class NoticeBase(SQLModel):
    """A thông báo kết luận or công văn as the secretariat registers it."""

    number: str | None = Field(default=None, max_length=100, index=True)
    doc_type: str = Field(default="TB", max_length=20)
    issuer: str = Field(max_length=300)
    issuer_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    place: str | None = Field(default=None, max_length=200)
    issued_on: date = Field(index=True)
    title: str = Field(default="")
    meeting_date: date | None = None
    chair: str | None = Field(default=None, max_length=200)
    signer: str | None = Field(default=None, max_length=200)
    recipients: list[str] = Field(default_factory=list, sa_column=json_column())
    addressees: list[str] = Field(default_factory=list, sa_column=json_column())
    source_file: str | None = Field(default=None, max_length=500)
    source_sha256: str | None = Field(default=None, max_length=64, unique=True)


class Notice(NoticeBase, RowId, table=True):
    """A thông báo kết luận or công văn registered by the secretariat."""

    __table_args__ = (
        UniqueConstraint("issuer", "number", name="uq_notice_issuer_number"),
        one_of("notice", "follow_up", NoticeFollowUp),
    )

    registered_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # "pending" from registration until its reminder plan is written ("done"), in one
    # transaction with the plan: a follow-up that failed half-way is finished by the next
    # sweep or by ``dondoc follow-up``.
    follow_up: str = Field(default=NoticeFollowUp.PENDING.value, max_length=10, index=True)
    followed_up_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))


class NoticeCreate(NoticeBase):
    """A notice to register (its directives are registered with it, as DirectiveCreate)."""


class NoticePublic(NoticeBase):
    """A registered notice as an edge shows it."""

    id: int
    registered_at: datetime
    follow_up: NoticeFollowUp
    followed_up_at: datetime | None = None


class DirectiveBase(SQLModel):
    """One directive (nhiệm vụ) of a notice, as read from it."""

    notice_id: int = Field(foreign_key="notice.id", index=True)
    position: int = 0
    ref: str | None = Field(default=None, max_length=50)
    text: str
    due_kind: str = Field(default=DueKind.NONE.value, max_length=12)
    due_date: date | None = None  # the stated date (last day of a month/quarter/year)
    due_text: str | None = Field(default=None, max_length=300)
    recurrence: str | None = Field(default=None, max_length=12)
    report_to: str | None = Field(default=None, max_length=300)
    report_to_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    confidence: float = 1.0
    flags: list[str] = Field(default_factory=list, sa_column=json_column())


class Directive(DirectiveBase, RowId, table=True):
    """One directive (nhiệm vụ) of a notice."""

    __table_args__ = (
        one_of("directive", "due_kind", DueKind),
        one_of("directive", "recurrence", Recurrence),
    )


class DirectiveCreate(DirectiveBase):
    """A directive to register under its notice."""

    due_kind: DueKind = DueKind.NONE
    recurrence: Recurrence | None = None


class DirectivePublic(DirectiveBase):
    """A registered directive as an edge shows it."""

    id: int
    due_kind: DueKind
    recurrence: Recurrence | None = None


class AssignmentBase(SQLModel):
    """A directive given to one unit, as the notice gives it."""

    directive_id: int = Field(foreign_key="directive.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(default=AssignmentRole.LEAD.value, max_length=10)
    stated_due: date | None = None  # as the notice states it
    # After the next-working-day rule and any approved extension; the original stays in stated_due
    # and in the extension requests.
    effective_due: date | None = Field(default=None, index=True)


class Assignment(AssignmentBase, RowId, table=True):
    """A directive given to one unit, as lead (chủ trì) or support (phối hợp)."""

    __table_args__ = (
        UniqueConstraint("directive_id", "unit_id", name="uq_assignment_directive_unit"),
        one_of("assignment", "role", AssignmentRole),
        one_of("assignment", "state", AssignmentState),
    )

    state: str = Field(default=AssignmentState.OPEN.value, max_length=12)
    completed_on: date | None = None
    evidence: str | None = Field(default=None, max_length=1000)


class AssignmentCreate(AssignmentBase):
    """An assignment to register: it starts open."""

    role: AssignmentRole = AssignmentRole.LEAD


class AssignmentPublic(AssignmentBase):
    """An assignment as an edge shows it."""

    id: int
    role: AssignmentRole
    state: AssignmentState
    completed_on: date | None = None
    evidence: str | None = None
