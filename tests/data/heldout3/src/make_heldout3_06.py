"""Tạo heldout3-06 (.docx) bằng python-docx; sau đó chuyển sang PDF bằng
soffice --headless --convert-to pdf. Văn bản viết cho bộ kiểm thử, không phải văn bản thật."""

import sys

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = sys.argv[1] if len(sys.argv) > 1 else "heldout3-06-cv-chong-ret-gia-suc-lao-cai-pdf.docx"

doc = Document()
sec = doc.sections[0]
sec.page_width, sec.page_height = Cm(21), Cm(29.7)
sec.left_margin, sec.right_margin = Cm(2.5), Cm(1.5)
sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
st = doc.styles["Normal"]
st.font.name = "Times New Roman"
st.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
st.font.size = Pt(13)


def no_borders(table):
    tbl = table._tbl
    tblPr = tbl.tblPr
    b = OxmlElement("w:tblBorders")
    for e in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement("w:" + e)
        el.set(qn("w:val"), "nil")
        b.append(el)
    tblPr.append(b)


def cell_par(
    cell, text, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER, first=True
):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = align
    r = p.add_run(text)
    r.bold = bold
    r.italic = italic
    if size:
        r.font.size = Pt(size)
    return p


def para(text, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, size=None):
    p = doc.add_paragraph()
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.space_after = Pt(4)
    r = p.add_run(text)
    r.bold = bold
    r.italic = italic
    if size:
        r.font.size = Pt(size)
    return p


# Header: borderless 2-column table
h = doc.add_table(rows=2, cols=2)
no_borders(h)
cell_par(h.cell(0, 0), "ỦY BAN NHÂN DÂN", size=12)
cell_par(h.cell(0, 0), "TỈNH LÀO CAI", bold=True, size=12, first=False)
cell_par(h.cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
cell_par(h.cell(0, 1), "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, first=False)
cell_par(h.cell(1, 0), "Số: 6120/UBND-NLN", size=12)
cell_par(
    h.cell(1, 0),
    "V/v chủ động phòng, chống đói, rét cho vật nuôi vụ Đông Xuân 2025 - 2026",
    size=11,
    first=False,
)
cell_par(h.cell(1, 1), "Lào Cai, ngày 20 tháng 11 năm 2025", italic=True, size=13)
h.autofit = False
h.columns[0].width = Cm(7)
h.columns[1].width = Cm(10)
for row in h.rows:
    row.cells[0].width = Cm(7)
    row.cells[1].width = Cm(10)

doc.add_paragraph()
p = para("Kính gửi:", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
for t in [
    "- Các sở: Nông nghiệp và Môi trường, Tài chính;",
    "- Báo và Phát thanh, Truyền hình Lào Cai;",
    "- Ủy ban nhân dân các xã, phường.",
]:
    q = para(t, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    q.paragraph_format.left_indent = Cm(3)

body = [
    "Theo dự báo của Đài Khí tượng Thủy văn tỉnh, mùa đông năm 2025 - 2026 trên địa bàn tỉnh có khả năng xuất hiện 8 - 10 đợt không khí lạnh, trong đó có các đợt rét đậm, rét hại kéo dài; tại các xã vùng cao có thể xảy ra băng giá, sương muối. Vụ Đông Xuân 2024 - 2025, toàn tỉnh có 312 con trâu, bò bị chết do đói, rét, chủ yếu ở các hộ chăn thả rông, không có chuồng trại kiên cố.",
    "Để chủ động phòng, chống đói, rét cho vật nuôi, hạn chế thấp nhất thiệt hại cho người chăn nuôi, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:",
    "1. Sở Nông nghiệp và Môi trường theo dõi chặt chẽ diễn biến thời tiết, hướng dẫn các địa phương biện pháp kỹ thuật chăm sóc, nuôi dưỡng vật nuôi trong mùa rét; tổng hợp tình hình thiệt hại, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/01/2026.",
    "2. Ủy ban nhân dân các xã, phường:",
    "2.1. Rà soát, thống kê tổng đàn trâu, bò, ngựa, dê theo từng thôn, bản; xác định các hộ có nguy cơ thiệt hại cao để hướng dẫn, hỗ trợ; hoàn thành trước ngày 05/12/2025.",
    "2.2. Chỉ đạo các thôn, bản hướng dẫn người dân gia cố chuồng trại, che chắn gió lùa, dự trữ rơm, cỏ khô và thức ăn tinh cho vật nuôi trong suốt mùa rét.",
    "2.3. Kiên quyết không để người dân thả rông gia súc trên núi cao, đưa gia súc đi làm việc khi nhiệt độ ngoài trời xuống dưới 12°C.",
    "3. Sở Tài chính chủ trì, phối hợp với Sở Nông nghiệp và Môi trường tham mưu Ủy ban nhân dân tỉnh sử dụng nguồn dự phòng ngân sách hỗ trợ các hộ chăn nuôi bị thiệt hại theo quy định.",
    "4. Các nhiệm vụ cụ thể được phân công theo bảng dưới đây:",
]
for t in body:
    para(t)

rows = [
    (
        "1",
        "Xây dựng phương án dự trữ rơm, cỏ khô cho gia súc tại các xã vùng cao",
        "Ủy ban nhân dân các xã, phường",
        "Sở Nông nghiệp và Môi trường",
        "Tháng 12/2025",
    ),
    (
        "2",
        "Kiểm tra công tác phòng, chống đói, rét tại các xã vùng cao",
        "Sở Nông nghiệp và Môi trường",
        "Ủy ban nhân dân các xã, phường",
        "Trước ngày 20/12/2025",
    ),
    (
        "3",
        "Cấp phát hóa chất tiêu độc, khử trùng chuồng trại sau các đợt rét",
        "Sở Nông nghiệp và Môi trường",
        "Sở Tài chính",
        "Quý I/2026",
    ),
    (
        "4",
        "Đưa tin dự báo các đợt rét đậm, rét hại và hướng dẫn phòng, chống",
        "Báo và Phát thanh, Truyền hình Lào Cai",
        "Sở Nông nghiệp và Môi trường",
        "Thường xuyên",
    ),
    (
        "5",
        "Tổng hợp số vật nuôi bị chết do rét, gửi Sở Nông nghiệp và Môi trường",
        "Ủy ban nhân dân các xã, phường",
        "",
        "Hằng tháng",
    ),
]
t = doc.add_table(rows=1, cols=5)
t.style = "Table Grid"
widths = [Cm(1), Cm(8.2), Cm(3), Cm(3), Cm(2.3)]
for i, hd in enumerate(
    ["TT", "Nội dung công việc", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"]
):
    cell_par(t.rows[0].cells[i], hd, bold=True, size=11)
for r in rows:
    cells = t.add_row().cells
    for i, v in enumerate(r):
        cell_par(
            cells[i],
            v,
            size=11,
            align=WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER,
        )
t.autofit = False
for i, w in enumerate(widths):
    t.columns[i].width = w
for row in t.rows:
    for i, w in enumerate(widths):
        row.cells[i].width = w

doc.add_paragraph()
para(
    "5. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, Ủy ban nhân dân các xã, phường báo cáo về Sở Nông nghiệp và Môi trường để được hướng dẫn, giải quyết."
)
para("Yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc thực hiện./.")

s = doc.add_table(rows=1, cols=2)
no_borders(s)
c0, c1 = s.cell(0, 0), s.cell(0, 1)
cell_par(c0, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
for t_ in [
    "- Như trên;",
    "- Bộ Nông nghiệp và Môi trường (b/c);",
    "- TT Tỉnh ủy, TT HĐND tỉnh (b/c);",
    "- CT, các PCT UBND tỉnh;",
    "- Lưu: VT, NLN.",
]:
    cell_par(c0, t_, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, first=False)
cell_par(c1, "KT. CHỦ TỊCH", bold=True, size=13)
cell_par(c1, "PHÓ CHỦ TỊCH", bold=True, size=13, first=False)
for _ in range(3):
    cell_par(c1, "", first=False)
cell_par(c1, "Hoàng Văn Thái", bold=True, size=13, first=False)
s.autofit = False
s.columns[0].width = Cm(8)
s.columns[1].width = Cm(9)
c0.width = Cm(8)
c1.width = Cm(9)

doc.save(OUT)
print("saved", OUT)
