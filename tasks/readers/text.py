"""Plain text (a TXT file, or a PDF's text layer) into paragraph and footnote blocks, and
the cleaning every format's paragraphs go through."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from tasks.errors import InputError
from tasks.readers.document import Block
from tasks.readers.task_table import task_rows

SUPERSCRIPTS = "¹²³⁰⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "1230456789")
_SUP_RE = re.compile(f"[{SUPERSCRIPTS}]+")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Every Unicode space and control except the newline becomes a plain space.
# (A plain space is left alone: replacing it by itself is what made 5 MB slow.)
_SPACE_RE = re.compile(r"[^\S\n ]|[\x00-\x09\x0b-\x1f\x7f-\x9f]")
WS_RE = re.compile(r"\s{2,}|[^\S ]")  # runs of whitespace, or one that is not a space
ANY_WS_RE = re.compile(r"\s+")
# Bullet glyphs (including Wingdings private-use ones from Word) that mean "-".
_BULLET_RE = re.compile(
    r"^[•●▪■◦○·∙–—‒►▸➢➤✓✔❖♦\uf0a7\uf0b7\uf0d8\uf0fc\uf076\uf0a8\uf02d](?=\s|$)\s*"
)


def clean(text: str) -> str:
    """NFC, footnote marks removed, whitespace collapsed, leading bullet glyph as '-'."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text).replace("**", "")
    text = _SUP_RE.sub("", text)
    text = WS_RE.sub(" ", text).strip()
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
PAGE_NO_RE = re.compile(
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


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = (
        text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\f", "\n").replace("\v", "\n")
    )
    text = unfold_layout_tables(text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = text.replace("**", "")  # Markdown bold in text copies
    text = _MD_HEADING_RE.sub("", text)
    text = _MD_ITALIC_LINE_RE.sub(r"\1\2", text)
    text = _MD_ESCAPE_RE.sub(r"\1", text)
    text = _HTML_BREAK_RE.sub("\n", text)
    text = _HTML_INLINE_RE.sub("", text)
    return _SPACE_RE.sub(" ", text)


# What a converter's Markdown adds around a notice's lines: «## 1. Dự án …» headings, a line
# in italics («*Đà Nẵng, ngày 19 tháng 5 năm 2026*»), escaped markers («1\. », «\- »).
_MD_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_MD_ITALIC_LINE_RE = re.compile(
    r"^[ \t]*(?:\*([^*\s\n](?:[^*\n]*[^*\s])?)\*|_([^_\s\n](?:[^_\n]*[^_\s])?)_)[ \t]*$",
    re.MULTILINE,
)
# Inline HTML a converter leaves in its Markdown (a notice has no other use for tags).
_HTML_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_INLINE_RE = re.compile(
    r"</?(?:b|i|u|s|strong|em|span|sup|sub|p|div|font|mark|small|center)\b[^<>]{0,200}>",
    re.IGNORECASE,
)
_MD_ESCAPE_RE = re.compile(r"\\([.\-*_#()\[\]+|>])")


# --- Layout tables as text --------------------------------------------------------------
# A header or a signature block is a two-column table in the original. Copied as text it
# comes either as Markdown (a converter's «| Nơi nhận: | KT. CHỦ TỊCH |» rows) or as two
# columns side by side with runs of spaces. Read row by row, the columns interleave
# («- Các sở…; PHÓ CHỦ TỊCH»); read column by column, each column's lines follow one another,
# as the DOCX reader gives a table's cells.
_MD_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_MD_SEP_RE = re.compile(r"^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_MD_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_COLUMN_GAP_RE = re.compile(r"(?<=\S)(?: {4,}|\t[ \t]*)(?=\S)")
_MOTTO_BESIDE_RE = re.compile(
    r"\S(?: {4,}|\t[ \t]*)(?:CỘNG HÒA|CỘNG HOÀ|Cộng hòa|Độc lập|ĐỘC LẬP)", re.UNICODE
)
_RIGHT_ONLY_INDENT = 20  # leading spaces of a line that sits in the right column alone
_SIGNATURE_START_RE = re.compile(r"^\s*(?:\*\*)?\s*Nơi nhận\b", re.IGNORECASE)


def _md_cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _columns_of_markdown(rows: list[str]) -> list[str] | None:
    """A two-column Markdown table's lines, column by column (None: not two columns)."""
    cells = [_md_cells(r) for r in rows if not _MD_SEP_RE.match(r)]
    if not cells or any(len(c) != 2 for c in cells):
        return None
    columns: list[list[str]] = [[], []]
    for row in cells:
        for k, cell in enumerate(row):
            columns[k] += [part.strip() for part in _MD_BREAK_RE.split(cell) if part.strip()]
    return [*columns[0], "", *columns[1]]


def _columns_of_spaced(lines: list[str]) -> list[str]:
    """The signature block's lines set side by side with spaces, column by column."""
    left: list[str] = []
    right: list[str] = []
    for line in lines:
        parts = _COLUMN_GAP_RE.split(line.strip(), maxsplit=1)
        indent = len(line) - len(line.lstrip(" "))
        if len(parts) == 2:
            left.append(parts[0])
            right.append(parts[1])
        elif line.strip() and indent >= _RIGHT_ONLY_INDENT:
            right.append(line.strip())
        elif line.strip():
            left.append(line.strip())
    return [*left, "", *right]


def _map_markdown_runs(text: str, read: Callable[[list[str]], list[str]]) -> list[str]:
    """The text's lines, each run of Markdown table rows replaced by ``read(run)``."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _MD_ROW_RE.match(lines[i]):
            j = i
            while j < len(lines) and _MD_ROW_RE.match(lines[j]):
                j += 1
            out += read(lines[i:j])
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


def unfold_layout_tables(text: str) -> str:
    """Two-column Markdown tables (anywhere) and the signature block's side-by-side columns
    (after the last «Nơi nhận» line, when two or more of its lines have a column gap) read
    column by column. Anything else is left as it is."""
    out = _map_markdown_runs(text, lambda run: _columns_of_markdown(run) or run)
    # The header: issuer beside the national motto, Số beside the place and date, down to the
    # date line (the title under it is centred, not a column).
    # Blank fields («Số:      /UBND-KT», «ngày      tháng») have runs of spaces too: the
    # columns are there only when the national motto stands beside the issuer.
    top = next((k for k, line in enumerate(out[:30]) if _is_date_line(line.strip())), None)
    if top is not None and any(_MOTTO_BESIDE_RE.search(line) for line in out[: top + 1]):
        out = _columns_of_spaced(out[: top + 1]) + out[top + 1 :]
    starts = [k for k, line in enumerate(out) if _SIGNATURE_START_RE.match(line)]
    if starts:
        tail = out[starts[-1] :]
        if sum(1 for line in tail if _COLUMN_GAP_RE.search(line.strip())) >= 2:
            out = out[: starts[-1]] + _columns_of_spaced(tail)
    return "\n".join(out)


# A notice is a few hundred lines, and a line costs some microseconds to read: a 20 MB text
# of ten million tiny lines took over a minute before extraction refused it as too long.
_MAX_TEXT_LINES = 200_000


def text_blocks(text: str, name: str) -> list[Block]:
    """``blocks_from_text`` of a file's text, refused when it has far more lines than a notice."""
    lines = sum(text.count(c) for c in "\n\r\u2028\u2029\f\v") + 1
    if lines > _MAX_TEXT_LINES:
        raise InputError(
            f"Tệp «{name}» có {lines:,} dòng, vượt giới hạn {_MAX_TEXT_LINES:,} dòng của một "
            "thông báo hay công văn. Kiểm tra lại tệp (có phải cả một tập văn bản?) và tách "
            "riêng từng văn bản."
        )
    return blocks_from_text(text)


# --- Tables a converter wrote into the text ---------------------------------------------
# A task table comes as Markdown rows of three or more columns, or as an HTML <table> (some
# converters write every table so). Its rows become ``row`` blocks as the DOCX reader's do;
# any other table is read as text, a two-column one column by column.
_HTML_TABLE_RE = re.compile(r"<table\b[^>]{0,500}>.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_TABLE_MARK = "\x00"  # stands for a task table in the text until the text is split at it


def _html_rows(fragment: str) -> list[list[str]]:
    """The rows of an HTML table as cell texts (line breaks kept, a spanned cell repeated
    as empty cells so that columns stay aligned)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment)
    except (etree.ParserError, ValueError):
        return []
    rows: list[list[str]] = []
    for tr in root.iter("tr"):
        cells: list[str] = []
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            for br in cell.iter("br"):
                br.tail = "\n" + (br.tail or "")
            cells.append(cell.text_content().strip())
            span = str(cell.get("colspan") or "1")
            cells += [""] * (min(int(span), 20) - 1 if span.isdigit() and span != "0" else 0)
        if cells:
            rows.append(cells)
    return rows


def _table_as_text(rows: list[list[str]], tables: list[list[list[str]]]) -> str:
    """A task table's place-holder line (its rows kept in ``tables``), or the table's text."""
    if not rows:
        return ""
    if all(len(r) == 2 for r in rows):
        columns: list[list[str]] = [[], []]
        for row in rows:
            for k, cell in enumerate(row):
                columns[k] += [part.strip() for part in cell.split("\n") if part.strip()]
        return "\n".join([*columns[0], "", *columns[1]])
    flat = [[" ".join(c.split()) for c in row] for row in rows]
    if task_rows(flat, None) is not None:
        tables.append(flat)
        return f"\n{_TABLE_MARK}\n"
    return "\n\n".join(line for row in rows for cell in row for line in cell.split("\n"))


def _lift_tables(text: str) -> tuple[str, list[list[list[str]]]]:
    """The text with its HTML tables and wide Markdown tables read (``_table_as_text``)."""
    tables: list[list[list[str]]] = []
    if "<" in text:
        text = _HTML_TABLE_RE.sub(lambda m: _table_as_text(_html_rows(m.group(0)), tables), text)
    if "|" not in text:
        return text, tables

    def read(run: list[str]) -> list[str]:
        rows = [_md_cells(r) for r in run if not _MD_SEP_RE.match(r)]
        if not rows or max(len(r) for r in rows) < 3:
            return run  # two columns: unfold_layout_tables reads them
        cells = [[_MD_BREAK_RE.sub("\n", c).replace("**", "") for c in r] for r in rows]
        return [_table_as_text(cells, tables)]

    out = _map_markdown_runs(text, read)
    return "\n".join(out), tables


def blocks_from_text(text: str) -> list[Block]:
    """Split plain text (a TXT file or a PDF's text) into paragraph and footnote blocks, and
    the rows of a task table written in it (Markdown or HTML) into row blocks.

    Hard line breaks and blank lines inside a sentence are joined; list markers, headings,
    terminal punctuation followed by a capital, and header/signature lines start paragraphs.
    """
    text = text.replace(_TABLE_MARK, " ")
    text, tables = _lift_tables(text)
    if not tables:
        return _text_paragraphs(text)
    blocks: list[Block] = []
    for index, chunk in enumerate(text.split(_TABLE_MARK)):
        blocks += _text_paragraphs(chunk)
        if index < len(tables):
            blocks += task_rows(tables[index], index) or []
    return blocks


def _text_paragraphs(text: str) -> list[Block]:
    paras: list[list[str]] = []
    prev = ""  # the last kept line
    prev_prev_len = 0  # length of the line before it, when in the same paragraph
    gap = False  # a blank line lies between prev and the current line
    marked = False  # the current paragraph has a footnote mark
    for raw in normalise_text(text).split("\n"):
        line = WS_RE.sub(" ", raw).strip()
        if not line:
            gap = True
            continue
        if PAGE_NO_RE.match(line):
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
    # A place-and-date line, or after a blank line any header line, stands alone (a trích yếu
    # «V/v …» runs into neither).
    if (len(line) < 100 and "," in line and _is_date_line(line)) or (gap and _hard_heading(line)):
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
        text = clean(raw)
        if not text:
            continue
        blocks.append(Block(text=text, kind="footnote" if footnote else "para"))
        after_marks = footnote or bool(_SUP_RE.search(raw))
    return blocks
