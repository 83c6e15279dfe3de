"""Hostile documents end fast, in bounded memory, with a result or a clear InputError (issue 9).

Each runaway found by fuzzing ``dondoc extract`` / ``dondoc notice add`` is rebuilt here in
code and run through ``read_document`` + ``extract_blocks`` in a child process (a regression
then fails after a timeout instead of hanging the suite, and the child's peak RSS counts the
memory of zlib, lxml and pypdf too), and once through the CLI.
"""

from __future__ import annotations

import functools
import io
import json
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.errors import DondocError
from tasks.extract import extract_blocks
from tasks.readers import read_document
from tests.helpers import snapshot
from tests.test_cli_documents import run as cli
from tests.test_readers import make_docx, make_pdf

ROOT = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SECONDS = 5.0  # a real notice takes well under a second
MEGABYTES = 300  # peak RSS growth of the child process

HEADER = (
    "ỦY BAN NHÂN DÂN TỈNH X\n\nSố: 12/UBND-VP\n\nX, ngày 3 tháng 6 năm 2024\n\n"
    "Kính gửi: Sở Tài chính\n\nỦy ban nhân dân tỉnh yêu cầu:\n\n"
)
LAST = "2. Sở Nội vụ hướng dẫn các xã báo cáo trước ngày 15/7/2024.\n"


# ---------------------------------------------------------------------------------------------
# The hostile inputs
# ---------------------------------------------------------------------------------------------


def long_date_line_notice() -> str:
    """A 21 KB line of "ngày … tháng … năm …" pieces that never ends like a date line."""
    line = ("ngày 1 tháng 2 năm , " * 1100)[:21_000]
    return HEADER + line + "\n" + "1. Sở Tài chính chủ trì rà soát các khoản chi.\n" + LAST


def huge_directive_notice() -> str:
    """One directive of 876 KB, dense with date-like pieces."""
    body = "Sở Tài chính phối hợp với Sở Nội vụ báo cáo trước ngày 1/2, hằng tháng, " * 9000
    return HEADER + "1. " + body + ".\n" + LAST


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP written by hand, so that a member can declare any size and CRC: each member is
    (name, deflated payload, declared uncompressed size, declared CRC-32)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, payload, size, crc in members:
        offset, fname = out.tell(), name.encode()
        fields = (20, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, len(payload), size, len(fname))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + fname + payload)
        central.write(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, offset)
            + fname
        )
    cd = central.getvalue()
    n = len(members)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), out.tell(), 0)
    return out.getvalue() + cd + eocd


def _deflate_with_hidden_tail(content: bytes, hidden_mb: int, fill: bytes = b"\0") -> bytes:
    """Raw deflate of ``content`` followed by ``hidden_mb`` MB of ``fill`` (about 1 KB per MB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(content) + c.flush(zlib.Z_FULL_FLUSH)
    tail = fill * (1 << 20)
    # After a full flush nothing refers back: every further MB is the same bytes.
    block = c.compress(tail) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * (hidden_mb - 1) + c.compress(tail) + c.flush()


def _small_docx() -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Ủy ban nhân dân tỉnh yêu cầu:")
    doc.add_paragraph("1. Sở Tài chính chủ trì rà soát các khoản chi trước ngày 15/7/2024.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def lying_docx(hidden_mb: int = 2100) -> bytes:
    """A DOCX of about 2 MB whose word/document.xml declares its real size and CRC, while its
    deflate stream goes on for ``hidden_mb`` MB more (zipfile decompresses it all, then cuts)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(_small_docx())) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = c.compress(data) + c.flush()
            if info.filename == "word/document.xml":
                payload = _deflate_with_hidden_tail(data, hidden_mb)
            members.append((info.filename, payload, len(data), zlib.crc32(data)))
    return _raw_zip(members)


def bomb_rels_docx(hidden_mb: int = 2100) -> bytes:
    """An honest DOCX of about 2 MB whose word/_rels/document.xml.rels (not a ".xml" name) is
    followed by 2 GB of blanks, valid XML: a declared size of 2 GB, a compression ratio of 1000."""
    members = []
    with zipfile.ZipFile(io.BytesIO(_small_docx())) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload, size, crc = c.compress(data) + c.flush(), len(data), zlib.crc32(data)
            if info.filename == "word/_rels/document.xml.rels":
                payload = _deflate_with_hidden_tail(data, hidden_mb, b" ")
                blanks = b" " * (1 << 20)
                for _ in range(hidden_mb):
                    crc = zlib.crc32(blanks, crc)
                size += hidden_mb << 20
            members.append((info.filename, payload, size, crc))
    return _raw_zip(members)


def huge_start_docx(start: str = "10000000000") -> bytes:
    """A lettered list whose numbering starts at 10^10 (Word would write "aaaa…" 385 M times)."""
    import docx
    from docx.oxml import parse_xml

    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="70">'
            f'<w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="%1)"/></w:lvl>'
            f'<w:lvl w:ilvl="1"><w:start w:val="{start}"/><w:numFmt w:val="upperRoman"/>'
            '<w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="70"><w:abstractNumId w:val="70"/></w:num>')
    )
    for line in HEADER.split("\n\n"):
        if line.strip():
            doc.add_paragraph(line.strip())
    for ilvl, text in [
        (0, "Sở Tài chính chủ trì rà soát các khoản chi."),
        (1, "Báo cáo trước ngày 15/7/2024."),
        (0, "Sở Nội vụ hướng dẫn các xã."),
    ]:
        p = doc.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="70"/></w:numPr>'
            )
        )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    data = zlib.compress(content)
    head = b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra)
    return head + data + b"\nendstream"


def _raw_pdf(content: bytes, form: bytes | None = None) -> bytes:
    """A one-page PDF (Helvetica) whose page shows ``content``, and may draw ``form`` as
    the form XObject /Fm1."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> /Contents 4 0 R >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        _stream(
            form or b"",
            b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> ",
        ),
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def many_operators_pdf(lines: int = 100_000) -> bytes:
    """One page of 200,000 text operators: a line move and a line of text, 100,000 times."""
    line = b"0 -1 Td (Giao So Tai chinh chu tri, phoi hop thuc hien.) Tj\n"
    return _raw_pdf(b"BT /F1 12 Tf 72 800 Td\n" + line * lines + b"ET\n")


CASES: dict[str, tuple[str, Any]] = {
    "date-line": ("long-date-line.txt", long_date_line_notice),
    "lying-zip": ("lying.docx", lying_docx),
    "zip-bomb": ("bomb.docx", bomb_rels_docx),
    "numbering-start": ("numbering.docx", huge_start_docx),
    "pdf-operators": ("operators.pdf", many_operators_pdf),
    "huge-directive": ("huge-directive.txt", huge_directive_notice),
}


def build(tmp_path: Path, case: str) -> Path:
    name, make = CASES[case]
    data = make()
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------------------------------------
# Running the public functions in a child process
# ---------------------------------------------------------------------------------------------

_PROBE = """
import json, resource, sys, time
from pathlib import Path
from tasks.errors import DondocError
from tasks.extract import extract_blocks
from tasks.readers import blocks_from_text, read_document

rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# warm up: the first deadline loads the holiday calendars (a second or more of imports)
extract_blocks(blocks_from_text("Giao Sở Tài chính chủ trì rà soát, báo cáo trước ngày 15/7/2024."))
base = rss()
start = time.perf_counter()
try:
    extraction = extract_blocks(read_document(Path(sys.argv[1])).blocks)
    outcome = {"directives": [d.to_json() for d in extraction.directives]}
except DondocError as exc:
    outcome = {"error": type(exc).__name__, "message": exc.message}
outcome["seconds"] = time.perf_counter() - start
outcome["megabytes"] = rss() - base
print(json.dumps(outcome, ensure_ascii=False))
"""


def probe(path: Path, timeout: float = 60) -> dict[str, Any]:
    """read_document + extract_blocks on ``path`` in a child process: the outcome (directives
    or error), the seconds taken and the growth of the peak RSS in MB."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"runaway: {path.name} still being read after {timeout:.0f} s")
    assert proc.returncode == 0, proc.stderr[-3000:]  # any other exception is a traceback
    outcome: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    assert outcome["seconds"] < SECONDS, outcome.get("message", outcome["seconds"])
    assert outcome["megabytes"] < MEGABYTES, outcome["megabytes"]
    return outcome


@pytest.fixture
def database(app_env: str) -> str:
    assert cli("init")[0] == 0
    return app_env


def refs(outcome: dict[str, Any]) -> list[str | None]:
    assert "error" not in outcome, outcome
    return [d["ref"] for d in outcome["directives"]]


# ---------------------------------------------------------------------------------------------
# 1. The date-line pattern backtracked cubically: a 21 KB line took 55–85 s
# ---------------------------------------------------------------------------------------------


def test_long_date_line_is_read_in_linear_time(tmp_path: Path) -> None:
    outcome = probe(build(tmp_path, "date-line"))
    assert refs(outcome) == ["1", "2"]
    assert outcome["directives"][1]["due"]["date"] == "2024-07-15"


def test_blank_line_separated_lines_are_joined_in_linear_time(tmp_path: Path) -> None:
    """Lines that continue one paragraph across blank lines: the paragraph so far was joined
    again at every line (1.5 MB took 4.7 s, the 20 MB allowed would take many minutes)."""
    line = "Abc def ghi jkl mno pqr stu vwx yz abc def ghi jkl mno pqr stu vwx yz abc\n\n"
    path = tmp_path / "gaps.txt"
    path.write_text(HEADER + line * 70_000 + LAST, encoding="utf-8")
    outcome = probe(path)
    assert outcome.get("error") == "InputError" and "vượt giới hạn" in outcome["message"]
    start = time.perf_counter()
    blocks = read_document(path).blocks
    assert time.perf_counter() - start < SECONDS
    assert max(len(b.text) for b in blocks) > 5_000_000


def test_a_text_of_millions_of_lines_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text(HEADER + "a\n" * 9_000_000 + LAST, encoding="utf-8")  # 18 MB
    outcome = probe(path)
    assert outcome.get("error") == "InputError", outcome
    assert "dòng, vượt giới hạn 200,000 dòng" in outcome["message"]


def test_long_date_line_through_the_cli(tmp_path: Path, fresh_data_dir: Path) -> None:
    code, out = cli("extract", str(build(tmp_path, "date-line")), "--json")
    assert code == 0, out
    assert [d["ref"] for d in json.loads(out)["directives"]] == ["1", "2"]


# ---------------------------------------------------------------------------------------------
# 2. ZIP bombs: a part that hides 2 GB behind a small declared size (zipfile inflated it all,
#    2.1 GB), and an honest 2 GB part that is not named ".xml" (4.2 GB, 14 s)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["lying-zip", "zip-bomb"])
def test_zip_bomb_is_refused(tmp_path: Path, case: str) -> None:
    outcome = probe(build(tmp_path, case))
    assert outcome.get("error") == "InputError", outcome
    assert "DOCX" in outcome["message"] and "quá lớn hoặc hỏng" in outcome["message"]


@pytest.mark.parametrize("case", ["lying-zip", "zip-bomb"])
def test_zip_bomb_through_the_cli_stores_nothing(tmp_path: Path, database: str, case: str) -> None:
    before = snapshot(database)
    code, out = cli("notice", "add", str(build(tmp_path, case)), "--yes")
    assert code == 2, out
    assert "quá lớn hoặc hỏng" in out and "Traceback" not in out
    assert snapshot(database) == before


def test_a_docx_rebuilt_from_checked_parts_reads_as_before(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "cong-van.docx"))
    texts = [b.text for b in doc.blocks]
    assert "1. Sở Tài chính chủ trì tổng hợp dự toán." in texts and len(texts) > 20
    assert sum(b.kind == "row" for b in doc.blocks) == 3


# ---------------------------------------------------------------------------------------------
# 3. A list starting at 10^10: its lettered label was 1.2 GB (56 s, 2.6 GB)
# ---------------------------------------------------------------------------------------------


def test_huge_numbering_start_is_bounded(tmp_path: Path) -> None:
    outcome = probe(build(tmp_path, "numbering-start"))
    assert "error" not in outcome, outcome
    texts = [b.text for b in read_document(tmp_path / "numbering.docx").blocks]
    assert "10000) Sở Tài chính chủ trì rà soát các khoản chi." in texts  # start capped, digits
    assert "10000.10000 Báo cáo trước ngày 15/7/2024." in texts


def test_ordinary_list_starts_keep_words_labels(tmp_path: Path) -> None:
    path = tmp_path / "start-27.docx"
    path.write_bytes(huge_start_docx("27"))
    texts = [b.text for b in read_document(path).blocks]
    assert texts[-3:] == [
        "aa) Sở Tài chính chủ trì rà soát các khoản chi.",
        "aa.XXVII Báo cáo trước ngày 15/7/2024.",
        "bb) Sở Nội vụ hướng dẫn các xã.",
    ]


def test_huge_numbering_start_through_the_cli(tmp_path: Path, fresh_data_dir: Path) -> None:
    code, out = cli("extract", str(build(tmp_path, "numbering-start")), "--json")
    assert code in (0, 2) and "Traceback" not in out, out


def test_nested_text_boxes_are_read_once(tmp_path: Path) -> None:
    """A box inside a box was read again from every paragraph around it: 2^n blocks."""
    import docx
    from docx.oxml import parse_xml

    depth = 40
    inner = f"<w:p><w:r><w:t>Hộp {depth}</w:t></w:r></w:p>"
    for k in range(depth - 1, 0, -1):
        inner = (
            f"<w:p><w:r><w:t>Hộp {k}</w:t></w:r><w:r><w:pict><w:txbxContent>{inner}"
            "</w:txbxContent></w:pict></w:r></w:p>"
        )
    doc = docx.Document()
    doc.element.body.insert(0, parse_xml(inner.replace("<w:p>", f'<w:p xmlns:w="{W_NS}">', 1)))
    doc.save(str(tmp_path / "boxes.docx"))
    texts = [b.text for b in read_document(tmp_path / "boxes.docx").blocks]
    assert texts == [f"Hộp {k}" for k in range(1, depth + 1)]


# ---------------------------------------------------------------------------------------------
# 4. A PDF page of 200,000 text operators (pypdf copies the page's text at every line)
# ---------------------------------------------------------------------------------------------


def test_pdf_with_too_many_operators_is_refused(tmp_path: Path) -> None:
    outcome = probe(build(tmp_path, "pdf-operators"))
    assert outcome.get("error") == "InputError", outcome
    assert "quá phức tạp" in outcome["message"] and "trang 1" in outcome["message"]


@pytest.mark.parametrize(
    ("line", "lines", "expected"),
    [
        (b"T*\n", 60_000, "lệnh vẽ"),  # 180 KB, parsed, stopped at 50,000 operators
        (b"0 -1 Td (" + b"Giao So Tai chinh. " * 3 + b") Tj\n", 3_000, "ký tự"),  # 171,000
    ],
)
def test_pdf_page_caps(tmp_path: Path, line: bytes, lines: int, expected: str) -> None:
    path = tmp_path / "page.pdf"
    path.write_bytes(_raw_pdf(b"BT /F1 12 Tf 72 800 Td\n" + line * lines + b"ET\n"))
    outcome = probe(path)
    assert outcome.get("error") == "InputError", outcome
    assert "quá phức tạp" in outcome["message"] and expected in outcome["message"]


def test_pdf_form_counts_with_its_page(tmp_path: Path) -> None:
    """pypdf swallows an error raised while it reads a form: the cap is checked again after."""
    path = tmp_path / "form.pdf"
    path.write_bytes(_raw_pdf(b"/Fm1 Do\n", form=b"BT /F1 12 Tf\n" + b"T*\n" * 60_000 + b"ET\n"))
    outcome = probe(path)
    assert outcome.get("error") == "InputError", outcome
    assert "trang 1 có hơn 50,000 lệnh vẽ" in outcome["message"]
    path.write_bytes(_raw_pdf(b"/Fm1 Do\n", form=b"T*\n" * 200_000))
    assert "byte lệnh vẽ" in probe(path)["message"]


def test_pdf_with_too_many_operators_through_the_cli_stores_nothing(
    tmp_path: Path, database: str
) -> None:
    before = snapshot(database)
    code, out = cli("notice", "add", str(build(tmp_path, "pdf-operators")), "--yes")
    assert code == 2 and "quá phức tạp" in out and "Traceback" not in out, out
    assert snapshot(database) == before


def test_real_text_pdf_is_within_the_caps(tmp_path: Path) -> None:
    doc = read_document(make_pdf(tmp_path / "cv.pdf"))
    assert doc.kind == "pdf" and any("Giao Sở Xây dựng" in b.text for b in doc.blocks)


# ---------------------------------------------------------------------------------------------
# 5. Deadline and unit scanning of one directive of 876 KB was quadratic
# ---------------------------------------------------------------------------------------------


def test_huge_directive_is_scanned_in_linear_time(tmp_path: Path) -> None:
    outcome = probe(build(tmp_path, "huge-directive"))
    assert refs(outcome) == ["1", "2"]
    first = outcome["directives"][0]
    assert first["lead_units"] == ["Sở Tài chính"] and first["support_units"] == ["Sở Nội vụ"]
    assert first["due"]["date"] == "2025-02-01"  # "trước ngày 1/2", after the 3 June 2024 notice


def test_huge_directive_through_the_cli(tmp_path: Path, fresh_data_dir: Path) -> None:
    code, out = cli("extract", str(build(tmp_path, "huge-directive")), "--json")
    assert code == 0, out[-2000:]
    assert len(json.loads(out)["directives"]) == 2


# ---------------------------------------------------------------------------------------------
# Malformed documents: a result or the project's own error, never another exception
# ---------------------------------------------------------------------------------------------


@functools.cache
def _base_documents() -> dict[str, bytes]:
    tmp = Path(tempfile.mkdtemp())
    return {
        "docx": make_docx(tmp / "a.docx").read_bytes(),
        "pdf": make_pdf(tmp / "b.pdf").read_bytes(),
        "txt": (ROOT / "tests" / "data" / "seeds" / "001_fa5814c38f2ecd8c.txt").read_bytes(),
    }


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "delete", "insert", "repeat"]),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=12)
        | st.sampled_from([b"9999999999", b"-1", b"0", b"NaN", b"<w:p>", b"</w:tbl>", b"obj"]),
    ),
    min_size=1,
    max_size=6,
)


def _edit(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    out = bytearray(data)
    for op, where, payload in edits:
        i = int(where * len(out))
        if op == "flip" and out:
            out[min(i, len(out) - 1)] ^= payload[0] or 1
        elif op == "delete":
            del out[i : i + 16 * len(payload)]
        elif op == "insert":
            out[i:i] = payload
        else:
            out[i:i] = out[i : i + 64] * len(payload)
    return bytes(out)


@st.composite
def malformed_document(draw: st.DrawFn) -> bytes:
    """A real-looking document with a few bytes edited: in one XML part of the DOCX (then
    zipped again, so that python-docx and the reader see the damage), or in the file itself."""
    base = _base_documents()
    kind = draw(st.sampled_from(["docx-part", "docx-part", "docx", "pdf", "pdf", "txt"]))
    edits = draw(_EDITS)
    if kind != "docx-part":
        return _edit(base[kind], edits)
    with zipfile.ZipFile(io.BytesIO(base["docx"])) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    name = draw(st.sampled_from(sorted(n for n in parts if n.endswith((".xml", ".rels")))))
    parts[name] = _edit(parts[name], edits)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in parts.items():
            zf.writestr(part, data)
    return buf.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(malformed_document())
def test_malformed_documents_give_a_result_or_an_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        extraction = extract_blocks(read_document(path).blocks)
    except DondocError as exc:
        assert exc.message
    else:
        assert all(d.text for d in extraction.directives)
    assert time.perf_counter() - start < SECONDS
