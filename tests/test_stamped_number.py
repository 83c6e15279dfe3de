"""A signed PDF whose Số was left blank in the header and stamped at signing: the number is
taken from the stamp (a short line with the same symbol on the first pages), before the clerk
is asked; a document number cited inside a sentence is not taken for it."""

from __future__ import annotations

from pathlib import Path

from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text, read_document
from tests.test_readers import make_pdf

HEADER = [
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
    "Số:        /UBND-KT",
    "Thử Nghiệm, ngày 21 tháng 7 năm 2026",
    "V/v triển khai Quyết định số 1074/QĐ-UBND",
]
BODY = [
    "Thực hiện văn bản số 6120/UBND-KT ngày 02/7/2026 của Ủy ban nhân dân tỉnh về phòng "
    "cháy, chữa cháy, Ủy ban nhân dân tỉnh yêu cầu:",
    "1. Sở Xây dựng chủ trì rà soát các công trình, báo cáo Ủy ban nhân dân tỉnh trước ngày "
    "15/8/2026.",
    "2. Ủy ban nhân dân các xã, phường kiểm tra an toàn phòng cháy tại các chợ.",
]
STAMP = "Số: 915/UBND-KT"  # (the test PDF's running header cites 7432/UBND-XD)


def test_the_stamped_number_fills_a_blank_header_number(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "ky-so.pdf", [*HEADER, *BODY, STAMP])
    extraction = extract_blocks(read_document(pdf).blocks)
    assert extraction.number == "915/UBND-KT"


def test_a_cited_number_is_not_taken_for_the_blank_one() -> None:
    extraction = extract_blocks(blocks_from_text("\n\n".join([*HEADER, *BODY])))
    assert extraction.number is None  # 6120/UBND-KT is cited in a sentence, not stamped
