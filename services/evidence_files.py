"""Evidence files sent by units: their kind checked by content, stored once under
DATA_DIR/evidence by SHA-256, and found again for a download."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dondoc.settings import get_settings
from tasks.errors import InputError

# kind: (content type, the file name endings it may carry, what a person calls it)
KINDS = {
    "pdf": ("application/pdf", (".pdf",), "PDF"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        "Word (DOCX)",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        "Excel (XLSX)",
    ),
    "jpg": ("image/jpeg", (".jpg", ".jpeg"), "ảnh JPG"),
    "png": ("image/png", (".png",), "ảnh PNG"),
}
ACCEPTED = "PDF, DOCX, XLSX, JPG hoặc PNG"
NAME_MAX = 255  # EvidenceFile.original_name


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose kind, size and name were checked; not stored yet."""

    name: str
    data: bytes
    kind: str
    sha256: str

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][0]

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return get_settings().evidence_max_mb * 1024 * 1024


def kind_of(data: bytes) -> str | None:
    """The kind the content shows (magic bytes; an Office file by the parts inside its zip)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def _check_name(name: str) -> str:
    """The file's own name; a name carrying a path or control characters is refused."""
    cleaned = name.strip()
    if (
        not cleaned
        or "/" in cleaned
        or "\\" in cleaned
        or cleaned in (".", "..")
        or cleaned.startswith(".")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned)
    ):
        shown = "".join(ch if ch.isprintable() else "?" for ch in name[:80])
        raise InputError(
            f"Tên tệp «{shown}» không hợp lệ (chứa đường dẫn, ký tự điều khiển hoặc bắt đầu "
            "bằng dấu chấm); đổi tên tệp rồi gửi lại."
        )
    if len(cleaned) > NAME_MAX:
        raise InputError(f"Tên tệp dài {len(cleaned)} ký tự, tối đa {NAME_MAX}; đặt tên ngắn hơn.")
    return cleaned


def check_upload(name: str, data: bytes) -> CheckedFile:
    """An upload as evidence: a name without path, at most DONDOC_EVIDENCE_MAX_MB, one of the
    accepted kinds by its content, with a matching file name ending."""
    clean = _check_name(name)
    limit = get_settings().evidence_max_mb
    if len(data) > max_bytes():
        raise InputError(
            f"Tệp «{clean}» lớn hơn {limit} MB (giới hạn của hệ thống); hãy nén hoặc chia nhỏ."
        )
    if not data:
        raise InputError(f"Tệp «{clean}» rỗng; chọn lại tệp.")
    kind = kind_of(data)
    if kind is None:
        raise InputError(
            f"Tệp «{clean}» không phải {ACCEPTED} (kiểm tra theo nội dung tệp, không theo tên)."
        )
    endings = KINDS[kind][1]
    if not clean.lower().endswith(endings):
        raise InputError(
            f"Tệp «{clean}» có nội dung là {KINDS[kind][2]} nhưng tên không kết thúc bằng "
            f"{' hoặc '.join(endings)}; đổi tên tệp cho đúng rồi gửi lại."
        )
    return CheckedFile(name=clean, data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest())


def evidence_dir() -> Path:
    return get_settings().ensure_data_dir() / "evidence"


def evidence_path(sha256: str) -> Path:
    """Where a stored file with this SHA-256 lives."""
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise InputError("Mã tệp minh chứng không hợp lệ.")
    return evidence_dir() / sha256


def store(checked: CheckedFile) -> Path | None:
    """Write the file once (atomically); the path when this call created it, None when the
    same content was already stored (so a caller that fails later removes only its own)."""
    target = evidence_path(checked.sha256)
    if target.exists():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(checked.data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["ACCEPTED", "CheckedFile", "check_upload", "evidence_path", "kind_of", "store"]
