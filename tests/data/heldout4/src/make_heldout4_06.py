"""Sinh heldout4-06 (.docx) cho bộ kiểm thử heldout4; sau đó chuyển sang PDF bằng
soffice --headless --convert-to pdf. Văn bản là văn bản giả định, không phải văn bản thật."""

import os
import sys

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

OUT = (
    sys.argv[1]
    if len(sys.argv) > 1
    else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
STEM = "heldout4-06-cv-so-y-te-dien-bien-tiem-chung-bang-gop-o"

doc = Document()
st = doc.styles["Normal"]
st.font.name = "Times New Roman"
st.font.size = Pt(13)
for s in doc.sections:
    s.left_margin = Cm(3)
    s.right_margin = Cm(2)
    s.top_margin = Cm(2)
    s.bottom_margin = Cm(2)


def cell_lines(cell, lines, bold=False, italic=False, center=True, size=None):
    cell.text = ""
    p = cell.paragraphs[0]
    for i, ln in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        r = p.add_run(ln)
        r.bold = bold
        r.italic = italic
        if size:
            r.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


# Header: borderless 2-column table
h = doc.add_table(rows=2, cols=2)
cell_lines(h.cell(0, 0), ["UBND TỈNH ĐIỆN BIÊN", "SỞ Y TẾ"], bold=True)
cell_lines(
    h.cell(0, 1),
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
    bold=True,
    size=12,
)
cell_lines(
    h.cell(1, 0),
    ["Số: 1874/SYT-NVY", "V/v triển khai chiến dịch tiêm bổ sung vắc xin sởi - rubella năm 2026"],
)
cell_lines(h.cell(1, 1), ["Điện Biên, ngày 14 tháng 8 năm 2026"], italic=True)

doc.add_paragraph()
k = doc.add_table(rows=1, cols=2)
cell_lines(k.cell(0, 0), ["Kính gửi:"], center=False)
cell_lines(
    k.cell(0, 1),
    [
        "- Trung tâm Kiểm soát bệnh tật tỉnh;",
        "- Bệnh viện Đa khoa tỉnh;",
        "- Ủy ban nhân dân các xã, phường;",
        "- Trạm Y tế các xã, phường.",
    ],
    center=False,
)


def widths(table, cms):
    table.autofit = False
    for col, w in zip(table.columns, cms, strict=False):
        col.width = Cm(w)
    for row in table.rows:
        for c, w in zip(row.cells, cms, strict=False):
            c.width = Cm(w)


widths(h, [6.0, 10.0])


def para(text, bold=False):
    p = doc.add_paragraph()
    r = p.add_run(text)
    r.bold = bold
    p.paragraph_format.first_line_indent = Cm(1)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return p


para(
    "Thực hiện Kế hoạch số 2215/KH-BYT ngày 20/7/2026 của Bộ Y tế về tiêm bổ sung vắc xin sởi - rubella "
    "cho trẻ em từ 1 đến 5 tuổi tại các địa phương có nguy cơ cao; trong 7 tháng đầu năm 2026, tỉnh ghi nhận "
    "46 trường hợp sốt phát ban nghi sởi, tỷ lệ tiêm đủ 2 mũi vắc xin sởi tại một số xã vùng cao mới đạt 78%."
)
para("Để chủ động phòng bệnh, Sở Y tế đề nghị các đơn vị triển khai các nội dung sau:")
para("1. Trung tâm Kiểm soát bệnh tật tỉnh", bold=True)
para(
    "a) Chủ trì xây dựng kế hoạch chi tiết chiến dịch, hướng dẫn chuyên môn cho các tuyến; hoàn thành trước ngày 25/8/2026."
)
para(
    "b) Tiếp nhận, bảo quản và phân bổ vắc xin, vật tư tiêm chủng cho các đơn vị trước ngày 05/9/2026, bảo đảm dây chuyền lạnh theo quy định."
)
para(
    "2. Đề nghị Ủy ban nhân dân các xã, phường chỉ đạo Trạm Y tế phối hợp với trưởng thôn, bản rà soát, lập danh sách trẻ thuộc đối tượng tiêm, hoàn thành trong tháng 8/2026."
)
para("3. Phân công thực hiện các hoạt động chính như sau:")

rows = [
    (
        "1",
        "Tổ chức tập huấn cán bộ y tế tuyến xã về khám sàng lọc, tiêm an toàn",
        "Trung tâm Kiểm soát bệnh tật tỉnh",
        "Trạm Y tế các xã, phường",
        "Tháng 8/2026",
    ),
    (
        "2",
        "Tổ chức tiêm chủng tại trạm y tế, điểm trường và điểm tiêm lưu động ở thôn, bản",
        "Trạm Y tế các xã, phường",
        "Các trường mầm non trên địa bàn",
        "Quý III/2026",
    ),
    (
        "3",
        "Tiêm vét cho trẻ chưa được tiêm hoặc tạm hoãn trong đợt chính",
        None,
        "Trưởng thôn, bản",
        "Trước ngày 31/10/2026",
    ),
    (
        "4",
        "Giám sát, hỗ trợ kỹ thuật và xử trí phản ứng sau tiêm chủng",
        "Bệnh viện Đa khoa tỉnh",
        "Trung tâm Kiểm soát bệnh tật tỉnh",
        "Thường xuyên",
    ),
    (
        "5",
        "Tổng hợp kết quả chiến dịch, báo cáo Sở Y tế và Bộ Y tế",
        "Trung tâm Kiểm soát bệnh tật tỉnh",
        "Các đơn vị liên quan",
        "Trước ngày 15/11/2026",
    ),
]
t = doc.add_table(rows=1 + len(rows), cols=5)
t.style = "Table Grid"
for j, hd in enumerate(
    ["TT", "Nội dung công việc", "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện"]
):
    cell_lines(t.cell(0, j), [hd], bold=True, size=10)
for i, row in enumerate(rows, start=1):
    for j, v in enumerate(row):
        if v is not None:
            cell_lines(t.cell(i, j), [v], center=(j != 1), size=10)
# merge "Đơn vị thực hiện" of rows 2 and 3 (vertical merged cell)
t.cell(2, 2).merge(t.cell(3, 2))
cell_lines(t.cell(2, 2), ["Trạm Y tế các xã, phường"], size=10)
widths(t, [1.0, 7.4, 2.7, 2.6, 2.3])

para(
    "4. Các đơn vị định kỳ báo cáo tiến độ tiêm chủng về Sở Y tế (qua Phòng Nghiệp vụ Y) trước ngày 20 hằng tháng để tổng hợp."
)
para("Sở Y tế đề nghị các đơn vị quan tâm phối hợp thực hiện./.")

s = doc.add_table(rows=1, cols=2)
c0 = s.cell(0, 0)
c0.text = ""
p = c0.paragraphs[0]
r = p.add_run("Nơi nhận:")
r.bold = True
r.italic = True
for ln in ["- Như trên;", "- UBND tỉnh (b/c);", "- Giám đốc, các PGĐ Sở;", "- Lưu: VT, NVY."]:
    q = c0.add_paragraph()
    q.add_run(ln).font.size = Pt(11)
cell_lines(
    s.cell(0, 1), ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", "Lò Thị Hương Giang"], bold=True
)

path = os.path.join(OUT, "src", STEM + ".docx")
doc.save(path)
print(path)
