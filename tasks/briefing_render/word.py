"""The briefing as a Word document in the administrative report layout of Nghị định
30/2020/NĐ-CP: A4, Times New Roman, the two-column heading and signature block."""

from __future__ import annotations

from copy import deepcopy
from io import BytesIO
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from tasks.briefing.model import Briefing
from tasks.briefing_render.chart import chart_png
from tasks.briefing_render.sender import current_sender
from tasks.briefing_render.view import (
    SIGN_HINT,
    STATE_MOTTO,
    Section,
    Table,
    View,
    build_view,
    nfc,
    tint,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

_ALIGN = {
    "l": WD_ALIGN_PARAGRAPH.LEFT,
    "c": WD_ALIGN_PARAGRAPH.CENTER,
    "r": WD_ALIGN_PARAGRAPH.RIGHT,
    "j": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_FONT = "Times New Roman"
_TEXT_CM = 16.5  # A4 width 21 cm, less 3 cm left and 1.5 cm right margins
# Elements that follow these in the OOXML schema, so new ones go in the order Word expects.
_AFTER_PBDR = (
    *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct"),
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd"),
    *("w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents"),
    *("w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap"),
    *("w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
)
_AFTER_SHD = (
    *("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    *("w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"),
)
_AFTER_TBLBORDERS = (
    *("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "w:tblPrChange",
)
_AFTER_TBLHEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


def render_docx(b: Briefing, png: bytes | None = None) -> bytes:
    """The briefing as an administrative report (Nghị định 30/2020/NĐ-CP layout); ``png`` is
    the chart when the caller already drew it."""
    view = build_view(b, current_sender())
    doc = Document()
    _page_setup(doc, view)
    _docx_heading(doc, view)
    chart = (png or chart_png(b)) if b.units else None
    for section in view.sections:
        _docx_section(doc, section, chart)
    _docx_closing(doc, view)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _page_setup(doc: DocxDocument, view: View) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = _FONT, Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), _FONT)
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = view.title
    doc.core_properties.language = "vi-VN"
    _page_numbers(sec)


def _page_numbers(sec: Any) -> None:
    """Page numbers centred at the top, from the second page on (as Nghị định 30 asks)."""
    sec.different_first_page_header_footer = True
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    p._p.append(fld)


def _format(
    p: Paragraph,
    text: str,
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    align: str = "l",
    after: float = 0,
) -> Paragraph:
    if text:
        run = p.add_run(nfc(text))
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
    p.alignment = _ALIGN[align]
    p.paragraph_format.space_after = Pt(after)
    return p


def _cell_line(cell: _Cell, text: str, *, first: bool = False, **fmt: Any) -> Paragraph:
    return _format(cell.paragraphs[0] if first else cell.add_paragraph(), text, **fmt)


def _body(doc: DocxDocument, text: str, **fmt: Any) -> Paragraph:
    p = _format(doc.add_paragraph(), text, **{"align": "j", "after": 6, **fmt})
    p.paragraph_format.first_line_indent = Cm(1)
    return p


def _rule(p: Paragraph, width_cm: float, box_cm: float) -> None:
    """Make an empty paragraph a short centred line (the rule under a heading)."""
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm((box_cm - width_cm) / 2)
    fmt.line_spacing = Pt(2)
    fmt.space_after = Pt(6)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)


def _layout_table(doc: DocxDocument, widths: tuple[float, float]) -> tuple[_Cell, _Cell]:
    """A borderless two-column table (document heading, signature block)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    _set_widths(table, widths)
    _keep_row(table.rows[0]._tr)  # the signature block: its title and its name on one page
    left, right = table.rows[0].cells
    return left, right


def _docx_heading(doc: DocxDocument, v: View) -> None:
    left, right = _layout_table(doc, (6.5, 10.0))
    if v.parent:  # the governing body, when there is one over the office
        _cell_line(left, v.parent, first=True, size=13, align="c")
    _cell_line(left, v.issuer, first=not v.parent, size=13, bold=True, align="c")
    _rule(_cell_line(left, ""), 2.5, 6.5)
    _cell_line(left, v.number, size=13, align="c")
    _cell_line(right, STATE_MOTTO[0], first=True, size=13, bold=True, align="c")
    _cell_line(right, STATE_MOTTO[1], size=14, bold=True, align="c")
    _rule(_cell_line(right, ""), 5.8, 10.0)
    _cell_line(right, v.place_date, size=14, italic=True, align="c")
    _format(
        doc.add_paragraph(), "BÁO CÁO", size=14, bold=True, align="c"
    ).paragraph_format.space_before = Pt(18)
    _format(doc.add_paragraph(), v.subject, size=14, bold=True, align="c")
    _rule(doc.add_paragraph(), 4.0, _TEXT_CM)


def _docx_section(doc: DocxDocument, s: Section, chart: bytes | None) -> None:
    heading = _body(doc, s.title, bold=True, align="l")
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.keep_with_next = True
    for text in s.intro:
        _body(doc, text)
    if s.chart and chart:
        p = _format(doc.add_paragraph(), "", align="c", after=6)
        p.add_run().add_picture(BytesIO(chart), width=Cm(16))
    if s.table:
        _docx_table(doc, s.table)
    for text in s.notes:
        _body(doc, text)


def _rows_cells(table: Any) -> list[list[_Cell]]:
    """Every row's cells, straight from the XML in one pass: python-docx's ``row.cells`` lays
    out the whole table each time, which made a 3,500-row table take minutes."""
    return [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def _set_widths(table: Any, widths: tuple[float, ...]) -> None:
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for cells in _rows_cells(table):
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Cm(width)


def _shade(cell: _Cell, hex_colour: str) -> None:
    shd = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", hex_colour.lstrip("#"))):
        shd.set(qn(f"w:{key}"), value.upper() if key == "fill" else value)
    cell._tc.get_or_add_tcPr().insert_element_before(shd, *_AFTER_SHD)


def _keep_row(tr: Any) -> None:
    """A row is never split across two pages (Word's «Allow row to break across pages» off)."""
    tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # trPr's children: any order


def _repeat_header(row: Any) -> None:
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().insert_element_before(el, *_AFTER_TBLHEADER)


def _docx_table(doc: DocxDocument, t: Table) -> None:
    head = 2 if t.group else 1
    table = doc.add_table(rows=head, cols=len(t.header), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_widths(table, t.widths)
    _docx_table_header(table, t)
    style = _cell_style(doc, t.font_pt)
    # Body rows are copies of a formatted prototype row (lxml deepcopy) with their texts put
    # in: python-docx's element by element way takes ~100 µs a cell, and a national briefing
    # has tens of thousands of cells.
    protos = {bold: _proto_row(table, t, style, bold=bold) for bold in (False, True)}
    text_tag = qn("w:t")
    for i, values in enumerate(t.rows):
        tr = deepcopy(protos[t.is_total(i)])
        for tc, text in zip(tr.tc_lst, values, strict=True):
            tc.find(f".//{text_tag}").text = nfc(text)
        table._tbl.append(tr)
        if i in t.marks:
            _shade(_Cell(tr.tc_lst[t.label_col], table), tint(t.marks[i]))
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _proto_row(table: Any, t: Table, style: Any, *, bold: bool) -> Any:
    """A body row with every cell formatted and holding one run (text to fill in), detached."""
    tr = table.add_row()._tr
    for j, tc in enumerate(tr.tc_lst):
        cell = _Cell(tc, table)
        cell.width = Cm(t.widths[j])
        _fast_cell(cell, " ", style=style, bold=bold, align=t.align[j])
    _keep_row(tr)
    table._tbl.remove(tr)
    return tr


def _cell_style(doc: DocxDocument, size: float) -> Any:
    """A paragraph style for table cells of one font size: set once, not on every cell."""
    name = f"dondoc bảng {size:g}"
    if name not in [s.name for s in doc.styles]:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(size)
        style.paragraph_format.space_after = Pt(0)
    return doc.styles[name]


def _fast_cell(cell: _Cell, text: str, *, style: Any, bold: bool, align: str) -> None:
    """A body cell: its text in the table's style; only what differs is set on the cell
    (a 3,500-row table has tens of thousands of cells)."""
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style.style_id  # the setter would look the style up each time
    if text:
        run = p.add_run(nfc(text))
        if bold:
            run.bold = True
    if align != "l":
        p.alignment = _ALIGN[align]


def _docx_table_header(table: Any, t: Table) -> None:
    top = table.rows[0].cells
    cells = list(top)
    if t.group:
        name, start = t.group
        bottom = table.rows[1].cells
        cells = [top[j].merge(bottom[j]) for j in range(start)] + list(bottom[start:])
        group = top[start].merge(top[len(t.header) - 1])
        _header_cell(group, name, t.font_pt)
        _repeat_header(table.rows[1])
    for j, (cell, text) in enumerate(zip(cells, t.header, strict=True)):
        _header_cell(cell, text, t.font_pt, t.header_marks.get(j))
    for row in table.rows:  # the header rows: kept whole, and repeated on every page
        _keep_row(row._tr)
    _repeat_header(table.rows[0])


def _header_cell(cell: _Cell, text: str, size: float, mark: str | None = None) -> None:
    _cell_line(cell, text, first=True, size=size, bold=True, align="c")
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _shade(cell, tint(mark) if mark else "#D9D9D9")


def _docx_closing(doc: DocxDocument, v: View) -> None:
    left, right = _layout_table(doc, (8.0, 8.5))
    _cell_line(left, "Nơi nhận:", first=True, size=12, bold=True, italic=True)
    for line in v.recipients:
        _cell_line(left, line, size=11)
    _cell_line(right, v.signer_title, first=True, size=13, bold=True, align="c")
    _cell_line(right, SIGN_HINT, size=13, italic=True, align="c")
    for _ in range(4):
        _cell_line(right, "")
    if v.signer_name:
        _cell_line(right, v.signer_name, size=13, bold=True, align="c")
