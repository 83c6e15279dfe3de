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

    def to_json(self) -> dict[str, Any]:
        """The extraction schema printed by ``dondoc extract --json``."""
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
        }
