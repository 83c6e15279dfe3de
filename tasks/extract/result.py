"""What extraction produces: the document's fields and its directives, in the JSON schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tasks.deadlines import NO_DUE, Due


@dataclass
class ExtractedDirective:
    """One directive as read from the document."""

    ref: str | None
    text: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    report_to: str | None = None
    unit_codes: list[str] = field(default_factory=list)
    due: Due = NO_DUE
    effective_due: date | None = None
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)
    lead_source: str = "own"  # own | parent | lead-in | addressees | none

    def to_json(self) -> dict[str, Any]:
        """The extraction schema of a directive."""
        return {
            "ref": self.ref,
            "text": self.text,
            "lead_units": self.lead_units,
            "support_units": self.support_units,
            "report_to": self.report_to,
            "unit_codes": self.unit_codes,
            "due": self.due.to_dict(),
            "effective_due": self.effective_due.isoformat() if self.effective_due else None,
            "confidence": round(self.confidence, 2),
            "flags": self.flags,
        }


@dataclass
class Stamp:
    """A number or issue date the header leaves blank, found where it was stamped at
    signing (an annotation, the PDF's properties, the digital signature's time): proposed to
    the clerk, not read as the header («number»/«issued_on» stay as printed)."""

    number: str | None = None
    number_from: str | None = None  # where, in words: «chú thích trên trang đầu» …
    issued_on: date | None = None
    issued_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "number_from": self.number_from,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "issued_from": self.issued_from,
        }


@dataclass
class Extraction:
    """Everything read from one document."""

    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_on: date | None = None
    year: int | None = None
    title: str | None = None
    chair: str | None = None
    signer: str | None = None
    recipients: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    directives: list[ExtractedDirective] = field(default_factory=list)
    symbol: str | None = None  # the number's symbol in the header («/UBND-KT»), even when blank
    stamp: Stamp | None = None  # a blank number or date proposed from the PDF's stamps

    def to_json(self) -> dict[str, Any]:
        """The extraction schema printed by ``dondoc extract --json``."""
        extra = {"stamp": self.stamp.to_json()} if self.stamp else {}
        return {
            "number": self.number,
            "doc_type": self.doc_type,
            "issuer": self.issuer,
            "place": self.place,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "title": self.title,
            "chair": self.chair,
            "signer": self.signer,
            "recipients": self.recipients,
            "addressees": self.addressees,
            "directives": [d.to_json() for d in self.directives],
            **extra,
        }
