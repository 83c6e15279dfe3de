"""Status of every assignment as of a date, computed by one SQL query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.notice import Assignment, Directive, DueKind, Notice
from models.progress import ExtensionDecision, ExtensionRequest
from models.unit import Unit
from tasks.calendar import WorkCalendar, default_calendar


@dataclass(frozen=True)
class StatusCategory:
    """One of the six categories of the government's task-tracking reports."""

    key: str
    label: str  # Vietnamese, as reports write it
    colour: str  # a rich colour name
    hex: str  # for documents and charts


CATEGORIES = (
    StatusCategory("done_on_time", "Hoàn thành đúng hạn", "green", "#2e7d32"),
    StatusCategory("done_late", "Hoàn thành quá hạn", "dark_orange", "#ef6c00"),
    StatusCategory("in_time", "Đang thực hiện trong hạn", "blue", "#1565c0"),
    StatusCategory("due_soon", "Sắp đến hạn", "yellow", "#f9a825"),
    StatusCategory("overdue", "Quá hạn (chưa hoàn thành)", "red", "#c62828"),
    StatusCategory("no_deadline", "Không thời hạn / Thường xuyên", "grey50", "#757575"),
)
CATEGORY_BY_KEY = {c.key: c for c in CATEGORIES}


@dataclass
class StatusRow:
    """One assignment and its status as of the report date."""

    assignment_id: int
    notice_number: str | None
    notice_issued_on: date
    ref: str | None
    text: str
    unit_code: str
    unit_name: str
    role: str
    due_kind: str
    due_text: str | None
    stated_due: date | None
    effective_due: date | None
    completed_on: date | None
    status: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly dict with dates as ISO strings and the Vietnamese status label."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
        out["status_label"] = CATEGORY_BY_KEY[self.status].label
        return out


def due_as_of(as_of: date) -> tuple[Any, Callable[[Any], Any]]:
    """The due date in force on ``as_of``, and a function adding the outer joins it needs to
    a SELECT over Assignment.

    That is the newest extension approved by then, else the first approved extension's
    previous due date (the due date before any extension), else the assignment's effective
    due date."""
    latest_ext = (
        select(col(ExtensionRequest.assignment_id), func.max(ExtensionRequest.id).label("ext_id"))
        .where(
            ExtensionRequest.state == ExtensionDecision.APPROVED,
            col(ExtensionRequest.decided_on) <= as_of,
        )
        .group_by(col(ExtensionRequest.assignment_id))
        .subquery()
    )
    first_ext = (
        select(col(ExtensionRequest.assignment_id), func.min(ExtensionRequest.id).label("ext_id"))
        .where(ExtensionRequest.state == ExtensionDecision.APPROVED)
        .group_by(col(ExtensionRequest.assignment_id))
        .subquery()
    )
    ext_now = aliased(ExtensionRequest)
    ext_first = aliased(ExtensionRequest)
    due = func.coalesce(ext_now.approved_due, ext_first.previous_due, Assignment.effective_due)

    def joins(stmt: Any) -> Any:
        return (
            stmt.outerjoin(latest_ext, latest_ext.c.assignment_id == Assignment.id)
            .outerjoin(ext_now, ext_now.id == latest_ext.c.ext_id)
            .outerjoin(first_ext, first_ext.c.assignment_id == Assignment.id)
            .outerjoin(ext_first, ext_first.id == first_ext.c.ext_id)
        )

    return due, joins


def status_case(*, due: Any, done_on: Any, no_deadline: Any, as_of: date, soon: date) -> Any:
    """The category (one of CATEGORIES' keys) as a SQL CASE over a due date and a completion
    date as of ``as_of``; due dates up to ``soon`` are "due soon"."""
    return case(
        (and_(done_on.is_not(None), or_(due.is_(None), done_on <= due)), literal("done_on_time")),
        (done_on.is_not(None), literal("done_late")),
        (or_(no_deadline, due.is_(None)), literal("no_deadline")),
        (due < as_of, literal("overdue")),
        (due <= soon, literal("due_soon")),
        else_=literal("in_time"),
    )


def status_statement(*, as_of: date, soon_limit: date) -> Any:
    """The SELECT giving every assignment's status as of ``as_of`` (no query per row).

    The due date is the one in force on that day (``due_as_of``); completion counts only
    when it happened by then.
    """
    due, with_extensions = due_as_of(as_of)
    done_on = case(
        (col(Assignment.completed_on) <= as_of, col(Assignment.completed_on)), else_=None
    )
    status = status_case(
        due=due,
        done_on=done_on,
        no_deadline=Directive.due_kind == DueKind.RECURRING,
        as_of=as_of,
        soon=soon_limit,
    )
    return with_extensions(
        # Labelled as StatusRow's fields: a subquery of it (counts, a page of rows) names them.
        sa_select(  # sqlmodel's select types four columns at most
            col(Assignment.id).label("assignment_id"),
            col(Notice.number).label("notice_number"),
            col(Notice.issued_on).label("notice_issued_on"),
            col(Directive.ref).label("ref"),
            col(Directive.text).label("text"),
            col(Unit.code).label("unit_code"),
            col(Unit.name).label("unit_name"),
            col(Assignment.role).label("role"),
            col(Directive.due_kind).label("due_kind"),
            col(Directive.due_text).label("due_text"),
            col(Assignment.stated_due).label("stated_due"),
            due.label("effective_due"),
            done_on.label("completed_on"),
            status.label("status"),
        )
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .join(Notice, col(Notice.id) == Directive.notice_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
    ).where(col(Notice.issued_on) <= as_of)


def filtered_status_statement(
    *,
    as_of: date,
    unit_code: str | None = None,
    notice_number: str | None = None,
    due_soon_days: int = 5,
    calendar: WorkCalendar | None = None,
    notice_id: int | None = None,
) -> Any:
    """``status_statement`` for one unit or one notice (by number, or by id for a notice
    without one) when given (no order)."""
    cal = calendar or default_calendar()
    soon_limit = cal.add_working_days(as_of, due_soon_days) if due_soon_days else as_of
    stmt = status_statement(as_of=as_of, soon_limit=soon_limit)
    if unit_code:
        stmt = stmt.where(Unit.code == unit_code)
    if notice_number:
        stmt = stmt.where(Notice.number == notice_number.replace(" ", ""))
    if notice_id is not None:
        stmt = stmt.where(col(Notice.id) == notice_id)
    return stmt


def compute_status(
    *,
    session: Session,
    as_of: date,
    unit_code: str | None = None,
    notice_number: str | None = None,
    due_soon_days: int = 5,
    calendar: WorkCalendar | None = None,
    notice_id: int | None = None,
) -> list[StatusRow]:
    """Every assignment's status as of a date, optionally for one unit or one notice.

    "Sắp đến hạn" means due within ``due_soon_days`` working days (due today included).
    """
    stmt = filtered_status_statement(
        as_of=as_of,
        unit_code=unit_code,
        notice_number=notice_number,
        due_soon_days=due_soon_days,
        calendar=calendar,
        notice_id=notice_id,
    )
    stmt = stmt.order_by(Notice.issued_on, Notice.id, Directive.position, Unit.code)
    return [StatusRow(*row) for row in session.exec(stmt).all()]  # type: ignore[call-overload]


def count_by_status(rows: list[StatusRow]) -> dict[str, int]:
    """How many assignments fall in each category (every category present, maybe 0)."""
    counts = {c.key: 0 for c in CATEGORIES}
    for row in rows:
        counts[row.status] += 1
    return counts
