"""What a reader makes of a document, and the limits and errors every format shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tasks.errors import InputError

if TYPE_CHECKING:
    from tasks.readers.pdf_stamps import PdfStamps

ACCEPTED = (
    "văn bản .txt hoặc .md (mã hóa UTF-8), tệp Word .docx, tệp .pdf có lớp chữ, hoặc gói edXML"
)


class ScannedPdfError(InputError):
    """A PDF (or an image) without a text layer: it must go through OCR first."""


@dataclass
class Block:
    """One paragraph, task-table row or footnote of a source document."""

    text: str
    kind: Literal["para", "row", "footnote"] = "para"
    cells: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    table: int | None = None


@dataclass
class SourceDocument:
    """A read document: its blocks in reading order and the hash of its bytes."""

    path: Path
    kind: Literal["txt", "docx", "pdf"]
    blocks: list[Block]
    sha256: str
    # A PDF's annotations, signatures and properties (tasks.readers.pdf_stamps)
    stamps: PdfStamps | None = field(default=None, kw_only=True)

    @property
    def text(self) -> str:
        """The paragraph blocks joined by newlines (for debugging and printing)."""
        return "\n".join(b.text for b in self.blocks if b.kind == "para")


# Text read from one DOCX or PDF: twice what extraction accepts (MAX_TEXT_CHARS), so nothing
# extraction would read is refused here; it bounds what merged cells or labels can multiply.
MAX_READ_CHARS = 2_000_000


def too_long(name: str) -> InputError:
    """The error for a DOCX or PDF whose text passes MAX_READ_CHARS."""
    return InputError(
        f"Tệp «{name}» có hơn {MAX_READ_CHARS:,} ký tự văn bản, vượt giới hạn của một thông báo "
        "hay công văn. Kiểm tra lại tệp (có phải cả một tập văn bản?) và tách riêng từng văn bản."
    )
