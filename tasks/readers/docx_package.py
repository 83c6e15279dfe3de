"""A DOCX's ZIP opened under caps against ZIP bombs, as a package python-docx can read."""

from __future__ import annotations

import io
import zipfile

from tasks.errors import InputError
from tasks.readers.document import ACCEPTED

# ZIP bombs: a DOCX of a few MB can inflate to gigabytes, and a part can declare a small size
# while its compressed data goes on (zipfile's read() inflates it all before cutting it).
# A part is parsed whole by lxml at some 13 bytes of memory a byte of XML; a notice's
# document.xml is well under 5 MB, and the file itself may not pass 20 MB.
_MAX_DOCX_PART = 20_000_000  # bytes of one uncompressed part
_MAX_DOCX_TOTAL = 200_000_000  # bytes of all parts
_MAX_DOCX_RATIO = 100  # uncompressed / compressed size of a part over 1 MB (Word's XML: 5–30)
_MAX_DOCX_PARTS = 10_000
_ZIP_CHUNK = 1 << 16


def read_package(data: bytes, name: str) -> bytes:
    """The DOCX's parts, checked under the caps, as a new ZIP (raises InputError)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" not in names:
                raise InputError(_not_docx_message(name, names))
            package = _checked_package(zf, name)
    except InputError:
        raise
    except Exception as exc:  # BadZipFile, truncated archives, bad headers, bad CRC…
        raise InputError(
            f"Tệp «{name}» là tệp nén (ZIP/.docx) bị hỏng hoặc không đầy đủ, không mở được. "
            "Hãy lấy lại bản gốc hoặc lưu lại từ Word."
        ) from exc
    return package


def _too_big_docx(name: str, why: str) -> InputError:
    return InputError(
        f"Tệp DOCX «{name}» quá lớn hoặc hỏng ({why}); không đọc. Hãy mở bằng Word, bỏ bớt ảnh "
        "hoặc phần phụ lục và lưu lại thành .docx, hoặc dùng bản .pdf."
    )


def _checked_package(zf: zipfile.ZipFile, name: str) -> bytes:
    """The DOCX's parts, checked and inflated in chunks under the caps, in a new ZIP whose
    sizes are true: python-docx then reads exactly what was checked, never more."""
    if len(zf.infolist()) > _MAX_DOCX_PARTS:
        raise _too_big_docx(name, f"{len(zf.infolist()):,} phần, tối đa {_MAX_DOCX_PARTS:,}")
    # a name given twice is read from its last entry, as zipfile (and so python-docx) does
    infos = list({i.filename: i for i in zf.infolist() if not i.is_dir()}.values())
    declared = 0
    for info in infos:
        _check_declared(info, name)
        declared += info.file_size
    if declared > _MAX_DOCX_TOTAL:
        raise _too_big_docx(name, f"giải nén ra {declared:,} byte, tối đa {_MAX_DOCX_TOTAL:,}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for info in infos:
            clean.writestr(info.filename, _inflate(zf, info, name))
    return out.getvalue()


def _check_declared(info: zipfile.ZipInfo, name: str) -> None:
    part = info.filename
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _too_big_docx(name, f"phần «{part}» nén theo kiểu Word không dùng")
    if info.file_size > _MAX_DOCX_PART:
        raise _too_big_docx(
            name, f"phần «{part}» giải nén ra {info.file_size:,} byte, tối đa {_MAX_DOCX_PART:,}"
        )
    if info.file_size > 1_000_000 and info.file_size > _MAX_DOCX_RATIO * info.compress_size:
        raise _too_big_docx(name, f"phần «{part}» có tỷ lệ nén bất thường")
    # Deflate never grows data by more than a few bytes a block: compressed data much longer
    # than the declared size hides more content than the part says it has.
    if info.compress_size > info.file_size + info.file_size // 100 + 1024:
        raise _too_big_docx(name, f"phần «{part}» khai báo sai kích thước")


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """One part, inflated a chunk at a time (zipfile stops at the declared size and checks
    the CRC), never more than _MAX_DOCX_PART bytes."""
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as part:
        while chunk := part.read(_ZIP_CHUNK):
            size += len(chunk)
            if size > _MAX_DOCX_PART:
                raise _too_big_docx(name, f"phần «{info.filename}» giải nén ra quá nhiều")
            chunks.append(chunk)
    return b"".join(chunks)


def _not_docx_message(name: str, names: set[str]) -> str:
    what = ""
    if "content.xml" in names:
        what = " (đây là tệp OpenDocument .odt/.ods; hãy lưu lại thành .docx)"
    elif any(n.startswith("xl/") for n in names):
        what = " (đây là tệp Excel .xlsx)"
    elif any(n.startswith("ppt/") for n in names):
        what = " (đây là tệp PowerPoint .pptx)"
    return (
        f"Tệp «{name}» là tệp nén ZIP nhưng không phải tệp Word .docx{what}. Chấp nhận: {ACCEPTED}."
    )
