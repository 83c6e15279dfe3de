"""The entry point: read a file's bytes, recognise its format by content, dispatch to the
format's reader, and refuse known non-text formats with a message that says what to do."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from tasks.errors import InputError
from tasks.readers.document import ACCEPTED, Block, ScannedPdfError, SourceDocument
from tasks.readers.docx_reader import read_docx
from tasks.readers.edxml import PackageDocument, looks_like_edxml, parse_edxml
from tasks.readers.pdf import read_pdf
from tasks.readers.pdf_stamps import read_pdf_stamps
from tasks.readers.text import ANY_WS_RE, text_blocks


def read_document(path: Path, *, max_bytes: int = 20_000_000) -> SourceDocument:
    """Read a TXT, DOCX or PDF file (recognised by content) into blocks.

    An edXML package (QCVN 102:2016) is read as its attached PDF/DOCX, returned as a
    :class:`PackageDocument` that also holds the package's header; its ``sha256`` is the
    package's own (the package is the original kept).

    Raises InputError (ScannedPdfError for a PDF without text) for anything it cannot read.
    """
    path = Path(path)
    name = path.name or str(path)
    data = _read_bytes(path, name, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError(
            f"Tệp «{name}» rỗng (tệp rỗng): không có nội dung để đọc. Hãy chọn đúng tệp văn bản."
        )
    if looks_like_edxml(data):
        package = parse_edxml(data, name)
        inner = f"{name} › {package.attachment.name}"
        kind, blocks = _dispatch(package.attachment.data, inner)
        if not blocks:
            raise InputError(
                f"Văn bản đính kèm «{inner}» không có đoạn văn bản nào. Hãy kiểm tra gói edXML."
            )
        return PackageDocument(
            path=path,
            kind=kind,
            blocks=blocks,
            sha256=sha,
            package=package,
            stamps=read_pdf_stamps(package.attachment.data) if kind == "pdf" else None,
        )
    kind, blocks = _dispatch(data, name)
    if not blocks:
        raise InputError(
            f"Tệp «{name}» không có đoạn văn bản nào (tệp rỗng sau khi đọc). "
            "Hãy kiểm tra lại tệp, hoặc dùng bản .docx/.pdf gốc."
        )
    stamps = read_pdf_stamps(data) if kind == "pdf" else None
    return SourceDocument(path=path, kind=kind, blocks=blocks, sha256=sha, stamps=stamps)


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        if not path.exists():
            raise InputError(f"Không tìm thấy tệp «{path}». Kiểm tra lại đường dẫn.")
        if path.is_dir():
            raise InputError(f"«{path}» là một thư mục, cần đường dẫn tới một tệp.")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"Tệp «{name}» quá lớn ({size:,} byte; tối đa {max_bytes:,} byte). "
                "Hãy tách văn bản hoặc dùng bản gọn hơn (không kèm ảnh quét)."
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(
            f"Không đọc được tệp «{path}» ({exc.strerror or exc}). Kiểm tra quyền truy cập."
        ) from exc
    if len(data) > max_bytes:  # the file grew between stat and read
        raise InputError(f"Tệp «{name}» quá lớn (hơn {max_bytes:,} byte).")
    return data


def _dispatch(data: bytes, name: str) -> tuple[Literal["txt", "docx", "pdf"], list[Block]]:
    """Choose the reader by magic bytes; raise a clear error for known non-text formats."""
    head = data[:1024]
    if b"%PDF-" in head:  # the spec allows junk before the header within the first KiB
        return "pdf", read_pdf(data, name)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx", read_docx(data, name)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputError(
            f"Tệp «{name}» là tệp Word cũ (.doc) hoặc tệp Office cũ, chưa đọc được. "
            "Hãy mở bằng Word và lưu lại thành .docx (Tệp → Lưu thành → Word Document)."
        )
    if data.lstrip().startswith(b"{\\rtf"):
        raise InputError(f"Tệp «{name}» là tệp RTF. Hãy mở bằng Word và lưu lại thành .docx.")
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            raise ScannedPdfError(
                f"Tệp «{name}» là ảnh {kind}, không có lớp chữ; cần nhận dạng ký tự (OCR) trước, "
                "hoặc dùng bản .docx/.pdf gốc."
            )
    return "txt", text_blocks(_decode_text(data, name), name)


_IMAGE_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
]

_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM allowed) or UTF-16 with a BOM; reject binary junk."""
    not_text = (
        f"Tệp «{name}» không phải văn bản đọc được (có ký tự nhị phân) và cũng không phải "
        f".docx hay .pdf. Chấp nhận: {ACCEPTED}."
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(not_text) from exc
        # Random bytes after a BOM decode to CJK-looking junk; Vietnamese text lies below U+2100.
        visible = ANY_WS_RE.sub("", text)
        if visible and sum(ch < "\u2100" for ch in visible) < 0.8 * len(visible):
            raise InputError(not_text)
    else:
        if b"\x00" in data:
            raise InputError(not_text)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"Tệp «{name}» không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}), "
                f"cũng không phải .docx hay .pdf. Chấp nhận: {ACCEPTED}. "
                "Nếu là văn bản, hãy lưu lại với bảng mã UTF-8."
            ) from exc
    if not text.strip():
        raise InputError(f"Tệp «{name}» rỗng (tệp rỗng): chỉ có khoảng trắng.")
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise InputError(not_text)
    return text
