"""Build heldout2-06 as a Word document, to be exported to PDF with LibreOffice.

Run from tests/data/heldout2:
    ../../../.venv/bin/python src/make_heldout2_06.py
    soffice --headless --convert-to pdf --outdir . src/heldout2-06-cv-chuyen-doi-so-bang-nhiem-vu.docx
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = "src/heldout2-06-cv-chuyen-doi-so-bang-nhiem-vu.docx"


def no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def cell_lines(cell, lines, bold=(), italic=(), size=13, align=WD_ALIGN_PARAGRAPH.CENTER):
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(line)
        run.font.size = Pt(size)
        run.bold = i in bold
        run.italic = i in italic


def para(doc, text, bold=False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True):
    p = doc.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(6)
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    r = p.add_run(text)
    r.bold = bold
    return p


doc = Document()
sec = doc.sections[0]
sec.page_height, sec.page_width = Cm(29.7), Cm(21)
sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
style = doc.styles["Normal"]
style.font.name = "Times New Roman"
style.font.size = Pt(14)

head = doc.add_table(rows=1, cols=2)
no_borders(head)
head.autofit = False
for i, w in enumerate((Cm(6), Cm(10))):
    head.columns[i].width = head.rows[0].cells[i].width = w
cell_lines(
    head.rows[0].cells[0],
    [
        "ỦY BAN NHÂN DÂN",
        "TỈNH ĐẮK LẮK",
        "",
        "Số: 425/UBND-KGVX",
        "V/v triển khai nhiệm vụ",
        "trọng tâm về chuyển đổi số",
        "và Đề án 06 năm 2026",
    ],
    bold=(1,),
    size=13,
)
cell_lines(
    head.rows[0].cells[1],
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Đắk Lắk, ngày 20 tháng 01 năm 2026",
    ],
    bold=(0, 1),
    italic=(3,),
    size=12,
)

doc.add_paragraph()
p = para(doc, "Kính gửi:", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
p.paragraph_format.left_indent = Cm(3)
for line in ("- Các sở, ban, ngành tỉnh;", "- Công an tỉnh;", "- Ủy ban nhân dân các xã, phường."):
    p = para(doc, line, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.left_indent = Cm(4.5)
    p.paragraph_format.space_after = Pt(0)

para(
    doc,
    "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa "
    "học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia; Quyết định số 06/QĐ-TTg ngày "
    "06/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định "
    "danh và xác thực điện tử (Đề án 06), Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:",
)
para(
    doc,
    "1. Các sở, ban, ngành tỉnh, Ủy ban nhân dân các xã, phường rà soát, cập nhật danh mục dịch vụ "
    "công trực tuyến toàn trình, bảo đảm 100% thủ tục hành chính đủ điều kiện được cung cấp trực "
    "tuyến toàn trình trước ngày 28/02/2026.",
)
para(doc, "2. Giao các cơ quan, đơn vị thực hiện các nhiệm vụ cụ thể theo bảng sau:")

rows = [
    (
        "1",
        "Đưa vào vận hành Trung tâm giám sát, điều hành thông minh (IOC) cấp tỉnh, kết nối dữ liệu "
        "từ các sở, ngành",
        "Sở Khoa học và Công nghệ",
        "Các sở, ban, ngành tỉnh; UBND các xã, phường",
        "Quý II/2026",
    ),
    (
        "2",
        "Làm sạch dữ liệu dân cư; kết nối, đồng bộ với cơ sở dữ liệu hộ tịch, đất đai",
        "Công an tỉnh",
        "Sở Tư pháp, Sở Nông nghiệp và Môi trường",
        "Trước ngày 31/3/2026",
    ),
    (
        "3",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực",
        "UBND các xã, phường",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Thường xuyên",
    ),
    (
        "4",
        "Bố trí kinh phí thực hiện các nhiệm vụ chuyển đổi số năm 2026",
        "Sở Tài chính",
        "Sở Khoa học và Công nghệ",
        "Tháng 3/2026",
    ),
    (
        "5",
        "Tổ chức bồi dưỡng kỹ năng số cho cán bộ, công chức cấp xã",
        "Sở Nội vụ",
        "Sở Khoa học và Công nghệ",
        "Năm 2026",
    ),
]
widths = (Cm(1), Cm(6.2), Cm(3), Cm(3.2), Cm(2.6))
tab = doc.add_table(rows=1, cols=5)
tab.style = "Table Grid"
tab.alignment = WD_TABLE_ALIGNMENT.CENTER
for i, h in enumerate(("TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn")):
    cell_lines(tab.rows[0].cells[i], [h], bold=(0,), size=12)
for row in rows:
    cells = tab.add_row().cells
    for i, v in enumerate(row):
        cell_lines(
            cells[i],
            [v],
            size=12,
            align=WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER,
        )
tab.autofit = False
for i, w in enumerate(widths):
    tab.columns[i].width = w
    for r in tab.rows:
        r.cells[i].width = w

doc.add_paragraph().paragraph_format.space_after = Pt(0)
para(
    doc,
    "3. Sở Khoa học và Công nghệ theo dõi, đôn đốc việc thực hiện văn bản này; tổng hợp kết quả, "
    "báo cáo Chủ tịch Ủy ban nhân dân tỉnh trước ngày 15/12/2026.",
)
para(
    doc,
    "Yêu cầu Thủ trưởng các sở, ban, ngành tỉnh, Chủ tịch Ủy ban nhân dân các xã, phường nghiêm túc "
    "thực hiện./.",
)

sig = doc.add_table(rows=1, cols=2)
no_borders(sig)
sig.autofit = False
for i, w in enumerate((Cm(8), Cm(8))):
    sig.columns[i].width = sig.rows[0].cells[i].width = w
cell_lines(
    sig.rows[0].cells[0],
    [
        "Nơi nhận:",
        "- Như trên;",
        "- Bộ Công an (C06) (b/c);",
        "- TT Tỉnh ủy, TT HĐND tỉnh (b/c);",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Lưu: VT, KGVX.",
    ],
    bold=(0,),
    italic=(0,),
    size=11,
    align=WD_ALIGN_PARAGRAPH.LEFT,
)
cell_lines(
    sig.rows[0].cells[1],
    ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "", "", "Đỗ Minh Khoa"],
    bold=(0, 1, 6),
    size=14,
)
doc.save(OUT)
print("wrote", OUT)
