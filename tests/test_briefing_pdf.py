"""The demo's monthly briefing as a leader gets it on paper: the DOCX turned into a PDF by
LibreOffice (``soffice --headless``), then read back — at most 8 pages, no word, date or number
of a table broken across two lines, the signature block on the page of its title. The pages
are saved as PNG (pdftoppm) under the test's output (DONDOC_SCREENSHOTS when set) for a person
to look at.

LibreOffice cannot be installed by pip: where it is missing the test skips, saying so; with
DONDOC_REQUIRE_LIBREOFFICE=1 or CI=true (.ci/run installs it with apt-get) it fails instead."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from rich.console import Console

from dondoc.demo import _progress, _register
from models.db import get_engine, upgrade_database
from tests.helpers import run_cli

MAX_PAGES = 8
SIGNER = "Nguyễn Văn Ký"


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    reason = "LibreOffice (soffice) is not installed: the briefing's PDF is not checked here"
    if os.environ.get("DONDOC_REQUIRE_LIBREOFFICE") == "1" or os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI: this must not be skipped)")
    pytest.skip(reason)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _docx_texts(path: Path) -> tuple[list[str], str]:
    """The table cells' texts and the document's whole text (paragraphs and cells)."""
    document = docx.Document(str(path))
    cells = [
        _nfc(cell.text) for table in document.tables for row in table.rows for cell in row.cells
    ]
    paragraphs = [_nfc(p.text) for p in document.paragraphs]
    return cells, "\n".join(paragraphs + cells)


@pytest.fixture
def demo_briefing(app_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's notices and progress (no flow run), its August briefing as DOCX."""
    monkeypatch.setenv("DONDOC_REPORT_SIGNER_NAME", SIGNER)
    upgrade_database(app_env)
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 - closed with the test process
    engine = get_engine(app_env)
    _progress(quiet, engine, _register(quiet, engine))
    out = tmp_path / "bao-cao.docx"
    code, text = run_cli(
        "briefing",
        "--month",
        "2024-08",
        "--as-of",
        "26/08/2024",
        "--format",
        "docx",
        "--out",
        str(out),
    )
    assert code == 0 and out.exists(), text
    return out


def test_the_demo_briefing_counts_directives_and_their_assignments(demo_briefing: Path) -> None:
    """«1008 nhiệm vụ» were 38 directives × their lead units: the briefing counts both."""
    import json

    from sqlalchemy import text

    code, out = run_cli(
        "briefing", "--month", "2024-08", "--as-of", "26/08/2024", "--format", "json"
    )
    assert code == 0, out
    numbers = json.loads(out)
    with get_engine().connect() as conn:
        expected = conn.execute(
            text(
                "SELECT count(DISTINCT d.id) FROM assignment a "
                "JOIN directive d ON d.id = a.directive_id "
                "JOIN notice n ON n.id = d.notice_id "
                "WHERE a.role = 'lead' AND n.issued_on <= '2024-08-26' "
                "AND (a.completed_on IS NULL OR a.completed_on >= '2024-08-01' "
                "OR d.due_kind = 'recurring')"
            )
        ).scalar_one()
    assert numbers["directives"] == expected
    assert 10 * numbers["directives"] < numbers["total"]  # many units per directive


def test_the_demo_briefing_prints_well(demo_briefing: Path, tmp_path: Path) -> None:
    soffice = _soffice()
    folder = tmp_path / "pdf"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(demo_briefing),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    pdf = folder / "bao-cao.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    pages = [_nfc(page.extract_text() or "") for page in PdfReader(str(pdf)).pages]
    _save_pngs(pdf)

    assert len(pages) <= MAX_PAGES, f"{len(pages)} pages"

    # No token of a table cell (a date, a number, a notice's number, a word of a header)
    # broken across lines: each one is found whole in the PDF's text as often as the DOCX
    # has it (a token cut in two is found fewer times).
    cells, everything = _docx_texts(demo_briefing)
    printed = "\n".join(pages)
    tokens = {t for cell in cells for t in cell.split() if len(t) >= 3}
    tokens = {t for t in tokens if re.search(r"[\d/]|\w{3}", t)}
    broken = [t for t in tokens if printed.count(t) < everything.count(t)]
    assert len(tokens) > 100
    assert not broken, f"broken across lines in the PDF: {sorted(broken)[:20]}"

    # The signature block on one page: the office's title, the hint and the signer's name,
    # with «Nơi nhận» beside them; never the name alone on the last page.
    signed = [i for i, text in enumerate(pages) if "CHÁNH VĂN PHÒNG" in text]
    assert signed, "no signature block"
    last = pages[signed[-1]]
    assert SIGNER in last and "(Ký, ghi rõ họ tên)" in last and "Nơi nhận" in last
    assert signed[-1] == len(pages) - 1  # nothing after the signature


def _save_pngs(pdf: Path) -> None:
    """The pages as PNG for a person to look at (pdftoppm, from poppler, when present)."""
    target = Path(os.environ.get("DONDOC_SCREENSHOTS") or pdf.parent) / "briefing-pdf"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, target / pdf.name)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(target / "trang")],
            check=False,
            timeout=120,
        )
