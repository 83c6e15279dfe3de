"""Tạo heldout3-07 (.docx thật, không chuyển đổi) bằng python-docx.
Văn bản viết cho bộ kiểm thử, không phải văn bản thật của cơ quan nào."""

import sys

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = sys.argv[1] if len(sys.argv) > 1 else "heldout3-07-cv-mua-kho-tay-ninh.docx"
doc = Document()
sec = doc.sections[0]
sec.page_width, sec.page_height = Cm(21), Cm(29.7)
sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
st = doc.styles["Normal"]
st.font.name = "Times New Roman"
st.font.size = Pt(14)
st.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")


def no_borders(table):
    b = OxmlElement("w:tblBorders")
    for e in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement("w:" + e)
        el.set(qn("w:val"), "nil")
        b.append(el)
    table._tbl.tblPr.append(b)


def cp(
    cell, text, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER, first=True
):
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = align
    r = p.add_run(text)
    r.bold = bold
    r.italic = italic
    if size:
        r.font.size = Pt(size)


def para(text, indent=True):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.27)
    p.paragraph_format.space_after = Pt(6)
    p.add_run(text)


h = doc.add_table(rows=3, cols=2)
no_borders(h)
cp(h.cell(0, 0), "ỦY BAN NHÂN DÂN", size=13)
cp(h.cell(0, 0), "TỈNH TÂY NINH", bold=True, size=13, first=False)
cp(h.cell(0, 1), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
cp(h.cell(0, 1), "Độc lập - Tự do - Hạnh phúc", bold=True, first=False)
cp(h.cell(1, 0), "Số: 4518/UBND-KT", size=13)
cp(h.cell(1, 1), "Tây Ninh, ngày 16 tháng 10 năm 2026", italic=True)
cp(
    h.cell(2, 0),
    "V/v chủ động ứng phó hạn hán, xâm nhập mặn và phòng cháy, chữa cháy rừng mùa khô 2026 - 2027",
    size=12,
)

doc.add_paragraph()
k = doc.add_table(rows=1, cols=2)
no_borders(k)
cp(k.cell(0, 0), "Kính gửi:", align=WD_ALIGN_PARAGRAPH.RIGHT)
first = True
for t in [
    "- Sở Nông nghiệp và Môi trường;",
    "- Sở Xây dựng;",
    "- Công an tỉnh;",
    "- Ủy ban nhân dân các xã, phường.",
]:
    cp(k.cell(0, 1), t, align=WD_ALIGN_PARAGRAPH.LEFT, first=first)
    first = False
k.autofit = False
k.columns[0].width = Cm(4)
k.columns[1].width = Cm(12)
for c, w in zip(k.rows[0].cells, (Cm(4), Cm(12)), strict=True):
    c.width = w

doc.add_paragraph()
para(
    "Theo nhận định của Đài Khí tượng Thủy văn tỉnh, mùa khô 2026 - 2027 dự báo đến sớm và kéo dài hơn trung bình nhiều năm; mặn có khả năng xâm nhập sâu trên sông Vàm Cỏ Đông, Vàm Cỏ Tây, ảnh hưởng đến sản xuất nông nghiệp và nước sinh hoạt của người dân các xã phía Nam của tỉnh; nguy cơ cháy rừng tại các khu rừng đặc dụng, rừng phòng hộ ở mức cao."
)
para(
    "Giao Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Công an tỉnh, Sở Xây dựng tham mưu Ủy ban nhân dân tỉnh kiện toàn Tổ công tác liên ngành ứng phó hạn hán, xâm nhập mặn và phòng cháy, chữa cháy rừng mùa khô, trình trước ngày 31/10/2026."
)
para(
    "Đồng thời, Ủy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị, địa phương triển khai các nội dung sau:"
)
for t in [
    "1. Sở Nông nghiệp và Môi trường:",
    "a) Xây dựng phương án ứng phó hạn hán, xâm nhập mặn mùa khô 2026 - 2027, trình Ủy ban nhân dân tỉnh trước ngày 15/11/2026.",
    "b) Chỉ đạo các đơn vị quản lý công trình thủy lợi tích trữ nước ngọt trong hệ thống kênh, rạch; vận hành cống ngăn mặn phù hợp với diễn biến thủy triều.",
    "c) Định kỳ quan trắc độ mặn tại các trạm trên sông Vàm Cỏ Đông, Vàm Cỏ Tây; thông tin kịp thời để người dân chủ động lấy nước phục vụ sản xuất.",
    "2. Sở Xây dựng chỉ đạo các đơn vị cấp nước bảo đảm nguồn nước sinh hoạt cho người dân; xây dựng phương án cấp nước bằng xe bồn cho các khu dân cư có nguy cơ thiếu nước, hoàn thành trong tháng 12/2026.",
    "3. Công an tỉnh hướng dẫn, kiểm tra công tác phòng cháy, chữa cháy rừng tại Vườn quốc gia Lò Gò - Xa Mát và các khu rừng phòng hộ; tổ chức diễn tập chữa cháy rừng trong quý I/2027.",
    "4. Ủy ban nhân dân các xã, phường:",
    "a) Kiện toàn Ban Chỉ huy phòng thủ dân sự cấp xã, phân công lực lượng trực phòng cháy, chữa cháy rừng trong mùa khô; hoàn thành trước ngày 30/11/2026.",
    "b) Tuyên truyền, vận động người dân sử dụng nước tiết kiệm; không đốt thực bì, rơm rạ gần bìa rừng trong mùa khô.",
    "c) Báo cáo tình hình hạn hán, xâm nhập mặn trên địa bàn về Sở Nông nghiệp và Môi trường trước ngày 25 hằng tháng để tổng hợp.",
    "Yêu cầu Thủ trưởng các cơ quan, đơn vị, Chủ tịch Ủy ban nhân dân các xã, phường triển khai thực hiện nghiêm túc./.",
]:
    para(t)

s = doc.add_table(rows=1, cols=2)
no_borders(s)
c0, c1 = s.rows[0].cells
cp(c0, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
for t in [
    "- Như trên;",
    "- TT Tỉnh ủy, TT HĐND tỉnh (b/c);",
    "- CT, các PCT UBND tỉnh;",
    "- Lưu: VT, KT.",
]:
    cp(c0, t, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, first=False)
cp(c1, "KT. CHỦ TỊCH", bold=True)
cp(c1, "PHÓ CHỦ TỊCH", bold=True, first=False)
for _ in range(3):
    cp(c1, "", first=False)
cp(c1, "Nguyễn Hữu Tài", bold=True, first=False)
doc.save(OUT)
print("saved", OUT)
