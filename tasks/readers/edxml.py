"""An edXML package (QCVN 102:2016/BTTTT), as e-office systems exchange documents: the
header's metadata and the attached signed document (PDF or DOCX), nothing else.

Element names were checked against public code found with the project's search tool (no
public Python parser exists; these are Java/TypeScript senders and receivers):

- ``com.vpcp.gateway.ManualEdxmlBuilder`` / ``EdxmlParser`` (Java, "Based on QCVN 102:2016
  standard"; the index does not name the repository): root ``edXML`` in the namespace
  ``http://www.mic.gov.vn/TBT/QCVN_102_2016``, then ``edXMLEnvelope/edXMLHeader/MessageHeader``
  with ``From/OrganName``, ``Code/CodeNumber``, ``Code/CodeNotation``,
  ``PromulgationInfo/Place``, ``PromulgationInfo/PromulgationDate`` (written ``yyyy/MM/dd``),
  ``Subject``, ``SignerInfo/FullName``, ``ToPlaces/Place``; ``edXMLBody/edXMLManifest/Reference``
  (``ContentId``, ``ContentType``, ``AttachmentName``); and the files in
  ``AttachmentEncoded/Attachment`` (``ContentId``, ``AttachmentName``, ``ContentType``,
  ``ContentTransferEncoded`` = base64), there a sibling of the envelope, often without a
  namespace, and the file zipped before base64.
- ``com.bkav.edoc.service.mineutil.XmlUtil`` (Java, Bkav eDoc): writes ``DueDate``,
  ``ToPlaces/Place``, ``PromulgationInfo/PromulgationDate``, ``Code/CodeNumber``/``CodeNotation``
  and decompresses attachments before use.
- A TypeScript sender of the QĐ 28/2018/QĐ-TTg variant: ``<EdXMLEnvelope
  xmlns="http://www.go.vn/eDoc"><MessageHeader>…`` (no ``edXMLHeader``, capital E).

So elements are matched by local name, case-insensitively, wherever they sit under the
envelope (or the root), and a zipped single file is unpacked. Entity declarations are refused
before anything is read (no DTD, no entity expansion, no network).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lxml import etree

from tasks.errors import InputError
from tasks.readers.document import SourceDocument

MAX_PACKAGE_BYTES = 20_000_000  # the same cap as every other document (read_document)
MAX_ATTACHMENT_BYTES = 15_000_000  # one signed notice; its base64 fills a 20 MB package
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_APPENDIX_RE = re.compile(r"phu\s*luc|appendix|dinh\s*kem", re.IGNORECASE)

AttachmentKind = Literal["pdf", "docx"]


@dataclass
class Attachment:
    """The attached document chosen from the package."""

    name: str
    content_type: str | None
    kind: AttachmentKind
    data: bytes


@dataclass
class EdxmlPackage:
    """The header of an edXML package and its attached document."""

    issuer: str | None
    number: str | None
    issued_on: date | None
    place: str | None
    title: str | None
    signer: str | None
    signer_position: str | None
    due_date: date | None
    to_places: list[str]
    attachment: Attachment


@dataclass
class PackageDocument(SourceDocument):
    """An edXML package read as its attached document's blocks (``sha256`` is the package's,
    so the package is the original kept and checked for duplicates)."""

    package: EdxmlPackage | None = field(default=None)


def looks_like_edxml(data: bytes) -> bool:
    """Whether the bytes start like an XML document naming an edXML envelope."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"edxml" in head.lower()


def parse_edxml(data: bytes, name: str) -> EdxmlPackage:
    """Read an edXML package's header and choose its attached PDF or DOCX.

    Raises InputError (in Vietnamese: what is wrong, what to do) for anything that is not a
    readable package; nothing is stored by this function.
    """
    if len(data) > MAX_PACKAGE_BYTES:
        raise InputError(
            f"Gói edXML «{name}» quá lớn ({len(data):,} byte; tối đa {MAX_PACKAGE_BYTES:,} byte). "
            "Hãy tải riêng văn bản đính kèm (.pdf hoặc .docx)."
        )
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _entities(name)
    root = _parse_xml(data, name)
    envelope = _first(root, "edxmlenvelope", include_self=True)
    if envelope is None:
        raise InputError(
            f"Tệp «{name}» là XML nhưng không phải gói edXML (không có phần tử edXMLEnvelope). "
            "Hãy xuất lại văn bản từ hệ thống quản lý văn bản, hoặc tải tệp .pdf/.docx gốc."
        )
    header = _first(envelope, "messageheader")
    if header is None:
        raise InputError(
            f"Gói edXML «{name}» không có phần đầu (edXMLHeader/MessageHeader): không biết số, "
            "ngày, cơ quan ban hành. Hãy xuất lại gói từ hệ thống, hoặc tải tệp .pdf/.docx gốc."
        )
    code_number = _text(header, "code", "codenumber")
    notation = _text(header, "code", "codenotation")
    number = "/".join(p for p in (code_number, notation) if p) or None
    return EdxmlPackage(
        issuer=_text(header, "from", "organname"),
        number=number.replace(" ", "") if number else None,
        issued_on=_date(
            _text(header, "promulgationinfo", "promulgationdate"),
            name,
            "ngày ban hành (PromulgationDate)",
        ),
        place=_text(header, "promulgationinfo", "place"),
        title=_text(header, "subject"),
        signer=_text(header, "signerinfo", "fullname"),
        signer_position=_text(header, "signerinfo", "position"),
        due_date=_date(_text(header, "duedate"), name, "hạn xử lý (DueDate)"),
        to_places=[t for e in _all(_first(header, "toplaces"), "place") if (t := _clean(e.text))],
        attachment=_choose_attachment(root, name),
    )


# --------------------------------------------------------------------------- XML


def _entities(name: str) -> InputError:
    return InputError(
        f"Gói edXML «{name}» có khai báo DOCTYPE/ENTITY; gói edXML chuẩn không có, và tệp như "
        "vậy có thể là tệp độc hại, nên không đọc. Hãy xuất lại gói từ hệ thống quản lý văn bản."
    )


def _parse_xml(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"Tệp «{name}» không phải XML hợp lệ ({exc.msg}), nên không đọc được như gói edXML. "
            "Hãy tải lại gói từ hệ thống quản lý văn bản, hoặc tải tệp .pdf/.docx gốc."
        ) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise _entities(name)  # a DTD the byte check missed (another encoding)
    if any(isinstance(e, etree._Entity) for e in root.iter()):
        raise _entities(name)
    return root


def _local(element: etree._Element) -> str | None:
    if not isinstance(element.tag, str):  # comments, processing instructions
        return None
    return etree.QName(element).localname.lower()


def _first(
    parent: etree._Element | None, local: str, *, include_self: bool = False
) -> etree._Element | None:
    if parent is None:
        return None
    for element in parent.iter() if include_self else parent.iterdescendants():
        if _local(element) == local:
            return element
    return None


def _all(parent: etree._Element | None, local: str) -> list[etree._Element]:
    if parent is None:
        return []
    return [e for e in parent.iterdescendants() if _local(e) == local]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return unicodedata.normalize("NFC", " ".join(value.split())) or None


def _text(parent: etree._Element, *path: str) -> str | None:
    element: etree._Element | None = parent
    for local in path:
        element = _first(element, local)
    return _clean("".join(element.itertext())) if element is not None else None


def _date(value: str | None, name: str, label: str) -> date | None:
    """A header date: ``yyyy-mm-dd``, ``yyyy/mm/dd`` or ``dd/mm/yyyy``, a time allowed after."""
    if not value:
        return None
    match = _DATE_RE.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        if match.group(1):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return date(int(match.group(6)), int(match.group(5)), int(match.group(4)))
    except ValueError:
        raise InputError(
            f"Gói edXML «{name}»: {label} «{value[:40]}» không phải một ngày (cần dạng "
            "2024-06-28 hoặc 28/06/2024). Hãy sửa trên hệ thống rồi xuất lại gói."
        ) from None


# --------------------------------------------------------------------------- attachments


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _choose_attachment(root: etree._Element, name: str) -> Attachment:
    """The first PDF/DOCX that is not an appendix (by its name or description), else the
    first PDF/DOCX; the format is told by the content, never by the name."""
    manifest = {
        _text(ref, "contentid"): ref for ref in _all(root, "reference") if _text(ref, "contentid")
    }
    readable: list[tuple[bool, Attachment]] = []
    legacy: list[str] = []
    elements = [e for box in _all(root, "attachmentencoded") for e in _all(box, "attachment")]
    if not elements:
        raise InputError(
            f"Gói edXML «{name}» không có tệp đính kèm (AttachmentEncoded/Attachment), nên không "
            "có văn bản để đọc nhiệm vụ. Hãy xuất lại gói kèm văn bản, hoặc tải tệp .pdf/.docx gốc."
        )
    for index, element in enumerate(elements, start=1):
        ref = manifest.get(_text(element, "contentid"))
        att_name = _text(element, "attachmentname") or (
            _text(ref, "attachmentname") if ref is not None else None
        )
        label = att_name or f"tệp đính kèm thứ {index}"
        content_type = _text(element, "contenttype") or (
            _text(ref, "contenttype") if ref is not None else None
        )
        description = " ".join(
            t
            for t in (
                _text(element, "description"),
                _text(ref, "description") if ref is not None else None,
            )
            if t
        )
        data = _decode(element, name, label)
        kind, data = _sniff(data, name, label)
        if kind == "doc":
            legacy.append(label)
            continue
        if kind is None:
            continue
        appendix = bool(_APPENDIX_RE.search(_plain(f"{att_name or ''} {description}")))
        readable.append((appendix, Attachment(label, content_type, kind, data)))
    for appendix, attachment in readable:
        if not appendix:
            return attachment
    if readable:
        return readable[0][1]
    if legacy:
        raise InputError(
            f"Gói edXML «{name}»: văn bản đính kèm «{legacy[0]}» là tệp Word cũ (.doc), chưa đọc "
            "được. Hãy mở bằng Word, lưu thành .docx rồi tải tệp .docx lên (hoặc bản .pdf)."
        )
    raise InputError(
        f"Gói edXML «{name}» không có văn bản đính kèm đọc được (.pdf hoặc .docx). Hãy tải "
        "riêng văn bản gốc (.pdf có lớp chữ hoặc .docx)."
    )


def _decode(element: etree._Element, name: str, label: str) -> bytes:
    encoded_element = _first(element, "contenttransferencoded")
    encoded = "".join(encoded_element.itertext()) if encoded_element is not None else ""
    compact = "".join(encoded.split())
    if not compact:
        raise InputError(
            f"Gói edXML «{name}»: tệp đính kèm «{label}» rỗng (không có ContentTransferEncoded). "
            "Hãy xuất lại gói từ hệ thống quản lý văn bản."
        )
    if len(compact) // 4 * 3 > MAX_ATTACHMENT_BYTES:
        raise _too_big(name, label)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            f"Gói edXML «{name}»: tệp đính kèm «{label}» hỏng (mã base64 không hợp lệ). "
            "Hãy xuất lại gói từ hệ thống quản lý văn bản, hoặc tải tệp .pdf/.docx gốc."
        ) from None


def _too_big(name: str, label: str) -> InputError:
    return InputError(
        f"Gói edXML «{name}»: tệp đính kèm «{label}» lớn hơn {MAX_ATTACHMENT_BYTES:,} byte, quá "
        "giới hạn của một văn bản. Hãy tải riêng văn bản gốc (bản gọn, không kèm ảnh quét)."
    )


def _sniff(
    data: bytes, name: str, label: str, *, unzip: bool = True
) -> tuple[AttachmentKind | Literal["doc"] | None, bytes]:
    if b"%PDF-" in data[:1024]:
        return "pdf", data
    if data.startswith(_OLE_MAGIC):
        return "doc", data
    if not data.startswith(b"PK\x03\x04"):
        return None, data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "word/document.xml" in names:
                return "docx", data
            files = [i for i in archive.infolist() if not i.is_dir()]
            if not unzip or len(files) != 1:
                return None, data
            # Some senders zip the one file before base64: unpack it, under the same cap.
            if files[0].file_size > MAX_ATTACHMENT_BYTES:
                raise _too_big(name, label)
            with archive.open(files[0]) as inner:
                content = inner.read(MAX_ATTACHMENT_BYTES + 1)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
        return None, data
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise _too_big(name, label)
    return _sniff(content, name, label, unzip=False)
