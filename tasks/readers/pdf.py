"""PDF (with a text layer) into blocks, within caps on pages, operators, text and time."""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tasks.errors import InputError
from tasks.readers.document import MAX_READ_CHARS, Block, ScannedPdfError, too_long
from tasks.readers.text import ANY_WS_RE, PAGE_NO_RE, WS_RE, normalise_text, text_blocks

_MIN_CHARS_PER_PAGE = 20
# pypdf's text extraction grows with a page's operators, and faster than linearly with its
# text (the page's text so far is copied at every line): a page of 200,000 text operators took
# minutes. A notice's page has some 1,500 operators, 4,000 characters and 30 KB of content.
# pypdf parses a page's content whole (some 2 s a MB) before the first operator is seen, so
# its size is checked first.
_MAX_PDF_PAGES = 500
_MAX_PDF_PAGE_CONTENT = 500_000  # decoded bytes of a page's content streams and forms
_MAX_PDF_PAGE_OPERATORS = 50_000
_MAX_PDF_PAGE_CHARS = 50_000
_MAX_PDF_SECONDS = 15.0  # the whole document
_MAX_PLUMBED_PAGES = 30  # pages searched for task tables' cells
_MAX_PLUMB_SECONDS = 10.0


class _TooComplex(Exception):
    """A PDF costs more to read than any notice does; the message says where."""


@dataclass
class _PdfBudget:
    """What reading one PDF may still spend; ``reason`` is kept once a cap is passed (pypdf
    swallows errors raised while it reads a form, so the reason is checked again after)."""

    deadline: float
    reason: str | None = None

    def stop(self, reason: str) -> None:
        self.reason = self.reason or reason
        raise _TooComplex(self.reason)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about every small defect of a PDF; the clerk needs none of it."""
    logger = logging.getLogger("pypdf")
    old = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(old)


def read_pdf(data: bytes, name: str) -> list[Block]:
    """The blocks of a PDF's text layer (raises InputError, ScannedPdfError without one)."""
    broken = (
        f"Tệp PDF «{name}» bị hỏng hoặc không đầy đủ (tệp PDF bị hỏng), không đọc được. "
        "Hãy tải lại bản gốc, hoặc dùng bản .docx."
    )
    if b"%%EOF" not in data[-4096:]:  # a download cut short: pypdf would guess at the rest
        raise InputError(broken)
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError

        with _quiet_pypdf():
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except (DependencyError, NotImplementedError) as exc:
                    raise InputError(
                        f"Tệp PDF «{name}» được mã hóa theo cách chưa đọc được ({exc}). "
                        "Hãy in/lưu lại thành PDF không mã hóa."
                    ) from exc
                if not ok:
                    raise InputError(
                        f"Tệp PDF «{name}» được bảo vệ bằng mật khẩu, không đọc được. Hãy lưu lại "
                        "bản không đặt mật khẩu, hoặc dùng bản .docx."
                    )
            pages = _pdf_pages(reader, name)
    except InputError:
        raise
    except _TooComplex as exc:
        raise InputError(
            f"Tệp PDF «{name}» quá phức tạp ({exc}), không đọc. Một thông báo hay công văn không "
            "cần nhiều như vậy: hãy dùng bản .docx gốc, hoặc in lại văn bản thành PDF từ Word."
        ) from exc
    except Exception as exc:
        if type(exc).__name__ == "FileNotDecryptedError":
            raise InputError(
                f"Tệp PDF «{name}» được bảo vệ bằng mật khẩu, không đọc được."
            ) from exc
        raise InputError(broken) from exc
    if not pages:
        raise InputError(f"Tệp PDF «{name}» không có trang nào (tệp PDF bị hỏng?).")
    chars = sum(len(ANY_WS_RE.sub("", unicodedata.normalize("NFC", t))) for t in pages)
    if chars < _MIN_CHARS_PER_PAGE * len(pages):
        raise ScannedPdfError(
            f"Tệp PDF «{name}» là bản quét, không có lớp chữ; cần nhận dạng ký tự (OCR) trước, "
            "hoặc dùng bản .docx/.pdf gốc."
        )
    if any(_TABLE_HEADER_RE.search(t) for t in pages):
        pages = _with_task_tables(data, pages)
    return text_blocks(_join_pages(pages), name)


# A task table's header in a page's text: «Nội dung công việc … Cơ quan chủ trì …».
# (Its words may be cut across lines: «Đơn vị thực / hiện».)
_TABLE_HEADER_RE = re.compile(
    r"(?:nội dung|nhiệm vụ|công việc)[^\n]{0,120}(?:chủ|thực|phối)\b", re.IGNORECASE
)
_WORD_RE = re.compile(r"\w+")


def _with_task_tables(data: bytes, pages: list[str]) -> list[str]:
    """The pages' text with each task table, as pypdf reads it (its cells' lines interleaved
    row by row: «Sở Nông nghiệp Ủy ban nhân dân các xã, Trước ngày 20/12/2025 phường»),
    replaced by the table as Markdown rows, which the text reader turns into row blocks.

    pdfplumber finds the table by its ruling lines, cell by cell; a table that runs onto the
    next page is joined to it (a row cut by the page break is one row). Pages are left as
    they are when anything goes wrong: the text is still there, read as paragraphs.
    """
    from tasks.readers.task_table import task_rows

    # Only the pages a task table's header is on, and the two after (where it runs on).
    wanted = {
        k
        for i, text in enumerate(pages)
        if _TABLE_HEADER_RE.search(text)
        for k in range(i, min(i + 3, len(pages)))
    }
    try:
        found = _plumbed_tables(data, sorted(wanted)[:_MAX_PLUMBED_PAGES])
    except Exception:
        return pages
    pages = list(pages)
    table: list[list[str]] | None = None  # the task table being read, rows of cells
    at: int | None = None  # the page the table starts on
    parts: list[tuple[int, list[list[str]]]] = []  # (page, rows) of the current table

    def finish() -> None:
        if table is None or at is None:
            return
        rows = "\n".join(
            "| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in table
        )
        for page, part in parts:
            pages[page] = _replace_span(pages[page], part, rows if page == at else "")

    for page, rows in found:
        if not rows:
            continue
        if task_rows(rows, None) is not None:
            finish()
            table, at, parts = [list(r) for r in rows], page, [(page, rows)]
            continue
        cont = table is not None and page == parts[-1][0] + 1 and len(rows[0]) == len(table[0])
        if not cont or table is None:
            continue
        if not rows[0][0].strip() and table:  # a row cut by the page break
            table[-1] = [f"{a} {b}".strip() for a, b in zip(table[-1], rows[0], strict=True)]
            rows_added = rows[1:]
        else:
            rows_added = rows
        table += [list(r) for r in rows_added]
        parts.append((page, rows))
    finish()
    return pages


def _plumbed_tables(data: bytes, pages: list[int]) -> list[tuple[int, list[list[str]]]]:
    """(page index, rows) of the tables of three or more columns that pdfplumber finds on
    these pages, within the reading time left (raises _TooComplex past it)."""
    import pdfplumber

    deadline = time.monotonic() + _MAX_PLUMB_SECONDS
    out: list[tuple[int, list[list[str]]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index in pages:
            if time.monotonic() > deadline:
                raise _TooComplex("bảng nhiệm vụ đọc quá lâu")
            page = pdf.pages[index]
            for table in page.find_tables():
                raw = table.extract()
                rows = [[" ".join((c or "").split()) for c in row] for row in raw]
                # A cell merged down («Trạm Y tế các xã, phường» over rows 2 and 3) is read
                # for every numbered row it spans, as the DOCX reader reads it.
                for r in range(1, len(rows)):
                    if rows[r] and rows[r][0].strip().isdigit():
                        for c, cell in enumerate(raw[r]):
                            if cell is None and c < len(rows[r - 1]):
                                rows[r][c] = rows[r - 1][c]
                if rows and len(rows[0]) >= 3:
                    out.append((index, rows))
    return out


def _replace_span(text: str, rows: list[list[str]], replacement: str) -> str:
    """``text`` with the run of lines that holds the table's words replaced."""
    words = Counter(w.lower() for row in rows for cell in row for w in _WORD_RE.findall(cell))
    lines = text.split("\n")

    def share(line: str) -> float:
        found = [w.lower() for w in _WORD_RE.findall(line)]
        return sum(1 for w in found if w in words) / len(found) if found else 1.0

    best: tuple[int, int, int] | None = None  # (covered words, start, end)
    i = 0
    while i < len(lines):
        if lines[i].strip() and share(lines[i]) >= 0.7:
            j = i
            while j < len(lines) and share(lines[j]) >= 0.7:
                j += 1
            covered = sum(len(_WORD_RE.findall(x)) for x in lines[i:j])
            if best is None or covered > best[0]:
                best = (covered, i, j)
            i = j
        else:
            i += 1
    if best is None:
        return text
    _, start, end = best
    return "\n".join([*lines[:start], replacement, *lines[end:]])


def _pdf_pages(reader: Any, name: str) -> list[str]:
    """The text of every page, within the caps (raises _TooComplex, or InputError for text
    longer than any notice)."""
    from pypdf.errors import FileNotDecryptedError

    count = len(reader.pages)
    if count > _MAX_PDF_PAGES:
        raise _TooComplex(f"{count:,} trang, tối đa {_MAX_PDF_PAGES:,}")
    budget = _PdfBudget(deadline=time.monotonic() + _MAX_PDF_SECONDS)
    pages: list[str] = []
    chars = 0
    for number, page in enumerate(reader.pages, 1):
        if time.monotonic() > budget.deadline:
            budget.stop(f"đọc quá {_MAX_PDF_SECONDS:.0f} giây")
        try:
            text = _page_text(page, number, budget)
        except (_TooComplex, FileNotDecryptedError):
            raise
        except Exception:
            text = ""  # one bad page should not hide the others
        chars += len(text)
        if chars > MAX_READ_CHARS:
            raise too_long(name)
        pages.append(text)
    return pages


def _page_text(page: Any, number: int, budget: _PdfBudget) -> str:
    """pypdf's text of one page; raises _TooComplex past a page's caps or the deadline."""
    size = _drawn_bytes(page)
    if size > _MAX_PDF_PAGE_CONTENT:
        budget.stop(f"trang {number} có {size:,} byte lệnh vẽ, tối đa {_MAX_PDF_PAGE_CONTENT:,}")
    operators = chars = 0

    def on_operator(*_: Any) -> None:
        nonlocal operators
        operators += 1
        if operators > _MAX_PDF_PAGE_OPERATORS:
            budget.stop(f"trang {number} có hơn {_MAX_PDF_PAGE_OPERATORS:,} lệnh vẽ")
        if operators % 512 == 0 and time.monotonic() > budget.deadline:
            budget.stop(f"đọc quá {_MAX_PDF_SECONDS:.0f} giây")

    def on_text(text: str, *_: Any) -> None:
        nonlocal chars
        chars += len(text)
        if chars > _MAX_PDF_PAGE_CHARS:
            budget.stop(f"trang {number} có hơn {_MAX_PDF_PAGE_CHARS:,} ký tự")

    text = page.extract_text(visitor_operand_before=on_operator, visitor_text=on_text) or ""
    if budget.reason:
        raise _TooComplex(budget.reason)
    return str(text)


def _drawn_bytes(page: Any) -> int:
    """Decoded bytes of a page's content streams and of the forms it can draw (pypdf parses
    each whole before the first operator is seen)."""
    from pypdf.generic import StreamObject

    contents = page.get_contents()
    total = len(contents.get_data()) if contents is not None else 0
    seen: set[int] = set()
    resources = [page.get("/Resources")]
    while resources and total <= _MAX_PDF_PAGE_CONTENT:
        res = resources.pop()
        res = res.get_object() if res is not None else None
        xobjects = res.get("/XObject") if isinstance(res, dict) else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not isinstance(xobjects, dict):
            continue
        for ref in xobjects.values():
            form = ref.get_object()
            if id(form) in seen or not isinstance(form, StreamObject):
                continue
            if form.get("/Subtype") != "/Form":
                continue
            seen.add(id(form))
            total += len(form.get_data())
            resources.append(form.get("/Resources"))
    return total


def _join_pages(pages: list[str]) -> str:
    """Drop running headers/footers and page numbers; join the pages so that a sentence that
    runs over a page break stays one (a single newline, not a blank line)."""
    split = [[ln for ln in normalise_text(p).split("\n") if ln.strip()] for p in pages]

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", WS_RE.sub(" ", line).strip().lower())

    edges: Counter[str] = Counter()
    for lines in split:
        edges.update({key(x) for x in lines[:2] + lines[-2:]})
    repeated = {
        k for k, n in edges.items() if len(split) >= 2 and n >= max(2, (len(split) + 1) // 2)
    }
    out: list[str] = []
    for lines in split:
        n = len(lines)
        kept = [
            x
            for i, x in enumerate(lines)
            if not ((i < 2 or i >= n - 2) and (key(x) in repeated or PAGE_NO_RE.match(x.strip())))
        ]
        out.append("\n".join(kept))
    return "\n".join(out)
