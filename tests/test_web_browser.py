"""Real browser journeys (issue 11): Debian's chromium driven by Playwright against the app
served by uvicorn on loopback, with a real SMTP server for the reminders.

(a) a clerk registers a seed document (one unit corrected on the review page); (b) a unit
officer follows the link of a reminder e-mail on a phone, reports one assignment done with a
PDF and asks for an extension on another; (c) the clerk approves it and the dashboard, the
assignment's history and the briefing change. The journeys share one site and run in file
order; each does the earlier steps itself when run alone. A screenshot of every page visited
goes to DONDOC_SCREENSHOTS (or a temporary folder).

Without /usr/bin/chromium the tests skip with the reason, but fail when
DONDOC_REQUIRE_BROWSER=1 or CI=true (.ci/run installs chromium and sets it)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, create_engine, select

from dondoc.caches import reset_caches
from models.notice import Assignment
from models.unit import Unit
from models.web import EvidenceFile
from services.accounts import add_user
from tasks.calendar import default_calendar
from tasks.status import CATEGORY_BY_KEY
from tasks.units import import_directory

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        Response,
        ViewportSize,
    )

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SEED = ROOT / "tests" / "data" / "seeds" / "004_c66a1e2327b84e98.txt"
UNITS = ROOT / "examples" / "units" / "seed-era.yaml"
CORRECTED_UNIT = "HT-HS-NV"  # directive 1 goes to Phòng Nội vụ instead of the communes
CLERK, PASSWORD = "vanthu", "mat-khau-dai"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 360, "height": 740}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT_MS = 15_000


def _browser_or_skip() -> None:
    """Skip with the reason on a laptop without chromium; fail where it must be present."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium): browser journeys not run"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:
            reason = f"Playwright is not installed ({exc}): browser journeys not run"
    if reason is None:
        return
    if os.environ.get("DONDOC_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (DONDOC_REQUIRE_BROWSER=1 or CI=true: this must not be skipped)")
    pytest.skip(reason)


@dataclass
class Site:
    """The served app, its database, the browser, and what the journeys left behind."""

    base: str
    db_url: str
    data_dir: Path
    shots: Path
    browser: Browser
    taken: list[Path] = field(default_factory=list)
    notice_id: int | None = None
    assignments: int = 0  # registered by journey (a)
    done_id: int | None = None  # reported done by journey (b)
    extended_id: int | None = None  # extension asked by journey (b)
    extension_to: date | None = None

    def context(self, viewport: ViewportSize) -> BrowserContext:
        ctx = self.browser.new_context(viewport=viewport, locale="vi-VN")
        ctx.set_default_timeout(WAIT_MS)
        return ctx

    def shot(self, page: Page, name: str) -> None:
        """A full-page screenshot of the page now shown, numbered in the order visited."""
        page.wait_for_load_state("load")
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def visit(self, page: Page, path: str, name: str) -> None:
        """Open a page (a path on this site, or a whole URL), check it answered, shoot it."""
        url = path if path.startswith("http") else f"{self.base}{path}"
        _answered(page.goto(url), url)
        self.shot(page, name)

    def json(self, ctx: BrowserContext, path: str) -> Any:
        """A page's data (?format=json) with this browser context's cookies."""
        joiner = "&" if "?" in path else "?"
        r = ctx.request.get(f"{self.base}{path}{joiner}format=json")
        assert r.ok, f"{path}: {r.status} {r.text()}"
        return r.json()


def _answered(response: Response | None, what: str) -> None:
    """The page came back without an error (an error page would still screenshot fine)."""
    assert response is not None, f"{what}: no response"
    assert response.ok, f"{what}: HTTP {response.status}\n{response.text()[:2000]}"


def _submit(page: Page, button: Locator) -> None:
    """Click a form's button and wait for the page it leads to, which must not be an error."""
    with page.expect_navigation() as navigation:
        button.click()
    _answered(navigation.value, f"{button} → {page.url}")


@pytest.fixture(scope="module")
def site(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    from notifications.mailbox import free_port
    from web.serving import start_web

    folder = tmp_path_factory.mktemp("browser")
    db = folder / "dondoc.sqlite"
    shutil.copy(migrated_template, db)
    db_url = f"sqlite:///{db}"
    shots = Path(os.environ.get("DONDOC_SCREENSHOTS") or folder / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "DONDOC_DATA_DIR": str(folder / "data"),
            "DONDOC_DATABASE_URL": db_url,
            "DONDOC_ACTOR": "kiểm thử",
            "DONDOC_FOLLOW_UP": "false",  # the sweep of journey (b) plans the notice
            "DONDOC_PUBLIC_URL": base,  # units' links point at this server
        }.items():
            mp.setenv(key, value)
        reset_caches()
        engine = create_engine(db_url)
        with Session(engine) as session:
            import_directory(session=session, path=UNITS)  # the seed documents' directory
            for unit in session.exec(select(Unit)).all():
                # e-mail only: the journeys read e-mail, and Zalo has no account here
                unit.contacts = [c for c in unit.contacts if c.startswith("mailto://")]
                session.add(unit)
            add_user(session=session, name=CLERK, role="clerk", password=PASSWORD)
            session.commit()
        engine.dispose()
        web = start_web("127.0.0.1", port)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                try:
                    yield Site(base, db_url, folder / "data", shots, browser)
                finally:
                    browser.close()
        finally:
            web.stop()
            reset_caches()


def _db(site: Site) -> Session:
    return Session(create_engine(site.db_url), expire_on_commit=False)


def _sign_in(site: Site, page: Page, journey: str) -> None:
    site.visit(page, "/", f"{journey}-dang-nhap")
    assert re.search(r"/dang-nhap\?next=/$", page.url), page.url
    page.fill('input[name="name"]', CLERK)
    page.fill('input[name="password"]', PASSWORD)
    _submit(page, page.locator('button:has-text("Đăng nhập")'))
    assert page.url == f"{site.base}/", page.url


def _register(site: Site, ctx: BrowserContext, page: Page, journey: str) -> None:
    """Upload the seed document, correct directive 1's lead unit, confirm."""
    site.visit(page, "/thong-bao/moi", f"{journey}-tai-len")
    page.set_input_files('input[name="file"]', str(SEED))
    page.fill('input[name="issuer"]', "UBND huyện Hương Sơn")
    page.fill('input[name="issued_on"]', "28/06/2024")
    _submit(page, page.locator('button:has-text("Đọc văn bản")'))
    assert "/thong-bao/nhap/" in page.url, page.url
    site.shot(page, f"{journey}-xem-lai")
    key = page.url.rsplit("/", 1)[1]
    draft = site.json(ctx, f"/thong-bao/nhap/{key}")["draft"]
    first = next(d for d in draft["directives"] if d["ref"] == "1")
    assert [u["code"] for u in first["lead"]] == ["HT-HS-XA-TT"]
    i = first["index"]

    page.locator(f'input[name="lead_{i}"]').first.fill(CORRECTED_UNIT)
    _submit(page, page.locator('button[value="save"]'))
    page.get_by_text("Đã lưu bản nháp").wait_for()
    section = page.locator("section.directive", has=page.locator(f'input[name="ref_{i}"]'))
    assert "Phòng Nội vụ" in section.locator(".unit .found").first.inner_text()
    site.shot(page, f"{journey}-da-sua")
    saved = site.json(ctx, f"/thong-bao/nhap/{key}")["draft"]
    assert [u["code"] for u in next(d for d in saved["directives"] if d["index"] == i)["lead"]] == [
        CORRECTED_UNIT
    ]

    _submit(page, page.locator('button[value="confirm"]'))
    match = re.search(r"/thong-bao/(\d+)$", page.url)
    assert match, page.url
    site.notice_id = int(match.group(1))
    flash = page.locator("p.ok").first.inner_text()
    counted = re.search(r"Đã đăng ký thông báo .*: 16 nhiệm vụ, (\d+) lượt giao cho đơn vị", flash)
    assert counted, flash
    site.assignments = int(counted.group(1))
    site.shot(page, f"{journey}-thong-bao")


def test_a_clerk_registers_a_seed_document(site: Site) -> None:
    ctx = site.context(DESKTOP)
    page = ctx.new_page()
    _sign_in(site, page, "a")
    before = site.json(ctx, "/")
    site.shot(page, "a-bang-dieu-khien-truoc")
    _register(site, ctx, page, "a")

    notice = site.json(ctx, f"/thong-bao/{site.notice_id}")
    assert len(notice["directives"]) == 16
    assert sum(len(d["assignments"]) for d in notice["directives"]) == site.assignments
    first = next(d for d in notice["directives"] if d["ref"] == "1")
    assert [a["unit_code"] for a in first["assignments"]] == [CORRECTED_UNIT]
    page.get_by_text("Phòng Nội vụ").first.wait_for()

    site.visit(page, "/", "a-bang-dieu-khien-sau")
    after = site.json(ctx, "/")
    added = sum(after["counts"].values()) - sum(before["counts"].values())
    assert added == site.assignments > 0
    box = page.locator("ul.counts li", has_text=CATEGORY_BY_KEY["overdue"].label)
    shown = int(box.locator(".n").inner_text())
    assert shown == after["counts"]["overdue"] > 0
    ctx.close()


def _unit_address(site: Site, code: str) -> str:
    with _db(site) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).one()
    return next(c for c in unit.contacts if c.startswith("mailto://")).removeprefix("mailto://")


def _last_working_morning() -> datetime:
    """8:30 on the last working day before today (office time): a sweep that sends, and
    links issued then are still valid now."""
    cal = default_calendar()
    day = datetime.now(TZ).date() - timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(8, 30), tzinfo=TZ)


def _small_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Bao cao ket qua thuc hien nhiem vu")
    path.write_bytes(bytes(pdf.output()))
    return path


def _unit_journey(site: Site, tmp_path: Path) -> None:
    from notifications.mailbox import Mailbox
    from tests.test_reminders import sweep

    address = _unit_address(site, CORRECTED_UNIT)
    engine = create_engine(site.db_url)
    try:
        with Mailbox() as box:
            result = sweep(engine, box, _last_working_morning())
            assert result.sent > 0 and not result.errors, result
            mails = [m for m in box.inbox if m.rcpt_tos == [address]]
    finally:
        engine.dispose()
    assert mails, f"no message to {address}"
    text = mails[-1].text()
    link = text.rstrip().rsplit(None, 1)[-1]  # every message ends with the unit's link
    assert link.startswith(f"{site.base}/u/"), text[-300:]

    ctx = site.context(PHONE)
    page = ctx.new_page()
    site.visit(page, link, "b-trang-don-vi")
    page.get_by_role("heading", name="Phòng Nội vụ").wait_for()
    items = site.json(ctx, link.removeprefix(site.base))["assignments"]
    dated = next(a for a in items if a["ref"] == "1")  # due 30/08/2024: overdue
    assert dated["status"] == "overdue"
    done = next(a for a in items if a["due"] is None and not a.get("period"))

    card = page.locator(f"#nv-{done['number']}")
    card.locator("summary", has_text="Báo cáo tiến độ").click()
    card.locator('input[name="state"][value="done"]').check()
    card.locator('textarea[name="note"]').fill("Đã hoàn thành, gửi kèm báo cáo.")
    pdf = _small_pdf(tmp_path / "bao-cao-ket-qua.pdf")
    card.locator('input[name="file"]').set_input_files(str(pdf))
    site.shot(page, "b-mau-bao-cao")
    _submit(page, card.locator('button:has-text("Gửi báo cáo")'))
    today = date.today()
    page.get_by_text(
        f"Đã ghi nhận nhiệm vụ mã {done['number']}: hoàn thành ngày {today:%d/%m/%Y}."
    ).wait_for()
    assert page.locator(f"#nv-{done['number']}").count() == 0  # no longer open
    site.shot(page, "b-da-bao-cao")
    with _db(site) as s:
        row = s.get(Assignment, done["number"])
        assert row is not None and row.state == "done" and row.completed_on == today
        [evidence] = s.exec(
            select(EvidenceFile).where(EvidenceFile.assignment_id == done["number"])
        ).all()
    assert evidence.original_name == "bao-cao-ket-qua.pdf"
    assert evidence.content_type == "application/pdf"
    assert (site.data_dir / "evidence" / evidence.sha256).read_bytes() == pdf.read_bytes()

    wanted = today + timedelta(days=60)
    card = page.locator(f"#nv-{dated['number']}")
    card.locator("summary", has_text="Đề nghị gia hạn").click()
    card.locator('input[name="to"]').fill(wanted.isoformat())
    card.locator('textarea[name="reason"]').fill("Chờ số liệu của các xã.")
    site.shot(page, "b-mau-gia-han")
    _submit(page, card.locator('button:has-text("Gửi đề nghị gia hạn")'))
    page.get_by_text(
        f"Đã gửi đề nghị gia hạn nhiệm vụ mã {dated['number']} đến ngày {wanted:%d/%m/%Y}"
    ).wait_for()
    pending = page.locator(f"#nv-{dated['number']} .pending")
    assert f"Đã đề nghị gia hạn đến {wanted:%d/%m/%Y}" in pending.inner_text()
    site.shot(page, "b-da-de-nghi")
    ctx.close()
    site.done_id, site.extended_id, site.extension_to = done["number"], dated["number"], wanted


def test_a_unit_follows_the_link_of_a_reminder_on_a_phone(site: Site, tmp_path: Path) -> None:
    if site.notice_id is None:  # run alone: journey (a) first
        ctx = site.context(DESKTOP)
        page = ctx.new_page()
        _sign_in(site, page, "b")
        _register(site, ctx, page, "b")
        ctx.close()
    _unit_journey(site, tmp_path)


def _state(site: Site, ctx: BrowserContext, assignment_id: int) -> dict[str, Any]:
    """What the dashboard, the history page and the month's briefing say now."""
    board = site.json(ctx, "/")
    history = site.json(ctx, f"/nhiem-vu/{assignment_id}")
    briefing = site.json(ctx, "/giao-ban")["briefing"]
    unit_line = next(u for u in briefing["units"] if u["code"] == CORRECTED_UNIT)
    return {
        "counts": board["counts"],
        "status": next(a for a in board["assignments"] if a["assignment_id"] == assignment_id)[
            "status"
        ],
        "history": history,
        "briefing_totals": briefing["totals"],
        "briefing_overdue": [i["assignment_id"] for i in briefing["overdue"]],
        "unit_overdue": unit_line["overdue"],
    }


def test_the_clerk_approves_the_extension(site: Site, tmp_path: Path) -> None:
    if site.extended_id is None:  # run alone: journeys (a) and (b) first
        test_a_unit_follows_the_link_of_a_reminder_on_a_phone(site, tmp_path)
    aid, wanted = site.extended_id, site.extension_to
    assert aid is not None and wanted is not None
    ctx = site.context(DESKTOP)
    page = ctx.new_page()
    _sign_in(site, page, "c")
    before = _state(site, ctx, aid)
    for path, name in (
        (f"/?unit={CORRECTED_UNIT}", "bang-dieu-khien-truoc"),  # the unit's lines: short
        (f"/nhiem-vu/{aid}", "lich-su-truoc"),
        ("/giao-ban", "giao-ban-truoc"),
    ):
        site.visit(page, path, f"c-{name}")
    assert before["status"] == "overdue"
    assert before["history"]["effective_due"] == "2024-08-30"
    [asked] = before["history"]["extensions"]
    assert (asked["state"], asked["requested_due"]) == ("pending", wanted.isoformat())
    assert aid in before["briefing_overdue"] and before["unit_overdue"] >= 1

    site.visit(page, "/gia-han", "c-gia-han")
    card = page.locator("section.card", has=page.locator(f'a[href="/nhiem-vu/{aid}"]'))
    card.locator('input[name="note"]').fill("Đồng ý gia hạn.")
    _submit(page, card.locator('button:has-text("Duyệt")'))
    granted = default_calendar().roll_forward(wanted)
    page.get_by_text(f"Đã duyệt gia hạn số {asked['id']}: hạn mới {granted:%d/%m/%Y}").wait_for()
    site.shot(page, "c-da-duyet")

    after = _state(site, ctx, aid)
    for path, name in (
        (f"/?unit={CORRECTED_UNIT}", "bang-dieu-khien-sau"),
        (f"/nhiem-vu/{aid}", "lich-su-sau"),
        ("/giao-ban", "giao-ban-sau"),
    ):
        site.visit(page, path, f"c-{name}")
        if name == "lich-su-sau":
            page.get_by_text(f"{granted:%d/%m/%Y}").first.wait_for()
    assert after["status"] in ("in_time", "due_soon")
    moved = {k: after["counts"][k] - before["counts"][k] for k in before["counts"]}
    assert moved["overdue"] == -1 and moved[after["status"]] == 1 and sum(moved.values()) == 0
    history = after["history"]
    assert history["effective_due"] == granted.isoformat()
    assert history["stated_due"] == "2024-08-30"  # the old due date is kept
    [decided] = history["extensions"]
    assert (decided["state"], decided["approved_due"], decided["decided_by"]) == (
        "approved",
        granted.isoformat(),
        CLERK,
    )
    assert decided["decision_note"] == "Đồng ý gia hạn."
    assert after["briefing_totals"]["overdue"] == before["briefing_totals"]["overdue"] - 1
    assert aid not in after["briefing_overdue"]
    assert after["unit_overdue"] == before["unit_overdue"] - 1
    ctx.close()
    assert all(p.stat().st_size > 0 for p in site.taken)
