"""The briefing's items as one SQL subquery: every lead assignment (and every occurrence of a
recurring directive) of a period, with its due date, completion and status category.

The scorecard counts the same items (``scope="due"``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, and_, case, extract, func, literal, or_, select, union_all
from sqlmodel import col

from dondoc.settings import get_settings
from models.notice import Assignment, AssignmentRole, Directive, DueKind, Notice, Recurrence
from models.progress import ProgressState, ProgressUpdate
from tasks.calendar import WorkCalendar, default_calendar
from tasks.periods import RECURRING_PERIODS, occurrence_in
from tasks.status import due_as_of, status_case


def _occurrence_table(start: date, end: date, calendar: WorkCalendar) -> Any | None:
    """A small literal table (recurrence, anchor day, anchor month, due, period key) of the
    occurrences that fall in [start, end] (at most a quarter), for every anchor a directive
    can have."""
    rows = []
    for recurrence in RECURRING_PERIODS:
        # (day, month) as SQL reads them from the directive's anchor date; 0 = no anchor.
        anchors: list[tuple[int, int, date | None]] = [(0, 0, None)]
        if recurrence == Recurrence.YEARLY:
            months = sorted({(start.month - 1 + k) % 12 + 1 for k in range(_months(start, end))})
            for m in months:
                anchors += [(d, m, _valid(2000, m, d)) for d in range(1, 32) if _valid(2000, m, d)]
        else:
            anchors += [(d, 0, date(2000, 1, d)) for d in range(1, 32)]
        for day, month, anchor in anchors:
            for due, key in occurrence_in(
                recurrence=recurrence, anchor=anchor, start=start, end=end
            ):
                rows.append(
                    select(
                        literal(recurrence.value).label("recurrence"),
                        literal(day).label("day"),
                        literal(month).label("month"),
                        literal(calendar.roll_forward(due), Date).label("due"),
                        literal(key).label("period_key"),
                    )
                )
    if not rows:
        return None
    return union_all(*rows).subquery("occ")


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def items_query(
    *,
    start: date,
    end: date,
    as_of: date,
    calendar: WorkCalendar | None = None,
    scope: str = "open",
) -> Any:
    """Every item of [start, end] with its unit, due date, completion and category: a
    subquery with columns assignment_id, unit_id, due, done_on, status, period_key.

    ``scope="open"`` (the briefing): directives open at some time in the period, that is not
    done before it began. ``scope="due"`` (the scorecard): directives due in the period."""
    cal = calendar or default_calendar()
    soon = cal.add_working_days(as_of, get_settings().due_soon_days)
    known_by = min(end, as_of)  # a notice issued after the report date is not known yet

    # Directives with a date (or none) and ongoing ones: the due date as of that day honours
    # the extensions approved by then (as tasks.status does).
    due, with_extensions = due_as_of(as_of)
    done_on = case(
        (col(Assignment.completed_on) <= as_of, col(Assignment.completed_on)), else_=None
    )
    periodic = and_(
        col(Directive.due_kind) == DueKind.RECURRING,
        col(Directive.recurrence).in_(RECURRING_PERIODS),
    )
    tasks = with_extensions(
        select(
            col(Assignment.id).label("assignment_id"),
            col(Assignment.unit_id).label("unit_id"),
            due.label("due"),
            done_on.label("done_on"),
            status_case(
                due=due,
                done_on=done_on,
                no_deadline=col(Directive.due_kind) == DueKind.RECURRING,
                as_of=as_of,
                soon=soon,
            ).label("status"),
            literal(None).label("period_key"),
        )
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .join(Notice, col(Notice.id) == col(Directive.notice_id))
    ).where(
        col(Assignment.role) == AssignmentRole.LEAD, col(Notice.issued_on) <= known_by, ~periodic
    )
    if scope == "due":
        tasks = tasks.where(due >= start, due <= end)
    else:
        tasks = tasks.where(
            or_(col(Assignment.completed_on).is_(None), col(Assignment.completed_on) >= start)
        )
    parts = [tasks]
    occ = _occurrence_table(start, end, cal)
    if occ is not None:
        reported = (
            select(
                col(ProgressUpdate.assignment_id),
                col(ProgressUpdate.period),
                func.min(col(ProgressUpdate.on)).label("done_on"),
            )
            .where(col(ProgressUpdate.state) == ProgressState.DONE, col(ProgressUpdate.on) <= as_of)
            .group_by(col(ProgressUpdate.assignment_id), col(ProgressUpdate.period))
            .subquery()
        )
        day = func.coalesce(extract("day", col(Directive.due_date)), 0)
        month = func.coalesce(extract("month", col(Directive.due_date)), 0)
        parts.append(
            select(
                col(Assignment.id).label("assignment_id"),
                col(Assignment.unit_id).label("unit_id"),
                occ.c.due.label("due"),
                reported.c.done_on.label("done_on"),
                status_case(
                    due=occ.c.due,
                    done_on=reported.c.done_on,
                    no_deadline=literal(False),
                    as_of=as_of,
                    soon=soon,
                ).label("status"),
                occ.c.period_key.label("period_key"),
            )
            .join(Directive, col(Directive.id) == col(Assignment.directive_id))
            .join(Notice, col(Notice.id) == col(Directive.notice_id))
            .join(
                occ,
                and_(
                    occ.c.recurrence == col(Directive.recurrence),
                    occ.c.day == day,
                    or_(occ.c.month == 0, occ.c.month == month),
                ),
            )
            .outerjoin(
                reported,
                and_(
                    reported.c.assignment_id == col(Assignment.id),
                    reported.c.period == occ.c.period_key,
                ),
            )
            .where(
                col(Assignment.role) == AssignmentRole.LEAD,
                col(Directive.due_kind) == DueKind.RECURRING,
                col(Notice.issued_on) <= known_by,
                occ.c.due >= col(Notice.issued_on),
            )
        )
    return union_all(*parts).subquery("items")
