"""What a reader gets (issue 12): the reminder e-mail and the Zalo message word for word, the
secretariat's digest grouped by directive, the e-mail's headers as a real SMTP server on
loopback receives them, and the HTML e-mail at phone width in Debian's chromium.

The browser test skips with the reason without /usr/bin/chromium or Playwright, but fails
when DONDOC_REQUIRE_BROWSER=1 or CI=true; its screenshots go to DONDOC_SCREENSHOTS (or the
test's temporary folder)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from sqlmodel import Session, col, select

from dondoc.caches import reset_caches
from models.db import make_engine
from models.delivery import Delivery
from models.notice import Assignment
from models.reminder import Reminder
from models.unit import Unit
from notifications.channels import send
from notifications.mailbox import Mailbox
from notifications.messages import (
    ZALO_LIMIT,
    Digest,
    build_digests,
    head_of,
    ref_words,
    render,
    short_words,
)
from tasks.reminders import DueReminder, default_policy, take_due
from tests.helpers import give_contacts, mini_scenario, plan_everything
from tests.test_web_browser import CHROMIUM, _browser_or_skip  # one skip rule for chromium

START = date(2024, 6, 3)  # the mini notice's issue date
LATE = date(2024, 9, 16)  # registered after item 1's deadline (30/08/2024) had passed
PAGE = "https://dondoc.example.gov.vn/"
X1_LINK = PAGE + "u/phu-huu"
NV_LINK = PAGE + "u/noi-vu"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Sweep:
    """The digests one sweep makes, rendered as the outbox would."""

    day: date
    digests: list[Digest]
    units: dict[int, Any]
    links: dict[int, str]

    def message(self, recipient: str) -> tuple[str, str, str]:
        digest = next(d for d in self.digests if d.recipient == recipient)
        return render(
            digest,
            today=self.day,
            units=self.units,
            policy=default_policy(),
            links=self.links,
            office_page=PAGE,
        )

    def all_messages(self) -> Iterator[tuple[str, str, str]]:
        for d in self.digests:
            yield self.message(d.recipient)


def _units(session: Session) -> dict[int, Any]:
    return {u.id: u for u in session.exec(select(Unit)).all() if u.id is not None}


def _unit(session: Session, code: str) -> Unit:
    return session.exec(select(Unit).where(Unit.code == code)).one()


@pytest.fixture
def overdue(session: Session) -> Sweep:
    """The mini notice followed from its issue day; UBND xã Phú Hữu's head is titled «Chủ tịch
    UBND xã» (the title repeats the unit's kind). The sweep of the day item 2 (due in June,
    effective Mon 01/07/2024) reaches its «7 working days late» rung: 10/07/2024."""
    mini_scenario(session)
    give_contacts(session)
    x1 = _unit(session, "T-A-X1")
    x1.head = {"title": "Chủ tịch UBND xã", "contacts": ["mailto://chutich.phuhuu@example.gov.vn"]}
    session.add(x1)
    session.commit()
    plan_everything(session, START)
    take_due(session=session, today=START)  # the giao việc messages, sent long ago
    ids = session.exec(select(Assignment.id).where(Assignment.unit_id == x1.id)).all()
    day = min(
        r.due_on
        for r in session.exec(select(Reminder).where(col(Reminder.assignment_id).in_(ids))).all()
        if r.level == "overdue_7"
    )
    assert day == date(2024, 7, 10)
    due = take_due(session=session, today=day)
    units = _units(session)
    assert x1.id is not None
    digests = build_digests(due=due, units=units, policy=default_policy())
    return Sweep(day, digests, units, {x1.id: X1_LINK})


@pytest.fixture
def late(migrated_template: Path, tmp_path: Path) -> Iterator[Sweep]:
    """The mini notice registered on 16/09/2024, after item 1's deadline; Phòng Nội vụ has an
    e-mail and a Zalo contact. A database of its own, so a test can have both scenarios."""
    path = tmp_path / "late.sqlite"
    shutil.copy(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        yield _late(session)
    engine.dispose()


def _late(session: Session) -> Sweep:
    mini_scenario(session)
    give_contacts(session)
    nv = _unit(session, "T-A-NV")
    nv.contacts = ["mailto://t-a-nv@example.gov.vn", "zalo://oa/1001"]
    session.add(nv)
    session.commit()
    plan_everything(session, LATE)
    due = take_due(session=session, today=LATE)
    assert nv.id is not None
    digests = build_digests(due=due, units=_units(session), policy=default_policy())
    return Sweep(LATE, digests, _units(session), {nv.id: NV_LINK})


HEAD_EMAIL = """\
Kính gửi: Chủ tịch UBND xã Phú Hữu

Văn phòng nhắc 1 nhiệm vụ cần đơn vị quan tâm thực hiện:

1. Văn bản số 12/TB-VP, mục 2 (mã 3)
   Hạn 01/07/2024 – quá hạn 9 ngày. Đã báo cáo lãnh đạo chủ trì.
   Các xã, thị trấn xây dựng quy trình ISO, gửi Thư ký ISO thẩm định trong tháng 6/2024.

Đơn vị báo cáo tiến độ, kết quả (kèm tài liệu kiểm chứng) hoặc đề nghị gia hạn ngay trên \
trang riêng của đơn vị, chọn nhiệm vụ theo mã ghi trong thư này (ví dụ mã 3). Trang mở được \
trên điện thoại, không cần tài khoản:
https://dondoc.example.gov.vn/u/phu-huu
"""


def test_email_to_a_unit_head_word_for_word(overdue: Sweep) -> None:
    """The head greeted once by title and unit, the days late once (the rung's «Quá hạn 7
    ngày» is not a second figure), the assignment's number, and the unit's link last."""
    subject, text, html = overdue.message("mailto://chutich.phuhuu@example.gov.vn")
    assert subject == "[Nhắc việc] 1 nhiệm vụ quá hạn – Chủ tịch UBND xã Phú Hữu"
    assert text == HEAD_EMAIL
    assert "Hạn 01/07/2024 – quá hạn 9 ngày." in html and "<td>3</td>" in html
    assert f'href="{X1_LINK}"' in html and "Quá hạn 7 ngày" not in html


def test_secretariat_digest_lists_each_directive_once(overdue: Sweep) -> None:
    """The chairing leader has no address of their own, so the copy goes to the secretariat:
    addressed to the office, the directive's text once, its three communes under it with
    their days late."""
    subject, text, html = overdue.message("mailto://vanphong@example.gov.vn")
    directive = "Các xã, thị trấn xây dựng quy trình ISO, gửi Thư ký ISO thẩm định"
    assert subject == (
        "[Nhắc việc] 3 nhiệm vụ quá hạn – UBND thị trấn An Phú, UBND xã Phú Hội, UBND xã Phú Hữu"
    )
    assert text.startswith("Kính gửi: Văn phòng\n")
    assert "Nguyễn Văn Chủ" not in text  # the notice's chair, who used to be greeted
    assert text.count(directive) == 1 and html.count(directive) == 1
    assert "   Hạn 01/07/2024 – 3 đơn vị:\n" in text
    for unit, number in (
        ("UBND xã Phú Hữu", 3),
        ("UBND xã Phú Hội", 4),
        ("UBND thị trấn An Phú", 5),
    ):
        assert f"   - {unit} (mã {number}): quá hạn 9 ngày\n" in text
        assert f"<td>{number}</td><td>{unit}</td>" in html
    assert text.rstrip().endswith(PAGE)  # where the office follows up, not a command


def test_a_grouped_digest_is_cut_between_directives() -> None:
    """The secretariat's e-mail lists whole directives while their units fit in EMAIL_ITEMS
    lines; a directive's heading counts all its units."""
    from notifications import messages

    units = {i: SimpleNamespace(id=i, name=f"UBND xã số {i}") for i in range(1, 151)}
    reminders = [
        DueReminder(
            reminder_id=k,
            assignment_id=k,
            level="overdue_1",
            occurrence=None,
            due_on=date(2025, 3, 3),
            unit_id=1 + k % 150,
            notice_number="5/TB-UBND",
            notice_chair=None,
            ref=str(1 + k // 150),
            text=f"Nội dung chỉ đạo số {1 + k // 150}.",
            effective_due=date(2025, 3, 1) + timedelta(days=k // 150),
        )
        for k in range(300)
    ]
    digest = Digest("mailto://vanphong@example.gov.vn", "email", "Văn phòng", None, "overdue_1")
    digest.reminders = reminders
    _, text, _ = render(
        digest, today=date(2025, 3, 10), units=units, policy=default_policy(), office_page=PAGE
    )
    assert messages.EMAIL_ITEMS < 300
    assert "1. Văn bản số 5/TB-UBND, mục 1:" in text and "mục 2:" not in text
    assert text.count("(mã ") == 150 and "… và 150 nhiệm vụ khác." in text
    assert "   Hạn 01/03/2025 – 150 đơn vị:\n" in text


NV_ZALO = """\
Lưu ý: văn bản được cập nhật vào hệ thống muộn; 1 trong 2 nhiệm vụ dưới đây đã quá hạn 17 \
ngày. Nếu đơn vị đã thực hiện xong, đề nghị báo cáo hoàn thành, ghi ngày hoàn thành thực tế.

1) 12/TB-VP, mục 1 (mã 1): Phòng Nội vụ tổng hợp kết quả, báo cáo UBND huyện trước ngày \
30/8/2024 – hạn 30/08/2024, quá hạn 17 ngày
Không có hạn cụ thể:
2) 12/TB-VP, mục 3 (mã 6): Các phòng chuyên môn thường xuyên cập nhật thủ tục hành chính

Báo cáo, đề nghị gia hạn theo mã tại: https://dondoc.example.gov.vn/u/noi-vu"""


def test_zalo_giao_viec_of_a_notice_registered_late_word_for_word(late: Sweep) -> None:
    """One line per directive (notice, item, number, text, due date and days late), «Không có
    hạn cụ thể» once above the items without one, the lateness said first, the link last."""
    subject, text, html = late.message("zalo://oa/1001")
    assert subject == "[Giao việc] 2 nhiệm vụ mới, 1 đã quá hạn 17 ngày – Phòng Nội vụ"
    assert text == NV_ZALO and html == ""


def test_email_giao_viec_of_a_notice_registered_late_says_so_first(late: Sweep) -> None:
    subject, text, html = late.message("mailto://t-a-nv@example.gov.vn")
    assert subject == "[Giao việc] 2 nhiệm vụ mới, 1 đã quá hạn 17 ngày – Phòng Nội vụ"
    first = text.split("\n\n")[1]
    assert first.startswith("Lưu ý: văn bản được cập nhật vào hệ thống muộn; 1 trong 2 nhiệm")
    assert "đã quá hạn 17 ngày" in first
    assert html.index("cập nhật vào hệ thống muộn") < html.index("<table")


def test_every_late_giao_viec_counts_its_late_items() -> None:
    units = {1: SimpleNamespace(id=1, name="UBND xã Bình Giang")}
    reminders = [
        DueReminder(
            k,
            k,
            "assigned",
            None,
            date(2024, 9, 16),
            1,
            "54/TB-VP",
            None,
            str(k),
            f"Nhiệm vụ {k}.",
            due,
        )
        for k, due in ((1, date(2018, 7, 2)), (2, date(2018, 6, 30)))
    ]
    digest = Digest("zalo://oa/7", "zalo", "UBND xã Bình Giang", 1, "assigned")
    digest.reminders = reminders
    subject, text, _ = render(digest, today=date(2024, 9, 16), units=units, policy=default_policy())
    assert subject == "[Giao việc] 2 nhiệm vụ đã quá hạn đến 2.270 ngày – UBND xã Bình Giang"
    assert text.startswith("Lưu ý: văn bản được cập nhật vào hệ thống muộn; cả 2 nhiệm vụ dưới")
    assert "quá hạn từ 2.268 đến 2.270 ngày" in text


def test_no_message_names_a_command(overdue: Sweep, late: Sweep) -> None:
    """Units and leaders are not programmers: no «dondoc …» and no option to type."""
    for sweep in (overdue, late):
        for subject, text, html in sweep.all_messages():
            for part in (subject, text, html):
                assert not re.search(r"«dondoc|dondoc (assignment|status|extension)|--\w", part)


def test_zalo_lines_have_no_dash_mess_and_cut_at_words() -> None:
    """No «Hạn — – không có thời hạn», no text running into its due date, no «mục 2.-2»."""
    units = {1: SimpleNamespace(id=1, name="UBND xã Sơn Kim 1")}
    long_text = (
        "Lập hồ sơ công việc theo danh mục hồ sơ đảm bảo tỷ lệ theo quy định (cấp xã tối thiểu "
        "đạt 50% hồ sơ công việc), thực hiện nộp lưu hồ sơ điện tử vào Lưu trữ cơ quan."
    )
    reminders = [
        DueReminder(
            1,
            11,
            "overdue_1",
            None,
            date(2024, 9, 2),
            1,
            None,
            None,
            "2.-2",
            long_text,
            date(2024, 7, 1),
        ),
        DueReminder(
            2,
            12,
            "overdue_1",
            None,
            date(2024, 9, 2),
            1,
            "54/TB-VP",
            None,
            None,
            "Thường xuyên cập nhật thủ tục hành chính.",
            None,
        ),
    ]
    digest = Digest("zalo://oa/7", "zalo", "UBND xã Sơn Kim 1", 1, "overdue_1")
    digest.reminders = reminders
    _, text, _ = render(
        digest, today=date(2024, 9, 2), units=units, policy=default_policy(), links={1: NV_LINK}
    )
    first, header, second = text.split("\n")[:3]
    assert first == (
        "1) Văn bản chưa có số, mục 2, ý 2 (mã 11): Lập hồ sơ công việc theo danh mục hồ sơ đảm "
        "bảo tỷ lệ theo quy định (cấp xã tối thiểu đạt… – hạn 01/07/2024, quá hạn 63 ngày"
    )
    assert header == "Không có hạn cụ thể:"
    assert second == "2) 54/TB-VP (mã 12): Thường xuyên cập nhật thủ tục hành chính"
    for wrong in ("2.-2", "Hạn —", "– không có", "mục —", "…Hạn"):
        assert wrong not in text


def test_a_long_zalo_digest_stays_in_one_message_and_keeps_the_link() -> None:
    units = {1: SimpleNamespace(id=1, name="UBND xã Sơn Kim 1")}
    reminders = [
        DueReminder(
            k,
            k,
            "overdue_1",
            None,
            date(2024, 9, 2),
            1,
            "54/TB-VP",
            None,
            str(k),
            "Rà soát, báo cáo kết quả thực hiện nhiệm vụ " * 5,
            date(2024, 7, 1),
        )
        for k in range(1, 41)
    ]
    digest = Digest("zalo://oa/7", "zalo", "UBND xã Sơn Kim 1", 1, "overdue_1")
    digest.reminders = reminders
    subject, text, _ = render(
        digest, today=date(2024, 9, 2), units=units, policy=default_policy(), links={1: NV_LINK}
    )
    assert len(subject) + 2 + len(text) <= ZALO_LIMIT
    listed = re.findall(r"^(\d+)\) ", text, flags=re.MULTILINE)
    assert listed == [str(i) for i in range(1, len(listed) + 1)] and len(listed) < 40
    assert f"… và {40 - len(listed)} nhiệm vụ khác, xem trên trang của đơn vị." in text
    assert text.endswith(NV_LINK)


@pytest.mark.parametrize(
    ("title", "unit", "greeted"),
    [
        ("Chủ tịch UBND xã", "UBND xã Bình Giang", "Chủ tịch UBND xã Bình Giang"),
        ("Trưởng phòng", "Phòng Nội vụ", "Trưởng phòng Nội vụ"),
        ("Giám đốc", "Sở Nội vụ", "Giám đốc Sở Nội vụ"),
        ("Chủ tịch UBND xã Bình Giang", "UBND xã Bình Giang", "Chủ tịch UBND xã Bình Giang"),
        ("Chánh Văn phòng", "Văn phòng HĐND và UBND", "Chánh Văn phòng HĐND và UBND"),
        (None, "UBND xã Bình Giang", "UBND xã Bình Giang"),
        ("  ", "UBND xã Bình Giang", "UBND xã Bình Giang"),
    ],
)
def test_head_greeted_once(title: str | None, unit: str, greeted: str) -> None:
    assert head_of(title, unit) == greeted


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("2", "mục 2"),
        ("2.-2", "mục 2, ý 2"),
        ("II.1.a", "mục II.1.a"),
        ("1.a.-3", "mục 1.a, ý 3"),
        ("-4", "ý 4"),
        ("3.-1.-2", "mục 3, ý 1.2"),
        ("1.-2.b", "mục 1, ý 2, điểm b"),
        ("row-7", "dòng 7"),
        (None, ""),
        ("", ""),
    ],
)
def test_refs_in_words(ref: str | None, words: str) -> None:
    assert ref_words(ref) == words


def test_short_words() -> None:
    assert short_words("Báo cáo kết quả.", 60) == "Báo cáo kết quả."
    assert (
        short_words("Báo cáo kết quả thực hiện, gửi Văn phòng", 28) == "Báo cáo kết quả thực hiện…"
    )
    assert short_words("Báo  cáo\nkết quả", 60) == "Báo cáo kết quả"
    assert short_words("Khôngcókhoảngtrắngnàocả", 10) == "Khôngcókh…"


# ------------------------------------------------------------------ headers, as received


def _delivery(recipient: str = "mailto://t-a-x1@example.gov.vn") -> Delivery:
    return Delivery(
        key="email:headers",
        channel="email",
        recipient=recipient,
        level="overdue_1",
        subject="[Nhắc việc] 1 nhiệm vụ quá hạn – UBND xã Phú Hữu",
        body="Kính gửi: UBND xã Phú Hữu",
        html=None,
    )


@pytest.fixture
def host_clock_in_utc() -> Iterator[None]:
    """The host's clock zone is UTC, as on the server where the +0000 Date was seen."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_headers_received_carry_the_name_reply_to_and_office_time(
    host_clock_in_utc: None,
) -> None:
    office = "Văn phòng HĐND và UBND huyện An Phú"
    with Mailbox() as box:
        url = (
            f"mailto://127.0.0.1:{box.port}?smtp=127.0.0.1&mode=insecure"
            f"&from=dondoc@example.gov.vn&name={quote(office)}&reply=vanphong@example.gov.vn"
        )
        send(_delivery(), smtp_url=url)
        message = box.inbox[0].message
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (office, "dondoc@example.gov.vn")
    assert [a.addr_spec for a in message["Reply-To"].addresses] == ["vanphong@example.gov.vn"]
    assert str(message["Date"]).endswith("+0700")
    assert message["Date"].datetime.utcoffset() == timedelta(hours=7)


def test_headers_without_name_or_reply_in_the_url_come_from_the_settings(
    host_clock_in_utc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No name= in DONDOC_SMTP_URL: the report issuer names the sender; no reply=: replies go
    to the secretariat of the escalation policy, except on the secretariat's own copy."""
    monkeypatch.setenv("DONDOC_REPORT_ISSUER", "Văn phòng HĐND và UBND huyện An Phú")
    reset_caches()
    try:
        with Mailbox() as box:
            url = (
                f"mailto://127.0.0.1:{box.port}?smtp=127.0.0.1&mode=insecure"
                "&from=dondoc@example.gov.vn"
            )
            send(_delivery(), smtp_url=url)
            send(_delivery("mailto://vanphong@example.gov.vn"), smtp_url=url)
            to_unit, to_office = (m.message for m in box.inbox)
        secretariat = default_policy().secretariat
    finally:
        monkeypatch.delenv("DONDOC_REPORT_ISSUER")
        reset_caches()
    assert secretariat == ("mailto://vanphong@example.gov.vn",)
    assert to_unit["From"].addresses[0].display_name == "Văn phòng HĐND và UBND huyện An Phú"
    assert [a.addr_spec for a in to_unit["Reply-To"].addresses] == ["vanphong@example.gov.vn"]
    assert to_office["Reply-To"] is None
    assert str(to_unit["Date"]).endswith("+0700")


def test_sender_is_named_even_without_any_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from notifications.channels import SmtpServer

    monkeypatch.delenv("DONDOC_REPORT_ISSUER", raising=False)
    reset_caches()
    server = SmtpServer("mailto://u:p@127.0.0.1:2525?mode=insecure&from=d@example.gov.vn")
    assert server.sender_name == "Văn phòng"  # not Apprise's own name, «Apprise»


# ------------------------------------------------------------------ phone width


def test_html_email_fits_a_phone(overdue: Sweep, late: Sweep, tmp_path: Path) -> None:
    """The unit's reminder, a giao việc and the secretariat's digest at 360 px: nothing
    scrolls sideways (a real link's 43-character token included)."""
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    token = "Zk3xP9qL2mN8vB4cR7tY1wE6uI0oA5sD3fG8hJ2kL9z"
    overdue.links = {unit: f"{PAGE}u/{token}" for unit in overdue.links}
    mails = {
        "nhac-viec-don-vi": overdue.message("mailto://chutich.phuhuu@example.gov.vn")[2],
        "giao-viec-muon": late.message("mailto://t-a-nv@example.gov.vn")[2],
        "van-phong": overdue.message("mailto://vanphong@example.gov.vn")[2],
    }
    shots = Path(os.environ.get("DONDOC_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    widths = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            for name, html in mails.items():
                page.set_content(html)
                widths[name] = page.evaluate("document.documentElement.scrollWidth")
                path = shots / f"thu-{name}-360.png"
                page.screenshot(path=str(path), full_page=True)
                assert path.stat().st_size > 5000, path
        finally:
            browser.close()
    assert all(width <= 360 for width in widths.values()), widths


def test_notices_without_a_number_are_named_by_their_date() -> None:
    """Two notices without a number are told apart by their issue date, in Zalo and e-mail."""
    units = {1: SimpleNamespace(id=1, name="UBND xã Sơn Kim 1")}
    reminders = [
        DueReminder(
            k,
            20 + k,
            "overdue_1",
            None,
            date(2024, 9, 2),
            1,
            None,
            None,
            "1",
            text,
            date(2024, 7, 1),
            issued,
        )  # fmt: skip
        for k, (text, issued) in enumerate(
            [("Rà soát hồ sơ tồn đọng.", date(2024, 6, 3)), ("Báo cáo số liệu.", date(2024, 6, 20))]
        )
    ]
    for channel, url in (("zalo", "zalo://oa/7"), ("email", "mailto://sonkim1@example.gov.vn")):
        digest = Digest(url, channel, "UBND xã Sơn Kim 1", 1, "overdue_1")
        digest.reminders = reminders
        _, text, _ = render(
            digest, today=date(2024, 9, 2), units=units, policy=default_policy(), links={1: NV_LINK}
        )
        assert "03/06/2024" in text and "20/06/2024" in text, text
        assert "chưa có số" in text
