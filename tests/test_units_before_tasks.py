"""«2. Các sở quản lý chuyên ngành gồm:» followed by a dash list of units, then lettered tasks:
the units lead every task under the list; the unit lines are not directives."""

from __future__ import annotations

from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text

NOTICE = """ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM
Số: 12/UBND-KT
Thử Nghiệm, ngày 05 tháng 3 năm 2026

Để bảo đảm cung ứng hàng hóa thiết yếu, Ủy ban nhân dân tỉnh yêu cầu:

1. Sở Công Thương chủ trì theo dõi thị trường, báo cáo trước ngày 20/3/2026.

2. Các cơ quan quản lý thị trường gồm:
- Sở Công Thương;
- Sở Tài chính;
- Chi cục Quản lý thị trường.
theo chức năng, nhiệm vụ được giao, thực hiện các nhiệm vụ sau:

a) Kiểm tra việc niêm yết giá tại các chợ, siêu thị trên địa bàn.

b) Xử lý nghiêm các hành vi găm hàng, tăng giá bất hợp lý.

c) Tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 31/3/2026.

3. Ủy ban nhân dân các xã tuyên truyền để người dân biết.
"""


def test_units_listed_before_the_tasks_lead_each_of_them() -> None:
    result = extract_blocks(blocks_from_text(NOTICE))
    by_ref = {d.ref: d for d in result.directives}
    assert set(by_ref) == {"1", "2.a", "2.b", "2.c", "3"}, list(by_ref)
    listed = ["Sở Công Thương", "Sở Tài chính", "Chi cục Quản lý thị trường"]
    for ref in ("2.a", "2.b", "2.c"):
        assert by_ref[ref].lead_units == listed, (ref, by_ref[ref].lead_units)
    assert by_ref["2.c"].due.date is not None and by_ref["2.c"].due.date.isoformat() == "2026-03-31"
    assert not any(d.text.startswith(("Sở Tài chính", "Chi cục")) for d in result.directives)


def test_a_list_of_parts_without_tasks_stays_one_item() -> None:
    parts = NOTICE.split("2. Các cơ quan")[0] + (
        "2. Hồ sơ đề nghị gồm:\n- Tờ trình;\n- Báo cáo thẩm định.\n"
    )
    refs = [d.ref for d in extract_blocks(blocks_from_text(parts)).directives]
    assert not any(r and r.startswith("2.") for r in refs), refs


def test_units_given_after_giao_cac_don_vi_sau_lead_each_task() -> None:
    """«3. Giao các đơn vị sau: - Sở Y tế; - Sở Giáo dục và Đào tạo; - Công an tỉnh /
    triển khai các nội dung: a) … c)»: another wording of the same list."""
    notice = NOTICE.split("2. Các cơ quan")[0] + (
        "2. Giao các đơn vị sau:\n- Sở Y tế;\n- Sở Giáo dục và Đào tạo;\n- Công an tỉnh\n"
        "triển khai các nội dung:\n\n"
        "a) Tổ chức tổng vệ sinh môi trường tại trụ sở, trường học; hoàn thành trước ngày "
        "31/3/2026.\n\n"
        "b) Phối hợp với Ủy ban nhân dân các xã kiểm tra vệ sinh phòng bệnh tại các khu nhà trọ.\n"
    )
    result = extract_blocks(blocks_from_text(notice))
    by_ref = {d.ref: d for d in result.directives}
    assert set(by_ref) == {"1", "2.a", "2.b"}, list(by_ref)
    listed = ["Sở Y tế", "Sở Giáo dục và Đào tạo", "Công an tỉnh"]
    assert by_ref["2.a"].lead_units == listed and by_ref["2.b"].lead_units == listed


def test_a_unit_heading_ends_where_its_line_ends() -> None:
    """«2. Phòng Văn hóa - Xã hội» then, as its paragraph, «Thường xuyên tuyên truyền …»:
    the unit is the heading, not «Phòng Văn hóa - Xã hội Thường xuyên»."""
    notice = NOTICE.split("2. Các cơ quan")[0] + (
        "2. Phòng Văn hóa - Xã hội\n\nThường xuyên tuyên truyền trên hệ thống loa truyền thanh "
        "về quy định giữ gìn trật tự đô thị.\n\n"
        "3. Trung tâm Phục vụ hành chính công phường\n\nNiêm yết công khai thủ tục hành chính "
        "lĩnh vực xây dựng, báo cáo trước ngày 10 hằng tháng.\n"
    )
    by_ref = {d.ref: d for d in extract_blocks(blocks_from_text(notice)).directives}
    assert by_ref["2"].lead_units == ["Phòng Văn hóa - Xã hội"]
    assert by_ref["3"].lead_units == ["Trung tâm Phục vụ hành chính công phường"]
