"""Sinh heldout4-07 (.docx thật, không chuyển đổi) cho bộ kiểm thử heldout4.
Văn bản là văn bản giả định, không phải văn bản thật của cơ quan nào."""

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
STEM = "heldout4-07-cv-ha-noi-ung-ngap-mua-mua-docx"

doc = Document()
st = doc.styles["Normal"]
st.font.name = "Times New Roman"
st.font.size = Pt(14)


def cell_lines(cell, lines, bold=False, italic=False, center=True):
    cell.text = ""
    p = cell.paragraphs[0]
    for i, ln in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        r = p.add_run(ln)
        r.bold = bold
        r.italic = italic
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


h = doc.add_table(rows=3, cols=2)
cell_lines(h.cell(0, 0), ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"], bold=True)
cell_lines(
    h.cell(0, 1), ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"], bold=True
)
cell_lines(h.cell(1, 0), ["Số: 3921/UBND-ĐT"])
cell_lines(h.cell(1, 1), ["Hà Nội, ngày 22 tháng 4 năm 2026"], italic=True)
cell_lines(
    h.cell(2, 0),
    ["V/v chủ động phòng, chống úng ngập và bảo đảm an toàn công trình mùa mưa năm 2026"],
)

k = doc.add_table(rows=1, cols=2)
cell_lines(k.cell(0, 0), ["Kính gửi:"])
cell_lines(
    k.cell(0, 1),
    [
        "- Các Sở: Xây dựng, Nông nghiệp và Môi trường, Tài chính;",
        "- Công an Thành phố;",
        "- Ủy ban nhân dân các xã, phường;",
        "- Công ty TNHH MTV Thoát nước Hà Nội.",
    ],
    center=False,
)


def para(text):
    p = doc.add_paragraph(text)
    p.paragraph_format.first_line_indent = Cm(1.27)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    return p


para(
    "Theo dự báo của Đài Khí tượng Thủy văn khu vực Đồng bằng Bắc Bộ, mùa mưa năm 2026 trên địa bàn "
    "Thành phố có khả năng xuất hiện nhiều đợt mưa lớn cục bộ, cường độ cao. Mùa mưa năm 2025 đã ghi nhận "
    "42 điểm úng ngập kéo dài trên 2 giờ, nhiều cây xanh gãy đổ và sự cố tại một số công trình đang thi công."
)
para(
    "Giao Sở Xây dựng chủ trì, phối hợp với Sở Nông nghiệp và Môi trường và Công ty TNHH MTV Thoát nước "
    "Hà Nội rà soát, cập nhật danh mục các điểm úng ngập, xây dựng phương án xử lý cho từng điểm, báo cáo "
    "Ủy ban nhân dân Thành phố trước ngày 15/5/2026."
)
para("Đồng thời, để chủ động ứng phó, Chủ tịch Ủy ban nhân dân Thành phố yêu cầu:")
items = [
    "1. Sở Xây dựng hướng dẫn, đôn đốc các chủ đầu tư, nhà thầu thi công kiểm tra hố đào, giàn giáo, "
    "cần trục tháp, hệ thống chống đỡ tại công trường; thường xuyên kiểm tra, xử lý nghiêm các trường hợp vi phạm.",
    "2. Sở Nông nghiệp và Môi trường chủ trì vận hành hệ thống trạm bơm tiêu úng, hoàn thành nạo vét, khơi "
    "thông kênh mương tiêu thoát nước trước ngày 31/5/2026.",
    "3. Sở Tài chính tham mưu Ủy ban nhân dân Thành phố bố trí kinh phí sửa chữa, thay thế máy bơm và thiết bị "
    "thoát nước hư hỏng trong quý II/2026.",
    "4. Công an Thành phố chỉ đạo Công an các xã, phường bố trí lực lượng phân luồng, hướng dẫn giao thông tại "
    "các điểm ngập khi có mưa lớn, không để xảy ra ùn tắc kéo dài.",
    "5. Ủy ban nhân dân các xã, phường rà soát cây xanh có nguy cơ gãy đổ, phối hợp với đơn vị duy trì cây xanh "
    'cắt tỉa, gia cố, hoàn thành trước ngày 20/5/2026; chủ động phương án "4 tại chỗ" khi có mưa bão.',
    "6. Định kỳ hằng tháng, các đơn vị báo cáo kết quả thực hiện về Sở Xây dựng để tổng hợp, báo cáo Ủy ban nhân dân Thành phố.",
    "7. Văn phòng Ủy ban nhân dân Thành phố theo dõi, đôn đốc việc thực hiện văn bản này.",
]
for it in items:
    para(it)

s = doc.add_table(rows=1, cols=2)
cell_lines(
    s.cell(0, 0),
    [
        "Nơi nhận:",
        "- Như trên;",
        "- Chủ tịch UBND Thành phố (để b/c);",
        "- Các PCT UBND Thành phố;",
        "- VPUB: CVP, các PCVP, ĐT;",
        "- Lưu: VT, ĐT.",
    ],
    center=False,
)
cell_lines(s.cell(0, 1), ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "Đỗ Minh Khuê"], bold=True)

path = os.path.join(OUT, STEM + ".docx")
doc.save(path)
print(path)
