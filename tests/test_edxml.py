"""edXML packages (QCVN 102:2016/BTTTT) from the e-office system: built here from seed 004
(as a DOCX, base64 in ``AttachmentEncoded``, in the QCVN namespace), registered through the
CLI and the web upload; malformed and hostile packages refused with nothing stored."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from models.notice import Directive, Notice
from tasks.errors import InputError
from tasks.readers import edxml
from tasks.readers.edxml import parse_edxml
from tests.helpers import run_cli as run
from tests.helpers import snapshot

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
UNITS = ROOT / "examples" / "units" / "seed-era.yaml"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_of(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seed_docx() -> bytes:
    """Seed 004 (number and date left blank, as a draft copy) as a DOCX, one line a paragraph."""
    text = SEED_004.read_text(encoding="utf-8")
    return docx_of([line.strip() for line in text.splitlines() if line.strip()])


def attachment(name: str, data: bytes | str, content_type: str = DOCX_TYPE) -> str:
    encoded = data if isinstance(data, str) else base64.encodebytes(data).decode()
    return (
        f"<Attachment><ContentId>cid:{name}</ContentId><AttachmentName>{name}</AttachmentName>"
        f"<ContentType>{content_type}</ContentType>"
        f'<edXML:ContentTransferEncoded xmlns:edXML="{NS}">{encoded}'
        "</edXML:ContentTransferEncoded></Attachment>"
    )


def package(
    attachments: list[str],
    *,
    date: str = "2024/06/28",
    due: str | None = "2024-09-30",
    header: bool = True,
    envelope: bool = True,
) -> bytes:
    """A package as the public senders write it (root edXML, prefixed envelope, the encoded
    files after the envelope, unprefixed)."""
    due_xml = f"<edXML:DueDate>{due}</edXML:DueDate>" if due else ""
    head = (
        "<edXML:edXMLHeader><edXML:MessageHeader>"
        "<edXML:From><edXML:OrganId>000.00.31.H15</edXML:OrganId>"
        "<edXML:OrganName>UBND huyện Hương Sơn</edXML:OrganName></edXML:From>"
        "<edXML:Code><edXML:CodeNumber>1234</edXML:CodeNumber>"
        "<edXML:CodeNotation>UBND-NV</edXML:CodeNotation></edXML:Code>"
        "<edXML:PromulgationInfo><edXML:Place>Hương Sơn</edXML:Place>"
        f"<edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>"
        "<edXML:Subject>Về việc tập trung khắc phục tồn tại, hạn chế trong thực hiện CCHC"
        "</edXML:Subject>"
        "<edXML:SignerInfo><edXML:Position>Chủ tịch</edXML:Position>"
        "<edXML:FullName>Trần Bình Thân</edXML:FullName></edXML:SignerInfo>"
        f"{due_xml}"
        "<edXML:ToPlaces><edXML:Place>Các phòng chuyên môn thuộc UBND huyện</edXML:Place>"
        "<edXML:Place>UBND các xã, thị trấn</edXML:Place></edXML:ToPlaces>"
        "</edXML:MessageHeader></edXML:edXMLHeader>"
        if header
        else "<edXML:edXMLHeader/>"
    )
    body = f'<edXML:edXMLEnvelope xmlns:edXML="{NS}">{head}</edXML:edXMLEnvelope>'
    if not envelope:
        body = "<Other/>"
    files = f"<AttachmentEncoded>{''.join(attachments)}</AttachmentEncoded>" if attachments else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="{NS}">{body}{files}</edXML>'.encode()


@pytest.fixture
def seeded(app_env: str) -> str:
    assert run("init")[0] == 0
    assert run("units", "import", str(UNITS))[0] == 0
    return app_env


def write(tmp_path: Path, data: bytes, name: str = "vb.edxml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the parser


def test_header_and_attachment_are_read(seed_docx: bytes) -> None:
    got = parse_edxml(package([attachment("cv.docx", seed_docx)]), "vb.edxml")
    assert got.number == "1234/UBND-NV" and got.issuer == "UBND huyện Hương Sơn"
    assert got.issued_on is not None and got.issued_on.isoformat() == "2024-06-28"
    assert got.signer == "Trần Bình Thân" and got.signer_position == "Chủ tịch"
    assert got.place == "Hương Sơn" and got.title is not None and "CCHC" in got.title
    assert got.due_date is not None and got.due_date.isoformat() == "2024-09-30"
    assert got.to_places == ["Các phòng chuyên môn thuộc UBND huyện", "UBND các xã, thị trấn"]
    assert got.attachment.kind == "docx" and got.attachment.data == seed_docx


def test_other_namespace_and_no_header_wrapper() -> None:
    """The QĐ 28/2018 variant: EdXMLEnvelope in another namespace, MessageHeader right in it."""
    data = docx_of(["Văn bản"])
    xml = (
        '<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"><MessageHeader>'
        "<From><OrganName>Sở Nội vụ</OrganName></From>"
        "<Code><CodeNumber>5</CodeNumber><CodeNotation>SNV-VP</CodeNotation></Code>"
        "<PromulgationInfo><PromulgationDate>28/06/2024</PromulgationDate></PromulgationInfo>"
        "</MessageHeader>"
        f"<AttachmentEncoded>{attachment('a.docx', data)}</AttachmentEncoded></EdXMLEnvelope>"
    )
    got = parse_edxml(xml.encode(), "x.edxml")
    assert got.number == "5/SNV-VP" and got.issuer == "Sở Nội vụ"
    assert got.issued_on is not None and got.issued_on.isoformat() == "2024-06-28"
    assert got.due_date is None and got.signer is None


def test_the_document_is_chosen_over_an_appendix_and_by_content(seed_docx: bytes) -> None:
    appendix = docx_of(["Phụ lục: danh sách"])
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:  # a sender that zips the file first
        archive.writestr("3f2a.docx", seed_docx)
    got = parse_edxml(
        package(
            [
                attachment("ghi-chu.txt", b"khong phai van ban", "text/plain"),
                attachment("Phụ lục kèm theo.docx", appendix),
                # named .pdf, typed PDF: the content (a zipped DOCX) decides
                attachment("van-ban.pdf", zipped.getvalue(), "application/pdf"),
            ]
        ),
        "vb.edxml",
    )
    assert got.attachment.name == "van-ban.pdf" and got.attachment.kind == "docx"
    assert got.attachment.data == seed_docx
    # only an appendix: it is taken rather than nothing
    only = parse_edxml(package([attachment("Phụ lục.docx", appendix)]), "vb.edxml")
    assert only.attachment.data == appendix


def test_an_entity_declaration_is_refused_even_when_the_bytes_hide_it() -> None:
    """UTF-16 hides «<!DOCTYPE» from the byte check: lxml's DTD is the second guard."""
    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>'
        "<Subject>&b;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
    ).encode("utf-16")
    assert b"<!DOCTYPE" not in bomb
    with pytest.raises(InputError, match="DOCTYPE/ENTITY"):
        parse_edxml(bomb, "bomb.edxml")


# --------------------------------------------------------------------------- registering


def test_cli_registers_the_header_and_the_attached_directives(
    seeded: str, tmp_path: Path, seed_docx: bytes
) -> None:
    data = package([attachment("cv.docx", seed_docx)])
    path = write(tmp_path, data)
    code, out = run("notice", "add", str(path), "--yes")  # no --issuer, no --issued-on
    assert code == 0, out
    assert "16 nhiệm vụ" in out
    engine = create_engine(seeded)
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        # the seed text has «Số: /UBND-NV» and «ngày tháng năm 2024»: all from the header
        assert notice.number == "1234/UBND-NV" and notice.issuer == "UBND huyện Hương Sơn"
        assert notice.issued_on.isoformat() == "2024-06-28"
        assert notice.signer == "Trần Bình Thân" and "khắc phục tồn tại" in notice.title
        # the package is the original kept, and its hash is the one checked for duplicates
        digest = hashlib.sha256(data).hexdigest()
        assert notice.source_sha256 == digest
        assert notice.source_file is not None and notice.source_file.endswith(".edxml")
        assert Path(notice.source_file).read_bytes() == data
        dated = s.exec(select(Directive).where(Directive.ref == "1")).one()
        assert dated.due_date is not None and dated.due_date.isoformat() == "2024-08-30"
        assert dated.due_text == "trước ngày 30/8/2024"  # the document's own deadline stays
        defaulted = s.exec(select(Directive).where(Directive.ref == "2.-1")).one()
        assert defaulted.due_kind == "date" and defaulted.due_date is not None
        assert defaulted.due_date.isoformat() == "2024-09-30"
        assert defaulted.due_text == "hạn xử lý văn bản (edXML) 30/09/2024"
        ongoing = s.exec(select(Directive).where(Directive.ref == "2.-4")).one()
        assert ongoing.due_kind == "recurring"  # «Thường xuyên» is a deadline, not none
        kinds = s.exec(select(Directive.due_kind)).all()
        assert "none" not in kinds
    engine.dispose()

    before = snapshot(seeded)
    code, out = run("notice", "add", str(write(tmp_path, data, "lai.edxml")), "--yes")
    assert code == 2 and "đã được đăng ký" in out
    assert snapshot(seeded) == before


def test_without_a_due_date_directives_keep_no_deadline(
    seeded: str, tmp_path: Path, seed_docx: bytes
) -> None:
    path = write(tmp_path, package([attachment("cv.docx", seed_docx)], due=None))
    code, out = run("notice", "add", str(path), "--yes")
    assert code == 0, out
    engine = create_engine(seeded)
    with Session(engine) as s:
        plain = s.exec(select(Directive).where(Directive.ref == "2.-1")).one()
        assert plain.due_kind == "none" and plain.due_date is None
    engine.dispose()


def test_web_upload_accepts_a_package(app_env: str, seed_docx: bytes) -> None:
    from fastapi.testclient import TestClient

    from services.accounts import add_user
    from services.database import init_database
    from tasks.units import import_directory
    from tests.test_web_auth import PASSWORD
    from tests.test_web_register import post_review, review_form, sign_in
    from web.app import create_app

    init_database()
    engine = create_engine(app_env)
    with Session(engine) as session:
        import_directory(session=session, path=UNITS)
        add_user(session=session, name="vanthu", role="clerk", password=PASSWORD)
        session.commit()
    data = package([attachment("cv.docx", seed_docx)])
    with TestClient(create_app(), follow_redirects=False) as client:
        csrf = sign_in(client)
        r = client.post(
            "/thong-bao/moi?format=json",
            data={"csrf": csrf, "issuer": "", "issued_on": ""},
            files={"file": ("cong-van.edxml", data, "application/xml")},
        )
        assert r.status_code == 303, r.text
        key = r.headers["location"].rsplit("/", 1)[1]
        draft = client.get(f"/thong-bao/nhap/{key}?format=json").json()["draft"]
        assert draft["header"]["number"] == "1234/UBND-NV"
        assert draft["header"]["issuer"] == "UBND huyện Hương Sơn"
        assert draft["header"]["issued_on"] == "28/06/2024"
        assert draft["header"]["signer"] == "Trần Bình Thân"
        assert len(draft["directives"]) == 16
        r = post_review(client, key, review_form(draft, csrf, "confirm"))
        assert r.status_code == 303, r.text
    with Session(engine) as s:
        notice = s.exec(select(Notice)).one()
        assert notice.number == "1234/UBND-NV" and notice.signer == "Trần Bình Thân"
        assert notice.source_sha256 == hashlib.sha256(data).hexdigest()
        defaulted = s.exec(select(Directive).where(Directive.ref == "2.-1")).one()
        assert defaulted.due_date is not None and defaulted.due_date.isoformat() == "2024-09-30"
    engine.dispose()


# --------------------------------------------------------------------------- refusals

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE edXML [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>'
    "<Subject>&lol9;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
).encode()

XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>'
    "<From><OrganName>&xxe;</OrganName></From>"
    "</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
).encode()


def _cases(seed: bytes) -> list[tuple[str, bytes, str]]:
    ok = attachment("cv.docx", seed)
    return [
        ("not-xml", b'<?xml version="1.0"?><edXML><edXMLEnvelope>', "không phải XML hợp lệ"),
        ("billion-laughs", BILLION_LAUGHS, "DOCTYPE/ENTITY"),
        ("xxe", XXE, "DOCTYPE/ENTITY"),
        ("no-envelope", package([ok], envelope=False), "không có phần tử edXMLEnvelope"),
        ("no-header", package([ok], header=False), "không có phần đầu"),
        ("bad-base64", package([attachment("cv.docx", "@@@ không phải base64 @@@")]), "base64"),
        ("no-attachment", package([]), "không có tệp đính kèm"),
        (
            "no-readable-attachment",
            package([attachment("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")]),
            "không có văn bản đính kèm đọc được",
        ),
        (
            "doc-attachment",
            package([attachment("cv.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 512)]),
            "tệp Word cũ (.doc)",
        ),
        ("bad-date", package([ok], date="30/02/2024"), "không phải một ngày"),
        ("bad-due-date", package([ok], due="sớm nhất có thể"), "hạn xử lý (DueDate)"),
    ]


CASE_IDS = [c[0] for c in _cases(b"")]


@pytest.mark.parametrize("case", CASE_IDS)
def test_malformed_packages_are_refused_and_nothing_is_stored(
    case: str, seeded: str, tmp_path: Path, seed_docx: bytes
) -> None:
    _, data, expected = next(c for c in _cases(seed_docx) if c[0] == case)
    path = write(tmp_path, data)
    before = snapshot(seeded)
    code, out = run("notice", "add", str(path), "--yes")
    assert code == 2, out
    assert expected in out and "vb.edxml" in out
    assert "root:" not in out and "lollol" not in out  # no file read, no expansion
    assert snapshot(seeded) == before
    assert not list((tmp_path / "data").rglob("*.edxml"))  # no original kept


def test_an_attachment_over_the_cap_is_refused(
    seeded: str, tmp_path: Path, seed_docx: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edxml, "MAX_ATTACHMENT_BYTES", len(seed_docx) - 1)
    path = write(tmp_path, package([attachment("cv.docx", seed_docx)]))
    before = snapshot(seeded)
    code, out = run("notice", "add", str(path), "--yes")
    assert code == 2 and "lớn hơn" in out and "cv.docx" in out
    assert snapshot(seeded) == before


def test_a_package_over_the_file_cap_is_refused(seed_docx: bytes) -> None:
    big = package([attachment("cv.docx", seed_docx)]) + b" " * edxml.MAX_PACKAGE_BYTES
    with pytest.raises(InputError, match="quá lớn"):
        parse_edxml(big, "vb.edxml")


def test_a_signed_pdf_attachment_is_read_with_its_task_table(tmp_path: Path) -> None:
    """The attachment an e-office system sends is most often the signed PDF: its task table
    (Word's export, one row cut by a page break) is read cell by cell; the header gives the
    number and the addressees the text of a letter leaves out."""
    pdf = next((ROOT / "tests" / "data" / "heldout3").glob("heldout3-06-*.pdf")).read_bytes()
    data = package([attachment("cong-van-da-ky.pdf", pdf, "application/pdf")], due=None)
    code, out = run("extract", str(write(tmp_path, data)), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["number"] == "1234/UBND-NV"  # the header's, over the PDF's own
    rows = {d["ref"]: d for d in result["directives"] if d["ref"].startswith("row-")}
    assert sorted(rows) == ["row-1", "row-2", "row-3", "row-4", "row-5"]
    assert rows["row-2"]["support_units"] == ["Ủy ban nhân dân các xã, phường"]
    assert rows["row-2"]["due"]["date"] == "2025-12-20"
