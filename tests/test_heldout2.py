"""The second held-out set (tests/data/heldout2/, nine notices of the shapes issue 13 names,
written to the conventions by an annotator who had not read the extractor): no document gets
worse than it is now.

First run, before any change made for them (README, «Measured»): directive F1 0.894,
dated deadlines 0.931, lead-unit recall 0.924, metadata 0.88. The floors below are this
test's own count (tests/test_extract.compare) after the general changes that followed
(layout tables read by column, units listed before their tasks, a «có ý kiến như sau:»
lead-in); they only go up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_extract import compare, extract_file

HELDOUT2 = Path(__file__).parent / "data" / "heldout2"
# stem prefix → (hit, extra at most, dated_ok, leads_ok)
FLOORS = {
    "heldout2-01": (17, 0, 8, 19),
    "heldout2-02": (7, 1, 3, 6),
    "heldout2-03": (8, 0, 4, 8),
    "heldout2-04": (9, 0, 3, 20),
    "heldout2-05": (7, 0, 2, 7),
    "heldout2-06": (7, 0, 4, 3),
    "heldout2-07": (8, 0, 4, 10),
    "heldout2-08": (5, 0, 2, 4),
    "heldout2-09": (4, 0, 3, 5),
}
SOURCES = sorted([*HELDOUT2.glob("*.txt"), *HELDOUT2.glob("*.pdf")])


def test_every_document_has_its_floor() -> None:
    assert sorted(p.name[:11] for p in SOURCES) == sorted(FLOORS)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name[:11])
def test_heldout2_regression(source: Path) -> None:
    gold = json.loads((HELDOUT2 / f"{source.stem}.gold.json").read_text(encoding="utf-8"))
    extraction = extract_file(source)
    got = compare(gold, extraction)
    hit, extra, dated_ok, leads_ok = FLOORS[source.name[:11]]
    assert got["hit"] >= hit and got["extra"] <= extra, got
    assert got["dated_ok"] >= dated_ok and got["leads_ok"] >= leads_ok, got
    # The header: number, issue date and signer exactly as the gold has them.
    assert extraction.number == gold["number"], extraction.number
    assert (extraction.issued_on.isoformat() if extraction.issued_on else None) == gold["issued_on"]
    assert extraction.signer == gold["signer"]
