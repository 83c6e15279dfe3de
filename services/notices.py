"""Notices: register one from a YAML file or from a reviewed document, list them with their
counts, and read what a follow-up shows about one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.notice import Assignment, Directive, Notice, NoticeFollowUp
from models.unit import Unit
from services.database import directory_if_ready, ready_session
from tasks.deadlines import Due, DueKind
from tasks.errors import InputError
from tasks.extract import Extraction, annotate, extract_blocks, needs_review
from tasks.extract.header import stamped_number
from tasks.extract.result import Stamp
from tasks.notice_files import notice_from_mapping
from tasks.notices import (
    extraction_to_mapping,
    register_document,
    register_notice_file,
    store_notice,
)
from tasks.readers import SourceDocument, read_document
from tasks.readers.edxml import PackageDocument
from tasks.units import Directory


@dataclass
class Registered:
    """A notice just stored, with how many directives and unit assignments it holds."""

    notice_id: int
    number: str | None
    issued_on: date
    directives: int
    assignments: int

    def to_json(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "directives": self.directives,
            "assignments": self.assignments,
        }


@dataclass
class NoticeSummary:
    """One line of the notice list."""

    id: int
    number: str | None
    issued_on: date
    issuer: str
    title: str
    directives: int
    followed_up: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "issuer": self.issuer,
            "title": self.title,
            "directives": self.directives,
            "followed_up": self.followed_up,
        }


@dataclass
class Draft:
    """A document read and extracted, waiting for the clerk's review."""

    file_name: str
    source: Path
    sha256: str
    extraction: Extraction
    mapping: dict[str, Any]  # the extraction in the notice YAML form, what the clerk may edit

    @property
    def flagged(self) -> int:
        """Directives that need a second look."""
        return sum(needs_review(d) for d in self.extraction.directives)

    def missing_header(self) -> list[str]:
        """What the document lacks for a notice (issue date, issuer), said as what to add."""
        missing = []
        if self.mapping["issued_on"] is None:
            year = f" (chỉ ghi năm {self.extraction.year})" if self.extraction.year else ""
            missing.append(f"không ghi đủ ngày ban hành{year}: thêm --issued-on NGÀY")
        if not self.mapping["issuer"]:
            missing.append('không đọc được cơ quan ban hành: thêm --issuer "UBND huyện …"')
        return missing

    def require_header(self) -> None:
        """Refuse a notice without its issue date or issuer, saying how to give them."""
        if missing := self.missing_header():
            raise InputError(
                f"Văn bản «{self.file_name}» {'; '.join(missing)}; hoặc dùng --edit để sửa bản "
                "trích xuất. Chưa đăng ký gì."
            )


def extract_document(*, path: Path) -> Extraction:
    """Read a document and extract its directives, matched to the directory when there is
    one (nothing is stored)."""
    document = read_document(path)
    extraction = extract_blocks(document.blocks)
    apply_package(extraction, document)
    apply_stamps(extraction, document)
    annotate(extraction, directory_if_ready())
    return extraction


def apply_package(extraction: Extraction, document: SourceDocument) -> None:
    """An edXML package's header over what was read from its attached document's text: the
    header is authoritative for number, date, issuer, place, signer and title; its DueDate is
    the deadline only of the directives that state none."""
    if not isinstance(document, PackageDocument) or document.package is None:
        return
    package = document.package
    for name in ("number", "issued_on", "issuer", "place", "title", "signer"):
        if (value := getattr(package, name)) is not None:
            setattr(extraction, name, value)
    if package.issued_on is not None:
        extraction.year = package.issued_on.year
    if package.to_places and not extraction.addressees:
        extraction.addressees = list(package.to_places)  # where the package was sent
    if package.due_date is not None:
        due = Due(
            DueKind.DATE,
            package.due_date,
            f"hạn xử lý văn bản (edXML) {package.due_date:%d/%m/%Y}",
        )
        for directive in extraction.directives:
            if directive.due.kind == DueKind.NONE:
                directive.due = due


_STAMP_DATE_RE = re.compile(
    r"(?:ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))"
    r"|(?<![\d/])(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?![\d/])",
    re.IGNORECASE,
)


def apply_stamps(extraction: Extraction, document: SourceDocument) -> None:
    """A blank Số or issue date proposed from where a signed PDF was stamped: the texts of
    its first page's annotations and of its properties (the number with the header's own
    symbol, a date), else the time of its last digital signature. Kept apart in
    ``extraction.stamp``; registering uses it when the clerk gives nothing else."""
    stamps = document.stamps
    if not stamps or (extraction.number and extraction.issued_on):
        return
    stamp = Stamp()
    if extraction.number is None and extraction.symbol:
        for text in stamps.texts:
            if number := stamped_number([text], extraction.symbol):
                stamp.number, stamp.number_from = number, "chú thích hoặc thuộc tính của tệp PDF"
                break
    if extraction.issued_on is None:
        for text in stamps.texts:
            if (day := _stamp_date(text, extraction.year)) is not None:
                stamp.issued_on, stamp.issued_from = day, "chú thích hoặc thuộc tính của tệp PDF"
                break
        signed = [t for t in stamps.signed_at if not extraction.year or t.year == extraction.year]
        if stamp.issued_on is None and signed:
            stamp.issued_on = max(signed).date()
            stamp.issued_from = f"chữ ký số ({max(signed):%H:%M %d/%m/%Y})"
    if stamp.number or stamp.issued_on:
        extraction.stamp = stamp


def _stamp_date(text: str, year: int | None) -> date | None:
    for m in _STAMP_DATE_RE.finditer(text):
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        try:
            found = date(int(y), int(mo), int(d))
        except ValueError:
            continue
        if year is None or found.year == year:
            return found
    return None


def draft_document(*, path: Path, issuer: str | None, issued_on: date | None) -> Draft:
    """Read and extract a document for review; the clerk's issuer and date fill what a draft
    copy leaves blank. Raises InputError when it holds no directive."""
    document = read_document(path)
    extraction = extract_blocks(document.blocks)
    apply_package(extraction, document)
    apply_stamps(extraction, document)
    if issuer:
        extraction.issuer = issuer
    with ready_session() as session:
        annotate(extraction, Directory.load(session))
    if not extraction.directives:
        raise InputError(
            f"Không tìm thấy nhiệm vụ nào trong «{path.name}». Nếu văn bản có nhiệm vụ, ghi tay "
            "tệp YAML (xem examples/notices/) và dùng --from."
        )
    mapping = extraction_to_mapping(extraction, issuer=issuer, issued_on=issued_on)
    return Draft(
        file_name=path.name,
        source=path,
        sha256=document.sha256,
        extraction=extraction,
        mapping=mapping,
    )


def register_draft(*, session: Session, draft: Draft, mapping: dict[str, Any]) -> Registered:
    """Store a reviewed document (``mapping``: the draft's, or the clerk's edited version),
    with a copy of the original, in the caller's transaction."""
    notice = register_document(
        session=session,
        mapping=mapping,
        source=draft.source,
        sha256=draft.sha256,
        data_dir=get_settings().ensure_data_dir(),
    )
    return _registered(session, notice)


def register_notice_yaml(*, session: Session, path: Path) -> Registered:
    """Read, check and store a notice YAML file in the caller's transaction."""
    return _registered(session, register_notice_file(session=session, path=path))


def register_notice_mapping(
    *, session: Session, mapping: dict[str, Any], source: str
) -> Registered:
    """Check and store a notice given in the YAML form's mapping (a web form, an API call),
    in the caller's transaction. ``source`` names it in error messages."""
    notice = notice_from_mapping(session=session, data=mapping, source=source)
    return _registered(session, store_notice(session=session, notice=notice, source_file=source))


def _registered(session: Session, notice: Notice) -> Registered:
    assert notice.id is not None
    directives, assignments = notice_counts(session=session, notice_id=notice.id)
    return Registered(
        notice_id=notice.id,
        number=notice.number,
        issued_on=notice.issued_on,
        directives=directives,
        assignments=assignments,
    )


def notice_counts(*, session: Session, notice_id: int) -> tuple[int, int]:
    """How many directives, and how many unit assignments, a notice holds."""
    directives = session.exec(
        select(func.count()).select_from(Directive).where(Directive.notice_id == notice_id)
    ).one()
    assignments = session.exec(
        select(func.count())
        .select_from(Assignment)
        .join(Directive, col(Directive.id) == Assignment.directive_id)
        .where(Directive.notice_id == notice_id)
    ).one()
    return directives, assignments


def list_notices(*, session: Session) -> list[NoticeSummary]:
    """Every notice by issue date, with its number of directives (one query)."""
    counts = (
        select(Directive.notice_id, func.count().label("n"))
        .group_by(col(Directive.notice_id))
        .subquery()
    )
    rows = session.exec(
        select(Notice, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.notice_id == Notice.id)
        .order_by(col(Notice.issued_on), col(Notice.id))
    ).all()
    return [
        NoticeSummary(
            id=n.id or 0,
            number=n.number,
            issued_on=n.issued_on,
            issuer=n.issuer,
            title=n.title,
            directives=int(count),
            followed_up=n.follow_up == NoticeFollowUp.DONE,
        )
        for n, count in rows
    ]


def get_notice(*, session: Session, notice_id: int) -> Notice | None:
    """The notice with this id, or None."""
    return session.get(Notice, notice_id)


@dataclass
class NoticeAssignment:
    """One unit's part in one directive of a notice."""

    ref: str | None
    text: str
    unit_name: str
    role: str
    effective_due: date | None


def notice_assignments(*, session: Session, notice_id: int) -> list[NoticeAssignment]:
    """The notice's directives × units in document order (units by code)."""
    rows = session.execute(
        sa_select(
            col(Directive.ref),
            col(Directive.text),
            col(Unit.name),
            col(Assignment.role),
            col(Assignment.effective_due),
        )
        .join(Assignment, col(Assignment.directive_id) == Directive.id)
        .join(Unit, col(Unit.id) == Assignment.unit_id)
        .where(col(Directive.notice_id) == notice_id)
        .order_by(col(Directive.position), col(Unit.code))
    ).all()
    return [NoticeAssignment(*row) for row in rows]
