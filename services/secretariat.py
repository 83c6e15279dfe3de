"""What the secretariat's pages read beyond one assignment: the queue of extension
requests, one unit of the directory (contacts masked), and the briefing as a file to
download."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.notice import Assignment, AssignmentState, Directive, Notice
from models.progress import ExtensionDecision, ExtensionRequest
from models.unit import Unit
from notifications.channels import mask_recipient
from services.reports import briefing_document
from tasks.periods import Period

DECIDED_SHOWN = 50  # the latest decisions under the queue


@dataclass
class ExtensionLine:
    """An extension request with what identifies its assignment."""

    id: int
    assignment_id: int
    notice_number: str | None
    ref: str | None
    text: str
    unit_code: str
    unit_name: str
    current_due: date | None
    previous_due: date | None
    requested_due: date
    reason: str
    requested_at: datetime
    state: str
    approved_due: date | None
    decided_on: date | None
    decided_by: str | None
    decision_note: str | None

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key, value in out.items():
            if isinstance(value, date | datetime):
                out[key] = value.isoformat()
        return out


@dataclass
class ExtensionQueue:
    """Requests waiting for a decision (oldest first) and the latest decided ones."""

    pending: list[ExtensionLine]
    decided: list[ExtensionLine]

    def to_json(self) -> dict[str, Any]:
        return {
            "pending": [e.to_json() for e in self.pending],
            "decided": [e.to_json() for e in self.decided],
        }


def extension_queue(*, session: Session, decided_limit: int = DECIDED_SHOWN) -> ExtensionQueue:
    """The pending requests, oldest first, and the ``decided_limit`` latest decisions."""
    base = (
        sa_select(ExtensionRequest, Assignment, Directive, Notice, Unit)  # sqlmodel's: 4 at most
        .join(Assignment, col(Assignment.id) == ExtensionRequest.assignment_id)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .join(Notice, col(Notice.id) == Directive.notice_id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
    )
    pending = session.execute(
        base.where(col(ExtensionRequest.state) == ExtensionDecision.PENDING).order_by(
            col(ExtensionRequest.requested_at), col(ExtensionRequest.id)
        )
    )
    decided = session.execute(
        base.where(col(ExtensionRequest.state) != ExtensionDecision.PENDING)
        .order_by(col(ExtensionRequest.decided_on).desc(), col(ExtensionRequest.id).desc())
        .limit(decided_limit)
    )
    return ExtensionQueue(
        pending=[_line(*row) for row in pending.tuples()],
        decided=[_line(*row) for row in decided.tuples()],
    )


def _line(e: ExtensionRequest, a: Assignment, d: Directive, n: Notice, u: Unit) -> ExtensionLine:
    return ExtensionLine(
        id=e.id or 0,
        assignment_id=a.id or 0,
        notice_number=n.number,
        ref=d.ref,
        text=d.text,
        unit_code=u.code,
        unit_name=u.name,
        current_due=a.effective_due,
        previous_due=e.previous_due,
        requested_due=e.requested_due,
        reason=e.reason,
        requested_at=e.requested_at,
        state=e.state,
        approved_due=e.approved_due,
        decided_on=e.decided_on,
        decided_by=e.decided_by,
        decision_note=e.decision_note,
    )


@dataclass
class UnitDetail:
    """One unit as the secretariat sees it: contacts with phone numbers masked."""

    id: int
    code: str
    name: str
    kind: str
    active: bool
    aliases: list[str]
    parent: tuple[str, str] | None  # (code, name)
    children: list[tuple[str, str]]
    contacts: list[str]
    head: dict[str, Any]
    open_assignments: int

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "active": self.active,
            "aliases": self.aliases,
            "parent": {"code": self.parent[0], "name": self.parent[1]} if self.parent else None,
            "children": [{"code": c, "name": n} for c, n in self.children],
            "contacts": self.contacts,
            "head": self.head,
            "open_assignments": self.open_assignments,
        }


def unit_detail(*, session: Session, code: str) -> UnitDetail | None:
    """The unit with this code (its contacts and its head's masked), or None."""
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None or unit.id is None:
        return None
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    children = session.exec(
        select(Unit.code, Unit.name).where(Unit.parent_id == unit.id).order_by(col(Unit.code))
    ).all()
    open_count = session.exec(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.unit_id == unit.id, Assignment.state != AssignmentState.DONE)
    ).one()
    head = dict(unit.head) if isinstance(unit.head, dict) else {}
    if isinstance(head.get("contacts"), list):
        head["contacts"] = [mask_recipient(str(c)) for c in head["contacts"]]
    return UnitDetail(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        active=unit.active,
        aliases=list(unit.aliases),
        parent=(parent.code, parent.name) if parent else None,
        children=[(c, n) for c, n in children],
        contacts=[mask_recipient(str(c)) for c in unit.contacts],
        head=head,
        open_assignments=int(open_count),
    )


# What a downloaded briefing is sent as, by format.
BRIEFING_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


@dataclass
class BriefingFile:
    """The briefing of a period as a file: its bytes, name and content type."""

    content: bytes
    file_name: str
    content_type: str


def briefing_file(*, session: Session, period: Period, fmt: str) -> BriefingFile:
    """The briefing in ``fmt`` (docx, md, json, html) as ``bao-cao-giao-ban-YYYY-MM.ext``.
    A DOCX is only written to a file, so it goes through a temporary folder."""
    name = f"bao-cao-giao-ban-{period.year}-{period.month:02d}.{fmt}"
    if fmt == "docx":
        with tempfile.TemporaryDirectory(prefix="dondoc-briefing-") as folder:
            out = Path(folder) / name
            briefing_document(session=session, period=period, fmt=fmt, out=out)
            content = out.read_bytes()
    else:
        document = briefing_document(session=session, period=period, fmt=fmt)
        content = document.text.encode("utf-8")
    return BriefingFile(content=content, file_name=name, content_type=BRIEFING_TYPES[fmt])
