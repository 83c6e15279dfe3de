"""What a signed PDF says about itself outside its text layer: the texts of its first page's
annotations (a number or date stamped at signing as a note), its digital signatures (when
and by whom) and its document properties (title, subject, keywords). Read to propose a
number or an issue date that the header leaves blank («Số:      /UBND-KT», «ngày   tháng
năm 2026»), before the clerk is asked."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tasks.readers.pdf import _quiet_pypdf

_MAX_TEXTS = 200  # annotations and properties read: a notice has a handful
_MAX_TEXT_CHARS = 500
_PDF_DATE_RE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([+\-Z])(\d{2})?'?(\d{2})?'?)?"
)
VIETNAM = timezone(timedelta(hours=7))


@dataclass
class PdfStamps:
    """Texts found outside the text layer, and the signatures' times (in Vietnam's time)."""

    texts: list[str] = field(default_factory=list)
    signed_at: list[datetime] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.texts or self.signed_at)


def read_pdf_stamps(data: bytes) -> PdfStamps:
    """The PDF's stamps; an empty result when the PDF cannot be read so (never raises: the
    text has been read already, and these are only proposals)."""
    try:
        from pypdf import PdfReader

        with _quiet_pypdf():
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return PdfStamps()
            return _stamps(reader)
    except Exception:
        return PdfStamps()


def _stamps(reader: Any) -> PdfStamps:
    found = PdfStamps()
    if reader.pages:
        for ref in _resolved(reader.pages[0].get("/Annots")) or []:
            annot = _resolved(ref)
            if not isinstance(annot, dict) or len(found.texts) >= _MAX_TEXTS:
                continue
            if annot.get("/Subtype") in ("/FreeText", "/Stamp", "/Text"):
                _add_text(found, annot.get("/Contents"))
    for value in (_resolved(reader.metadata) or {}).values() if reader.metadata else []:
        _add_text(found, value)
    for sig in _signatures(reader):
        when = _pdf_date(sig.get("/M"))
        if when is not None:
            found.signed_at.append(when)
        name = sig.get("/Name")
        if isinstance(name, str) and name.strip():
            found.signers.append(" ".join(name.split())[:_MAX_TEXT_CHARS])
    return found


def _signatures(reader: Any) -> list[dict[str, Any]]:
    """The signature dictionaries (/V of /Sig fields) of the AcroForm, at most a few dozen."""
    root = _resolved(reader.trailer.get("/Root"))
    form = _resolved(root.get("/AcroForm")) if isinstance(root, dict) else None
    fields = _resolved(form.get("/Fields")) if isinstance(form, dict) else None
    out: list[dict[str, Any]] = []
    stack = list(fields or [])[:_MAX_TEXTS]
    seen = 0
    while stack and seen < _MAX_TEXTS:
        seen += 1
        item = _resolved(stack.pop())
        if not isinstance(item, dict):
            continue
        value = _resolved(item.get("/V"))
        if item.get("/FT") == "/Sig" and isinstance(value, dict):
            out.append(value)
        kids = _resolved(item.get("/Kids"))
        if isinstance(kids, list):
            stack += kids[:_MAX_TEXTS]
    return out


def _resolved(obj: Any) -> Any:
    try:
        return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj
    except Exception:
        return None


def _add_text(found: PdfStamps, value: Any) -> None:
    value = _resolved(value)
    if isinstance(value, str) and value.strip() and len(found.texts) < _MAX_TEXTS:
        found.texts.append(" ".join(value.split())[:_MAX_TEXT_CHARS])


def _pdf_date(value: Any) -> datetime | None:
    """A PDF date («D:20260721153012+07'00'») in Vietnam's time, or None."""
    value = _resolved(value)
    if not isinstance(value, str):
        return None
    m = _PDF_DATE_RE.match(value.strip())
    if not m:
        return None
    parts = [int(g) if g else d for g, d in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)]
    sign, hh, mm = m.group(7), m.group(8), m.group(9)
    offset = timedelta(hours=int(hh or 0), minutes=int(mm or 0))
    if sign in ("+", "-"):
        tz = timezone(-offset if sign == "-" else offset)
    else:  # «Z» is UTC; no zone at all is the signer's own time
        tz = UTC if sign == "Z" else VIETNAM
    try:
        year, month, day, hour, minute, second = parts
        return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(VIETNAM)
    except ValueError:
        return None
