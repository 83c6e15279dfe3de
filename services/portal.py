"""A unit's own page, reached from its personal link: its open assignments, and what it may
do on each (report progress with evidence, ask for an extension), only on its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.db import current_actor
from models.notice import Assignment, Directive, Recurrence
from models.progress import ExtensionDecision, ExtensionRequest, ProgressState, ProgressUpdate
from models.unit import Unit
from models.web import EvidenceFile
from services.dashboard import URGENCY
from services.evidence_files import CheckedFile, evidence_path, store
from services.progress import ask_extension, report_progress
from tasks.errors import InputError, NotFoundError
from tasks.periods import RECURRING_PERIODS, period_key
from tasks.status import CATEGORY_BY_KEY, StatusRow, filtered_status_statement

EVIDENCE_URL_MAX = 1000  # ProgressUpdate.evidence
OPEN_STATUSES = ("overdue", "due_soon", "in_time", "no_deadline")
# Assignments listed to a page: a phone shows a few at a time, the page stays light however
# many a unit has (the counts above the list tell how many there are in all).
PAGE_SIZE = 20
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
    """The unit's page: its open assignments, overdue first, one page of them at a time."""

    unit_code: str
    unit_name: str
    today: date
    items: list[PortalItem]
    counts: dict[str, int] = field(default_factory=dict)  # open assignments by category
    page: int = 1
    pages: int = 1
    only: int | None = None  # the page shows this one assignment (a refused form's)

    @property
    def total(self) -> int:
        """Open assignments, listed on this page or not."""
        return sum(self.counts.values())

    @property
    def first(self) -> int:
        """The position of the first item listed (1-based), for «21–40 of 673»."""
        return (self.page - 1) * PAGE_SIZE + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.unit_code, "name": self.unit_name},
            "today": self.today.isoformat(),
            "days": "calendar",
            "counts": self.counts,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "per_page": PAGE_SIZE,
            "assignments": [i.to_json() for i in self.items],
        }


def portal_view(
    *, session: Session, unit: Unit, today: date, page: int = 1, only: int | None = None
) -> PortalView:
    """The unit's open assignments as of ``today`` (the status of dondoc status), overdue
    first, ``PAGE_SIZE`` to a page, each with its last report, pending extension and evidence
    files; with ``only``: that one assignment of the unit's (open or not), alone.

    Every query is of this unit's assignments only (the assignment's unit index), counted,
    filtered, ordered and cut to the page in SQL: a unit's page costs the same however many
    assignments the others have, and its listed items' details are read by their ids."""
    assert unit.id is not None
    # The directive's recurrence rides along with the status (one query, not two).
    listed = (
        filtered_status_statement(
            as_of=today, unit_code=unit.code, due_soon_days=get_settings().due_soon_days
        )
        .add_columns(col(Directive.recurrence).label("recurrence"))
        .subquery()
    )
    is_open = listed.c.status.in_(OPEN_STATUSES)
    counts = {key: 0 for key in OPEN_STATUSES}
    for status, n in session.exec(
        sa_select(listed.c.status, func.count())  # type: ignore[call-overload]
        .where(is_open)
        .group_by(listed.c.status)
    ).all():
        counts[status] = n
    pages = max(1, -(-sum(counts.values()) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    urgency = case({key: rank for rank, key in enumerate(URGENCY)}, value=listed.c.status)
    chosen = sa_select(listed)
    if only is not None:
        chosen = chosen.where(listed.c.assignment_id == only)
    else:
        chosen = (
            chosen.where(is_open)
            .order_by(
                urgency,
                listed.c.effective_due.is_(None),  # no due date: after every dated one
                listed.c.effective_due,
                listed.c.assignment_id,
            )
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    found = session.exec(chosen).all()  # type: ignore[call-overload]
    rows = [StatusRow(*row[:-1]) for row in found]
    recurrences = {
        row.assignment_id: row.recurrence for row in found if row.recurrence in RECURRING_PERIODS
    }
    ids = [r.assignment_id for r in rows]
    last = _last_updates(session, ids)
    pending = _pending_extensions(session, ids)
    files = _evidence(session, ids)
    done_periods = _done_periods(session, list(recurrences)) if recurrences else set()
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
    return PortalView(
        unit_code=unit.code,
        unit_name=unit.name,
        today=today,
        items=items,
        counts=counts,
        page=page,
        pages=pages,
        only=only,
    )


def _last_updates(session: Session, ids: list[int]) -> dict[int, ProgressUpdate]:
    updates = session.exec(
        select(ProgressUpdate)
        .where(col(ProgressUpdate.assignment_id).in_(ids))
        .order_by(col(ProgressUpdate.on), col(ProgressUpdate.id))
    ).all()
    return {u.assignment_id: u for u in updates}  # ordered: the newest wins


def _pending_extensions(session: Session, ids: list[int]) -> dict[int, date]:
    rows = session.exec(
        select(col(ExtensionRequest.assignment_id), col(ExtensionRequest.requested_due)).where(
            col(ExtensionRequest.assignment_id).in_(ids),
            ExtensionRequest.state == ExtensionDecision.PENDING,
        )
    ).all()
    return dict(rows)


def _evidence(session: Session, ids: list[int]) -> dict[int, list[PortalEvidence]]:
    out: dict[int, list[PortalEvidence]] = {}
    for f in session.exec(
        select(EvidenceFile)
        .where(col(EvidenceFile.assignment_id).in_(ids))
        .order_by(col(EvidenceFile.id))
    ).all():
        assert f.id is not None
        out.setdefault(f.assignment_id, []).append(
            PortalEvidence(
                id=f.id, name=f.original_name, size=f.size, uploaded_at=f.uploaded_at.isoformat()
            )
        )
    return out


def _done_periods(session: Session, ids: list[int]) -> set[tuple[int, str]]:
    """The (assignment, period) pairs of these assignments reported done."""
    rows = session.exec(
        select(col(ProgressUpdate.assignment_id), col(ProgressUpdate.period)).where(
            col(ProgressUpdate.assignment_id).in_(ids),
            ProgressUpdate.state == ProgressState.DONE,
            col(ProgressUpdate.period).is_not(None),
        )
    ).all()
    return {(aid, period) for aid, period in rows if period is not None}


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
    own_assignment(session=session, unit=unit, assignment_id=assignment_id)
    if state not in (ProgressState.IN_PROGRESS, ProgressState.DONE):
        raise InputError("Chọn tình trạng: đang thực hiện hoặc đã hoàn thành.")
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
]
