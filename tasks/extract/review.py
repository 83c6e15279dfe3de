"""Reviewing an extraction: unit names matched to the directory, flags and confidence."""

from __future__ import annotations

import re
from typing import Any

from tasks.deadlines import DueKind
from tasks.extract.result import ExtractedDirective, Extraction


def annotate(extraction: Extraction, directory: Any | None) -> None:
    """Match unit names to the directory (``unit_codes``), and set flags and confidence.

    Flags: ``no_unit`` (no lead unit found), ``unit_not_in_directory:NAME``,
    ``ambiguous_unit:NAME``, ``outside_issuer:NAME`` (the issuer is a People's Committee the
    directory does not hold: its units are not matched to this directory's), ``no_deadline``, ``inherited_units`` (units taken from the list's
    lead-in or the addressees), ``low_confidence``. Without a directory only the
    document-level flags are set.
    """
    from tasks.errors import AmbiguousUnitError, DondocError

    scope = _scope(extraction, directory) if directory is not None else None
    # A People's Committee that the directory does not hold (another province's letter): its
    # «Ủy ban nhân dân các xã, phường», «các sở» are its own, not this directory's — nothing
    # is matched across, and the clerk is told.
    foreign = directory is not None and directory.outside_committee(extraction.issuer)
    for d in extraction.directives:
        flags: list[str] = []
        confidence = 1.0
        if not d.lead_units:
            flags.append("no_unit")
            confidence -= 0.5
        elif d.lead_source != "own":
            flags.append("inherited_units")
            confidence -= 0.1
        if directory is not None:
            codes: list[str] = []
            for name in [*d.lead_units, *d.support_units]:
                if foreign:
                    flags.append(f"outside_issuer:{name}")
                    confidence -= 0.15 if name in d.lead_units else 0.05
                    continue
                try:
                    match = directory.resolve(name, scope=scope)
                except AmbiguousUnitError:
                    flags.append(f"ambiguous_unit:{name}")
                    confidence -= 0.15
                    continue
                except DondocError:
                    flags.append(f"unit_not_in_directory:{name}")
                    confidence -= 0.15 if name in d.lead_units else 0.05
                    continue
                code = match.unit_code or match.group_code
                if code and code not in codes:
                    codes.append(code)
            d.unit_codes = codes
        if d.due.kind == DueKind.NONE:
            flags.append("no_deadline")
            if re.search(r"\b(trước|chậm nhất|hạn|trong tháng|quý)\b", d.text, re.IGNORECASE):
                confidence -= 0.1  # a deadline word that was not understood
        d.confidence = max(0.05, round(confidence, 2))
        if d.confidence < 0.6:
            flags.append("low_confidence")
        d.flags = flags


def _scope(extraction: Extraction, directory: Any) -> int | None:
    """The level of government whose names the document uses: the issuer's, else the one
    named like the place line ("Hương Sơn, ngày …" → UBND huyện Hương Sơn)."""
    from tasks.errors import DondocError
    from tasks.units import GOVERNMENT_KINDS, name_key

    if extraction.issuer:
        try:
            match = directory.resolve(extraction.issuer)
            if match.unit_code:
                return directory.scope_of(match.unit_ids[0])
        except DondocError:
            pass
    if extraction.place:
        place = name_key(extraction.place)
        found = [
            u.id
            for u in directory.units.values()
            if u.kind in GOVERNMENT_KINDS and u.active and name_key(u.name).endswith(" " + place)
        ]
        if len(found) == 1:
            return found[0]
    return None


def needs_review(directive: ExtractedDirective) -> bool:
    """A directive the clerk should look at first."""
    return any(not f.startswith("inherited_units") for f in directive.flags)
