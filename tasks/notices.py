"""Registering a notice: its directives and their assignments to units, stored once (a
notice registered twice is refused), with a copy of the signed original when it came from a
document.

Reading and checking the notice file lives in ``tasks.notice_files``; its public names are
importable from here too, as callers have always done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from models.notice import Assignment, AssignmentRole, Directive, Notice
from tasks.calendar import WorkCalendar, default_calendar
from tasks.deadlines import effective_due
from tasks.errors import DuplicateError
from tasks.fileio import short_text
from tasks.notice_files import (
    DIRECTIVE_FIELDS,
    NOTICE_FIELDS,
    DirectiveIn,
    NoticeIn,
    extraction_to_mapping,
    notice_from_mapping,
    read_notice_file,
)
from tasks.unit_matching import name_key

__all__ = [
    "DIRECTIVE_FIELDS",
    "NOTICE_FIELDS",
    "DirectiveIn",
    "NoticeIn",
    "extraction_to_mapping",
    "find_duplicate",
    "notice_from_mapping",
    "read_notice_file",
    "register_document",
    "register_notice_file",
    "store_notice",
    "store_original",
]


def find_duplicate(*, session: Session, notice: NoticeIn) -> Notice | None:
    """An already registered notice from the same issuer with the same number, or, for a
    notice without a number, with the same date and title."""
    if notice.number:
        candidates = session.exec(select(Notice).where(Notice.number == notice.number)).all()
    else:
        candidates = session.exec(
            select(Notice).where(Notice.number.is_(None), Notice.issued_on == notice.issued_on)  # type: ignore[union-attr]
        ).all()
        candidates = [c for c in candidates if name_key(c.title) == name_key(notice.title)]
    for other in candidates:
        if notice.issuer_unit_id is not None and other.issuer_unit_id == notice.issuer_unit_id:
            return other
        if name_key(other.issuer) == name_key(notice.issuer):
            return other
    return None


def store_notice(
    *,
    session: Session,
    notice: NoticeIn,
    calendar: WorkCalendar | None = None,
    source_file: str | None = None,
    source_sha256: str | None = None,
) -> Notice:
    """Write a checked notice, its directives and their assignments (lead and support units).

    Raises DuplicateError when the same issuer already registered the same number.
    """
    cal = calendar or default_calendar()
    duplicate = find_duplicate(session=session, notice=notice)
    if duplicate:
        what = f"số {notice.number}" if notice.number else f"«{short_text(notice.title)}» (chưa số)"
        raise DuplicateError(
            f"Văn bản {what} của «{notice.issuer}» đã được đăng ký "
            f"(ngày {duplicate.issued_on:%d/%m/%Y}, mã {duplicate.id}). Không đăng ký lại; "
            "nếu là văn bản khác, kiểm tra lại số, ngày và cơ quan ban hành."
        )
    row = Notice(
        number=notice.number,
        doc_type=notice.doc_type,
        issuer=notice.issuer,
        issuer_unit_id=notice.issuer_unit_id,
        place=notice.place,
        issued_on=notice.issued_on,
        title=notice.title,
        meeting_date=notice.meeting_date,
        chair=notice.chair,
        signer=notice.signer,
        recipients=notice.recipients,
        addressees=notice.addressees,
        source_file=source_file,
        source_sha256=source_sha256,
    )
    session.add(row)
    session.flush()
    assert row.id is not None  # flushed
    for item in notice.directives:
        directive = Directive(
            notice_id=row.id,
            position=item.position,
            ref=item.ref,
            text=item.text,
            due_kind=item.due.kind.value,
            due_date=item.due.date,
            due_text=item.due.text,
            recurrence=item.due.recurrence.value if item.due.recurrence else None,
            report_to=item.report_to,
            report_to_unit_id=item.report_to_unit_id,
            flags=item.flags,
        )
        session.add(directive)
        session.flush()
        assert directive.id is not None  # flushed
        effective = effective_due(item.due, cal)
        roles: dict[int, AssignmentRole] = {}
        for match in item.lead:
            for uid in match.unit_ids:
                roles[uid] = AssignmentRole.LEAD
        for match in item.support:
            for uid in match.unit_ids:
                roles.setdefault(uid, AssignmentRole.SUPPORT)
        for uid, role in roles.items():
            session.add(
                Assignment(
                    directive_id=directive.id,
                    unit_id=uid,
                    role=role.value,
                    stated_due=item.due.date,
                    effective_due=effective,
                )
            )
    session.flush()
    return row


def register_notice_file(
    *, session: Session, path: Path, calendar: WorkCalendar | None = None
) -> Notice:
    """Read, check and store a notice YAML file in the caller's transaction."""
    notice = read_notice_file(session=session, path=path, calendar=calendar)
    return store_notice(session=session, notice=notice, calendar=calendar, source_file=str(path))


def store_original(*, data_dir: Path, source: Path, sha256: str) -> tuple[Path, bool]:
    """Keep a copy of the signed document, named by its SHA-256; return (path, newly made)."""
    target = data_dir / "originals" / sha256[:2] / f"{sha256}{source.suffix.lower()}"
    if target.exists():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(source.read_bytes())
    tmp.replace(target)
    return target, True


def register_document(
    *,
    session: Session,
    mapping: dict[str, Any],
    source: Path,
    sha256: str,
    data_dir: Path,
    calendar: WorkCalendar | None = None,
) -> Notice:
    """Store a reviewed notice read from a document, with a copy of the original file.

    Raises DuplicateError when the same file (by SHA-256) was registered before. The copy is
    removed again if storing the notice fails, so a refused file leaves nothing behind.
    """
    same = session.exec(select(Notice).where(Notice.source_sha256 == sha256)).first()
    if same:
        raise DuplicateError(
            f"Tệp «{source.name}» đã được đăng ký (thông báo {same.number or '(chưa có số)'}, "
            f"mã {same.id}, SHA-256 {sha256[:12]}…). Không đăng ký lại."
        )
    notice = notice_from_mapping(
        session=session, data=mapping, source=str(source), calendar=calendar
    )
    copy, created = store_original(data_dir=data_dir, source=source, sha256=sha256)
    try:
        row = store_notice(
            session=session,
            notice=notice,
            calendar=calendar,
            source_file=str(copy),
            source_sha256=sha256,
        )
    except BaseException:
        if created:
            copy.unlink(missing_ok=True)
        raise
    return row
