"""What units report back: progress and completion, extension requests and their decision,
and progress tables imported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from models.db import current_actor
from models.progress import ExtensionRequest, ProgressUpdate
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
    """Record a unit's progress (``in_progress``) or completion (``done``), by the current actor."""
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
