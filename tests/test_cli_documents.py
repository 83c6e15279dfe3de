"""Registering real documents through the CLI: review, confirm, edit, originals, bad files."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, func, select

from models.notice import Assignment, Directive, Notice
from tests.helpers import run_cli as run
from tests.helpers import snapshot
from tests.test_readers import make_docx

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
SEED_003 = ROOT / "tests" / "data" / "seeds" / "003_9f18c9b838a35011.txt"
HEADER = ("--issuer", "UBND huyện Hương Sơn", "--issued-on", "28/06/2024")


@pytest.fixture
def seeded(app_env: str) -> str:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))
    assert code == 0, out
    return app_env


def _count(url: str, model: type) -> int:
    engine = create_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return n


def test_extract_json_without_a_database(fresh_data_dir: Path) -> None:
    code, out = run("extract", str(SEED_004), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert {
        "number",
        "doc_type",
        "issuer",
        "issued_on",
        "signer",
        "recipients",
        "addressees",
    } <= set(data)
    first = data["directives"][0]
    assert first["due"] == {
        "kind": "date",
        "date": "2024-08-30",
        "text": "trước ngày 30/8/2024",
        "recurrence": None,
    }
    assert first["effective_due"] == "2024-08-30" and first["unit_codes"] == []
    assert {
        "ref",
        "text",
        "lead_units",
        "support_units",
        "report_to",
        "confidence",
        "flags",
    } <= set(first)


def test_extract_json_with_the_directory(seeded: str) -> None:
    code, out = run("extract", str(SEED_004), "--json")
    assert code == 0, out
    first = json.loads(out)["directives"][0]
    assert first["unit_codes"] == ["HT-HS-XA-TT"]


def test_extract_table(seeded: str) -> None:
    code, out = run("extract", str(SEED_004))
    assert code == 0 and "Trích xuất" in out and "30/08/2024" in out


def test_add_document_with_yes_stores_notice_and_original(seeded: str, tmp_path: Path) -> None:
    code, out = run("notice", "add", str(SEED_004), *HEADER, "--yes")
    assert code == 0, out
    assert "16 nhiệm vụ" in out
    engine = create_engine(seeded)
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        digest = hashlib.sha256(SEED_004.read_bytes()).hexdigest()
        assert notice.source_sha256 == digest
        assert notice.issued_on.isoformat() == "2024-06-28" and notice.signer == "Trần Bình Thân"
        assert notice.source_file is not None
        stored = Path(notice.source_file)
        assert stored.read_bytes() == SEED_004.read_bytes() and digest in stored.name
        first = s.exec(select(Directive).where(Directive.ref == "1")).one()
        assert first.due_date is not None
        assert first.due_kind == "date" and first.due_date.isoformat() == "2024-08-30"
        leads = s.exec(
            select(func.count()).select_from(Assignment).where(Assignment.directive_id == first.id)
        ).one()
        assert leads >= 25  # every commune of Hương Sơn
    engine.dispose()


def test_same_file_twice_is_refused(seeded: str) -> None:
    assert run("notice", "add", str(SEED_004), *HEADER, "--yes")[0] == 0
    before = snapshot(seeded)
    code, out = run("notice", "add", str(SEED_004), *HEADER, "--yes")
    assert code == 2 and "đã được đăng ký" in out
    assert snapshot(seeded) == before


def test_confirm_no_stores_nothing(seeded: str) -> None:
    before = snapshot(seeded)
    code, out = run("notice", "add", str(SEED_004), *HEADER, stdin="n\n")
    assert code == 1 and "Chưa đăng ký gì" in out
    assert snapshot(seeded) == before


def test_confirm_yes_at_the_prompt(seeded: str) -> None:
    code, out = run("notice", "add", str(SEED_004), *HEADER, stdin="y\n")
    assert code == 0, out
    assert _count(seeded, Notice) == 1


def test_missing_issue_date_says_how_to_give_it(seeded: str) -> None:
    before = snapshot(seeded)
    code, out = run("notice", "add", str(SEED_004), "--issuer", "UBND huyện Hương Sơn", "--yes")
    assert code == 2 and "--issued-on" in out and "năm 2024" in out
    assert snapshot(seeded) == before


def test_edit_registers_the_corrected_version(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "t = t.replace('number: null', 'number: 77/UBND-NV', 1)\n"
        "t = t.replace('issued_on: null', 'issued_on: 2024-06-28', 1)\n"
        "t = t.replace('issuer: null', 'issuer: UBND huyện Hương Sơn', 1)\n"
        "t = t.replace('deadline: trước ngày 30/8/2024', 'deadline: trước ngày 15/9/2024', 1)\n"
        "p.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    import sys

    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    code, out = run("notice", "add", str(SEED_004), "--edit")
    assert code == 0, out
    engine = create_engine(seeded)
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        assert notice.number == "77/UBND-NV"
        first = s.exec(select(Directive).where(Directive.ref == "1")).one()
        assert first.due_date is not None
        assert first.due_date.isoformat() == "2024-09-15"
    engine.dispose()


PROVINCE_X = """
units:
  - code: X
    name: Ủy ban nhân dân tỉnh X
    kind: province
    children:
      - {code: X-STC, name: Sở Tài chính, kind: department}
      - {code: X-SNV, name: Sở Nội vụ, kind: department}
      - {code: X-KHCN, name: Sở Khoa học và Công nghệ, kind: department}
      - {code: X-VP, name: Văn phòng UBND tỉnh, kind: office}
      - {code: X-X1, name: UBND xã Một, kind: commune}
      - {code: X-X2, name: UBND xã Hai, kind: commune}
groups:
  - {code: X-SN, name: "các sở, ngành", aliases: ["các cơ quan"], scope: X, member_kinds: [department]}
  - {code: X-XA, name: "UBND các xã", scope: X, member_kinds: [commune]}
"""


def test_docx_registers_end_to_end(app_env: str, tmp_path: Path) -> None:
    assert run("init")[0] == 0
    directory = tmp_path / "x.yaml"
    directory.write_text(PROVINCE_X, encoding="utf-8")
    assert run("units", "import", str(directory))[0] == 0
    code, out = run("notice", "add", str(make_docx(tmp_path / "cv.docx")), "--yes")
    assert code == 0, out
    engine = create_engine(app_env)
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        assert notice.number == "12/UBND-VP" and notice.issued_on.isoformat() == "2024-06-03"
        row2 = s.exec(select(Directive).where(Directive.ref == "row-2")).one()
        units = s.exec(
            select(Assignment.role, func.count())
            .where(Assignment.directive_id == row2.id)
            .group_by(Assignment.role)
        ).all()
        assert dict(units) == {"lead": 1, "support": 2}  # Sở Nội vụ; UBND các xã = 2 communes
    engine.dispose()


def _encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mật-khẩu")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _fake_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "không phải Word")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.txt", b"", "rỗng"),
        ("junk.txt", bytes(range(256)) * 20, "văn bản"),
        ("fake.docx", None, "docx"),
        ("notice.odt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".docx"),
        ("locked.pdf", "encrypted", "mật khẩu"),
        ("news.txt", "seed-003", "Không tìm thấy nhiệm vụ"),
    ],
)
def test_bad_documents_store_nothing(
    seeded: str, tmp_path: Path, name: str, content: bytes | str | None, expected: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes(_fake_docx())
    elif content == "encrypted":
        _encrypted_pdf(path)
    elif content == "seed-003":
        path.write_bytes(SEED_003.read_bytes())
    else:
        path.write_bytes(content)  # type: ignore[arg-type]
    before = snapshot(seeded)
    code, out = run("notice", "add", str(path), "--yes")
    assert code == 2, out
    assert expected in out and "Traceback" not in out
    assert snapshot(seeded) == before
    assert not (Path(seeded.removeprefix("sqlite:///")).parent / "data" / "originals").exists()


def test_scanned_pdf_says_ocr(seeded: str, tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    code, out = run("extract", str(path), "--json")
    assert code == 2 and "OCR" in out


def test_huge_text_is_refused_quickly(seeded: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(("Các xã tăng cường kiểm tra. " * 40 + "\n\n") * 4000, encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    before = snapshot(seeded)
    code, out = run("notice", "add", str(path), "--yes")
    assert code == 2 and "vượt giới hạn" in out
    assert snapshot(seeded) == before
