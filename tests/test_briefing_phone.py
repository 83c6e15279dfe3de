"""The HTML briefing read on a phone (360 px wide, Debian's chromium through Playwright): no
sideways scrolling, every cell of a wide table labelled with its column, the chart at a
readable size in a box of its own; a screenshot is saved
(DONDOC_SCREENSHOTS when set) for a person to look at. Skips on a laptop without chromium,
fails in CI (DONDOC_REQUIRE_BROWSER=1 or CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlmodel import Session

from tasks.briefing import compute_briefing
from tasks.briefing_render import render_html
from tasks.periods import Period
from tests.helpers import briefing_scenario
from tests.test_web_browser import CHROMIUM, _browser_or_skip


def test_the_html_briefing_fits_a_phone(session: Session, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    briefing_scenario(session)
    page_file = tmp_path / "bao-cao.html"
    page_file.write_text(render_html(compute_briefing(session=session, period=Period(2024, 6))))
    shots = Path(os.environ.get("DONDOC_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(page_file.as_uri())
            page.screenshot(path=str(shots / "briefing-phone.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            labels = page.evaluate(
                "[...document.querySelectorAll('table.wide td')].map(td => "
                "getComputedStyle(td, '::before').content)"
            )
            chart = page.evaluate(
                "(() => { const i = document.querySelector('figure.chart img');"
                " return [i.getBoundingClientRect().width, i.parentElement.clientWidth]; })()"
            )
            desktop = browser.new_page(viewport={"width": 1280, "height": 900})
            desktop.goto(page_file.as_uri())
            header_shown = desktop.evaluate(
                "getComputedStyle(document.querySelector('table.wide thead')).display"
            )
        finally:
            browser.close()
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"
    assert labels and all(label not in ("none", "normal", '""') for label in labels)
    assert any("Đơn vị" in label for label in labels)
    assert header_shown != "none"  # on a computer (and on paper) the tables stay tables
    # The chart keeps a readable size (its words are not shrunk to a third) and scrolls in
    # its own box, not the page.
    assert chart[0] >= 700 and chart[1] <= 360
