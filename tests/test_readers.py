"""tasks.readers: TXT/DOCX/PDF into paragraph blocks, and clear errors for everything else."""

from __future__ import annotations

import io
import json
import os
import re
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx.document import Document as DocxDocument
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.errors import InputError
from tasks.readers import Block, ScannedPdfError, SourceDocument, blocks_from_text, read_document

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "data" / "seeds"
SHARED_FILES = HERE.parent.parent / "shared" / "eval" / "files"
REAL_DOCX = SHARED_FILES / "CV-UBND-KT_giao-SCT-tham-muu-uy-quyen_truoc-15.9.2025.docx"
REAL_PDF = SHARED_FILES / "CV-7432-UBND-XD-21-7-2026-trien-khai-QD-1074.pdf"
REAL_SCAN = SHARED_FILES / "CV-813-CucHoaChat.pdf"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def norm(s: str) -> str:
    """The scorer's normalisation of quotes and texts."""
    s = unicodedata.normalize("NFC", s)
    s = re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def paras(doc: SourceDocument | list[Block]) -> list[str]:
    blocks = doc.blocks if isinstance(doc, SourceDocument) else doc
    return [b.text for b in blocks if b.kind == "para"]


def containing(texts: list[str], quote: str) -> list[str]:
    q = norm(quote)
    return [t for t in texts if q in t]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------------


def test_blank_lines_inside_a_sentence_are_joined() -> None:
    text = (
        "- Số lượng thủ tục hành chính còn thấp. Tỉ lệ trả kết quả giải quyết thủ\n\n\n\n"
        "tục hành chính trễ hạn còn cao.\n\n"
        "- Tiếp tục chấn chỉnh kỷ luật, kỷ cương hành chính theo Kết luận số 29-KL/TU của Ban\n\n"
        "Thường vụ Tỉnh ủy Hà Tĩnh và các văn bản hướng dẫn của tỉnh;\n\n"
        "1. Thống nhất nội dung dự thảo.\n"
    )
    assert paras(blocks_from_text(text)) == [
        "- Số lượng thủ tục hành chính còn thấp. Tỉ lệ trả kết quả giải quyết thủ tục hành chính trễ hạn còn cao.",
        "- Tiếp tục chấn chỉnh kỷ luật, kỷ cương hành chính theo Kết luận số 29-KL/TU của Ban "
        "Thường vụ Tỉnh ủy Hà Tĩnh và các văn bản hướng dẫn của tỉnh;",
        "1. Thống nhất nội dung dự thảo.",
    ]


def test_markers_headings_and_header_lines_start_paragraphs() -> None:
    text = (
        "Số: 54 /TB-VP\nHòn Đất, ngày 31 tháng 5 năm 2018\nTHÔNG BÁO\n"
        "Kết luận của Chủ tịch\n\n"
        "Kính gửi:\n- Các phòng chuyên môn;\n- Ủy ban nhân dân các xã.\n\n"
        "2. Về hoạt động kiểm tra\n\na) Đối với cơ quan được kiểm tra:\n"
        "- Phải chuẩn bị đầy đủ;\n+ bố trí công chức;\n(1) Một;\n(ii) Hai;\nđ) Năm;\nII. PHẦN HAI\n"
        "3. Về kiện toàn Ban Chỉ đạo chuyển đổi số của thành phố Cần Thơ theo hướng dẫn mới\n\n"
        "Giao Giám đốc Sở Nội vụ tham mưu Ủy ban nhân dân thành phố trước ngày 15/3.\n\n"
        "Nơi nhận:\n- Như trên;\n\n**KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG**\n\n\n\nNgô Văn Thành\n"
    )
    assert paras(blocks_from_text(text)) == [
        "Số: 54 /TB-VP",
        "Hòn Đất, ngày 31 tháng 5 năm 2018",
        "THÔNG BÁO",
        "Kết luận của Chủ tịch",
        "Kính gửi:",
        "- Các phòng chuyên môn;",
        "- Ủy ban nhân dân các xã.",
        "2. Về hoạt động kiểm tra",
        "a) Đối với cơ quan được kiểm tra:",
        "- Phải chuẩn bị đầy đủ;",
        "+ bố trí công chức;",
        "(1) Một;",
        "(ii) Hai;",
        "đ) Năm;",
        "II. PHẦN HAI",
        "3. Về kiện toàn Ban Chỉ đạo chuyển đổi số của thành phố Cần Thơ theo hướng dẫn mới",
        "Giao Giám đốc Sở Nội vụ tham mưu Ủy ban nhân dân thành phố trước ngày 15/3.",
        "Nơi nhận:",
        "- Như trên;",
        "KT. CHÁNH VĂN PHÒNG",
        "PHÓ CHÁNH VĂN PHÒNG",
        "Ngô Văn Thành",
    ]


def test_hard_wrapped_lines_are_joined_and_page_numbers_dropped() -> None:
    text = (
        "Để tổ chức triển khai thực hiện nghiêm túc Quyết định của Bộ Xây dựng\n"
        "trên địa bàn tỉnh, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Công an tỉnh, các sở,\n"
        "ban, ngành thực hiện một số nhiệm vụ sau:\n"
        "1. Công an tỉnh, các sở, ban, ngành, đoàn thể tỉnh và Ủy ban nhân dân\n"
        "các xã, phường\n"
        "Theo chức năng, nhiệm vụ, phạm vi quản lý tổ chức tuyên truyền, phổ biến\n"
        "và triển khai thực hiện đầy đủ các nội dung của Quyết định; phát triển kinh tế\n"
        "- xã hội bền vững.\n"
        "- 2 -\n"
        "Trang 3\n"
        "2/5\n"
        "Đồng thời, chủ trì phối hợp với Công an tỉnh tăng cường công tác kiểm tra.\n"
    )
    assert paras(blocks_from_text(text)) == [
        "Để tổ chức triển khai thực hiện nghiêm túc Quyết định của Bộ Xây dựng trên địa bàn tỉnh, "
        "Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Công an tỉnh, các sở, ban, ngành thực hiện một số nhiệm vụ sau:",
        "1. Công an tỉnh, các sở, ban, ngành, đoàn thể tỉnh và Ủy ban nhân dân các xã, phường",
        "Theo chức năng, nhiệm vụ, phạm vi quản lý tổ chức tuyên truyền, phổ biến và triển khai thực hiện "
        "đầy đủ các nội dung của Quyết định; phát triển kinh tế - xã hội bền vững.",
        "Đồng thời, chủ trì phối hợp với Công an tỉnh tăng cường công tác kiểm tra.",
    ]


def test_nfd_crlf_tabs_nbsp_and_superscripts_are_normalised() -> None:
    text = "Giao Sở\u00a0Tài chính\tchủ trì¹,\r\nphối hợp thực hiện.\r\n\r\nSố lượng tăng.\r"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    out = paras(blocks_from_text(nfd))
    assert out == ["Giao Sở Tài chính chủ trì, phối hợp thực hiện.", "Số lượng tăng."]
    assert all(unicodedata.is_normalized("NFC", t) for t in out)


def test_footnotes_are_marked() -> None:
    text = (
        "Một số xã chưa ban hành kế hoạch¹, giải ngân thấp².\n\n"
        "¹ Các xã: Sơn Lĩnh, Sơn Châu.\n\n"
        "2 Các xã: Sơn Long, Sơn Trung.\n\n"
        "Để tiếp tục phát huy kết quả, Ủy ban nhân dân huyện yêu cầu:\n"
    )
    blocks = blocks_from_text(text)
    assert [(b.kind, b.text) for b in blocks] == [
        ("para", "Một số xã chưa ban hành kế hoạch, giải ngân thấp."),
        ("footnote", "1 Các xã: Sơn Lĩnh, Sơn Châu."),
        ("footnote", "2 Các xã: Sơn Long, Sơn Trung."),
        ("para", "Để tiếp tục phát huy kết quả, Ủy ban nhân dân huyện yêu cầu:"),
    ]


def test_seed_004_footnotes() -> None:
    doc = read_document(SEEDS / "004_c66a1e2327b84e98.txt")
    notes = [b.text for b in doc.blocks if b.kind == "footnote"]
    assert len(notes) == 8
    assert notes[0] == "1 Các xã: Sơn Lĩnh, Sơn Châu."
    assert notes[-1].startswith("8 Các xã: Sơn Bằng")
    assert not any(n in doc.text for n in notes)  # footnotes are not para blocks


SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.mark.parametrize("stem", SEED_NAMES)
def test_every_gold_quote_is_in_exactly_one_block(stem: str) -> None:
    doc = read_document(SEEDS / f"{stem}.txt")
    assert doc.kind == "txt"
    gold = json.loads((SEEDS / f"{stem}.gold.json").read_text(encoding="utf-8"))
    texts = paras(doc)
    for d in gold["directives"]:
        assert len(containing(texts, d["quote"])) == 1, d["quote"]
    for b in doc.blocks:
        assert b.text == norm(b.text) and b.text
    if gold.get("signer"):
        assert gold["signer"] in texts


def test_seed_header_lines_are_their_own_blocks() -> None:
    texts = paras(read_document(SEEDS / "000_ce37584aa6a84104.txt"))
    assert texts[:3] == ["Số: 54 /TB-VP", "Hòn Đất, ngày 31 tháng 5 năm 2018", "THÔNG BÁO"]
    assert "KT. CHÁNH VĂN PHÒNG" in texts and "PHÓ CHÁNH VĂN PHÒNG" in texts
    assert any(t.endswith("khi có thay đôi.") for t in texts)  # "thay\n\nđôi." joined


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------

NUMBERING_XML = f"""
<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0a7"/></w:lvl>
</w:abstractNum>
"""
NUM_XML = f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
RESTART_XML = (  # Word's "Restart at 1": a second num on the same list with a startOverride
    f'<w:num xmlns:w="{W_NS}" w:numId="91"><w:abstractNumId w:val="90"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
)
HYPERLINK_XML = (
    f'<w:p xmlns:w="{W_NS}"><w:r><w:t xml:space="preserve">Xem tại </w:t></w:r>'
    '<w:hyperlink w:history="1"><w:r><w:t>Cổng thông tin</w:t></w:r></w:hyperlink>'
    '<w:fldSimple w:instr=" PAGE "><w:r><w:t xml:space="preserve"> điện tử</w:t></w:r></w:fldSimple>'
    "<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r>"
    '<w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r><w:r><w:t xml:space="preserve"> tỉnh.</w:t></w:r></w:p>'
)


def _numbered(doc: DocxDocument, text: str, ilvl: int, num_id: int = 90) -> Paragraph:
    from docx.oxml import parse_xml

    p = doc.add_paragraph(text)
    ppr = p._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )
    return p


def _set_cell(cell: _Cell, *lines: str) -> None:
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def make_docx(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    first_num = numbering.find(f"{{{W_NS}}}num")
    first_num.addprevious(parse_xml(NUMBERING_XML))  # abstractNums come before nums
    numbering.append(parse_xml(NUM_XML))
    numbering.append(parse_xml(RESTART_XML))

    header = doc.add_table(rows=2, cols=2)
    _set_cell(header.cell(0, 0), "ỦY BAN NHÂN DÂN", "TỈNH X")
    _set_cell(
        header.cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
    )
    _set_cell(header.cell(1, 0), "Số: 12/UBND-VP")
    _set_cell(header.cell(1, 1), "X, ngày 3 tháng 6 năm 2024")

    to = doc.add_table(rows=1, cols=2)
    _set_cell(to.cell(0, 0), "Kính gửi:")
    _set_cell(to.cell(0, 1), "- Sở Tài chính;", "", "- Sở Nội vụ.")

    doc.add_paragraph("")  # empty paragraphs are dropped
    p = doc.add_paragraph("Ủy ban nhân dân tỉnh")
    p.add_run(" yêu cầu\tcác cơ quan")
    p.add_run().add_break()
    p.add_run("thực hiện¹:")
    _numbered(doc, "Sở Tài chính chủ trì tổng hợp dự toán.", 0)
    _numbered(doc, "Rà soát các khoản chi.", 1)
    _numbered(doc, "Báo cáo trước ngày 15/7/2024.", 1)
    _numbered(doc, "Kiểm tra định kỳ hằng quý.", 2)
    _numbered(doc, "Sở Nội vụ hướng dẫn các xã.", 0)
    _numbered(doc, "Tổ chức tập huấn.", 1)
    _numbered(doc, "Danh sách bắt đầu lại.", 0, num_id=91)
    doc.element.body.sectPr.addprevious(parse_xml(HYPERLINK_XML))  # before the section props
    doc.add_paragraph("Mục thứ nhất của danh sách khác.", style="List Number")
    doc.add_paragraph("Mục thứ hai của danh sách khác.", style="List Number")
    doc.add_paragraph("Một gạch đầu dòng.", style="List Bullet")

    tasks = doc.add_table(rows=5, cols=5)
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"],
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
        [
            "1",
            "Xây dựng kế hoạch chuyển đổi số",
            "Sở Khoa học và Công nghệ",
            "Các sở, ngành",
            "Quý III/2024",
        ],
        ["2", "Rà soát thủ tục hành chính", "Sở Nội vụ", "UBND các xã", "Trước ngày 30/9/2024"],
        ["3", "Báo cáo kết quả thực hiện", "Văn phòng UBND tỉnh", "", "Hằng tháng"],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            tasks.cell(r, c).text = value
    merged = tasks.cell(3, 3).merge(tasks.cell(4, 3))  # vMerge: "UBND các xã" spans rows 2–3
    assert "UBND các xã" in merged.text

    sign = doc.add_table(rows=1, cols=2)
    _set_cell(sign.cell(0, 0), "Nơi nhận:", "- Như trên;", "- Lưu: VT.")
    _set_cell(sign.cell(0, 1), "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Nguyễn Văn An")
    doc.save(str(path))
    return path


def test_docx_blocks(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "cong-van.docx"))
    assert doc.kind == "docx"
    para = [(b.text, b.table) for b in doc.blocks if b.kind == "para"]
    assert para == [
        ("ỦY BAN NHÂN DÂN", 0),
        ("TỈNH X", 0),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0),
        ("Độc lập - Tự do - Hạnh phúc", 0),
        ("Số: 12/UBND-VP", 0),
        ("X, ngày 3 tháng 6 năm 2024", 0),
        ("Kính gửi:", 1),
        ("- Sở Tài chính;", 1),
        ("- Sở Nội vụ.", 1),
        ("Ủy ban nhân dân tỉnh yêu cầu các cơ quan thực hiện:", None),
        ("1. Sở Tài chính chủ trì tổng hợp dự toán.", None),
        ("a) Rà soát các khoản chi.", None),
        ("b) Báo cáo trước ngày 15/7/2024.", None),
        ("- Kiểm tra định kỳ hằng quý.", None),
        ("2. Sở Nội vụ hướng dẫn các xã.", None),
        ("a) Tổ chức tập huấn.", None),
        ("1. Danh sách bắt đầu lại.", None),
        ("Xem tại Cổng thông tin điện tử tỉnh.", None),
        ("1. Mục thứ nhất của danh sách khác.", None),
        ("2. Mục thứ hai của danh sách khác.", None),
        ("- Một gạch đầu dòng.", None),
        ("Nơi nhận:", 3),
        ("- Như trên;", 3),
        ("- Lưu: VT.", 3),
        ("KT. CHỦ TỊCH", 3),
        ("PHÓ CHỦ TỊCH", 3),
        ("Nguyễn Văn An", 3),
    ]
    rows = [b for b in doc.blocks if b.kind == "row"]
    header = [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
    ]
    assert [r.cells for r in rows] == [
        [
            "1",
            "Xây dựng kế hoạch chuyển đổi số",
            "Sở Khoa học và Công nghệ",
            "Các sở, ngành",
            "Quý III/2024",
        ],
        ["2", "Rà soát thủ tục hành chính", "Sở Nội vụ", "UBND các xã", "Trước ngày 30/9/2024"],
        [
            "3",
            "Báo cáo kết quả thực hiện",
            "Văn phòng UBND tỉnh",
            "UBND các xã",
            "Hằng tháng",
        ],  # merged down from row 2: the support unit of both rows
    ]
    assert all(r.header == header and r.table == 2 for r in rows)
    # the document order is kept: the task rows sit between the lists and the signature
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("row") > [b.text for b in doc.blocks].index("- Một gạch đầu dòng.")
    assert "Nguyễn Văn An" in doc.text and "Xây dựng kế hoạch" not in doc.text


def test_docx_with_wrong_extension_is_read_as_docx(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx").rename(tmp_path / "that-is-a-docx.txt")
    doc = read_document(path)
    assert doc.kind == "docx" and "Số: 12/UBND-VP" in doc.text


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _font() -> str:
    candidates = []
    try:
        import matplotlib

        candidates.append(
            os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
        )
    except ImportError:
        pass
    candidates.append("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for c in candidates:
        if os.path.exists(c):
            return c
    pytest.skip(
        "no TTF font with Vietnamese glyphs (matplotlib's DejaVuSans.ttf) to build a test PDF"
    )


PDF_PARAS = [
    "Ngày 29/6/2026, Bộ trưởng Bộ Xây dựng ban hành Quyết định số 1074/QĐ-BXD về việc ban hành "
    "các giải pháp kỹ thuật nâng cao an toàn phòng cháy, chữa cháy cho các cơ sở, công trình không "
    "bảo đảm yêu cầu về phòng cháy và chữa cháy.",
    # a heading is told from a hard-wrapped line by being clearly shorter than the lines around it
    "1. Công an tỉnh, các sở, ban, ngành",
    "Theo chức năng, nhiệm vụ, phạm vi quản lý tổ chức tuyên truyền, phổ biến và triển khai thực "
    "hiện đầy đủ các nội dung của Quyết định số 1074/QĐ-BXD; tổ chức kiểm tra, rà soát các cơ sở, "
    "công trình không bảo đảm yêu cầu về phòng cháy và chữa cháy để xây dựng kế hoạch tổ chức thực "
    "hiện theo đúng quy định.",
    "2. Giao Sở Xây dựng",
    "Chủ trì, phối hợp với Công an tỉnh và các sở, ngành, địa phương có liên quan tổ chức hướng dẫn "
    "triển khai thực hiện Quyết định số 1074/QĐ-BXD; kịp thời giải đáp hoặc tổng hợp các khó khăn, "
    "vướng mắc phát sinh trong quá trình thực hiện để báo cáo cấp có thẩm quyền xem xét, giải quyết.",
    "Đồng thời, chủ trì phối hợp với Công an tỉnh tăng cường công tác kiểm tra, đôn đốc việc triển "
    "khai thực hiện trên địa bàn tỉnh; tổng hợp tình hình, kết quả thực hiện, tham mưu Ủy ban nhân "
    "dân tỉnh chỉ đạo xử lý các nội dung phát sinh, bảo đảm hoàn thành trước ngày 01 tháng 7 năm 2028.",
    "3. Thủ trưởng các sở, ban, ngành, đoàn thể tỉnh; Chủ tịch Ủy ban nhân dân các xã, phường; "
    "người đứng đầu các cơ quan, đơn vị có liên quan chịu trách nhiệm tổ chức triển khai thực hiện "
    "nghiêm túc các nội dung nêu trên; trong quá trình thực hiện nếu phát sinh khó khăn, vướng mắc "
    "vượt thẩm quyền, kịp thời báo cáo Sở Xây dựng để tổng hợp, tham mưu Ủy ban nhân dân tỉnh xem "
    "xét, chỉ đạo theo quy định; định kỳ hằng quý báo cáo kết quả thực hiện về Sở Xây dựng trước "
    "ngày 20 của tháng cuối quý để tổng hợp, báo cáo Ủy ban nhân dân tỉnh và Bộ Xây dựng theo quy "
    "định; thường xuyên rà soát, cập nhật danh mục các cơ sở, công trình thuộc đối tượng áp dụng "
    "các giải pháp kỹ thuật nâng cao an toàn phòng cháy, chữa cháy trên địa bàn quản lý.",
]


def make_pdf(path: Path, paragraphs: list[str] | None = None) -> Path:
    from fpdf import FPDF

    font = _font()

    class Doc(FPDF):
        def header(self) -> None:  # a running header, repeated on every page
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, "Công văn số 7432/UBND-XD", align="R", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=9)
            self.cell(0, 5, f"- {self.page_no()} -", align="C")

    pdf = Doc(format=(210, 110))  # A4-wide lines, short pages
    pdf.add_font("DejaVu", "", font)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    for text in paragraphs or PDF_PARAS:
        pdf.multi_cell(0, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_paragraphs_come_back_whole(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "cv.pdf")
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    assert len(reader.pages) >= 3
    # the last paragraph runs over a page break in the middle of a sentence
    assert not reader.pages[-2].extract_text().rstrip(" -0123456789\n").endswith(".")
    doc = read_document(path)
    assert doc.kind == "pdf"
    assert paras(doc) == PDF_PARAS  # whole, in order, page numbers gone
    assert all(unicodedata.is_normalized("NFC", t) for t in paras(doc))


def test_pdf_without_text_is_a_scan(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.add_page()
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ScannedPdfError, match="OCR"):
        read_document(path)


def _encrypt(src: Path, dst: Path, user: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    writer.encrypt(user_password=user, owner_password="owner-secret")
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def test_encrypted_pdf(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf")
    locked = _encrypt(plain, tmp_path / "locked.pdf", "secret")
    with pytest.raises(InputError, match="mật khẩu"):
        read_document(locked)
    open_ = _encrypt(plain, tmp_path / "owner-only.pdf", "")
    assert paras(read_document(open_)) == PDF_PARAS


def test_truncated_pdf_is_broken(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "full.pdf").read_bytes()
    path = write(tmp_path, "cut.pdf", data[: len(data) // 2])
    with pytest.raises(InputError, match="bị hỏng"):
        read_document(path)


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf").rename(tmp_path / "really-a-pdf.txt")
    assert read_document(path).kind == "pdf"


# ---------------------------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------------------------


def _zip(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "rỗng"),
        ("blank.txt", b"  \n\t\r\n  \n", "rỗng"),
        ("junk.bin", bytes(range(256)) * 8, "không phải văn bản"),
        ("junk.txt", b"\x01\x02\x03abc\x00\x04\x05" * 50, "không phải văn bản"),
        ("notes.docx", _zip({"notes.txt": "Nội dung"}), "không phải tệp Word .docx"),
        ("broken.docx", b"PK\x03\x04" + b"\x00garbage" * 20, "bị hỏng"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".docx"),
        ("latin.txt", "Công văn số 12".encode("utf-16-le"), "không phải văn bản"),
        ("cp1258.txt", b"C\xf4ng v\xe3n s\xf4\xcc 12", "UTF-8"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "OCR"),
        (
            "broken.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n",
            "PDF",
        ),
    ],
)
def test_bad_inputs_raise_input_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert message in str(info.value)
    assert name in str(info.value)  # the message names the file


def test_unrecognised_content_lists_accepted_formats(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.txt.*\.docx.*\.pdf"):
        read_document(write(tmp_path, "x.txt", b"\x80\x81 garbage \xfd"))
    with pytest.raises(InputError, match="không phải văn bản"):
        read_document(write(tmp_path, "y.txt", b"\xff\xfe" + bytes(range(1, 256)) * 4))


def test_missing_file_directory_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Không tìm thấy"):
        read_document(tmp_path / "none.txt")
    with pytest.raises(InputError, match="thư mục"):
        read_document(tmp_path)
    path = write(tmp_path, "big.txt", "Giao Sở Tài chính.\n" * 100)
    with pytest.raises(InputError, match="quá lớn"):
        read_document(path, max_bytes=1000)


def test_text_without_extension_utf8_bom_and_utf16(tmp_path: Path) -> None:
    body = "Giao Sở Tài chính chủ trì, phối hợp thực hiện.\r\n\r\nNgô Văn Thành\r\n"
    for name, data in [
        ("no-extension", body.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + body.encode("utf-8")),
        ("utf16.txt", body.encode("utf-16")),  # with BOM
        ("nfd.md", unicodedata.normalize("NFD", body).encode("utf-8")),
    ]:
        doc = read_document(write(tmp_path, name, data))
        assert doc.kind == "txt"
        assert paras(doc) == ["Giao Sở Tài chính chủ trì, phối hợp thực hiện.", "Ngô Văn Thành"], (
            name
        )
        assert len(doc.sha256) == 64


def test_five_megabyte_text_is_read_whole(tmp_path: Path) -> None:
    """How fast is a figure of the machine, not a test: benchmarks/read_large_text.py."""
    seed = (SEEDS / "004_c66a1e2327b84e98.txt").read_text(encoding="utf-8")
    data = (seed * (5_000_000 // len(seed.encode("utf-8")) + 1)).encode("utf-8")
    path = write(tmp_path, "big.txt", data)
    assert path.stat().st_size >= 5_000_000
    doc = read_document(path)
    assert len(doc.blocks) > 10_000


# ---------------------------------------------------------------------------------------------
# The real files of other offices (read in place from ../shared; never copied here)
# ---------------------------------------------------------------------------------------------


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real test file absent: {path} (the shared/ folder is not beside the repo)")
    return path


def test_real_docx_header_and_signature_from_tables() -> None:
    doc = read_document(_need(REAL_DOCX))
    texts = paras(doc)
    assert doc.kind == "docx"
    assert "Nguyễn Thành Sinh" in texts
    assert any(t.startswith("Số:") and "/UBND-KT" in t for t in texts)
    assert "Kính gửi:" in texts
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts  # "NAM" sits in a smart tag
    gold_path = SHARED_FILES / (REAL_DOCX.stem + ".gold.json")
    if gold_path.exists():
        for d in json.loads(gold_path.read_text(encoding="utf-8"))["directives"]:
            assert len(containing(texts, d["quote"])) == 1, d["quote"]


def test_real_text_pdf_quotes_are_whole() -> None:
    doc = read_document(_need(REAL_PDF))
    texts = paras(doc)
    assert doc.kind == "pdf"
    gold_path = SHARED_FILES / (REAL_PDF.stem + ".gold.json")
    for d in json.loads(_need(gold_path).read_text(encoding="utf-8"))["directives"]:
        assert len(containing(texts, d["quote"])) == 1, d["quote"]
    assert "Phan Trung Bá" in texts


def test_real_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(ScannedPdfError, match="OCR"):
        read_document(_need(REAL_SCAN))


# ---------------------------------------------------------------------------------------------
# Properties: never another exception, never slow
# ---------------------------------------------------------------------------------------------

SEED_TEXTS = [(SEEDS / f"{s}.txt").read_text(encoding="utf-8") for s in SEED_NAMES]


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["delete", "insert", "newlines", "shuffle"]))
        i = draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 50)) :]
        elif op == "insert":
            text = text[:i] + draw(st.text(max_size=20)) + text[i:]
        elif op == "newlines":
            text = (
                text[:i]
                + draw(st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n\n", "\u2029", "\f"]))
                + text[i:]
            )
        else:
            lines = text.split("\n")
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            k = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[j], lines[k] = lines[k], lines[j]
            text = "\n".join(lines)
    return text


def _check_blocks(blocks: list[Block]) -> None:
    assert isinstance(blocks, list)
    for b in blocks:
        assert isinstance(b, Block) and b.kind in ("para", "footnote")
        assert b.text and b.text == b.text.strip() and "\n" not in b.text
        assert unicodedata.is_normalized("NFC", b.text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_blocks_from_arbitrary_text(text: str) -> None:
    _check_blocks(blocks_from_text(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_seed())
def test_blocks_from_mutated_seeds(text: str) -> None:
    start = time.perf_counter()
    _check_blocks(blocks_from_text(text))
    assert time.perf_counter() - start < 2


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF"),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=500).map(lambda b: b"\xff\xfe" + b),
        st.text(max_size=500).map(lambda s: s.encode("utf-8")),
    )
)
def test_read_document_on_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except InputError as exc:
        assert exc.message
        return
    assert isinstance(doc, SourceDocument) and doc.blocks
