"""Progress reported by units, and extension requests (gia hạn) with their decisions."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from models.limits import is_db_id
from models.notice import Assignment, AssignmentState, Directive, DueKind, Notice
from models.progress import (
    PROGRESS_STATES,
    ExtensionDecision,
    ExtensionRequest,
    ProgressState,
    ProgressUpdate,
)
from models.reminder import Reminder, ReminderState
from tasks.calendar import WorkCalendar, default_calendar
from tasks.errors import InputError, NotFoundError, StateError
from tasks.periods import RECURRING_PERIODS, parse_period_key, period_key


def _assignment(session: Session, assignment_id: int) -> tuple[Assignment, Notice]:
    row = None
    if is_db_id(assignment_id):  # PostgreSQL refuses to compare an INTEGER with 99999999999
        row = session.exec(
            select(Assignment, Notice)
            .join(Directive, col(Directive.id) == col(Assignment.directive_id))
            .join(Notice, col(Notice.id) == col(Directive.notice_id))
            .where(Assignment.id == assignment_id)
        ).first()
    if row is None:
        raise NotFoundError(
            f"Không có nhiệm vụ giao mã {assignment_id}. Xem mã ở cột «Mã» của «dondoc status»."
        )
    return row[0], row[1]


def record_progress(
    *,
    session: Session,
    assignment_id: int,
    state: str,
    on: date,
    note: str | None = None,
    evidence: str | None = None,
    recorded_by: str | None = None,
    period: str | None = None,
) -> ProgressUpdate:
    """Record a unit's report; ``done`` sets the completion date, ``in_progress`` clears it.

    A monthly, quarterly or yearly directive is done one period at a time: ``period`` (by
    default the period containing ``on``) is recorded as done, the assignment stays open and
    that period's remaining reminders are cancelled."""
    if state not in PROGRESS_STATES:
        raise InputError(f"Trạng thái «{state}» không hợp lệ; dùng in_progress hoặc done.")
    assignment, notice = _assignment(session, assignment_id)
    if on < notice.issued_on:
        raise InputError(
            f"Ngày {on:%d/%m/%Y} trước ngày ban hành thông báo ({notice.issued_on:%d/%m/%Y}); kiểm tra lại ngày."
        )
    if on > date.today():
        raise InputError(f"Ngày {on:%d/%m/%Y} ở tương lai; ghi ngày đơn vị báo cáo thực tế.")
    directive = session.get(Directive, assignment.directive_id)
    periodic = (
        directive is not None
        and directive.due_kind == DueKind.RECURRING
        and directive.recurrence in RECURRING_PERIODS
    )
    if period is not None and not periodic:
        raise InputError(
            f"Nhiệm vụ giao {assignment_id} không phải nhiệm vụ định kỳ theo tháng/quý/năm: "
            "không ghi kỳ báo cáo cho nhiệm vụ này."
        )
    key = None
    if periodic:
        assert directive is not None and directive.recurrence is not None  # periodic
        recurrence = directive.recurrence
        key = parse_period_key(recurrence, period) if period else period_key(recurrence, on)
    update = ProgressUpdate(
        assignment_id=assignment_id,
        state=ProgressState(state).value,
        on=on,
        period=key,
        note=note,
        evidence=evidence,
        recorded_by=recorded_by,
    )
    session.add(update)
    if periodic:
        if state == ProgressState.DONE:
            _cancel_period_reminders(session, assignment_id, directive.recurrence, key)  # type: ignore[union-attr,arg-type]
    else:
        assignment.state = AssignmentState(state).value
        assignment.completed_on = on if state == ProgressState.DONE else None
    if evidence:
        assignment.evidence = evidence
    session.add(assignment)
    session.flush()
    return update


def _cancel_period_reminders(
    session: Session, assignment_id: int, recurrence: str, key: str
) -> None:
    """A period reported done gets no more reminders."""
    rungs = session.exec(
        select(Reminder).where(
            Reminder.assignment_id == assignment_id,
            Reminder.state == ReminderState.PLANNED,
            Reminder.occurrence.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    for rung in rungs:
        if period_key(recurrence, rung.occurrence) == key:  # type: ignore[arg-type]
            rung.state = ReminderState.CANCELLED.value
            session.add(rung)


def request_extension(
    *, session: Session, assignment_id: int, to: date, reason: str
) -> ExtensionRequest:
    """File a request to move an assignment's due date; it waits for a decision."""
    assignment, _notice = _assignment(session, assignment_id)
    if not reason.strip():
        raise InputError("Cần ghi lý do xin gia hạn (--reason).")
    if assignment.state == AssignmentState.DONE:
        raise StateError(f"Nhiệm vụ giao {assignment_id} đã hoàn thành; không cần gia hạn.")
    if assignment.effective_due is None:
        raise StateError(f"Nhiệm vụ giao {assignment_id} không có thời hạn; không thể gia hạn.")
    if to <= assignment.effective_due:
        raise InputError(
            f"Ngày gia hạn {to:%d/%m/%Y} phải sau hạn hiện tại {assignment.effective_due:%d/%m/%Y}."
        )
    pending = session.exec(
        select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == assignment_id,
            ExtensionRequest.state == ExtensionDecision.PENDING,
        )
    ).first()
    if pending:
        raise StateError(
            f"Nhiệm vụ giao {assignment_id} đã có đề nghị gia hạn số {pending.id} đang chờ quyết định."
        )
    request = ExtensionRequest(
        assignment_id=assignment_id,
        previous_due=assignment.effective_due,
        requested_due=to,
        reason=reason.strip(),
    )
    session.add(request)
    session.flush()
    return request


def decide_extension(
    *,
    session: Session,
    extension_id: int,
    approve: bool,
    on: date,
    decided_by: str | None = None,
    note: str | None = None,
    calendar: WorkCalendar | None = None,
) -> ExtensionRequest:
    """Approve or reject a pending request. Approval moves the effective due date (to the next
    working day when the granted date is not one); the previous date stays on the request."""
    request = session.get(ExtensionRequest, extension_id) if is_db_id(extension_id) else None
    if request is None:
        raise NotFoundError(f"Không có đề nghị gia hạn số {extension_id}.")
    if request.state != ExtensionDecision.PENDING:
        verb = "đã duyệt" if request.state == ExtensionDecision.APPROVED else "đã từ chối"
        raise StateError(f"Đề nghị gia hạn số {extension_id} {verb} rồi; không quyết định lại.")
    decision = ExtensionDecision.APPROVED if approve else ExtensionDecision.REJECTED
    request.state = decision.value
    request.decided_on = on
    request.decided_by = decided_by
    request.decision_note = note
    if approve:
        assignment = session.get(Assignment, request.assignment_id)
        assert assignment is not None  # enforced by the foreign key
        granted = (calendar or default_calendar()).roll_forward(request.requested_due)
        request.approved_due = granted
        assignment.effective_due = granted
        session.add(assignment)
        session.flush()
        _restart_reminders(session, assignment.id, on)  # type: ignore[arg-type]
    session.add(request)
    session.flush()
    return request


def find_assignment(*, session: Session, notice_id: int, ref: str, unit_code: str) -> Assignment:
    """The assignment of directive ``ref`` of a notice to the unit with ``unit_code``."""
    from models.unit import Unit

    assignment = session.exec(
        select(Assignment)
        .join(Directive, col(Directive.id) == col(Assignment.directive_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Directive.notice_id == notice_id, Directive.ref == ref, Unit.code == unit_code)
    ).first()
    if assignment is None:
        raise NotFoundError(
            f"Thông báo mã {notice_id} không giao mục {ref} cho đơn vị {unit_code}."
        )
    return assignment


def _restart_reminders(session: Session, assignment_id: int, on: date) -> None:
    """An approved extension restarts the reminder ladder of an assignment being followed up."""
    from tasks.reminders import replan_after_extension

    followed = session.exec(
        select(Reminder.id).where(Reminder.assignment_id == assignment_id)
    ).first()
    if followed is not None:
        replan_after_extension(session=session, assignment_id=assignment_id, start=on)
