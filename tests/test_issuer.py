"""A header that lost its issuer lines: the document's kind («THÔNG BÁO») is not taken for
the issuer; the review says the issuer is missing first, and `notice add --yes` stops with
the hint to pass --issuer, then registers with it."""

from __future__ import annotations

from pathlib import Path

from tasks.extract import extract_blocks
from tasks.readers import read_document
from tests.helpers import run_cli as run
from tests.helpers import snapshot

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "tests" / "data" / "seeds" / "000_ce37584aa6a84104.txt"


def test_the_kind_of_document_is_never_the_issuer() -> None:
    extraction = extract_blocks(read_document(SEED_000).blocks)
    assert extraction.issuer is None  # was «Thông Báo»
    assert extraction.number == "54/TB-VP"


def test_a_missing_issuer_is_asked_for_first(app_env: str) -> None:
    assert run("init")[0] == 0
    code, out = run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))
    assert code == 0, out
    before = snapshot(app_env)
    code, out = run("notice", "add", str(SEED_000), "--yes")
    assert code == 2 and "cơ quan ban hành" in out and "--issuer" in out, out
    assert out.index("cơ quan ban hành") < out.index("Mục")  # at the top of the review
    assert snapshot(app_env) == before
    code, out = run("notice", "add", str(SEED_000), "--yes", "--issuer", "UBND huyện Hòn Đất")
    assert code == 0, out


def test_units_of_a_committee_outside_the_directory_are_not_matched_silently(
    app_env: str,
) -> None:
    """A Thái Nguyên letter read against a directory of Hà Tĩnh and Kiên Giang units: its
    «Ủy ban nhân dân các xã, phường» are Thái Nguyên's — flagged, not matched to a group here."""
    import json

    assert run("init")[0] == 0
    assert run("units", "import", str(ROOT / "examples" / "units" / "seed-era.yaml"))[0] == 0
    letter = next((ROOT / "tests" / "data" / "heldout2").glob("heldout2-08-*.txt"))
    code, out = run("extract", str(letter), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["issuer"] == "Ủy ban nhân dân tỉnh Thái Nguyên"
    flagged = [
        d for d in data["directives"] if any(f.startswith("outside_issuer:") for f in d["flags"])
    ]
    assert flagged and all(not d["unit_codes"] for d in flagged)
    # A notice of a committee the directory holds is matched as before.
    code, out = run(
        "extract", str(ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"), "--json"
    )
    seed = json.loads(out)
    assert not any(f.startswith("outside_issuer:") for d in seed["directives"] for f in d["flags"])
