"""A header that lost its issuer lines: the document's kind («THÔNG BÁO») is not taken for
the issuer; the review says the issuer is missing first, and `notice add --yes` stops with
the hint to pass --issuer, then registers with it."""

from __future__ import annotations

from pathlib import Path

from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text, read_document
from tests.helpers import run_cli as run
from tests.helpers import snapshot

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "tests" / "data" / "seeds" / "000_ce37584aa6a84104.txt"


def test_the_kind_of_document_is_never_the_issuer() -> None:
    extraction = extract_blocks(read_document(SEED_000).blocks)
    assert extraction.issuer is None  # was «Thông Báo»
    assert extraction.number == "54/TB-VP"


def test_a_missing_issuer_is_asked_for_first(app_env: str) -> None:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))
    assert code == 0, out
    before = snapshot(app_env)
    code, out = run("notice", "add", str(SEED_000), "--yes")
    assert code == 2 and "cơ quan ban hành" in out and "--issuer" in out, out
    assert out.index("cơ quan ban hành") < out.index("Mục")  # at the top of the review
    assert snapshot(app_env) == before
    code, out = run("notice", "add", str(SEED_000), "--yes", "--issuer", "UBND huyện Hòn Đất")
    assert code == 0, out


def test_units_of_a_committee_outside_the_directory_are_not_matched_silently(
    app_env: str,
) -> None:
    """A Thái Nguyên letter read against a directory of Hà Tĩnh and Kiên Giang units: its
    «Ủy ban nhân dân các xã, phường» are Thái Nguyên's — flagged, not matched to a group here."""
    import json

    assert run("init")[0] == 0
    assert run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))[0] == 0
    letter = next((ROOT / "tests" / "data" / "heldout2").glob("heldout2-08-*.txt"))
    code, out = run("extract", str(letter), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["issuer"] == "Ủy ban nhân dân tỉnh Thái Nguyên"
    flagged = [
        d for d in data["directives"] if any(f.startswith("outside_issuer:") for f in d["flags"])
    ]
    assert flagged and all(not d["unit_codes"] for d in flagged)
    # A notice of a committee the directory holds is matched as before.
    code, out = run(
        "extract", str(ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"), "--json"
    )
    seed = json.loads(out)
    assert not any(f.startswith("outside_issuer:") for d in seed["directives"] for f in d["flags"])


def _other_province_letter(tmp_path: Path, lead: str, support: str | None = None) -> Path:
    """A Thái Nguyên letter in the notice YAML form: the directory (An Giang) does not hold
    its issuer."""
    path = tmp_path / "thai-nguyen.yaml"
    support_line = f"\n    support_units: [{support}]" if support else ""
    path.write_text(
        "number: 6017/UBND-XD\n"
        "issuer: Ủy ban nhân dân tỉnh Thái Nguyên\n"
        "issued_on: 2025-09-15\n"
        "title: Tăng cường quản lý trật tự xây dựng\n"
        "directives:\n"
        "  - ref: '1'\n"
        "    text: Kiểm tra, xử lý vi phạm trật tự xây dựng trên địa bàn.\n"
        f"    lead_units: [{lead}]{support_line}\n"
        "    deadline: trong tháng 10/2025\n",
        encoding="utf-8",
    )
    return path


def test_registering_a_letter_of_a_committee_outside_the_directory_takes_codes_only(
    app_env: str, tmp_path: Path
) -> None:
    """The same letter against the province-2025 directory (An Giang), which has groups named
    «Ủy ban nhân dân các xã, phường» and a «Sở Xây dựng»: registering it used to give 121
    assignments to An Giang's units. Names are refused with what to do; codes are taken."""
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "province-2025.yaml"))
    assert code == 0, out
    letter = next((ROOT / "tests" / "data" / "heldout2").glob("heldout2-08-*.txt"))
    before = snapshot(app_env)
    code, out = run("notice", "add", str(letter), "--yes")
    assert code == 2, out
    assert (
        "«Ủy ban nhân dân các xã, phường» là đơn vị của «Ủy ban nhân dân tỉnh Thái Nguyên»" in out
    )
    assert "«Sở Xây dựng» là đơn vị của" in out and "ghi mã đơn vị" in out
    assert snapshot(app_env) == before
    # A support unit named in the letter is refused the same way.
    code, out = run(
        "notice", "add", "--from", str(_other_province_letter(tmp_path, "AG-SXD", "Sở Tài chính"))
    )
    assert code == 2 and "«Sở Tài chính» là đơn vị của" in out, out
    assert snapshot(app_env) == before
    # The clerk who means a unit of this directory writes its code.
    code, out = run(
        "notice", "add", "--from", str(_other_province_letter(tmp_path, "AG-SXD", "AG-STC"))
    )
    assert code == 0, out
    code, out = run("status", "--unit", "AG-SXD")
    assert code == 0 and "6017/UBND-XD" in out, out


def test_the_web_review_says_the_issuer_is_outside_the_directory(app_env: str) -> None:
    from datetime import datetime

    from services.database import ready_session
    from services.draft_review import review

    assert run("init")[0] == 0
    assert run("units", "import", str(ROOT / "examples" / "units" / "province-2025.yaml"))[0] == 0
    mapping = {
        "number": "6017/UBND-XD",
        "issuer": "Ủy ban nhân dân tỉnh Thái Nguyên",
        "issued_on": "2025-09-15",
        "directives": [
            {"text": "Kiểm tra trật tự xây dựng.", "lead_units": ["Sở Xây dựng"]},
            {"text": "Báo cáo kết quả.", "lead_units": ["AG-SXD"]},
        ],
    }
    with ready_session() as session:
        read = review(
            session=session,
            key="k",
            file_name="thai-nguyen.txt",
            sha256="0" * 64,
            created_by=None,
            created_at=datetime(2025, 9, 16),
            draft_mapping=mapping,
        )
    assert any("không có trong danh mục đơn vị" in p for p in read.header_problems)
    first, second = sorted(read.directives, key=lambda d: d.index)
    assert "outside_issuer:Sở Xây dựng" in first.flags and first.lead[0].code is None
    assert second.lead[0].code == "AG-SXD" and second.flags == ["no_deadline"]


def test_the_issuing_body_under_its_governing_body_is_the_issuer() -> None:
    """Nghị định 30/2020's header names the governing body and under it the issuing one."""
    from tasks.extract.header import issuer_of

    cases = {
        (
            "ỦY BAN NHÂN DÂN",
            "TỈNH QUẢNG TRỊ",
            "VĂN PHÒNG",
        ): "Văn phòng Ủy ban nhân dân tỉnh Quảng Trị",
        ("UBND TỈNH ĐIỆN BIÊN", "SỞ Y TẾ"): "Sở Y tế tỉnh Điện Biên",
        (
            "UBND TỈNH ĐỒNG NAI",
            "ỦY BAN NHÂN DÂN PHƯỜNG TRẤN BIÊN",
        ): "Ủy ban nhân dân phường Trấn Biên",
        ("UBND HUYỆN HÒN ĐẤT", "VĂN PHÒNG HĐND VÀ UBND"): "Văn phòng HĐND và UBND huyện Hòn Đất",
        ("UBND TỈNH KHÁNH HÒA", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"): (
            "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa"
        ),
        ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG"): "Ủy ban nhân dân thành phố Hải Phòng",
    }
    for lines, issuer in cases.items():
        assert issuer_of([*lines, "Số: 12/UBND-VP"]) == issuer, lines


def test_a_header_in_spaced_columns_gives_issuer_and_number() -> None:
    """«ỦY BAN NHÂN DÂN      CỘNG HÒA …» side by side with spaces: read column by column; a
    header whose only runs of spaces are blank fields («Số:      /UBND-KT») is left alone."""
    header = (
        "     ỦY BAN NHÂN DÂN                         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "      TỈNH AN GIANG                                Độc lập - Tự do - Hạnh phúc\n\n"
        "  Số: 356/TB-UBND                               An Giang, ngày 18 tháng 9 năm 2025\n\n"
        "                                    THÔNG BÁO\n\n"
        "1. Sở Nông nghiệp và Môi trường rà soát dữ liệu tàu cá trước ngày 30/9/2025.\n"
    )
    result = extract_blocks(blocks_from_text(header))
    assert result.issuer == "Ủy ban nhân dân tỉnh An Giang" and result.number == "356/TB-UBND"
    assert str(result.issued_on) == "2025-09-18"
    blank = "ỦY BAN NHÂN DÂN TỈNH AN GIANG\nSố:        /UBND-KT\nAn Giang, ngày      tháng      năm 2026\n"
    result = extract_blocks(
        blocks_from_text(blank + "\n1. Sở Y tế kiểm tra trước ngày 15/8/2026.\n")
    )
    assert result.symbol == "/UBND-KT" and result.number is None


def test_a_body_under_a_committee_outside_the_directory_is_outside_too(app_env: str) -> None:
    from services.database import ready_session
    from tasks.units import Directory

    assert run("init")[0] == 0
    assert run("units", "import", str(ROOT / "examples" / "units" / "province-2025.yaml"))[0] == 0
    with ready_session() as session:
        directory = Directory.load(session)
    assert directory.outside_committee("Sở Y tế tỉnh Điện Biên")
    assert directory.outside_committee("Văn phòng UBND tỉnh Quảng Trị")
    assert not directory.outside_committee("Sở Y tế tỉnh An Giang")  # An Giang is held
    assert not directory.outside_committee("Ban Chỉ đạo tỉnh (ngoài danh mục)")  # no place named
