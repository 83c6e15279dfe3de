"""Notice drafts of the web pages: an uploaded document read and extracted like ``dondoc
notice add`` does, kept (row and file) until the clerk confirms or drops it. Nothing of the
notice is stored before confirmation; a refused file leaves nothing behind."""

from __future__ import annotations

import re
import secrets
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlmodel import Session, col, select

from dondoc.settings import get_settings
from models.db import get_engine
from models.web import NoticeDraft
from services.database import ready_session
from services.draft_review import (
    REVIEW_FLAGS,
    REVIEW_STAMP,
    DraftEdits,
    DraftReview,
    apply_edits,
    check_draft,
    notice_mapping,
    plain_mapping,
    review,
)
from services.notices import Registered, draft_document, notice_counts
from tasks.errors import DondocError, InputError, NotFoundError
from tasks.notices import register_document

MAX_MB = 20  # a notice is a few pages; a bigger upload is a mistake (or an attack)
_CHUNK = 1 << 20
_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def safe_file_name(name: str) -> str:
    """The client's file name to show, refused when it holds a path (a browser sends only
    the name; anything else is a trick)."""
    clean = unicodedata.normalize("NFC", name).strip()
    if not clean:
        raise InputError(
            "Chưa chọn tệp: chọn một văn bản .docx, .pdf, .txt hoặc gói edXML để tải lên."
        )
    if (
        "/" in clean
        or "\\" in clean
        or clean.startswith(".")
        or any(unicodedata.category(c).startswith("C") for c in clean)
    ):
        raise InputError(
            f"Tên tệp «{clean[:80]}» không hợp lệ (có đường dẫn hoặc ký tự lạ); đổi tên tệp "
            "rồi tải lên lại. Chưa lưu gì."
        )
    if len(clean) > 200:
        suffix = Path(clean).suffix[:9]
        clean = clean[: 200 - len(suffix)] + suffix
    return clean


def _stored_path(file_name: str) -> Path:
    """A new random path under DATA_DIR/drafts, keeping only a harmless suffix (the readers
    look at the suffix, never trust it alone)."""
    suffix = Path(file_name).suffix.lower()
    suffix = suffix if _SAFE_SUFFIX.fullmatch(suffix) else ""
    folder = get_settings().ensure_data_dir() / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secrets.token_urlsafe(18)}{suffix}"


def _save_limited(upload: BinaryIO, target: Path, file_name: str) -> None:
    """Copy the upload, refusing it past MAX_MB (before it fills the disk)."""
    size = 0
    with target.open("xb") as out:
        while chunk := upload.read(_CHUNK):
            size += len(chunk)
            if size > MAX_MB * _CHUNK:
                raise InputError(
                    f"Tệp «{file_name}» lớn hơn {MAX_MB} MB, quá giới hạn của một văn bản; "
                    "kiểm tra lại tệp. Chưa lưu gì."
                )
            out.write(chunk)


@contextmanager
def _named_as(stored: Path, file_name: str) -> Iterator[None]:
    """Errors name the file as the clerk called it, never by its random stored path."""
    try:
        yield
    except DondocError as exc:
        message = exc.message.replace(str(stored), file_name).replace(stored.name, file_name)
        raise type(exc)(message, where=exc.where) from None


def _refuse_duplicate(*, mapping: dict[str, object], source: Path, sha256: str) -> None:
    """Refuse now what registering would refuse as already registered (same file, or same
    number and issuer), by a trial registration that is rolled back; other problems are the
    review's to show."""
    with Session(get_engine()) as session, tempfile.TemporaryDirectory() as scratch:
        try:
            register_document(
                session=session,
                mapping=notice_mapping(dict(mapping)),
                source=source,
                sha256=sha256,
                data_dir=Path(scratch),
            )
        except InputError:
            pass
        finally:
            session.rollback()


def create_draft(
    *,
    upload: BinaryIO,
    client_name: str,
    issuer: str | None,
    issued_on: date | None,
    created_by: str | None,
) -> str:
    """Keep an uploaded document as a draft for review and return its key. A refused file
    (a scan, a .doc, no directive, already registered, too big) leaves neither row nor file."""
    file_name = safe_file_name(client_name)
    stored = _stored_path(file_name)
    try:
        _save_limited(upload, stored, file_name)
        with _named_as(stored, file_name):
            draft = draft_document(path=stored, issuer=issuer, issued_on=issued_on)
            _refuse_duplicate(mapping=draft.mapping, source=stored, sha256=draft.sha256)
        mapping = plain_mapping(draft.mapping)
        mapping[REVIEW_FLAGS] = [list(d.flags) for d in draft.extraction.directives]
        if draft.extraction.stamp is not None:
            mapping[REVIEW_STAMP] = draft.extraction.stamp.to_json()
        with ready_session() as session:
            same = session.exec(
                select(NoticeDraft).where(NoticeDraft.sha256 == draft.sha256)
            ).first()
            if same is not None:  # the same file uploaded again: its draft, not a second one
                stored.unlink(missing_ok=True)
                return same.key
            key = secrets.token_urlsafe(24)
            session.add(
                NoticeDraft(
                    key=key,
                    created_by=created_by,
                    file_name=file_name,
                    sha256=draft.sha256,
                    stored_path=str(stored),
                    mapping=mapping,
                )
            )
        return key
    except BaseException:
        stored.unlink(missing_ok=True)
        raise


def _row(session: Session, key: str) -> NoticeDraft:
    row = session.exec(select(NoticeDraft).where(NoticeDraft.key == key)).first()
    if row is None:
        raise NotFoundError(
            "Không còn bản nháp này: thông báo đã được đăng ký hoặc bản nháp đã bị bỏ. "
            "Xem danh sách thông báo, hoặc tải văn bản lên lại."
        )
    return row


def _review(session: Session, row: NoticeDraft, mapping: dict[str, object]) -> DraftReview:
    return review(
        session=session,
        key=row.key,
        file_name=row.file_name,
        sha256=row.sha256,
        created_by=row.created_by,
        created_at=row.created_at,
        draft_mapping=dict(mapping),
    )


def review_draft(*, session: Session, key: str, edits: DraftEdits | None = None) -> DraftReview:
    """The draft as the review page shows it; with ``edits``, the clerk's unsaved version."""
    row = _row(session, key)
    mapping = row.mapping if edits is None else apply_edits(row.mapping, edits)
    return _review(session, row, mapping)


def save_draft(*, session: Session, key: str, edits: DraftEdits) -> DraftReview:
    """Keep the clerk's corrections when registering would accept them; else InputError
    (every problem at once) and the draft as it was."""
    row = _row(session, key)
    mapping = apply_edits(row.mapping, edits)
    check_draft(session=session, draft_mapping=mapping, source=row.file_name)
    row.mapping = mapping  # a new object: the JSON column sees the change
    session.add(row)
    return _review(session, row, mapping)


def confirm_draft(*, key: str, edits: DraftEdits | None = None) -> Registered:
    """Register the draft (with the clerk's last ``edits``) exactly as ``dondoc notice add``
    does (the original kept, a file or number registered before refused) and forget the
    draft, in one transaction; its upload is removed once that transaction is committed."""
    with ready_session() as session:
        row = _row(session, key)
        stored = Path(row.stored_path)
        mapping = row.mapping if edits is None else apply_edits(row.mapping, edits)
        check_draft(session=session, draft_mapping=mapping, source=row.file_name)
        with _named_as(stored, row.file_name):
            notice = register_document(
                session=session,
                mapping=notice_mapping(mapping),
                source=stored,
                sha256=row.sha256,
                data_dir=get_settings().ensure_data_dir(),
            )
        session.delete(row)
        assert notice.id is not None  # flushed
        directives, assignments = notice_counts(session=session, notice_id=notice.id)
        registered = Registered(
            notice_id=notice.id,
            number=notice.number,
            issued_on=notice.issued_on,
            directives=directives,
            assignments=assignments,
        )
    stored.unlink(missing_ok=True)
    return registered


@dataclass
class DraftSummary:
    """A draft still waiting for review, for the upload page's list."""

    key: str
    file_name: str
    number: str | None
    created_by: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "file_name": self.file_name,
            "number": self.number,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def list_drafts(*, session: Session) -> list[DraftSummary]:
    """Drafts not yet confirmed or dropped, newest first."""
    rows = session.exec(select(NoticeDraft).order_by(col(NoticeDraft.created_at).desc())).all()
    return [
        DraftSummary(
            key=r.key,
            file_name=r.file_name,
            number=r.mapping.get("number"),
            created_by=r.created_by,
            created_at=r.created_at,
        )
        for r in rows
    ]


def drop_draft(*, key: str) -> None:
    """Forget a draft and its upload."""
    with ready_session() as session:
        row = _row(session, key)
        stored = Path(row.stored_path)
        session.delete(row)
    stored.unlink(missing_ok=True)


__all__ = [
    "MAX_MB",
    "DraftSummary",
    "list_drafts",
    "confirm_draft",
    "create_draft",
    "drop_draft",
    "review_draft",
    "safe_file_name",
    "save_draft",
]
