"""The briefing as documents: the numbers of the June 2024 scenario read back from the DOCX,
HTML and Markdown, the chart, an empty month, escaping, and the CLI's entry point."""

from __future__ import annotations

import base64
import json
import re
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from sqlmodel import Session

from dondoc.settings import get_settings
from tasks.briefing import KEYS, Briefing, FailedLine, UnitLine, compute_briefing
from tasks.briefing_render import (
    CHART_UNITS,
    Sender,
    build_view,
    chart_figure,
    chart_png,
    chart_rows,
    chart_title,
    render_docx,
    render_html,
    render_markdown,
    write_briefing,
    write_briefing_files,
)
from tasks.errors import InputError
from tasks.periods import Period
from tasks.status import CATEGORIES
from tests.helpers import briefing_scenario

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUBJECT = "Tình hình thực hiện nhiệm vụ được giao tháng 06/2024"
# Category label → count in June 2024, in the order of tasks.status.CATEGORIES.
TOTALS = dict(zip((c.label for c in CATEGORIES), ["2", "1", "1", "1", "1", "1"], strict=True))
# Unit → Được giao, HT đúng hạn, HT quá hạn, Đang thực hiện trong hạn, Quá hạn, Không thời hạn,
# Tỷ lệ đúng hạn (%), and against May (nothing then: dashes).
UNITS = {
    # The mini directory has a Phòng Nội vụ in each of its two districts: named with its parent.
    "Phòng Nội vụ (An Phú)": ["3", "2", "0", "1", "0", "0", "100,0", "—", "—"],
    "Phòng Tư pháp": ["2", "0", "1", "0", "0", "1", "0,0", "—", "—"],
    "UBND xã Phú Hữu": ["1", "0", "0", "1", "0", "0", "—", "—", "—"],
    "UBND xã Phú Hội": ["1", "0", "0", "0", "1", "0", "0,0", "—", "—"],
}
UNIT_TOTAL = ["Tổng số", "7", "2", "1", "2", "1", "1", "50,0", "—", "—"]
OVERDUE_HEADER = ["TT", "Văn bản", "Mục", "Nội dung", "Đơn vị chủ trì", "Hạn", "Số ngày quá hạn"]
OVERDUE_ROW = [
    "1",
    "20/TB-VP",
    "5",
    "UBND xã Phú Hội báo cáo kết quả khắc phục tồn tại sau kiểm tra trước ngày 25/6/2024.",
    "UBND xã Phú Hội",
    "25/06/2024",
    "5",
    "Đang tổng hợp số liệu",
]
DUE_NEXT = [("4", "05/07/2024"), ("6", "15/07/2024"), ("3 (kỳ tháng 07/2024)", "22/07/2024")]
EMPTY_SENTENCES = [
    "Không có đơn vị nào có nhiệm vụ chủ trì trong kỳ.",
    "Không có nhiệm vụ nào quá hạn tính đến ngày 31/05/2024.",
    "Không có thông báo, văn bản nào ban hành trong kỳ.",
    "Không có nhiệm vụ nào đến hạn trong tháng 06/2024.",
    "Không có nhắc việc nào gửi không thành công",
]


@pytest.fixture
def scenario(session: Session) -> Session:
    briefing_scenario(session)
    return session


@pytest.fixture
def june(scenario: Session) -> Briefing:
    return compute_briefing(session=scenario, period=Period(2024, 6))


@pytest.fixture
def may(scenario: Session) -> Briefing:
    return compute_briefing(session=scenario, period=Period(2024, 5))


@pytest.fixture
def signer(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DONDOC_REPORT_SIGNER_NAME", "Trần Văn Ký")
    monkeypatch.setenv("DONDOC_REPORT_SYMBOL", "BC-VPUB")
    get_settings.cache_clear()
    yield "Trần Văn Ký"
    get_settings.cache_clear()


def test_scenario_figures(june: Briefing, may: Briefing) -> None:
    """The figures every test below reads back (as the brief states them)."""
    assert june.as_of.isoformat() == "2024-06-30"
    assert [june.totals[k] for k in KEYS] == [2, 1, 1, 1, 1, 1]
    assert june.pct_on_time == 50.0
    assert {u.name: u.assigned for u in june.units} == {n: int(v[0]) for n, v in UNITS.items()}
    assert june.due_next_total == 3 and len(june.notices) == 1
    assert may.total == 0 and may.units == [] and may.notices == []


# ----------------------------------------------------------------------------- readers


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def docx_tables(data: bytes) -> tuple[docx.document.Document, list[list[list[str]]]]:
    doc = docx.Document(BytesIO(data))
    return doc, [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def table_starting(tables: list[list[list[str]]], *header: str) -> list[list[str]]:
    """The table whose first row begins with these header cells."""
    found = [t for t in tables if t and t[0][: len(header)] == list(header)]

    assert len(found) == 1, f"no single table with header {header}"
    return found[0]


def rows_by(table: list[list[str]], column: int) -> dict[str, list[str]]:
    return {row[column]: row for row in table}


def md_tables(text: str) -> list[list[list[str]]]:
    """Each Markdown table as rows of cells (header row first, the alignment row dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            current.append([re.sub(r"\\(.)", r"\1", c.strip().replace("**", "")) for c in cells])
        elif current:
            tables.append([current[0], *current[2:]])
            current = []
    return tables


class TableReader(HTMLParser):
    """Tables (rows of cell texts), images and the html element's attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_attrs = dict(attrs)
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs)["src"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_html(text: str) -> TableReader:
    reader = TableReader()
    reader.feed(text)
    return reader


def assert_june_tables(tables: list[list[list[str]]], *, header_rows: int) -> None:
    """The numbers of the scenario, as any format's tables give them."""
    totals = table_starting(tables, "TT", "Tình trạng")
    assert {r[1]: r[2] for r in totals[1:7]} == TOTALS
    assert totals[7][1:4] == ["Tổng số", "7", "100,0"]
    units = table_starting(tables, "TT", "Đơn vị", "Được giao")
    body = units[header_rows:]
    assert {r[1]: r[2:] for r in body[:-1]} == UNITS
    assert [r[0] for r in body] == ["1", "2", "3", "4", ""]
    assert body[-1][1:] == UNIT_TOTAL
    overdue = table_starting(tables, *OVERDUE_HEADER)
    assert overdue[1:] == [OVERDUE_ROW]
    upcoming = [t for t in tables if t[0][-2:] == ["Hạn", "Tiến độ gần nhất"]]
    assert [(r[2], r[5]) for r in upcoming[0][1:]] == DUE_NEXT
    notices = table_starting(tables, "TT", "Số, ký hiệu")
    assert notices[1][1:3] == ["20/TB-VP", "03/06/2024"] and notices[1][4:] == ["7", "8"]


# ----------------------------------------------------------------------------- DOCX


def test_docx_numbers(june: Briefing) -> None:
    _, tables = docx_tables(render_docx(june))
    assert_june_tables(tables, header_rows=2)
    units = table_starting(tables, "TT", "Đơn vị", "Được giao")
    assert units[0][9:] == ["So với kỳ trước"] * 2  # one merged cell over two columns
    assert units[1][9:] == ["Tỷ lệ đúng hạn (điểm %)", "Số quá hạn"]


def test_docx_layout(june: Briefing) -> None:
    doc, tables = docx_tables(render_docx(june))
    heading, closing = tables[0][0], tables[-1][0]
    assert heading[0].splitlines() == [
        "UBND HUYỆN AN PHÚ",
        "VĂN PHÒNG HĐND VÀ UBND",  # the place is said once, on the line above
        "",
        "Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BC-VP",
    ]
    assert heading[1].splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "An Phú, ngày …… tháng …… năm 2024",
    ]
    for layout in (doc.tables[0], doc.tables[-1]):
        assert _border_values(layout) == {"nil"}  # borderless
    texts = [p.text for p in doc.paragraphs]
    title = doc.paragraphs[texts.index("BÁO CÁO")]
    assert title.runs[0].bold and title.alignment == 1  # centred
    assert texts[texts.index("BÁO CÁO") + 1] == SUBJECT
    headings = [t for t in texts if re.match(r"[IVX]+\. ", t)]
    assert headings == [
        "I. Tổng hợp chung",
        "II. Kết quả theo đơn vị",
        "III. Nhiệm vụ quá hạn",
        "IV. Thông báo, văn bản ban hành trong kỳ",
        "V. Nhiệm vụ đến hạn trong kỳ tới",
        "VI. Nhắc việc không gửi được",
    ]
    assert closing[0].splitlines() == [
        "Nơi nhận:",
        "- Thường trực UBND;",
        "- Các đơn vị được giao nhiệm vụ;",
        "- Lưu: VT.",
    ]
    assert closing[1].splitlines()[:2] == ["CHÁNH VĂN PHÒNG", "(Ký, ghi rõ họ tên)"]
    assert len(doc.inline_shapes) == 1  # the chart


def _border_values(table: docx.table.Table) -> set[str]:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return {el.get(qn("w:val")) for el in borders}


def test_docx_page_and_sentences(june: Briefing) -> None:
    doc = docx.Document(BytesIO(render_docx(june)))
    sec = doc.sections[0]
    assert sec.page_width is not None and sec.page_height is not None
    assert sec.right_margin is not None
    assert sec.top_margin and sec.bottom_margin and sec.left_margin
    assert abs(sec.page_width - Cm(21)) < Cm(0.01) and abs(sec.page_height - Cm(29.7)) < Cm(0.01)
    assert [round(m.cm, 2) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin)] == [
        2.0,
        2.0,
        3.0,
    ]
    assert 1.5 <= round(sec.right_margin.cm, 2) <= 2.0  # stored in twips
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "tỷ lệ hoàn thành đúng hạn đạt 50,0%" in body
    assert "Kỳ trước (tháng 05/2024) không có nhiệm vụ nào" in body
    assert "đơn vị chủ trì" in body and "tình trạng tính đến ngày 30/06/2024" in body
    assert "Có 9 đơn vị không có nhiệm vụ chủ trì nào trong kỳ." in body
    assert "Không có nhắc việc nào gửi không thành công" in body


def test_docx_signer_and_symbol(june: Briefing, signer: str) -> None:
    _, tables = docx_tables(render_docx(june))
    assert tables[0][0][0].splitlines()[-1].endswith("/BC-VPUB")
    assert tables[-1][0][1].splitlines()[-1] == signer


# ----------------------------------------------------------------------------- Markdown


def test_markdown_numbers(june: Briefing) -> None:
    text = render_markdown(june)
    assert_june_tables(md_tables(text), header_rows=1)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and f"**{SUBJECT}**" in text
    assert "# BÁO CÁO" in text and "**Nơi nhận:**" in text and "- Lưu: VT." in text
    assert "![" not in text  # no chart file given
    assert unicodedata.is_normalized("NFC", text)


def test_markdown_links_a_given_chart(june: Briefing) -> None:
    text = render_markdown(june, chart="giao ban 06.png")
    links = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", text)
    assert links == ["<giao ban 06.png>"]
    assert text.index("![") < text.index("| TT | Đơn vị |")  # the chart before the unit table


# ----------------------------------------------------------------------------- HTML


def test_html_numbers_and_page(june: Briefing) -> None:
    text = render_html(june)
    page = read_html(text)
    assert page.html_attrs.get("lang") == "vi"
    assert '<meta charset="utf-8">' in text
    assert unicodedata.is_normalized("NFC", text)
    # the layout tables (heading, closing) come first and last; the data tables in between
    assert_june_tables(page.tables[1:-1], header_rows=2)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page.tables[0][0][1]
    assert page.tables[-1][0][0].startswith("Nơi nhận:")
    assert f'<p class="subject">{SUBJECT}</p>' in text


def test_html_embeds_the_chart(june: Briefing) -> None:
    (src,) = read_html(render_html(june)).images
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    png = base64.b64decode(src[len(prefix) :], validate=True)
    assert png.startswith(PNG_SIGNATURE) and png == chart_png(june)


def test_html_status_colours(june: Briefing) -> None:
    text = render_html(june)
    for cat in CATEGORIES:
        cell = re.search(rf"<td [^>]*>{re.escape(cat.label)}</td>", text)
        assert cell is not None and f"border-left: 6px solid {cat.hex}" in cell.group(0)


def test_html_escapes_unit_names(june: Briefing) -> None:
    name = 'Phòng <b>Thử</b> & "Co" | x'
    odd = replace(june, units=[replace(june.units[0], name=name), *june.units[1:]])
    text = render_html(odd)
    assert "<b>Thử" not in text
    assert "Phòng &lt;b&gt;Thử&lt;/b&gt; &amp; &#34;Co&#34; | x" in text
    units = table_starting(read_html(text).tables, "TT", "Đơn vị", "Được giao")
    assert units[2][1] == name  # the first unit row, read back as the clerk wrote it
    md_units = table_starting(md_tables(render_markdown(odd)), "TT", "Đơn vị")
    assert md_units[1][1] == name and len(md_units[1]) == 11
    assert r'Phòng \<b\>Thử\</b\> & "Co" \| x' in render_markdown(odd)


# ----------------------------------------------------------------------------- the chart


def test_chart_png(june: Briefing) -> None:
    data = chart_png(june)
    width, height = png_size(data)
    assert width == 1200  # 10 inches at 120 dpi
    assert 300 < height < 800
    assert chart_png(june) == data  # deterministic
    # The most overdue first, then the lowest on-time share (none due: last).
    assert [name for name, _ in chart_rows(june)] == [
        "UBND xã Phú Hội",  # 1 overdue
        "Phòng Tư pháp",  # 0 % on time
        "Phòng Nội vụ (An Phú)",  # 100 %
        "UBND xã Phú Hữu",  # nothing due yet
    ]


def _many_units(b: Briefing, n: int) -> Briefing:
    """n units; unit i has i+1 items, spread over the categories."""
    units = [
        UnitLine(
            unit_id=1000 + i,
            code=f"U{i:02d}",
            name=f"Đơn vị số {i:02d}",
            counts={k: (i + 1 if k == KEYS[i % 6] else 0) for k in KEYS},
        )
        for i in range(n)
    ]
    return replace(b, units=units)


def test_chart_shows_the_most_overdue_units(june: Briefing) -> None:
    """40 units: the 12 with most overdue items are drawn, most overdue first, each bar noted
    with its overdue count and on-time share; no «other units» bar to dwarf them."""
    many = _many_units(june, 40)
    rows = chart_rows(many)
    assert len(rows) == CHART_UNITS == 12
    overdue = [counts["overdue"] for _, counts in rows]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] == max(
        u.counts["overdue"] for u in many.units
    )
    assert all(n > 0 for n in overdue[: sum(1 for u in many.units if u.counts["overdue"])])
    ax = chart_figure(many).axes[0]
    assert len(ax.patches) == 6 * 12
    notes = [t.get_text() for t in ax.texts]
    assert notes[0].strip().startswith(f"{overdue[0]} quá hạn")
    assert "12 đơn vị có nhiều nhiệm vụ quá hạn nhất" in chart_title(many)
    assert png_size(chart_png(many))[1] == png_size(chart_png(_many_units(june, 12)))[1]


def test_chart_of_an_empty_month(may: Briefing) -> None:
    width, height = png_size(chart_png(may))
    assert width == 1200 and height > 100
    ax = chart_figure(may).axes[0]
    assert any("Không có nhiệm vụ nào" in t.get_text() for t in ax.texts)


# ----------------------------------------------------------------------------- empty month


def test_empty_month_docx(may: Briefing) -> None:
    doc, tables = docx_tables(render_docx(may))
    totals = table_starting(tables, "TT", "Tình trạng")
    assert [r[2:4] for r in totals[1:7]] == [["0", "—"]] * 6
    assert totals[7][1:4] == ["Tổng số", "0", "—"]
    body = "\n".join(p.text for p in doc.paragraphs)
    for sentence in EMPTY_SENTENCES:
        assert sentence in body
    assert len(tables) == 3  # heading, totals, closing
    assert len(doc.inline_shapes) == 0


def test_empty_month_html_and_markdown(may: Briefing) -> None:
    page = render_html(may)
    text = render_markdown(may, chart="x.png")
    for sentence in EMPTY_SENTENCES:
        assert sentence in page and sentence in text
    assert read_html(page).images == [] and "![" not in text
    (totals,) = md_tables(text)
    assert totals[-1][1:3] == ["Tổng số", "0"]


# ----------------------------------------------------------------------------- more cases


def test_previous_period_comparison(june: Briefing) -> None:
    before = {"done_on_time": 1, "done_late": 1, "in_time": 0, "due_soon": 0}
    nv = next(u for u in june.units if u.code == "T-A-NV")
    nv = replace(nv, previous={**before, "overdue": 2, "no_deadline": 0})  # 25,0 % then
    b = replace(
        june,
        units=[nv if u.code == "T-A-NV" else u for u in june.units],
        previous_totals={**before, "overdue": 2, "no_deadline": 0},
    )
    units = table_starting(md_tables(render_markdown(b)), "TT", "Đơn vị")
    rows = rows_by(units, 1)
    assert rows["Phòng Nội vụ (An Phú)"][9:] == ["+75,0", "-2"]
    assert rows["Phòng Tư pháp"][9:] == ["—", "—"]
    assert rows["Tổng số"][9:] == ["+25,0", "-1"]
    body = "\n".join(p.text for p in docx.Document(BytesIO(render_docx(b))).paragraphs)
    assert (
        "Kỳ trước (tháng 05/2024) có 4 nhiệm vụ, 1 hoàn thành đúng hạn, 2 quá hạn, tỷ lệ hoàn "
        "thành đúng hạn 25,0%; so với kỳ trước, tỷ lệ đúng hạn tăng 25,0 điểm phần trăm, "
        "số nhiệm vụ quá hạn giảm 1." in body
    )


def test_capped_lists_say_how_many_more(june: Briefing) -> None:
    b = replace(june, totals={**june.totals, "overdue": 4}, due_next_total=5)
    text = render_markdown(b)
    assert "… và 3 nhiệm vụ khác; xem đầy đủ bằng lệnh «dondoc status --as-of 30/06/2024»." in text
    assert "… và 2 nhiệm vụ khác" in text
    assert "… và" not in render_markdown(june)


def test_failed_reminders(june: Briefing) -> None:
    failed = FailedLine(
        "email", "mailto://vp:secret@example.gov.vn", "Phòng Nội vụ", 3, "550", None
    )
    b = replace(june, failed=[failed], failed_total=2)
    text = render_html(b)
    table = table_starting(read_html(text).tables, "TT", "Kênh")
    assert table[1] == ["1", "Thư điện tử", "vp@example.gov.vn", "Phòng Nội vụ", "3", "550"]
    assert "secret" not in text
    assert "Có 2 lượt nhắc việc không gửi được trong kỳ:" in text
    assert "… và 1 lượt khác" in text


def test_fifteen_to_fourteen_period(scenario: Session) -> None:
    b = compute_briefing(session=scenario, period=Period(2024, 6, "15-14"))
    doc = docx.Document(BytesIO(render_docx(b)))
    assert "(từ ngày 15/05/2024 đến ngày 14/06/2024)" in "\n".join(p.text for p in doc.paragraphs)


# ----------------------------------------------------------------------------- write_briefing


def test_write_markdown_with_its_chart(june: Briefing, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao" / "giao-ban-06.md"
    text = write_briefing(june, "md", out)
    assert out.read_text(encoding="utf-8") == text
    assert "](giao-ban-06.png)" in text
    assert png_size((tmp_path / "bao-cao" / "giao-ban-06.png").read_bytes())[0] == 1200


def test_write_docx_html_json(june: Briefing, tmp_path: Path) -> None:
    data = write_briefing(june, "docx", tmp_path / "b.docx")
    assert isinstance(data, bytes) and (tmp_path / "b.docx").read_bytes() == data
    assert docx.Document(str(tmp_path / "b.docx")).tables
    page = write_briefing(june, "HTML", None)
    assert isinstance(page, str) and page.startswith("<!doctype html>")
    assert json.loads(str(write_briefing(june, "json", None))) == june.to_json()
    assert not list(tmp_path.glob("*.png"))  # only Markdown files get a separate chart


def test_write_refuses_what_it_cannot_do(june: Briefing, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="docx, html, md hoặc json"):
        write_briefing(june, "pdf", None)
    with pytest.raises(InputError, match="--out"):
        write_briefing(june, "docx", None)
    with pytest.raises(InputError, match="Không ghi được tệp"):
        write_briefing(june, "html", tmp_path)  # a folder, not a file


def test_write_briefing_files_as_the_flow_does(
    june: Briefing, may: Briefing, tmp_path: Path
) -> None:
    paths = write_briefing_files(june, tmp_path / "bc")
    assert list(paths) == ["docx", "html", "md", "png"]
    assert paths["md"] == tmp_path / "bc" / "bao-cao-giao-ban-2024-06.md"
    again = tmp_path / "again" / paths["md"].name
    assert paths["md"].read_text(encoding="utf-8") == write_briefing(june, "md", again)
    assert paths["png"].read_bytes() == again.with_suffix(".png").read_bytes()
    assert paths["html"].read_text(encoding="utf-8") == write_briefing(june, "html", None)
    assert docx.Document(str(paths["docx"])).tables
    empty = write_briefing_files(may, tmp_path / "may")
    assert png_size(empty["png"].read_bytes())[0] == 1200  # a chart even without units
    assert "![" not in empty["md"].read_text(encoding="utf-8")


def test_view_takes_its_sender_as_given(june: Briefing) -> None:
    sender = Sender(
        symbol="BC-UBND",
        recipients=["Thường trực HĐND", "Lưu: VT"],
        signer_title="Chánh Văn phòng",
        signer_name="Lê Thị Ký",
    )
    view = build_view(june, sender)
    assert view.number.endswith("/BC-UBND")
    assert view.recipients == ["- Thường trực HĐND;", "- Lưu: VT."]
    assert (view.signer_title, view.signer_name) == ("CHÁNH VĂN PHÒNG", "Lê Thị Ký")
    assert view.chart_title.endswith(june.period.label)


def test_an_overdue_directive_is_one_row_with_its_units(june: Briefing) -> None:
    """The same directive late at three units is one row naming the three (and each one's
    latest note), its long text clipped at a word in the document and whole in the HTML."""
    from tasks.briefing.model import ItemLine

    long_text = "Rà soát, báo cáo kết quả thực hiện " + "các chỉ tiêu kinh tế - xã hội " * 12
    shared = {"notice_number": "54/TB-VP", "ref": "2", "text": long_text, "days_late": 9}
    items = [
        ItemLine(assignment_id=100 + k, unit=unit, due=date(2024, 6, 21), note=note, **shared)  # type: ignore[arg-type]
        for k, (unit, note) in enumerate(
            [("Phòng Nội vụ", "Đang tổng hợp"), ("Phòng Tư pháp", None), ("UBND xã Phú Hội", None)]
        )
    ]
    late = replace(june, overdue=[*items, *june.overdue], totals={**june.totals, "overdue": 4})
    _, tables = docx_tables(render_docx(late))
    rows = table_starting(tables, *OVERDUE_HEADER)[1:]
    assert len(rows) == 2 and rows[1][3:] == OVERDUE_ROW[3:]
    first = rows[0]
    assert first[1:3] == ["54/TB-VP", "2"]
    assert first[4] == "Phòng Nội vụ; Phòng Tư pháp; UBND xã Phú Hội"
    assert first[5:7] == ["21/06/2024", "9"] and first[7] == "Phòng Nội vụ: Đang tổng hợp"
    assert first[3].endswith("…") and len(first[3]) <= 220
    assert long_text.startswith(first[3][:-1])  # cut between words, nothing changed
    assert long_text[len(first[3]) - 1] in " ,-"
    html = render_html(late)
    assert long_text.strip() in html and html.count("Phòng Tư pháp; UBND xã Phú Hội") == 1


def test_the_summary_counts_directives_and_assignments_and_says_which(june: Briefing) -> None:
    """«1008 nhiệm vụ» that are 38 directives × their units misled: both are said, and the
    rate's base (what has come due, what is left out)."""
    doc = render_markdown(june)
    assert 0 < june.directives <= june.total
    flat = " ".join(doc.split())
    assert (
        f"{june.directives} nhiệm vụ giao cho các đơn vị chủ trì thành {june.total} lượt giao"
        in flat
    )
    assert "lượt chưa đến hạn" in flat and "không có thời hạn không tính vào tỷ lệ" in flat
    assert june.to_json()["directives"] == june.directives
