"""A signed PDF whose header leaves Số and date blank («Số:      /UBND-KT», «ngày   tháng
năm 2026»), stamped at signing outside the text layer: the number from a note on the first
page, the date from the last digital signature or the document's properties. They are
proposed (the extraction's «stamp»), the header fields stay as printed (CONVENTIONS §1), and
registering takes them — with the monthly deadline read against that date — instead of
asking the clerk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli as run
from tests.test_readers import make_pdf

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS = [
    "ỦY BAN NHÂN DÂN TỈNH AN GIANG",
    "Số:        /UBND-KT",
    "An Giang, ngày      tháng      năm 2026",
    "V/v kiểm tra an toàn phòng cháy tại các chợ",
    "Để bảo đảm an toàn phòng cháy, chữa cháy, Ủy ban nhân dân tỉnh yêu cầu:",
    "1. Sở Xây dựng chủ trì rà soát các công trình, báo cáo Ủy ban nhân dân tỉnh trước ngày "
    "15/8/2026.",
    "2. Sở Công Thương báo cáo kết quả kiểm tra trước ngày 05 hằng tháng.",
    "Nơi nhận:",
    "- Như trên;",
    "- Lưu: VT.",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Văn Thử",
]


def _signed(
    path: Path, *, note: str | None, signed_at: str | None, title: str | None = None
) -> Path:
    """The test PDF with a FreeText note on page 1, a signature field whose value has the
    signing time /M, and a document title, as a signing tool leaves them."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    plain = make_pdf(path.with_suffix(".plain.pdf"), PARAGRAPHS)
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    page = writer.pages[0]
    annots = ArrayObject()
    if note:
        free = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FreeText"),
                NameObject("/Rect"): ArrayObject([FloatObject(x) for x in (30, 80, 120, 90)]),
                NameObject("/Contents"): TextStringObject(note),
                NameObject("/DA"): TextStringObject("/Helv 9 Tf 0 g"),
            }
        )
        annots.append(writer._add_object(free))
    if signed_at:
        value = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Sig"),
                NameObject("/M"): TextStringObject(signed_at),
                NameObject("/Name"): TextStringObject("ỦY BAN NHÂN DÂN TỈNH AN GIANG"),
            }
        )
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject("Chữ ký 1"),
                NameObject("/Rect"): ArrayObject([FloatObject(0) for _ in range(4)]),
                NameObject("/V"): writer._add_object(value),
            }
        )
        ref = writer._add_object(widget)
        annots.append(ref)
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([ref]), NameObject("/SigFlags"): FloatObject(3)}
        )
    if annots:
        page[NameObject("/Annots")] = annots
    if title:
        writer.add_metadata({"/Title": title})
    writer.write(str(path))
    return path


def _extract(path: Path) -> dict:
    code, out = run("extract", str(path), "--json")
    assert code == 0, out
    return json.loads(out)


def test_number_from_a_note_and_date_from_the_signature_are_proposed(
    app_env: str, tmp_path: Path
) -> None:
    pdf = _signed(
        tmp_path / "ky-so.pdf", note="Số: 1234/UBND-KT", signed_at="D:20260721153012+07'00'"
    )
    data = _extract(pdf)
    assert data["number"] is None and data["issued_on"] is None  # the header, as printed
    stamp = data["stamp"]
    assert stamp["number"] == "1234/UBND-KT"
    assert stamp["issued_on"] == "2026-07-21" and "chữ ký số" in stamp["issued_from"]


def test_a_signature_time_is_taken_in_vietnam_time(app_env: str, tmp_path: Path) -> None:
    # 18:30 UTC on 20 July is 01:30 on 21 July in Vietnam
    pdf = _signed(tmp_path / "utc.pdf", note=None, signed_at="D:20260720183000Z")
    assert _extract(pdf)["stamp"]["issued_on"] == "2026-07-21"


def test_the_document_title_can_give_the_number_and_date(app_env: str, tmp_path: Path) -> None:
    pdf = _signed(
        tmp_path / "title.pdf",
        note=None,
        signed_at=None,
        title="Công văn số 2211/UBND-KT ngày 22/07/2026",
    )
    stamp = _extract(pdf)["stamp"]
    assert stamp["number"] == "2211/UBND-KT" and stamp["issued_on"] == "2026-07-22"


def test_registering_takes_the_stamps_and_reads_deadlines_against_that_date(
    app_env: str, tmp_path: Path
) -> None:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "province-2025.yaml"))
    assert code == 0, out
    plain = make_pdf(tmp_path / "khong-dau.pdf", PARAGRAPHS)
    code, out = run("notice", "add", str(plain), "--yes")
    assert code == 2 and "--issued-on" in out, out  # nothing to propose: the clerk is asked
    pdf = _signed(
        tmp_path / "ky-so.pdf", note="Số: 1234/UBND-KT", signed_at="D:20260721153012+07'00'"
    )
    code, out = run("notice", "add", str(pdf), "--yes")
    assert code == 0, out
    assert "lấy từ chữ ký số" in out and "kiểm tra lại" in out
    code, out = run("status", "--notice", "1234/UBND-KT", "--json")
    assert code == 0, out
    rows = json.loads(out)
    text = json.dumps(rows, ensure_ascii=False)
    assert "2026-08-05" in text  # «trước ngày 05 hằng tháng» after 21/07/2026
    assert "2026-01-05" not in text  # not the year's first, as read without a date


def test_the_web_review_fills_the_stamps_and_says_where_they_come_from(
    app_env: str, tmp_path: Path
) -> None:
    from services.database import ready_session
    from services.drafts import create_draft, review_draft

    assert run("init")[0] == 0
    assert run("units", "import", str(ROOT / "examples" / "units" / "province-2025.yaml"))[0] == 0
    pdf = _signed(
        tmp_path / "ky-so.pdf", note="Số: 1234/UBND-KT", signed_at="D:20260721153012+07'00'"
    )
    with pdf.open("rb") as upload:
        key = create_draft(
            upload=upload, client_name=pdf.name, issuer=None, issued_on=None, created_by="vt"
        )
    with ready_session() as session:
        review = review_draft(session=session, key=key)
    assert review.header["number"] == "1234/UBND-KT"
    assert review.header["issued_on"] == "21/07/2026"
    notes = " ".join(review.header_problems)
    assert "để trống Số" in notes and "để trống ngày ban hành" in notes and "chữ ký số" in notes
