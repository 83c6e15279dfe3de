"""DOCX into blocks: paragraphs with their list labels, task tables as rows, text boxes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from tasks.errors import InputError
from tasks.readers.document import MAX_READ_CHARS, Block, too_long
from tasks.readers.docx_numbering import Numbering
from tasks.readers.docx_package import read_package
from tasks.readers.task_table import task_rows
from tasks.readers.text import clean
from tasks.readers.wordml import (
    MC,
    W_CUSTOMXML,
    W_P,
    W_R,
    W_SDT,
    W_SDTCONTENT,
    W_T,
    W_TBL,
    W_TC,
    W_TR,
    W_TXBX,
    W_VAL,
    parse_int,
    w_tag,
)

# Elements whose text is not part of the paragraph: deleted text, field codes, drawings
# (text boxes are read separately), properties.
_SKIP = {
    w_tag(t)
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
_SPACE_TAGS = {w_tag(t) for t in ("tab", "ptab", "br", "cr")}


def read_docx(data: bytes, name: str) -> list[Block]:
    """The blocks of a DOCX's body in reading order (raises InputError)."""
    package = read_package(data, name)
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


class _DocxReader:
    """Walks a python-docx document's body in order and produces blocks."""

    def __init__(self, document: Any, name: str) -> None:
        self.document = document
        self.name = name
        self.numbering = Numbering(document)
        self.blocks: list[Block] = []
        self.tables = 0
        self.chars = 0

    def _add(self, block: Block) -> None:
        self.chars += len(block.text)
        if self.chars > MAX_READ_CHARS:
            raise too_long(self.name)
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
        text = clean(_paragraph_text(p))
        if text:
            if label and not text.startswith(label + " "):
                text = clean(f"{label} {text}")
            self._add(Block(text=text, table=table))
        for box in _text_boxes(p):  # text boxes anchored in this paragraph
            self._container(box, table)

    def _table(self, tbl: Any) -> None:
        index = self.tables
        self.tables += 1
        rows = [self._row_cells(tr) for tr in tbl.iterchildren(W_TR)]
        texts = [[clean(" ".join(self._cell_paragraph_texts(tc))) for tc in row] for row in rows]
        # A cell merged down (vMerge) belongs to every row it spans: in a task table
        # "Chủ trì: Sở Nội vụ" over three rows is the lead of all three.
        for r in range(1, len(texts)):
            for c, tc in enumerate(rows[r]):
                if tc is _MERGED_ABOVE and c < len(texts[r - 1]):
                    texts[r][c] = texts[r - 1][c]
        rows_read = task_rows(texts, index)
        if rows_read is None:
            for row in rows:
                for tc in row:
                    if tc is not None and tc is not _MERGED_ABOVE:
                        self._container(tc, index)
            return
        for block in rows_read:
            self._add(block)

    def _row_cells(self, tr: Any) -> list[Any]:
        """The row's cells on the table grid: a cell spanning n columns is followed by n-1
        None; a vertically merged continuation cell is None (its text is in the cell above)."""
        out: list[Any] = []
        tr_pr = tr.find(w_tag("trPr"))
        if tr_pr is not None:
            gb = tr_pr.find(w_tag("gridBefore"))
            if gb is not None:
                out.extend([None] * min(_MAX_COLUMNS, parse_int(gb.get(W_VAL), 0)))
        for tc in _row_tcs(tr):
            tc_pr = tc.find(w_tag("tcPr"))
            span, cont = 1, False
            if tc_pr is not None:
                gs = tc_pr.find(w_tag("gridSpan"))
                if gs is not None:
                    span = max(1, min(_MAX_COLUMNS, parse_int(gs.get(W_VAL), 1)))
                vm = tc_pr.find(w_tag("vMerge"))
                cont = vm is not None and vm.get(W_VAL) in (None, "continue")
                hm = tc_pr.find(w_tag("hMerge"))  # legacy horizontal merge
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


def _row_tcs(tr: Any) -> Iterator[Any]:
    """The w:tc of a row, also those wrapped in content controls or custom XML."""
    for child in tr.iterchildren():
        if child.tag == W_TC:
            yield child
        elif child.tag in (W_SDT, W_CUSTOMXML):
            content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
            if content is not None:
                yield from _row_tcs(content)


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
        elif tag == w_tag("noBreakHyphen"):
            out.append("-")
        elif (tag == W_R and _hidden(child)) or tag == W_P:
            continue  # hidden text; a paragraph nested in a paragraph (text boxes: read apart)
        else:
            _collect(child, out)


def _hidden(run: Any) -> bool:
    rpr = run.find(w_tag("rPr"))
    if rpr is None:
        return False
    v = rpr.find(w_tag("vanish"))
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
