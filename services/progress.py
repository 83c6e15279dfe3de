"""What units report back: progress and completion, extension requests and their decision,
and progress tables imported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from models.db import current_actor
from models.limits import is_db_id
from models.notice import Assignment, AssignmentState, Directive
from models.progress import ExtensionRequest, ProgressState, ProgressUpdate
from tasks.errors import StateError
from tasks.periods import RECURRING_PERIODS, parse_period_key, period_key
from tasks.progress import decide_extension, record_progress, request_extension
from tasks.progress_import import ProgressImportReport, import_progress


def report_progress(
    *,
    session: Session,
    assignment_id: int,
    state: str,
    on: date,
    note: str | None = None,
    evidence: str | None = None,
    period: str | None = None,
) -> ProgressUpdate:
    """Record a unit's progress (``in_progress``) or completion (``done``), by the current
    actor. A second «done» for an assignment already done (or for a period already done) is
    refused, from the unit's page and from ``dondoc assignment update`` alike: the form may
    have been sent twice. A wrong completion date is corrected by recording «in progress»
    first."""
    refuse_repeat(session=session, assignment_id=assignment_id, state=state, on=on, period=period)
    return record_progress(
        session=session,
        assignment_id=assignment_id,
        state=state,
        on=on,
        note=note,
        evidence=evidence,
        recorded_by=current_actor(),
        period=period,
    )


def refuse_repeat(
    *, session: Session, assignment_id: int, state: str, on: date, period: str | None
) -> None:
    """A second «done» for the same assignment, or for the same period of a recurring one."""
    if state != ProgressState.DONE or not is_db_id(assignment_id):
        return  # out of range: record_progress says it does not exist
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return  # record_progress says it does not exist
    directive = session.get(Directive, assignment.directive_id)
    recurrence = directive.recurrence if directive is not None else None
    if recurrence in RECURRING_PERIODS:
        assert recurrence is not None
        key = parse_period_key(recurrence, period) if period else period_key(recurrence, on)
        done = session.exec(
            select(col(ProgressUpdate.id)).where(
                ProgressUpdate.assignment_id == assignment_id,
                ProgressUpdate.period == key,
                ProgressUpdate.state == ProgressState.DONE,
            )
        ).first()
        if done is not None:
            raise StateError(
                f"Nhiệm vụ giao {assignment_id} kỳ {key} đã được ghi nhận hoàn thành; "
                "không ghi nhận lại."
            )
        return
    if assignment.state == AssignmentState.DONE:
        done_on = f" ngày {assignment.completed_on:%d/%m/%Y}" if assignment.completed_on else ""
        raise StateError(
            f"Nhiệm vụ giao {assignment_id} đã được ghi nhận hoàn thành{done_on}; không ghi "
            "nhận lại. Cần sửa ngày hoàn thành: Văn phòng ghi «đang thực hiện» trước, rồi ghi "
            "lại «hoàn thành»."
        )


def ask_extension(
    *, session: Session, assignment_id: int, to: date, reason: str
) -> ExtensionRequest:
    """File a request to move an assignment's due date (waits for a leader's decision)."""
    return request_extension(session=session, assignment_id=assignment_id, to=to, reason=reason)


def decide(
    *, session: Session, extension_id: int, approve: bool, on: date, note: str | None = None
) -> ExtensionRequest:
    """Approve (the due date moves, the old one is kept) or reject an extension request."""
    return decide_extension(
        session=session,
        extension_id=extension_id,
        approve=approve,
        on=on,
        decided_by=current_actor(),
        note=note,
    )


def import_progress_table(
    *, session: Session, path: Path, dry_run: bool = False
) -> ProgressImportReport:
    """Record every row of a progress table, all or nothing; ``dry_run`` checks and rolls back."""
    report = import_progress(session=session, path=path, recorded_by=current_actor())
    if dry_run:
        session.rollback()
    return report
