"""A unit's own page, reached from its personal link: its open assignments, and what it may
do on each (report progress with evidence, ask for an extension), only on its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import case, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.db import current_actor
from models.notice import Assignment, AssignmentState, Directive, Recurrence
from models.progress import ExtensionDecision, ExtensionRequest, ProgressState, ProgressUpdate
from models.unit import Unit
from models.web import EvidenceFile, UnitLink
from services.dashboard import URGENCY
from services.evidence_files import CheckedFile, evidence_path, store
from services.progress import ask_extension, report_progress
from services.unit_links import TOKEN_PATTERN, TOUCH_EVERY, hash_of
from tasks.errors import InputError, NotFoundError, StateError
from tasks.periods import RECURRING_PERIODS, parse_period_key, period_key
from tasks.status import CATEGORY_BY_KEY, StatusRow, filtered_status_statement

EVIDENCE_URL_MAX = 1000  # ProgressUpdate.evidence
OPEN_STATUSES = ("overdue", "due_soon", "in_time", "no_deadline")
PERIOD_WORDS = {
    Recurrence.MONTHLY: "tháng",
    Recurrence.QUARTERLY: "quý",
    Recurrence.YEARLY: "năm",
}


class NotYours(NotFoundError):
    """An assignment or a file of another unit (or none): the link's unit never learns which."""


@dataclass
class PortalEvidence:
    id: int
    name: str
    size: int
    uploaded_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "uploaded_at": self.uploaded_at,
        }


@dataclass
class PortalItem:
    """One open assignment as the unit sees it."""

    number: int  # the «Mã» of dondoc status and of the messages
    notice_number: str | None
    notice_issued_on: date
    ref: str | None
    text: str
    role: str
    due: date | None
    due_text: str | None
    days_left: int | None  # calendar days; negative: late
    status: str
    period: str | None = None  # a recurring directive: the period reported by default
    period_word: str | None = None
    period_done: bool = False
    last_state: str | None = None
    last_on: date | None = None
    last_note: str | None = None
    pending_extension: date | None = None
    evidence: list[PortalEvidence] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return CATEGORY_BY_KEY[self.status].label

    @property
    def when(self) -> str:
        """Days left or late, in calendar days."""
        if self.days_left is None:
            return "không có hạn cụ thể"
        if self.days_left > 0:
            return f"còn {self.days_left} ngày"
        if self.days_left == 0:
            return "đến hạn hôm nay"
        return f"quá hạn {-self.days_left} ngày"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "notice_number": self.notice_number,
            "notice_issued_on": self.notice_issued_on.isoformat(),
            "ref": self.ref,
            "text": self.text,
            "role": self.role,
            "due": self.due.isoformat() if self.due else None,
            "due_text": self.due_text,
            "days_left": self.days_left,
            "when": self.when,
            "status": self.status,
            "status_label": self.status_label,
            "period": self.period,
            "period_done": self.period_done,
            "last_state": self.last_state,
            "last_on": self.last_on.isoformat() if self.last_on else None,
            "last_note": self.last_note,
            "pending_extension": (
                self.pending_extension.isoformat() if self.pending_extension else None
            ),
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class PortalView:
    """The unit's page: its open assignments, overdue first."""

    unit_code: str
    unit_name: str
    today: date
    items: list[PortalItem]

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.unit_code, "name": self.unit_name},
            "today": self.today.isoformat(),
            "days": "calendar",
            "assignments": [i.to_json() for i in self.items],
        }


def portal_view(*, session: Session, unit: Unit, today: date) -> PortalView:
    """The unit's open assignments as of ``today`` (the status of dondoc status), overdue
    first, each with its last report, pending extension and evidence files.

    Every query is of this unit's assignments only (the assignment's unit index), filtered and
    ordered in SQL: a unit's page costs the same however many assignments the others have."""
    assert unit.id is not None
    # The directive's recurrence rides along with the status (one query, not two).
    listed = (
        filtered_status_statement(
            as_of=today, unit_code=unit.code, due_soon_days=get_settings().due_soon_days
        )
        .add_columns(col(Directive.recurrence).label("recurrence"))
        .subquery()
    )
    urgency = case({key: rank for rank, key in enumerate(URGENCY)}, value=listed.c.status)
    found = session.exec(
        sa_select(listed)  # type: ignore[call-overload]
        .where(listed.c.status.in_(OPEN_STATUSES))
        .order_by(
            urgency,
            listed.c.effective_due.is_(None),  # no due date: after every dated one
            listed.c.effective_due,
            listed.c.assignment_id,
        )
    ).all()
    rows = [StatusRow(*row[:-1]) for row in found]
    recurrences = {
        row.assignment_id: row.recurrence for row in found if row.recurrence in RECURRING_PERIODS
    }
    last = _last_updates(session, unit.id)
    pending = _pending_extensions(session, unit.id)
    files = _evidence(session, unit.id)
    done_periods = _done_periods(session, unit.id) if recurrences else set()
    items: list[PortalItem] = []
    for r in rows:
        item = PortalItem(
            number=r.assignment_id,
            notice_number=r.notice_number,
            notice_issued_on=r.notice_issued_on,
            ref=r.ref,
            text=r.text,
            role=r.role,
            due=r.effective_due,
            due_text=r.due_text,
            days_left=(r.effective_due - today).days if r.effective_due else None,
            status=r.status,
            pending_extension=pending.get(r.assignment_id),
            evidence=files.get(r.assignment_id, []),
        )
        recurrence = recurrences.get(r.assignment_id)
        if recurrence is not None:
            item.period = period_key(recurrence, today)
            item.period_word = PERIOD_WORDS.get(Recurrence(recurrence))
            item.period_done = (r.assignment_id, item.period) in done_periods
        update = last.get(r.assignment_id)
        if update is not None:
            item.last_state, item.last_on, item.last_note = update.state, update.on, update.note
        items.append(item)
    return PortalView(unit_code=unit.code, unit_name=unit.name, today=today, items=items)


def _of_unit(unit_id: int) -> Any:
    """The condition «the assignment is the unit's» (by the assignment's unit index)."""
    return col(Assignment.unit_id) == unit_id


def _last_updates(session: Session, unit_id: int) -> dict[int, ProgressUpdate]:
    updates = session.exec(
        select(ProgressUpdate)
        .join(Assignment, col(Assignment.id) == col(ProgressUpdate.assignment_id))
        .where(_of_unit(unit_id))
        .order_by(col(ProgressUpdate.on), col(ProgressUpdate.id))
    ).all()
    return {u.assignment_id: u for u in updates}  # ordered: the newest wins


def _pending_extensions(session: Session, unit_id: int) -> dict[int, date]:
    rows = session.exec(
        select(col(ExtensionRequest.assignment_id), col(ExtensionRequest.requested_due))
        .join(Assignment, col(Assignment.id) == col(ExtensionRequest.assignment_id))
        .where(_of_unit(unit_id), ExtensionRequest.state == ExtensionDecision.PENDING)
    ).all()
    return dict(rows)


def _evidence(session: Session, unit_id: int) -> dict[int, list[PortalEvidence]]:
    out: dict[int, list[PortalEvidence]] = {}
    for f in session.exec(
        select(EvidenceFile)
        .join(Assignment, col(Assignment.id) == col(EvidenceFile.assignment_id))
        .where(_of_unit(unit_id))
        .order_by(col(EvidenceFile.id))
    ).all():
        assert f.id is not None
        out.setdefault(f.assignment_id, []).append(
            PortalEvidence(
                id=f.id, name=f.original_name, size=f.size, uploaded_at=f.uploaded_at.isoformat()
            )
        )
    return out


def _done_periods(session: Session, unit_id: int) -> set[tuple[int, str]]:
    """The (assignment, period) pairs of the unit reported done."""
    rows = session.exec(
        select(col(ProgressUpdate.assignment_id), col(ProgressUpdate.period))
        .join(Assignment, col(Assignment.id) == col(ProgressUpdate.assignment_id))
        .where(
            _of_unit(unit_id),
            ProgressUpdate.state == ProgressState.DONE,
            col(ProgressUpdate.period).is_not(None),
        )
    ).all()
    return {(aid, period) for aid, period in rows if period is not None}


def _period_done(session: Session, assignment_id: int, key: str) -> bool:
    return (
        session.exec(
            select(col(ProgressUpdate.id)).where(
                ProgressUpdate.assignment_id == assignment_id,
                ProgressUpdate.period == key,
                ProgressUpdate.state == ProgressState.DONE,
            )
        ).first()
        is not None
    )


def _unvisited(moment: datetime) -> Any:
    """A link's visit is due: never recorded, or TOUCH_EVERY ago or more."""
    return or_(
        col(UnitLink.last_used_at).is_(None),
        col(UnitLink.last_used_at) <= moment - TOUCH_EVERY,
    )


def visit_due(*, session: Session, token: str, now: datetime) -> bool:
    """Whether opening this link now is to be recorded (see ``record_visit``)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return False
    found = session.exec(
        select(col(UnitLink.id)).where(
            col(UnitLink.token_hash) == hash_of(token), _unvisited(now.astimezone(UTC))
        )
    ).first()
    return found is not None


def record_visit(*, session: Session, token: str, now: datetime) -> None:
    """Record that a valid link was opened (at most once every TOUCH_EVERY), as
    ``unit_for_token(touch=True)`` does, but in one UPDATE meant to be the first statement of
    its own transaction: SQLite then waits its turn for the write lock, where a page's read
    transaction that writes at its end fails with «database is locked» as soon as another
    visit has written since it began."""
    if not TOKEN_PATTERN.fullmatch(token):
        return
    moment = now.astimezone(UTC)
    session.execute(
        update(UnitLink)
        .where(
            col(UnitLink.token_hash) == hash_of(token),
            col(UnitLink.revoked_at).is_(None),
            col(UnitLink.expires_at) > moment,
            _unvisited(moment),
        )
        .values(last_used_at=moment)
    )


def own_assignment(*, session: Session, unit: Unit, assignment_id: int) -> Assignment:
    """The unit's own assignment; another unit's, or none, is refused alike."""
    assignment = session.get(Assignment, assignment_id) if 0 < assignment_id < 2**31 else None
    if assignment is None or assignment.unit_id != unit.id:
        raise NotYours(
            f"Nhiệm vụ mã {assignment_id} không có trong danh sách nhiệm vụ của đơn vị; "
            "không ghi nhận gì."
        )
    return assignment


def check_evidence_url(url: str) -> str:
    """A web address (http or https, with a host) given as evidence."""
    text = url.strip()
    parsed = urlparse(text)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc or " " in text:
        raise InputError(
            f"Địa chỉ minh chứng «{text[:80]}» không hợp lệ: ghi địa chỉ bắt đầu bằng "
            "http:// hoặc https://."
        )
    if len(text) > EVIDENCE_URL_MAX:
        raise InputError(
            f"Địa chỉ minh chứng dài {len(text)} ký tự, tối đa {EVIDENCE_URL_MAX} ký tự."
        )
    return text


def _refuse_repeat(
    session: Session, assignment: Assignment, state: str, on: date, period: str | None
) -> None:
    """A second «done» for the same assignment (or the same period), and a report on an
    assignment already done, are refused: the page may have been sent twice."""
    directive = session.get(Directive, assignment.directive_id)
    recurrence = directive.recurrence if directive is not None else None
    if recurrence in RECURRING_PERIODS:
        assert recurrence is not None
        key = parse_period_key(recurrence, period) if period else period_key(recurrence, on)
        if state == ProgressState.DONE and _period_done(session, assignment.id or 0, key):
            raise StateError(
                f"Nhiệm vụ giao {assignment.id} kỳ {key} đã được ghi nhận hoàn thành; "
                "không ghi nhận lại."
            )
        return
    if assignment.state == AssignmentState.DONE:
        done_on = f" ngày {assignment.completed_on:%d/%m/%Y}" if assignment.completed_on else ""
        raise StateError(
            f"Nhiệm vụ giao {assignment.id} đã được ghi nhận hoàn thành{done_on}; "
            "không ghi nhận lại. Cần sửa, đề nghị liên hệ Văn phòng."
        )


@dataclass
class PortalReport:
    """What a report from the page recorded, and the evidence file written (to remove it if
    the transaction fails after all)."""

    assignment_id: int
    state: str
    on: date
    period: str | None
    evidence_file_id: int | None
    stored: Path | None

    def to_json(self) -> dict[str, Any]:
        return {
            "assignment_id": self.assignment_id,
            "state": self.state,
            "on": self.on.isoformat(),
            "period": self.period,
            "evidence_file_id": self.evidence_file_id,
        }


def portal_report(
    *,
    session: Session,
    unit: Unit,
    assignment_id: int,
    state: str,
    on: date,
    note: str | None = None,
    period: str | None = None,
    url: str | None = None,
    upload: CheckedFile | None = None,
) -> PortalReport:
    """Record the unit's report on its own assignment, as ``dondoc assignment update`` does
    (a recurring directive: the period), with a checked file and/or a web address."""
    assignment = own_assignment(session=session, unit=unit, assignment_id=assignment_id)
    if state not in (ProgressState.IN_PROGRESS, ProgressState.DONE):
        raise InputError("Chọn tình trạng: đang thực hiện hoặc đã hoàn thành.")
    _refuse_repeat(session, assignment, state, on, period)
    link = check_evidence_url(url) if url and url.strip() else None
    update = report_progress(
        session=session,
        assignment_id=assignment_id,
        state=state,
        on=on,
        note=note.strip() if note and note.strip() else None,
        evidence=link,
        period=period,
    )
    file_id = None
    stored = None
    if upload is not None:
        row = EvidenceFile(
            assignment_id=assignment_id,
            progress_update_id=update.id,
            sha256=upload.sha256,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=current_actor(),
        )
        session.add(row)
        session.flush()
        file_id = row.id
        stored = store(upload)  # last: nothing is written to disk for a refused report
    return PortalReport(
        assignment_id=assignment_id,
        state=state,
        on=on,
        period=update.period,
        evidence_file_id=file_id,
        stored=stored,
    )


def portal_extension(
    *, session: Session, unit: Unit, assignment_id: int, to: date, reason: str
) -> ExtensionRequest:
    """The unit asks to move its own assignment's due date (waits for a leader)."""
    own_assignment(session=session, unit=unit, assignment_id=assignment_id)
    return ask_extension(session=session, assignment_id=assignment_id, to=to, reason=reason)


def portal_evidence(*, session: Session, unit: Unit, evidence_id: int) -> tuple[EvidenceFile, Path]:
    """A stored evidence file of the unit's own assignments, and where it is on disk."""
    row = session.get(EvidenceFile, evidence_id) if 0 < evidence_id < 2**31 else None
    assignment = session.get(Assignment, row.assignment_id) if row is not None else None
    if row is None or assignment is None or assignment.unit_id != unit.id:
        raise NotYours(f"Không có tệp minh chứng số {evidence_id} của đơn vị.")
    path = evidence_path(row.sha256)
    if not path.is_file():
        raise NotYours(f"Tệp minh chứng số {evidence_id} không còn trong kho lưu trữ.")
    return row, path


__all__ = [
    "NotYours",
    "PortalItem",
    "PortalReport",
    "PortalView",
    "check_evidence_url",
    "own_assignment",
    "portal_evidence",
    "portal_extension",
    "portal_report",
    "portal_view",
    "record_visit",
    "visit_due",
]
