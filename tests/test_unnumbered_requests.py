"""A letter whose requests are unnumbered paragraphs after «… có ý kiến như sau:»: each
paragraph that names a unit and asks it to act is a directive, not only those that open
with «Giao» or «Đề nghị»; context before the lead-in and the closing formula are not."""

from __future__ import annotations

from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text

LETTER = """ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM
Số: 88/UBND-NN
Thử Nghiệm, ngày 02 tháng 4 năm 2026

Từ đầu năm đến nay trên địa bàn tỉnh đã xảy ra 05 vụ cháy rừng, gây thiệt hại khoảng 12 ha.

Để chủ động phòng ngừa cháy rừng trong mùa khô, Chủ tịch Ủy ban nhân dân tỉnh có ý kiến như sau:

Giao Sở Nông nghiệp và Môi trường chủ trì kiểm tra phương án phòng cháy của các chủ rừng trước ngày 30/4/2026.

Bộ Chỉ huy Quân sự tỉnh xây dựng phương án huy động lực lượng dân quân tham gia chữa cháy rừng khi có yêu cầu.

Ủy ban nhân dân các xã báo cáo kết quả thực hiện công tác phòng cháy rừng về Sở Nông nghiệp và Môi trường trước ngày 15 hằng tháng.

Yêu cầu Thủ trưởng các cơ quan, đơn vị liên quan nghiêm túc triển khai thực hiện./.
"""


def test_every_request_paragraph_after_the_lead_in_is_a_directive() -> None:
    directives = extract_blocks(blocks_from_text(LETTER)).directives
    starts = [d.text.split()[0] for d in directives]
    assert starts == ["Giao", "Bộ", "Ủy"], [d.text[:40] for d in directives]
    assert directives[1].lead_units == ["Bộ Chỉ huy Quân sự tỉnh"]
    assert not any(d.text.startswith(("Từ đầu năm", "Yêu cầu Thủ trưởng")) for d in directives)


def test_a_findings_paragraph_between_the_requests_is_not_a_directive() -> None:
    """«Thời gian qua, nhiều hộ dân … tự ý xây dựng …; việc xử lý … còn chưa kiên quyết.»
    between two requests states what happened; the request after it is kept."""
    findings = (
        "Thời gian qua, nhiều hộ dân sống ven sông vẫn tự ý xây dựng nhà, công trình lấn chiếm "
        "hành lang bảo vệ bờ sông; việc xử lý của chính quyền cơ sở còn chưa kiên quyết.\n\n"
    )
    letter = LETTER.replace(
        "Ủy ban nhân dân các xã báo cáo", findings + "Ủy ban nhân dân các xã báo cáo"
    )
    directives = extract_blocks(blocks_from_text(letter)).directives
    assert [d.text.split()[0] for d in directives] == ["Giao", "Bộ", "Ủy"]


def test_giao_names_the_lead_before_any_common_verb() -> None:
    """«Giao Sở Giáo dục và Đào tạo tổng hợp …»: the unit given the work leads it, whatever
    the verb that follows («tổng hợp», «đôn đốc», «bố trí» … not only «chủ trì»)."""
    from tasks.extract.named_units import units_of

    for verb in ("tổng hợp", "đôn đốc", "bố trí", "thẩm định"):
        text = (
            f"Giao Sở Giáo dục và Đào tạo {verb} kết quả, báo cáo UBND tỉnh trước ngày 15/9/2025."
        )
        assert units_of(text)[0] == ["Sở Giáo dục và Đào tạo"], verb
