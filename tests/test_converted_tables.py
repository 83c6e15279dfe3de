"""Tables as converters and Word's PDF export write them: a Markdown or HTML task table in a
text copy, an HTML header and signature, an appendix task table after the signature, and a
PDF task table whose cells pypdf reads interleaved (one row cut by a page break). Also the
Markdown a converter puts around lines («## 1. …», «*Đà Nẵng, ngày …*», «1\\. »)."""

from __future__ import annotations

from pathlib import Path

from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text, read_document

ROOT = Path(__file__).resolve().parent.parent
HELDOUT3 = ROOT / "tests" / "data" / "heldout3"

HTML_HEADER = """<table>
<tr>
<td><b>ỦY BAN NHÂN DÂN<br>TỈNH QUẢNG NINH</b><br>--------</td>
<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</b></td>
</tr>
<tr><td>Số: 87/TB-UBND</td><td><i>Quảng Ninh, ngày 12 tháng 3 năm 2026</i></td></tr>
</table>

**THÔNG BÁO**

Phó Chủ tịch UBND tỉnh kết luận như sau:

1. Sở Du lịch rà soát điều kiện an toàn của tàu du lịch, hoàn thành trước ngày 15/4/2026.

2. Sở Y tế bố trí lực lượng cấp cứu tại các bãi tắm trong tháng 5/2026.

<table>
<tr><td><b><i>Nơi nhận:</i></b><br>- Như trên;<br>- Lưu: VT.</td><td><b>KT. CHỦ TỊCH<br>PHÓ CHỦ TỊCH</b></td></tr>
<tr><td></td><td><br><br></td></tr>
<tr><td></td><td><b>Vũ Thành Long</b></td></tr>
</table>
"""

TASK_TABLE_ROWS = [
    (
        "1",
        "Ra quân bảo đảm an toàn giao thông dịp Tết",
        "Công an tỉnh",
        "Sở Xây dựng",
        "Trước ngày 10/02/2026",
    ),
    (
        "2",
        "Hoàn thiện hồ sơ xử lý điểm đen tai nạn giao thông",
        "Sở Xây dựng",
        "Công an tỉnh",
        "Tháng 6/2026",
    ),
]


def _markdown_table() -> str:
    lines = [
        "| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |",
        "|---|---|---|---|---|",
        "| (1) | (2) | (3) | (4) | (5) |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in TASK_TABLE_ROWS]
    return "\n".join(lines)


def _html_table() -> str:
    head = "<tr><th>TT</th><th>Nội dung</th><th>Chủ trì</th><th>Phối hợp</th><th>Thời hạn</th></tr>"
    body = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TASK_TABLE_ROWS
    )
    return f"<table>{head}{body}</table>"


def _plan(table: str) -> str:
    return (
        "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\n\nSố: 28/KH-UBND\n\nGia Lai, ngày 20 tháng 01 năm 2026\n\n"
        "KẾ HOẠCH\n\nBảo đảm trật tự, an toàn giao thông năm 2026\n\n"
        "1. Công an tỉnh chủ trì tuần tra, kiểm soát, xử lý vi phạm thường xuyên.\n\n"
        "Yêu cầu các cơ quan, đơn vị nghiêm túc thực hiện./.\n\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nTrần Quốc Vĩnh\n\n"
        "Phụ lục: Phân công nhiệm vụ\n(Kèm theo Kế hoạch số 28/KH-UBND ngày 20/01/2026)\n\n"
        f"{table}\n"
    )


def test_an_html_header_and_signature_give_number_and_signer() -> None:
    result = extract_blocks(blocks_from_text(HTML_HEADER))
    assert result.number == "87/TB-UBND"
    assert str(result.issued_on) == "2026-03-12"
    assert result.signer == "Vũ Thành Long"
    assert [d.ref for d in result.directives] == ["1", "2"]
    assert not any("<" in d.text for d in result.directives)


def test_an_appendix_task_table_after_the_signature_gives_one_directive_per_row() -> None:
    for table in (_markdown_table(), _html_table()):
        result = extract_blocks(blocks_from_text(_plan(table)))
        rows = [d for d in result.directives if d.ref and d.ref.startswith("row-")]
        assert [d.ref for d in rows] == ["row-1", "row-2"], table
        first, second = rows
        assert first.lead_units == ["Công an tỉnh"] and first.support_units == ["Sở Xây dựng"]
        assert str(first.due.date) == "2026-02-10"
        assert second.lead_units == ["Sở Xây dựng"] and str(second.due.date) == "2026-06-30"
        assert any(d.ref == "1" for d in result.directives)  # the body is read as before


def test_markdown_around_lines_is_taken_off() -> None:
    text = (
        "Số: 205/TB-VP\n\n*Đà Nẵng, ngày 19 tháng 5 năm 2026*\n\n# THÔNG BÁO\n\n"
        "Chủ tịch UBND thành phố kết luận như sau:\n\n## 1. Dự án vành đai phía Tây\n\n"
        "a) Sở Xây dựng thẩm định thiết kế bản vẽ thi công trong quý II/2026.\n\n"
        "b) Các chủ đầu tư phấn đấu giải ngân đạt trên 60% kế hoạch vốn trước ngày 30/9/2026.\n"
    )
    result = extract_blocks(blocks_from_text(text))
    assert str(result.issued_on) == "2026-05-19"
    assert [d.ref for d in result.directives] == ["1.a", "1.b"]
    assert result.directives[0].lead_units == ["Sở Xây dựng"]
    assert result.directives[1].lead_units == ["Các chủ đầu tư"]
    assert not any(b.text.startswith("#") for b in blocks_from_text(text))


def test_a_pdf_task_table_is_read_cell_by_cell_across_a_page_break() -> None:
    """Word's PDF export: pypdf reads the rows' lines interleaved («Sở Nông nghiệp Ủy ban nhân
    dân các xã, Trước ngày 20/12/2025 phường»); row 2 is cut by the page break."""
    pdf = next(HELDOUT3.glob("heldout3-06-*.pdf"))
    rows = [b for b in read_document(pdf).blocks if b.kind == "row"]
    assert [r.cells[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[1].cells[2:] == [
        "Sở Nông nghiệp và Môi trường",
        "Ủy ban nhân dân các xã, phường",
        "Trước ngày 20/12/2025",
    ]
    result = extract_blocks(read_document(pdf).blocks)
    by_ref = {d.ref: d for d in result.directives}
    assert by_ref["row-2"].support_units == ["Ủy ban nhân dân các xã, phường"]
    assert by_ref["row-4"].lead_units == ["Báo và Phát thanh, Truyền hình Lào Cai"]
    assert str(by_ref["row-3"].due.date) == "2026-03-31"  # Quý I/2026
    # the table's words are not read again as a paragraph
    assert not any("Cơ quan chủ trì" in d.text for d in result.directives)


def test_a_pdf_table_with_a_merged_cell_and_a_thuc_hien_header() -> None:
    """«Đơn vị thực hiện» instead of «chủ trì», split over two lines in the text layer, and
    the lead of rows 2 and 3 in one cell merged down: each row gets it."""
    pdf = next((ROOT / "tests" / "data" / "heldout4").glob("heldout4-06-*.pdf"))
    result = extract_blocks(read_document(pdf).blocks)
    by_ref = {d.ref: d for d in result.directives if d.ref and d.ref.startswith("row-")}
    assert sorted(by_ref) == ["row-1", "row-2", "row-3", "row-4", "row-5"]
    assert by_ref["row-2"].lead_units == ["Trạm Y tế các xã, phường"]
    assert by_ref["row-3"].lead_units == ["Trạm Y tế các xã, phường"]  # the merged cell
    assert str(by_ref["row-3"].due.date) == "2026-10-31"


def test_a_group_row_of_a_task_table_is_not_a_directive() -> None:
    table = _markdown_table().replace(
        "| (1) | (2) | (3) | (4) | (5) |",
        "| (1) | (2) | (3) | (4) | (5) |\n| **I** | **Nhóm giải pháp về hạ tầng** | | | |",
    )
    result = extract_blocks(blocks_from_text(_plan(table)))
    assert not any("Nhóm giải pháp" in d.text for d in result.directives)
    assert [d.ref for d in result.directives if d.ref and d.ref.startswith("row-")] == [
        "row-1",
        "row-2",
    ]
