"""Read a notice (TXT, DOCX or PDF with a text layer) into clean paragraph blocks.

The extractor works on :class:`Block` s: one block is one real paragraph of the source (a
directive is never split across blocks), one data row of a task table, or one footnote.
The format is chosen by the file's content, not its extension. Every problem with the input
is an :class:`~tasks.errors.InputError` whose Vietnamese message says what to do.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tasks.errors import InputError

ACCEPTED = "văn bản .txt (mã hóa UTF-8), tệp Word .docx, hoặc tệp .pdf có lớp chữ"


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

    @property
    def text(self) -> str:
        """The paragraph blocks joined by newlines (for debugging and printing)."""
        return "\n".join(b.text for b in self.blocks if b.kind == "para")


# ---------------------------------------------------------------------------------------------
# Entry point: sniff the content, dispatch to a format reader
# ---------------------------------------------------------------------------------------------


def read_document(path: Path, *, max_bytes: int = 20_000_000) -> SourceDocument:
    """Read a TXT, DOCX or PDF file (recognised by content) into blocks.

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
    kind, blocks = _dispatch(data, name)
    if not blocks:
        raise InputError(
            f"Tệp «{name}» không có đoạn văn bản nào (tệp rỗng sau khi đọc). "
            "Hãy kiểm tra lại tệp, hoặc dùng bản .docx/.pdf gốc."
        )
    return SourceDocument(path=path, kind=kind, blocks=blocks, sha256=sha)


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
        return "pdf", _read_pdf(data, name)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx", _read_docx(data, name)
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
    return "txt", _text_blocks(_decode_text(data, name), name)


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
        visible = _ANY_WS_RE.sub("", text)
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


# ---------------------------------------------------------------------------------------------
# Cleaning shared by all formats
# ---------------------------------------------------------------------------------------------

SUPERSCRIPTS = "¹²³⁰⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "1230456789")
_SUP_RE = re.compile(f"[{SUPERSCRIPTS}]+")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Every Unicode space and control except the newline becomes a plain space.
# (A plain space is left alone: replacing it by itself is what made 5 MB slow.)
_SPACE_RE = re.compile(r"[^\S\n ]|[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_WS_RE = re.compile(r"\s{2,}|[^\S ]")  # runs of whitespace, or one that is not a space
_ANY_WS_RE = re.compile(r"\s+")
# Bullet glyphs (including Wingdings private-use ones from Word) that mean "-".
_BULLET_RE = re.compile(
    r"^[•●▪■◦○·∙–—‒►▸➢➤✓✔❖♦\uf0a7\uf0b7\uf0d8\uf0fc\uf076\uf0a8\uf02d](?=\s|$)\s*"
)


def _clean(text: str) -> str:
    """NFC, footnote marks removed, whitespace collapsed, leading bullet glyph as '-'."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text).replace("**", "")
    text = _SUP_RE.sub("", text)
    text = _WS_RE.sub(" ", text).strip()
    return _BULLET_RE.sub("- ", text).rstrip()


# ---------------------------------------------------------------------------------------------
# Plain text → paragraphs
# ---------------------------------------------------------------------------------------------

# List markers that open a new paragraph: 1.  1.2.  1.2  1)  a)  đ)  a.  -  +  •  *  II.  (1)  (i)  (a)  Điều 3.
_MARKER_RE = re.compile(
    r"""^(?:
        \d{1,2}(?:\.\d{1,2})*\.(?=\s|$)            # 1.  1.2.
      | \d{1,2}(?:\.\d{1,2})+(?=\s+\S)             # 1.2 Tổ chức
      | \d{1,2}\)(?=\s|$)                          # 1)
      | [a-zđ]\)(?=\s|$)                           # a)  đ)
      | [a-zđ]\.(?=\s+[^\W\d_])                     # a. Tổ chức
      | [-+*•–](?=\s|$)                            # - + * • –
      | [IVXL]{1,6}\.(?=\s|$)                      # II.
      | [IVXL]{1,6}\s*[-–](?=\s)                   # II -
      | \((?:\d{1,2}|[ivx]{1,5}|[a-zđ])\)(?=\s|$)  # (1) (ii) (a)
      | Điều\s+\d{1,3}[.:](?=\s|$)                 # Điều 3.
    )""",
    re.VERBOSE,
)
_MARKER_ONLY_RE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\)|[IVXL]{1,6}\.|\(\w{1,4}\))$")
_DASH_LOWER_RE = re.compile(r"^[-–]\s+[a-zđà-ỹ]")  # "- xã hội": a wrapped "kinh tế - xã hội"
_TERMINAL_RE = re.compile(r"(?:[.;:!?…]|\./\.)[\"”’»)\]*]*$")
_PAGE_NO_RE = re.compile(
    r"^(?:[-–—]?\s*\d{1,3}\s*[-–—]?|(?:Trang|trang|Page|page)\s*\d{1,4}(?:\s*(?:/|của|trên|of)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4})$"
)
_SO_RE = re.compile(r"^Số\s*(?::|\d[\w.\-]*\s*/)")
# A date line "X, ngày … tháng … năm 2024" is read in three linear searches: one pattern
# "ngày.*tháng.*năm…$" backtracks cubically (a 21 KB line of such words took 55 s).
_NGAY_RE = re.compile(r"\bngày\b")
_THANG_RE = re.compile(r"\btháng\b")
_NAM_END_RE = re.compile(r"\bnăm\s*\d{2,4}\s*$")
_ADDRESS_RE = re.compile(r"^(?:Kính\s+gửi|Nơi\s+nhận)\s*:?\s*$", re.IGNORECASE)
_BREAK_BEFORE_RE = re.compile(r"^(?:Kính\s+gửi|Nơi\s+nhận|V/v\b|(?:KT|TM|TL|TUQ)\.\s)")
_TOPIC_HEADING_RE = re.compile(r"^\S{1,8}\s+(?:Về|Đối với)\b")
# Words that open a new paragraph when they follow a blank line (a capital mid-sentence is
# almost always a proper noun such as "Sở", "Ban Thường vụ", never one of these).
_OPENER_RE = re.compile(
    r"^(?:Giao\s(?!thông)|Căn cứ\b|Sau khi\b|Để\b|Theo\b|Trên cơ sở\b|Thực hiện\b|Yêu cầu\b|"
    r"Đề nghị\b|Ngày\s+\d|Hôm nay\b|Tuy nhiên\b|Bên cạnh\b|Đồng thời\b|Ngoài ra\b|Nhằm\b)"
)
_FOOTNOTE_PLAIN_RE = re.compile(r"^\d{1,2}\s+[^\W\d_]")
_OPENERS = "\"“‘'«([*"


def _starts_upper(s: str) -> bool:
    s = s.lstrip(_OPENERS)
    return bool(s) and s[0].isupper()


def _starts_lower(s: str) -> bool:
    s = s.lstrip(_OPENERS)
    return bool(s) and s[0].islower()


def _is_caps_heading(line: str) -> bool:
    """An all-caps line such as "THÔNG BÁO", "KT. CHỦ TỊCH", "ỦY BAN NHÂN DÂN TỈNH X"."""
    if len(line) > 200 or line.upper() != line:  # fast exit for ordinary text
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 4 or any(c.islower() for c in letters):
        return False
    words = [w for w in line.split() if any(c.isalpha() for c in w)]
    return len(words) >= 2 or len(letters) >= 6


def _is_marker(line: str) -> bool:
    return bool(_MARKER_RE.match(line))


def _is_date_line(line: str) -> bool:
    """Whether the line has "ngày", then "tháng", then ends with "năm 2024" (the earliest
    "ngày" and the earliest "tháng" after it leave the most room: searching those is exact)."""
    end = _NAM_END_RE.search(line)
    if end is None:
        return False
    ngay = _NGAY_RE.search(line, 0, end.start())
    return bool(ngay and _THANG_RE.search(line, ngay.end(), end.start()))


def _hard_heading(line: str) -> bool:
    """A line after which a new paragraph always starts."""
    return bool(
        _is_caps_heading(line)
        or (len(line) < 80 and _SO_RE.match(line))
        or (len(line) < 100 and "," in line and _is_date_line(line))
        or _ADDRESS_RE.match(line)
    )


def _normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = (
        text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\f", "\n").replace("\v", "\n")
    )
    text = _ZERO_WIDTH_RE.sub("", text)
    text = text.replace("**", "")  # Markdown bold in text copies
    return _SPACE_RE.sub(" ", text)


# A notice is a few hundred lines, and a line costs some microseconds to read: a 20 MB text
# of ten million tiny lines took over a minute before extraction refused it as too long.
_MAX_TEXT_LINES = 200_000


def _text_blocks(text: str, name: str) -> list[Block]:
    """``blocks_from_text`` of a file's text, refused when it has far more lines than a notice."""
    lines = sum(text.count(c) for c in "\n\r\u2028\u2029\f\v") + 1
    if lines > _MAX_TEXT_LINES:
        raise InputError(
            f"Tệp «{name}» có {lines:,} dòng, vượt giới hạn {_MAX_TEXT_LINES:,} dòng của một "
            "thông báo hay công văn. Kiểm tra lại tệp (có phải cả một tập văn bản?) và tách "
            "riêng từng văn bản."
        )
    return blocks_from_text(text)


def blocks_from_text(text: str) -> list[Block]:
    """Split plain text (a TXT file or a PDF's text) into paragraph and footnote blocks.

    Hard line breaks and blank lines inside a sentence are joined; list markers, headings,
    terminal punctuation followed by a capital, and header/signature lines start paragraphs.
    """
    paras: list[list[str]] = []
    prev = ""  # the last kept line
    prev_prev_len = 0  # length of the line before it, when in the same paragraph
    gap = False  # a blank line lies between prev and the current line
    marked = False  # the current paragraph has a footnote mark
    for raw in _normalise_text(text).split("\n"):
        line = _WS_RE.sub(" ", raw).strip()
        if not line:
            gap = True
            continue
        if _PAGE_NO_RE.match(line):
            continue  # page numbers are not text; keep `gap` as it was
        if not paras or _new_paragraph(prev, prev_prev_len, line, gap, paras[-1], marked):
            paras.append([line])
            prev_prev_len, marked = 0, False
        else:
            paras[-1].append(line)
            prev_prev_len = len(prev)
        marked = marked or bool(_SUP_RE.search(line))
        prev, gap = line, False
    return _paragraph_blocks(" ".join(p) for p in paras)


def _new_paragraph(
    prev: str, prev_prev_len: int, line: str, gap: bool, para: list[str], marked: bool
) -> bool:
    """Whether `line` starts a new paragraph after `prev` (the last line of `para`, which has
    footnote marks if `marked`)."""
    if line[0] in SUPERSCRIPTS or _BREAK_BEFORE_RE.match(line) or _SO_RE.match(line):
        return True
    if len(para) == 1 and _MARKER_ONLY_RE.match(prev):
        return False  # "1." alone on its line, its text on the next
    if _hard_heading(prev) or prev[0] in SUPERSCRIPTS:
        return True
    terminal = bool(_TERMINAL_RE.search(prev))
    if _is_marker(line):
        # "kinh tế\n- xã hội" is a wrapped compound, not a bullet
        return gap or terminal or not _DASH_LOWER_RE.match(line)
    if _is_caps_heading(line) and (gap or terminal or len(line) < 60):
        return True
    upper = _starts_upper(line)
    if gap:
        if terminal:
            return True
        if _starts_lower(line):
            return False  # "thủ\n\n\n\ntục hành chính": a sentence cut by blank lines
        opening = _opening(para)
        if len(opening) < 60:  # a short title line ("Nâng cao hiệu quả", a date line)
            return True
        return bool(
            (upper and _TOPIC_HEADING_RE.match(opening))  # "3. Về kiện toàn …"
            or (upper and _OPENER_RE.match(line))
            or (_FOOTNOTE_PLAIN_RE.match(line) and marked)
        )
    if terminal:
        return upper
    # A hard wrap. A line clearly shorter than its neighbours ended a paragraph (a PDF heading
    # such as "2. Giao Sở Xây dựng" followed by "Chủ trì, phối hợp …").
    reference = max(prev_prev_len, len(line))
    return upper and reference >= 40 and len(prev) < 0.6 * reference


def _opening(para: list[str]) -> str:
    """The paragraph's first lines joined, 80 characters or more when it has them: all that
    the checks above look at (joining the whole paragraph at every blank line was quadratic:
    a 1.5 MB text of 20,000 blank-line-separated lines took 4.7 s)."""
    size = 0
    for count, line in enumerate(para, 1):
        size += len(line) + 1
        if size > 80:
            return " ".join(para[:count])
    return " ".join(para)


def _paragraph_blocks(paras: Iterator[str] | list[str]) -> list[Block]:
    """Clean paragraphs into blocks; mark footnotes (a leading superscript or a plain "1 Các…"
    right after a paragraph that uses superscript marks or after another footnote)."""
    blocks: list[Block] = []
    after_marks = False
    for raw in paras:
        raw = raw.strip()
        if not raw:
            continue
        footnote = raw[0] in SUPERSCRIPTS or bool(after_marks and _FOOTNOTE_PLAIN_RE.match(raw))
        if raw[0] in SUPERSCRIPTS:
            # keep the footnote's own number, as a plain digit: "¹ Các xã" → "1 Các xã"
            m = _SUP_RE.match(raw)
            assert m is not None
            raw = m.group(0).translate(_SUP_TO_DIGIT) + " " + raw[m.end() :]
        text = _clean(raw)
        if not text:
            continue
        blocks.append(Block(text=text, kind="footnote" if footnote else "para"))
        after_marks = footnote or bool(_SUP_RE.search(raw))
    return blocks


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_T, W_R = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("t"), _w("r")
W_SDT, W_SDTCONTENT, W_CUSTOMXML = _w("sdt"), _w("sdtContent"), _w("customXml")
W_TXBX = _w("txbxContent")
W_VAL = _w("val")
# Elements whose text is not part of the paragraph: deleted text, field codes, drawings
# (text boxes are read separately), properties.
_SKIP = {
    _w(t)
    for t in (
        "rPr",
        "pPr",
        "del",
        "moveFrom",
        "delText",
        "instrText",
        "drawing",
        "pict",
        "object",
        "fldData",
        "sectPr",
        "tblPr",
        "trPr",
        "tcPr",
    )
} | {f"{{{MC}}}AlternateContent"}
_SPACE_TAGS = {_w(t) for t in ("tab", "ptab", "br", "cr")}

# ZIP bombs: a DOCX of a few MB can inflate to gigabytes, and a part can declare a small size
# while its compressed data goes on (zipfile's read() inflates it all before cutting it).
# A part is parsed whole by lxml at some 13 bytes of memory a byte of XML; a notice's
# document.xml is well under 5 MB, and the file itself may not pass 20 MB.
_MAX_DOCX_PART = 20_000_000  # bytes of one uncompressed part
_MAX_DOCX_TOTAL = 200_000_000  # bytes of all parts
_MAX_DOCX_RATIO = 100  # uncompressed / compressed size of a part over 1 MB (Word's XML: 5–30)
_MAX_DOCX_PARTS = 10_000
_ZIP_CHUNK = 1 << 16
# Text read from one DOCX or PDF: twice what extraction accepts (MAX_TEXT_CHARS), so nothing
# extraction would read is refused here; it bounds what merged cells or labels can multiply.
_MAX_READ_CHARS = 2_000_000


def _read_docx(data: bytes, name: str) -> list[Block]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" not in names:
                raise InputError(_not_docx_message(name, names))
            package = _checked_package(zf, name)
    except InputError:
        raise
    except Exception as exc:  # BadZipFile, truncated archives, bad headers, bad CRC…
        raise InputError(
            f"Tệp «{name}» là tệp nén (ZIP/.docx) bị hỏng hoặc không đầy đủ, không mở được. "
            "Hãy lấy lại bản gốc hoặc lưu lại từ Word."
        ) from exc
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(package))
        reader = _DocxReader(document, name)
        return reader.read()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"Không mở được tệp Word «{name}» ({type(exc).__name__}). Tệp có thể bị hỏng hoặc là "
            "định dạng khác (.docm, .dotx). Hãy mở bằng Word và lưu lại thành .docx."
        ) from exc


def _too_big_docx(name: str, why: str) -> InputError:
    return InputError(
        f"Tệp DOCX «{name}» quá lớn hoặc hỏng ({why}); không đọc. Hãy mở bằng Word, bỏ bớt ảnh "
        "hoặc phần phụ lục và lưu lại thành .docx, hoặc dùng bản .pdf."
    )


def _checked_package(zf: zipfile.ZipFile, name: str) -> bytes:
    """The DOCX's parts, checked and inflated in chunks under the caps, in a new ZIP whose
    sizes are true: python-docx then reads exactly what was checked, never more."""
    if len(zf.infolist()) > _MAX_DOCX_PARTS:
        raise _too_big_docx(name, f"{len(zf.infolist()):,} phần, tối đa {_MAX_DOCX_PARTS:,}")
    # a name given twice is read from its last entry, as zipfile (and so python-docx) does
    infos = list({i.filename: i for i in zf.infolist() if not i.is_dir()}.values())
    declared = 0
    for info in infos:
        _check_declared(info, name)
        declared += info.file_size
    if declared > _MAX_DOCX_TOTAL:
        raise _too_big_docx(name, f"giải nén ra {declared:,} byte, tối đa {_MAX_DOCX_TOTAL:,}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for info in infos:
            clean.writestr(info.filename, _inflate(zf, info, name))
    return out.getvalue()


def _check_declared(info: zipfile.ZipInfo, name: str) -> None:
    part = info.filename
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _too_big_docx(name, f"phần «{part}» nén theo kiểu Word không dùng")
    if info.file_size > _MAX_DOCX_PART:
        raise _too_big_docx(
            name, f"phần «{part}» giải nén ra {info.file_size:,} byte, tối đa {_MAX_DOCX_PART:,}"
        )
    if info.file_size > 1_000_000 and info.file_size > _MAX_DOCX_RATIO * info.compress_size:
        raise _too_big_docx(name, f"phần «{part}» có tỷ lệ nén bất thường")
    # Deflate never grows data by more than a few bytes a block: compressed data much longer
    # than the declared size hides more content than the part says it has.
    if info.compress_size > info.file_size + info.file_size // 100 + 1024:
        raise _too_big_docx(name, f"phần «{part}» khai báo sai kích thước")


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """One part, inflated a chunk at a time (zipfile stops at the declared size and checks
    the CRC), never more than _MAX_DOCX_PART bytes."""
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as part:
        while chunk := part.read(_ZIP_CHUNK):
            size += len(chunk)
            if size > _MAX_DOCX_PART:
                raise _too_big_docx(name, f"phần «{info.filename}» giải nén ra quá nhiều")
            chunks.append(chunk)
    return b"".join(chunks)


def _not_docx_message(name: str, names: set[str]) -> str:
    what = ""
    if "content.xml" in names:
        what = " (đây là tệp OpenDocument .odt/.ods; hãy lưu lại thành .docx)"
    elif any(n.startswith("xl/") for n in names):
        what = " (đây là tệp Excel .xlsx)"
    elif any(n.startswith("ppt/") for n in names):
        what = " (đây là tệp PowerPoint .pptx)"
    return (
        f"Tệp «{name}» là tệp nén ZIP nhưng không phải tệp Word .docx{what}. Chấp nhận: {ACCEPTED}."
    )


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart
    legal: bool = False  # w:isLgl: show every level as decimal
    style: str | None = None  # w:pStyle linking a paragraph style to this level


class _Numbering:
    """Word's automatic numbering: computes the label of each numbered paragraph in order."""

    def __init__(self, document: Any) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.num_abstract: dict[str, str] = {}
        self.overrides: dict[str, dict[int, _Level | int]] = {}  # numId → ilvl → level or start
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[tuple[str, int]] = set()  # (numId, ilvl) overrides already applied
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self._load_styles(document)
        self._load_numbering(document)

    def _load_styles(self, document: Any) -> None:
        based: dict[str, str] = {}
        own: dict[str, tuple[str | None, int | None]] = {}
        for st in document.styles.element.iterchildren(_w("style")):
            sid = st.get(_w("styleId"))
            if not sid:
                continue
            b = st.find(_w("basedOn"))
            if b is not None and b.get(W_VAL):
                based[sid] = b.get(W_VAL)
            num_pr = st.find(f"{_w('pPr')}/{_w('numPr')}")
            if num_pr is not None:
                own[sid] = _num_pr(num_pr)
        for sid in set(own) | set(based):
            seen, cur = set(), sid
            while cur and cur not in own and cur not in seen:  # inherit from basedOn
                seen.add(cur)
                cur = based.get(cur, "")
            if cur in own:
                self.style_num[sid] = own[cur]

    def _load_numbering(self, document: Any) -> None:
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            return
        links: dict[str, str] = {}  # abstractNum with numStyleLink → style id
        for an in root.iterchildren(_w("abstractNum")):
            aid = an.get(_w("abstractNumId"))
            self.abstract[aid] = {
                int(lvl.get(_w("ilvl"), "0") or 0): _level(lvl)
                for lvl in an.iterchildren(_w("lvl"))
            }
            link = an.find(_w("numStyleLink"))
            if link is not None and link.get(W_VAL):
                links[aid] = link.get(W_VAL)
        for num in root.iterchildren(_w("num")):
            nid = num.get(_w("numId"))
            ref = num.find(_w("abstractNumId"))
            if nid is None or ref is None:
                continue
            self.num_abstract[nid] = ref.get(W_VAL)
            ov: dict[int, _Level | int] = {}
            for lo in num.iterchildren(_w("lvlOverride")):
                ilvl = int(lo.get(_w("ilvl"), "0") or 0)
                lvl = lo.find(_w("lvl"))
                so = lo.find(_w("startOverride"))
                if lvl is not None:
                    ov[ilvl] = _level(lvl)
                elif so is not None:
                    ov[ilvl] = _list_number(so.get(W_VAL), 1)
            self.overrides[nid] = ov
        # numStyleLink: the list's levels live in the abstractNum of the linked style's num
        for aid, style in links.items():
            target = self.style_num.get(style, (None, None))[0]
            target_aid = self.num_abstract.get(target or "")
            if target_aid and target_aid != aid and self.abstract.get(target_aid):
                self.abstract[aid] = self.abstract[target_aid]

    def label(self, p: Any) -> str:
        """The label of paragraph element `p` ('1.', 'a)', '-'), advancing the counters."""
        num_id, ilvl = None, None
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        style_id = style.get(W_VAL) if style is not None else None
        if style_id in self.style_num:
            num_id, ilvl = self.style_num[style_id]
        num_pr = p.find(f"{_w('pPr')}/{_w('numPr')}")
        if num_pr is not None:
            pn, pl = _num_pr(num_pr)
            num_id = pn if pn is not None else num_id
            ilvl = pl if pl is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.num_abstract:
            return ""
        aid = self.num_abstract[num_id]
        levels = dict(self.abstract.get(aid, {}))
        overrides = self.overrides.get(num_id, {})
        for k, v in overrides.items():
            if isinstance(v, _Level):
                levels[k] = v
        if ilvl is None:  # style-based numbering: the level that names this style
            ilvl = next((k for k, v in levels.items() if v.style and v.style == style_id), 0)
        ilvl = max(0, min(8, ilvl))
        level = levels.get(ilvl, _Level())
        counters = self.counters.setdefault(aid, [None] * 9)
        start = overrides.get(ilvl)
        if isinstance(start, int) and (num_id, ilvl) not in self.started:
            # "Restart numbering" in Word makes a new num with a startOverride
            self.started.add((num_id, ilvl))
            counters[ilvl] = None
            level = _Level(start, level.fmt, level.text, level.restart, level.legal, level.style)
            levels[ilvl] = level
        cur = counters[ilvl]
        counters[ilvl] = level.start if cur is None else cur + 1
        for deeper in range(ilvl + 1, 9):
            r = levels.get(deeper, _Level()).restart
            if r is None or (r != 0 and ilvl < r):
                counters[deeper] = None
        if level.fmt == "bullet":
            glyph = level.text.strip()
            return glyph if glyph in ("-", "+", "*") else "-"
        if level.fmt == "none" and "%" not in level.text:
            return level.text.strip()

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters[k] if counters[k] is not None else lv.start
            fmt = "decimal" if level.legal and k < ilvl else lv.fmt
            return _format_number(value or 0, fmt)

        return re.sub(r"%([1-9])", sub, level.text).strip()


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# Word offers list starts up to 32767 and level texts of a few characters ("%1.", "Điều %1.");
# a start of 10^10 spelt in letters was a 1.2 GB label, and a long level text is copied into
# every paragraph of the list.
_MAX_LIST_START = 10_000
_MAX_LEVEL_TEXT = 100
_MAX_LETTER_REPEAT = 4  # "a" … "zzzz" (the 104th item); further items are numbered in digits


def _list_number(value: str | None, default: int) -> int:
    return max(0, min(_MAX_LIST_START, _int(value, default)))


def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
    nid = num_pr.find(_w("numId"))
    lvl = num_pr.find(_w("ilvl"))
    return (
        nid.get(W_VAL) if nid is not None else None,
        _int(lvl.get(W_VAL), 0) if lvl is not None else None,
    )


def _level(lvl: Any) -> _Level:
    def val(tag: str) -> str | None:
        el = lvl.find(_w(tag))
        return el.get(W_VAL) if el is not None else None

    restart = val("lvlRestart")
    legal = lvl.find(_w("isLgl"))
    return _Level(
        start=_list_number(val("start"), 1),
        fmt=val("numFmt") or "decimal",
        text=(val("lvlText") or "")[:_MAX_LEVEL_TEXT],
        restart=_int(restart, 0) if restart is not None else None,
        legal=legal is not None and legal.get(W_VAL) not in ("0", "false"),
        style=val("pStyle"),
    )


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        # Word: a…z, then aa…zz, aaa…; Vietnamese lists typed by hand use đ, but Word does not.
        if not 0 < n <= 26 * _MAX_LETTER_REPEAT:
            return str(n)
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


_TASK_CELL_RE = re.compile(r"nhiệm vụ|nội dung|công việc")
_RESP_CELL_RE = re.compile(r"chủ trì|thực hiện|phối hợp|thời gian|thời hạn|tiến độ|hoàn thành")
_COLNUM_RE = re.compile(r"^\(?(?:\d{1,2}|[a-zA-Z]|[IVX]{1,4})\)?$")


class _DocxReader:
    """Walks a python-docx document's body in order and produces blocks."""

    def __init__(self, document: Any, name: str) -> None:
        self.document = document
        self.name = name
        self.numbering = _Numbering(document)
        self.blocks: list[Block] = []
        self.tables = 0
        self.chars = 0

    def _add(self, block: Block) -> None:
        self.chars += len(block.text)
        if self.chars > _MAX_READ_CHARS:
            raise _too_long(self.name)
        self.blocks.append(block)

    def read(self) -> list[Block]:
        self._container(self.document.element.body, table=None)
        return self.blocks

    def _container(self, el: Any, table: int | None) -> None:
        """Paragraphs and tables of a body, a cell or a content control, in order."""
        for child in el.iterchildren():
            if child.tag == W_P:
                self._paragraph(child, table)
            elif child.tag == W_TBL:
                self._table(child)
            elif child.tag in (W_SDT, W_CUSTOMXML):
                content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if content is not None:
                    self._container(content, table)

    def _paragraph(self, p: Any, table: int | None) -> None:
        label = self.numbering.label(p)
        text = _clean(_paragraph_text(p))
        if text:
            if label and not text.startswith(label + " "):
                text = _clean(f"{label} {text}")
            self._add(Block(text=text, table=table))
        for box in _text_boxes(p):  # text boxes anchored in this paragraph
            self._container(box, table)

    def _table(self, tbl: Any) -> None:
        index = self.tables
        self.tables += 1
        rows = [self._row_cells(tr) for tr in tbl.iterchildren(W_TR)]
        texts = [[_clean(" ".join(self._cell_paragraph_texts(tc))) for tc in row] for row in rows]
        # A cell merged down (vMerge) belongs to every row it spans: in a task table
        # "Chủ trì: Sở Nội vụ" over three rows is the lead of all three.
        for r in range(1, len(texts)):
            for c, tc in enumerate(rows[r]):
                if tc is _MERGED_ABOVE and c < len(texts[r - 1]):
                    texts[r][c] = texts[r - 1][c]
        header_at = _task_header(texts)
        if header_at is None:
            for row in rows:
                for tc in row:
                    if tc is not None and tc is not _MERGED_ABOVE:
                        self._container(tc, index)
            return
        header = texts[header_at]
        body = texts[header_at + 1 :]
        # A second header row under merged group cells ("Cơ quan thực hiện" → "Chủ trì", "Phối hợp")
        if body and _is_subheader(body[0]):
            sub = body.pop(0)
            header = [
                f"{h} {s}".strip() if s and s.lower() not in h.lower() else h
                for h, s in zip(header, sub, strict=False)
            ]
        for cells in body:
            if not any(cells) or _is_column_numbers(cells) or cells == texts[header_at]:
                continue
            self._add(
                Block(
                    text=" | ".join(c for c in cells if c),
                    kind="row",
                    cells=cells,
                    header=list(header),
                    table=index,
                )
            )

    def _row_cells(self, tr: Any) -> list[Any]:
        """The row's cells on the table grid: a cell spanning n columns is followed by n-1
        None; a vertically merged continuation cell is None (its text is in the cell above)."""
        out: list[Any] = []
        tr_pr = tr.find(_w("trPr"))
        if tr_pr is not None:
            gb = tr_pr.find(_w("gridBefore"))
            if gb is not None:
                out.extend([None] * min(_MAX_COLUMNS, _int(gb.get(W_VAL), 0)))
        for tc in _row_tcs(tr):
            tc_pr = tc.find(_w("tcPr"))
            span, cont = 1, False
            if tc_pr is not None:
                gs = tc_pr.find(_w("gridSpan"))
                if gs is not None:
                    span = max(1, min(_MAX_COLUMNS, _int(gs.get(W_VAL), 1)))
                vm = tc_pr.find(_w("vMerge"))
                cont = vm is not None and vm.get(W_VAL) in (None, "continue")
                hm = tc_pr.find(_w("hMerge"))  # legacy horizontal merge
                cont = cont or (hm is not None and hm.get(W_VAL) in (None, "continue"))
            out.append(_MERGED_ABOVE if cont and vm is not None else None if cont else tc)
            # spans pad the grid up to _MAX_COLUMNS at most: 10^5 cells each spanning 50
            # columns were millions of padding entries in every row
            out.extend([None] * min(span - 1, _MAX_COLUMNS - len(out)))
        return out

    def _cell_paragraph_texts(self, tc: Any) -> list[str]:
        if tc is None or tc is _MERGED_ABOVE:
            return []
        return [_paragraph_text(p) for p in tc.iter(W_P)]


# Marks a vertically merged continuation cell in a row (its text is the cell above's).
_MERGED_ABOVE = object()
_MAX_COLUMNS = 50  # grid columns a row is padded to by spans (a notice's tables have ≤ 15)


def _too_long(name: str) -> InputError:
    return InputError(
        f"Tệp «{name}» có hơn {_MAX_READ_CHARS:,} ký tự văn bản, vượt giới hạn của một thông báo "
        "hay công văn. Kiểm tra lại tệp (có phải cả một tập văn bản?) và tách riêng từng văn bản."
    )


def _row_tcs(tr: Any) -> Iterator[Any]:
    """The w:tc of a row, also those wrapped in content controls or custom XML."""
    for child in tr.iterchildren():
        if child.tag == W_TC:
            yield child
        elif child.tag in (W_SDT, W_CUSTOMXML):
            content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
            if content is not None:
                yield from _row_tcs(content)


def _task_header(texts: list[list[str]]) -> int | None:
    """Index of the task-table header row among the first two rows, or None."""
    for i, row in enumerate(texts[:2]):
        lows = [c.lower() for c in row]
        task = [j for j, c in enumerate(lows) if c and len(c) < 60 and _TASK_CELL_RE.search(c)]
        resp = [j for j, c in enumerate(lows) if c and len(c) < 60 and _RESP_CELL_RE.search(c)]
        if task and any(j != k for j in task for k in resp):
            return i
    return None


def _is_subheader(cells: list[str]) -> bool:
    """A second header row: short labels, no numbers, at least one about responsibility/time."""
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not any(ch.isdigit() for c in filled for ch in c)
        and all(len(c) < 40 for c in filled)
        and any(_RESP_CELL_RE.search(c.lower()) for c in filled)
    )


def _is_column_numbers(cells: list[str]) -> bool:
    """A row such as "(1) (2) (3)" or "1 2 3" or "A B C" that only numbers the columns."""
    tokens = [t for c in cells if c for t in c.split()]
    return len(tokens) >= 2 and all(_COLNUM_RE.match(t) for t in tokens)


def _paragraph_text(p: Any) -> str:
    """The visible text of a w:p: runs, hyperlinks, fields, smart tags; tab/break → space."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(el: Any, out: list[str]) -> None:
    for child in el.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W_T:
            out.append(child.text or "")
        elif tag in _SPACE_TAGS:
            out.append(" ")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif (tag == W_R and _hidden(child)) or tag == W_P:
            continue  # hidden text; a paragraph nested in a paragraph (text boxes: read apart)
        else:
            _collect(child, out)


def _hidden(run: Any) -> bool:
    rpr = run.find(_w("rPr"))
    if rpr is None:
        return False
    v = rpr.find(_w("vanish"))
    return v is not None and v.get(W_VAL) not in ("0", "false")


def _text_boxes(p: Any) -> list[Any]:
    """Text-box contents anchored in a paragraph. Word stores each box twice (DrawingML and
    a VML fallback), so boxes under mc:Fallback are skipped; a box inside another box is read
    with the paragraph of that box that anchors it (taking it here too read a box nested
    n deep 2^n times)."""
    boxes = []
    for box in p.iter(W_TXBX):
        anc = box.getparent()
        while anc is not None and anc is not p and anc.tag not in _NOT_HERE:
            anc = anc.getparent()
        if anc is p:
            boxes.append(box)
    return boxes


_NOT_HERE = {f"{{{MC}}}Fallback", W_TXBX}


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

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


def _read_pdf(data: bytes, name: str) -> list[Block]:
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
    chars = sum(len(_ANY_WS_RE.sub("", unicodedata.normalize("NFC", t))) for t in pages)
    if chars < _MIN_CHARS_PER_PAGE * len(pages):
        raise ScannedPdfError(
            f"Tệp PDF «{name}» là bản quét, không có lớp chữ; cần nhận dạng ký tự (OCR) trước, "
            "hoặc dùng bản .docx/.pdf gốc."
        )
    return _text_blocks(_join_pages(pages), name)


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
        if chars > _MAX_READ_CHARS:
            raise _too_long(name)
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
    split = [[ln for ln in _normalise_text(p).split("\n") if ln.strip()] for p in pages]

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", _WS_RE.sub(" ", line).strip().lower())

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
            if not ((i < 2 or i >= n - 2) and (key(x) in repeated or _PAGE_NO_RE.match(x.strip())))
        ]
        out.append("\n".join(kept))
    return "\n".join(out)
