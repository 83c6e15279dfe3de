"""What the secretariat reads about one notice or one assignment: its directives and
assignments with their status as of a day, and an assignment's whole history (progress
reports with their evidence, extension requests, reminders sent, audit events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, or_, select

from dondoc.settings import get_settings
from models.audit import AuditEvent
from models.delivery import Delivery
from models.limits import is_db_id
from models.notice import Assignment, Directive, Notice, NoticePublic
from models.progress import (
    ExtensionRequest,
    ExtensionRequestPublic,
    ProgressUpdate,
    ProgressUpdatePublic,
)
from models.unit import Unit
from models.web import EvidenceFile
from services.evidence_files import evidence_path
from services.outbox import DeliveryView
from tasks.errors import InputError
from tasks.status import StatusRow, filtered_status_statement


def status_rows(*, session: Session, as_of: date, where: Any) -> list[StatusRow]:
    """The status as of ``as_of`` of the assignments ``where`` selects (a condition over
    Assignment, Directive, Notice or Unit), in document order: the numbers of ``dondoc status``."""
    stmt = (
        filtered_status_statement(as_of=as_of, due_soon_days=get_settings().due_soon_days)
        .where(where)
        .order_by(col(Directive.position), col(Unit.code))
    )
    return [StatusRow(*row) for row in session.exec(stmt).all()]


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class NoticeDirective:
    """One directive of a notice with its assignments' status."""

    id: int
    ref: str | None
    text: str
    due_text: str | None
    assignments: list[StatusRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ref": self.ref,
            "text": self.text,
            "due_text": self.due_text,
            "assignments": [a.to_json() for a in self.assignments],
        }


@dataclass
class NoticeDetail:
    """A notice, its directives in document order, each with its units' assignments."""

    notice: NoticePublic
    as_of: date
    directives: list[NoticeDirective]

    def to_json(self) -> dict[str, Any]:
        n = self.notice
        return {
            "id": n.id,
            "number": n.number,
            "issued_on": n.issued_on.isoformat(),
            "issuer": n.issuer,
            "title": n.title,
            "signer": n.signer,
            "follow_up": n.follow_up.value,
            "as_of": self.as_of.isoformat(),
            "directives": [d.to_json() for d in self.directives],
        }


def notice_detail(*, session: Session, notice_id: int, as_of: date) -> NoticeDetail | None:
    """The notice with this id and its directives' assignments as of a day; None if unknown."""
    notice = session.get(Notice, notice_id) if is_db_id(notice_id) else None
    if notice is None:
        return None
    directives = session.exec(
        select(Directive).where(Directive.notice_id == notice_id).order_by(col(Directive.position))
    ).all()
    lines = {
        d.id: NoticeDirective(id=d.id or 0, ref=d.ref, text=d.text, due_text=d.due_text)
        for d in directives
    }
    directive_of = dict(
        session.exec(
            select(Assignment.id, Assignment.directive_id)
            .join(Directive, col(Directive.id) == Assignment.directive_id)
            .where(Directive.notice_id == notice_id)
        ).all()
    )
    for row in status_rows(session=session, as_of=as_of, where=col(Notice.id) == notice_id):
        lines[directive_of[row.assignment_id]].assignments.append(row)
    return NoticeDetail(
        notice=NoticePublic.model_validate(notice), as_of=as_of, directives=list(lines.values())
    )


@dataclass
class EvidenceView:
    """A file sent as evidence (downloaded through the assignment page)."""

    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime
    uploaded_by: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "original_name": self.original_name,
            "content_type": self.content_type,
            "size": self.size,
            "uploaded_at": self.uploaded_at.isoformat(),
            "uploaded_by": self.uploaded_by,
        }


@dataclass
class ReportLine:
    """A progress report with the files sent with it."""

    update: ProgressUpdatePublic
    files: list[EvidenceView]

    def to_json(self) -> dict[str, Any]:
        u = self.update
        return {
            "id": u.id,
            "state": u.state.value,
            "on": u.on.isoformat(),
            "period": u.period,
            "note": u.note,
            "evidence": u.evidence,
            "recorded_by": u.recorded_by,
            "recorded_at": u.recorded_at.isoformat(),
            "files": [f.to_json() for f in self.files],
        }


@dataclass
class AssignmentHistory:
    """One assignment (its directive, notice and unit) and everything that happened to it."""

    assignment_id: int
    notice: NoticePublic
    directive: Directive
    unit: Unit
    role: str
    state: str
    stated_due: date | None
    effective_due: date | None
    completed_on: date | None
    status: StatusRow | None
    reports: list[ReportLine]
    loose_files: list[EvidenceView]  # files not tied to one report
    extensions: list[ExtensionRequestPublic]
    reminders: list[DeliveryView]
    events: list[AuditEvent]

    @property
    def periodic(self) -> bool:
        return self.directive.recurrence in ("monthly", "quarterly", "yearly")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.assignment_id,
            "notice": {
                "id": self.notice.id,
                "number": self.notice.number,
                "issued_on": self.notice.issued_on.isoformat(),
                "issuer": self.notice.issuer,
            },
            "directive": {
                "id": self.directive.id,
                "ref": self.directive.ref,
                "text": self.directive.text,
                "due_text": self.directive.due_text,
                "recurrence": self.directive.recurrence,
            },
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "role": self.role,
            "state": self.state,
            "stated_due": _iso(self.stated_due),
            "effective_due": _iso(self.effective_due),
            "completed_on": _iso(self.completed_on),
            "status": self.status.status if self.status else None,
            "reports": [r.to_json() for r in self.reports],
            "files": [f.to_json() for f in self.loose_files],
            "extensions": [_extension_json(e) for e in self.extensions],
            "reminders": [d.to_json() for d in self.reminders],
            "events": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "action": e.action,
                    "changes": e.changes,
                }
                for e in self.events
            ],
        }


def _extension_json(e: ExtensionRequestPublic) -> dict[str, Any]:
    return {
        "id": e.id,
        "state": e.state.value,
        "previous_due": _iso(e.previous_due),
        "requested_due": e.requested_due.isoformat(),
        "reason": e.reason,
        "requested_at": e.requested_at.isoformat(),
        "approved_due": _iso(e.approved_due),
        "decided_on": _iso(e.decided_on),
        "decided_by": e.decided_by,
        "decision_note": e.decision_note,
    }


def _evidence(f: EvidenceFile) -> EvidenceView:
    return EvidenceView(
        id=f.id or 0,
        original_name=f.original_name,
        content_type=f.content_type,
        size=f.size,
        uploaded_at=f.uploaded_at,
        uploaded_by=f.uploaded_by,
    )


def assignment_history(
    *, session: Session, assignment_id: int, as_of: date
) -> AssignmentHistory | None:
    """Everything about one assignment, oldest first; None when there is no such id."""
    found = (
        session.exec(
            select(Assignment, Directive, Notice, Unit)
            .join(Directive, col(Directive.id) == Assignment.directive_id)
            .join(Notice, col(Notice.id) == Directive.notice_id)
            .join(Unit, col(Unit.id) == Assignment.unit_id)
            .where(Assignment.id == assignment_id)
        ).first()
        if is_db_id(assignment_id)
        else None
    )
    if found is None:
        return None
    assignment, directive, notice, unit = found
    rows = status_rows(session=session, as_of=as_of, where=col(Assignment.id) == assignment_id)
    files = session.exec(
        select(EvidenceFile)
        .where(EvidenceFile.assignment_id == assignment_id)
        .order_by(col(EvidenceFile.id))
    ).all()
    updates = session.exec(
        select(ProgressUpdate)
        .where(ProgressUpdate.assignment_id == assignment_id)
        .order_by(col(ProgressUpdate.on), col(ProgressUpdate.id))
    ).all()
    reports = [
        ReportLine(
            update=ProgressUpdatePublic.model_validate(u),
            files=[_evidence(f) for f in files if f.progress_update_id == u.id],
        )
        for u in updates
    ]
    report_ids = {u.id for u in updates}
    extensions = session.exec(
        select(ExtensionRequest)
        .where(ExtensionRequest.assignment_id == assignment_id)
        .order_by(col(ExtensionRequest.id))
    ).all()
    return AssignmentHistory(
        assignment_id=assignment_id,
        notice=NoticePublic.model_validate(notice),
        directive=directive,
        unit=unit,
        role=assignment.role,
        state=assignment.state,
        stated_due=assignment.stated_due,
        effective_due=assignment.effective_due,
        completed_on=assignment.completed_on,
        status=rows[0] if rows else None,
        reports=reports,
        loose_files=[_evidence(f) for f in files if f.progress_update_id not in report_ids],
        extensions=[ExtensionRequestPublic.model_validate(e) for e in extensions],
        reminders=_reminders_sent(session, assignment_id, assignment.unit_id),
        events=_events(session, assignment_id, [e.id for e in extensions if e.id is not None]),
    )


def _reminders_sent(session: Session, assignment_id: int, unit_id: int) -> list[DeliveryView]:
    """The messages that carried this assignment: those of its unit (to the unit or its
    head) and those to no unit (leaders' copies), kept when they list it."""
    rows = session.exec(
        select(Delivery)
        .where(or_(Delivery.unit_id == unit_id, col(Delivery.unit_id).is_(None)))
        .order_by(col(Delivery.created_at), col(Delivery.id))
    ).all()
    return [DeliveryView.of(d) for d in rows if assignment_id in (d.assignment_ids or [])]


def _events(session: Session, assignment_id: int, extension_ids: list[int]) -> list[AuditEvent]:
    """The audit log of the assignment and of its extension requests, oldest first."""
    of_assignment = (col(AuditEvent.entity) == "assignment") & (
        col(AuditEvent.entity_id) == assignment_id
    )
    of_extensions = (col(AuditEvent.entity) == "extension_request") & col(AuditEvent.entity_id).in_(
        extension_ids
    )
    return list(
        session.exec(
            select(AuditEvent)
            .where(or_(of_assignment, of_extensions))
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
    )


@dataclass
class StoredEvidence:
    """An evidence file to serve: its name as sent, its type and where it is stored."""

    original_name: str
    content_type: str
    path: Path


def evidence_of(*, session: Session, assignment_id: int, evidence_id: int) -> StoredEvidence | None:
    """The stored file of this assignment's evidence; None when either id is wrong or the
    file is missing from DATA_DIR/evidence."""
    row = session.get(EvidenceFile, evidence_id) if is_db_id(evidence_id) else None
    if row is None or row.assignment_id != assignment_id:
        return None
    try:
        path = evidence_path(row.sha256)  # never a path built from anything but a digest
    except InputError:
        return None
    if not path.is_file():
        return None
    return StoredEvidence(original_name=row.original_name, content_type=row.content_type, path=path)
