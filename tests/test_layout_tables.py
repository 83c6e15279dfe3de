"""A header or signature block copied as text from a two-column table: as Markdown rows or
as columns side by side with runs of spaces. The reader takes it column by column (as the
DOCX reader takes a table's cells), so the signer follows its title and the Số is a line of
its own; body text, wider tables and single spaces are left as they were."""

from __future__ import annotations

from tasks.extract.header import number_of, signer_of
from tasks.readers.text import blocks_from_text, unfold_layout_tables

SPACED = """Ủy ban nhân dân tỉnh thông báo để các cơ quan biết, thực hiện./.

Nơi nhận:                                         TM. ỦY BAN NHÂN DÂN
- Chủ tịch, các PCT UBND tỉnh;                      KT. CHỦ TỊCH
- Các sở: GDĐT, NV, TC;                             PHÓ CHỦ TỊCH
- UBND các xã, phường;
- Lưu: VT, KGVX.


                                                    Trần Đình Lộc
"""

MARKDOWN = """| ỦY BAN NHÂN DÂN<br>THÀNH PHỐ HẢI PHÒNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc |
|---|---|
| Số: 402/TB-UBND | *Hải Phòng, ngày 20 tháng 10 năm 2025* |

1. Sở Xây dựng chủ trì rà soát các điểm tập kết rác.

| **Nơi nhận:** | **KT. CHỦ TỊCH** |
|---|---|
| - Các sở: NNMT, XD; | **PHÓ CHỦ TỊCH** |
| - Lưu: VT, MT. |  |
|  |  |
|  | **Vũ Thanh Hà** |
"""


def _texts(text: str) -> list[str]:
    return [b.text for b in blocks_from_text(text)]


def test_a_spaced_signature_block_is_read_column_by_column() -> None:
    blocks = _texts(SPACED)
    assert signer_of(blocks) == "Trần Đình Lộc"
    right = blocks.index("KT. CHỦ TỊCH")
    assert blocks[right - 1] == "TM. ỦY BAN NHÂN DÂN" and blocks[right + 1] == "PHÓ CHỦ TỊCH"
    assert not any("PHÓ CHỦ TỊCH" in b and "Các sở" in b for b in blocks)  # not interleaved


def test_markdown_header_and_signature_tables_are_read_column_by_column() -> None:
    blocks = _texts(MARKDOWN)
    assert number_of(blocks)[0] == "402/TB-UBND"
    assert signer_of(blocks) == "Vũ Thanh Hà"
    assert "1. Sở Xây dựng chủ trì rà soát các điểm tập kết rác." in blocks


def test_other_text_is_left_as_it_is() -> None:
    wide = "| TT | Nội dung | Đơn vị |\n|---|---|---|\n| 1 | Rà soát | Sở Nội vụ |\n"
    assert unfold_layout_tables(wide) == wide  # a task table of three columns
    body = "1. Sở Y tế    chủ trì kiểm tra.\n2. Sở Tài chính    bố trí kinh phí.\n"
    assert unfold_layout_tables(body) == body  # no «Nơi nhận»: spaces inside body text stay
    one_gap = "Nơi nhận:                 KT. CHỦ TỊCH\n- Như trên;\nNguyễn Văn A\n"
    assert unfold_layout_tables(one_gap) == one_gap  # one gap line is not a layout
