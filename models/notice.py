"""Notices, their directives, and the assignment of each directive to units."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp_column, utcnow

DUE_KINDS = ("date", "month", "quarter", "year", "recurring", "none")
ROLES = ("lead", "support")
ASSIGNMENT_STATES = ("open", "in_progress", "done")


class Notice(SQLModel, table=True):
    """A thông báo kết luận or công văn registered by the secretariat."""

    __table_args__ = (UniqueConstraint("issuer", "number", name="uq_notice_issuer_number"),)

    id: int | None = Field(default=None, primary_key=True)
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
    registered_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # "pending" from registration until its reminder plan is written ("done"), in one
    # transaction with the plan: a follow-up that failed half-way is finished by the next
    # sweep or by ``dondoc follow-up``.
    follow_up: str = Field(default="pending", max_length=10, index=True)
    followed_up_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))


class Directive(SQLModel, table=True):
    """One directive (nhiệm vụ) of a notice."""

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    position: int = 0
    ref: str | None = Field(default=None, max_length=50)
    text: str
    due_kind: str = Field(default="none", max_length=12)
    due_date: date | None = None  # the stated date (last day of a month/quarter/year)
    due_text: str | None = Field(default=None, max_length=300)
    recurrence: str | None = Field(default=None, max_length=12)
    report_to: str | None = Field(default=None, max_length=300)
    report_to_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    confidence: float = 1.0
    flags: list[str] = Field(default_factory=list, sa_column=json_column())


class Assignment(SQLModel, table=True):
    """A directive given to one unit, as lead (chủ trì) or support (phối hợp)."""

    __table_args__ = (
        UniqueConstraint("directive_id", "unit_id", name="uq_assignment_directive_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(default="lead", max_length=10)
    stated_due: date | None = None  # as the notice states it
    # After the next-working-day rule and any approved extension; the original stays in stated_due
    # and in the extension requests.
    effective_due: date | None = Field(default=None, index=True)
    state: str = Field(default="open", max_length=12)
    completed_on: date | None = None
    evidence: str | None = Field(default=None, max_length=1000)
