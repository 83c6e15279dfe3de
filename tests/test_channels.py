"""E-mail delivery over kept SMTP connections, and long digests, against a real SMTP server
on loopback."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import tasks.outbox as outbox
from models.delivery import Delivery
from notifications.channels import ChannelError, Channels, send
from notifications.mailbox import Mailbox, free_port
from notifications.messages import EMAIL_ITEMS, Digest, render
from tasks.reminders import DueReminder, default_policy
from tasks.sweep import next_batch, queue_due, run_sweep
from tests.helpers import give_contacts, mini_scenario, plan_everything

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def delivery(n: int, *, html: str | None = "<p>Nội dung <b>HTML</b></p>") -> Delivery:
    return Delivery(
        key=f"email:test-{n}",
        channel="email",
        recipient=f"mailto://don-vi-{n}@example.gov.vn",
        level="due_day",
        subject=f"[Nhắc việc] {n} nhiệm vụ đến hạn hôm nay – Phòng Nội vụ",
        body=f"Kính gửi: Phòng Nội vụ\n\nNhiệm vụ số {n}: báo cáo kết quả.",
        html=html,
    )


def test_a_batch_goes_over_one_connection(mailbox: Mailbox) -> None:
    with Channels(mailbox.smtp_url) as channels:
        for n in range(5):
            channels(delivery(n))
    assert len(mailbox.inbox) == 5
    assert mailbox.connections == 1
    for n in range(3):
        send(delivery(10 + n), smtp_url=mailbox.smtp_url)  # one at a time: one connection each
    assert mailbox.connections == 4


def test_parts_are_dondocs_own_text_and_html(mailbox: Mailbox) -> None:
    d = delivery(1)
    send(d, smtp_url=mailbox.smtp_url)
    message = mailbox.inbox[0]
    assert message.subject == d.subject
    assert message.text().strip() == d.body  # the template's text, not one derived from HTML
    assert message.html().strip() == d.html
    assert message.rcpt_tos == ["don-vi-1@example.gov.vn"]
    assert message.message["X-Dondoc-Key"] == d.key
    sender = str(message.message["From"])  # the office, by name (no name in the URL: the setting)
    assert "vanphong@example.gov.vn" in sender and "Văn phòng" in sender
    send(delivery(2, html=None), smtp_url=mailbox.smtp_url)
    plain = mailbox.inbox[1]
    assert plain.html() == "" and "Nhiệm vụ số 2" in plain.text()


def test_server_dropping_a_kept_connection_is_reconnected(mailbox: Mailbox) -> None:
    with Channels(mailbox.smtp_url) as channels:
        channels(delivery(1))
        mailbox.stop()  # the server closes every connection (an idle timeout, a restart)
        mailbox.start()
        channels(delivery(2))
    assert [m.rcpt_tos for m in mailbox.inbox] == [
        ["don-vi-1@example.gov.vn"],
        ["don-vi-2@example.gov.vn"],
    ]
    assert mailbox.connections == 2


def test_server_down_is_a_channel_error() -> None:
    url = (
        f"mailto://127.0.0.1:{free_port()}?smtp=127.0.0.1&mode=insecure&from=dondoc@example.gov.vn"
    )
    with pytest.raises(ChannelError, match="Không kết nối được máy chủ thư"):
        send(delivery(1), smtp_url=url)


def test_smtp_url_that_is_not_email_is_refused() -> None:
    with pytest.raises(ChannelError, match="DONDOC_SMTP_URL"):
        send(delivery(1), smtp_url="json://localhost/")


def _reminders(n: int, units: int) -> list[DueReminder]:
    return [
        DueReminder(
            reminder_id=k + 1,
            assignment_id=k + 1,
            level="overdue_7",
            occurrence=None,
            due_on=date(2025, 10, 15),
            unit_id=1 + k % units,
            notice_number=f"{k // 10 + 1}/TB-UBND",
            notice_chair=None,
            ref=str(k % 10 + 1),
            text=f"Nhiệm vụ số {k + 1}: rà soát, báo cáo.",
            effective_due=date(2025, 9, 1) + timedelta(days=k % 30),
        )
        for k in range(n)
    ]


def test_long_digest_lists_the_first_items_and_counts_the_rest_per_unit() -> None:
    units = {i: SimpleNamespace(id=i, name=f"Đơn vị số {i}") for i in range(1, 4)}
    reminders = _reminders(EMAIL_ITEMS + 50, units=3)
    digest = Digest("mailto://vanphong@example.gov.vn", "email", "Văn phòng", None, "overdue_7")
    digest.reminders = reminders
    dashboard = "https://dondoc.example.gov.vn/"
    subject, text, html = render(
        digest,
        today=date(2025, 10, 15),
        units=units,
        policy=default_policy(),
        office_page=dashboard,
    )
    assert subject.startswith(f"[Nhắc việc] {EMAIL_ITEMS + 50} nhiệm vụ quá hạn")
    assert f"{EMAIL_ITEMS}. Văn bản" in text and f"{EMAIL_ITEMS + 1}. Văn bản" not in text
    # Where to see the rest: the dashboard's address, not a command to type.
    assert "… và 50 nhiệm vụ khác" in text and "trang theo dõi" in text
    assert text.rstrip().endswith(dashboard) and f'href="{dashboard}"' in html
    assert "dondoc status" not in text and "«dondoc" not in text
    # Every unit counted, all overdue, the longest delay that of its earliest due date.
    per_unit = Counter(r.unit_id for r in reminders)
    for i, unit in units.items():
        earliest = min(r.effective_due for r in reminders if r.unit_id == i)  # type: ignore[type-var]
        late = (date(2025, 10, 15) - earliest).days  # type: ignore[operator]
        assert f"- {unit.name}: {per_unit[i]} / {per_unit[i]} / {late} ngày" in text
        assert f"<td>{unit.name}</td><td>{per_unit[i]}</td>" in html
    # One row per listed assignment (its number first), then one per unit in the count.
    assert len(re.findall(r"<tr[^>]*><td>\d+</td>", html)) == EMAIL_ITEMS
    assert len(re.findall(r"<tr[^>]*><td>Đơn vị số \d</td>", html)) == 3
    # A unit's own digest says where to get the rest, with no table of units.
    own = Digest("mailto://noivu@example.gov.vn", "email", "Đơn vị số 1", 1, "overdue_7")
    own.reminders = [dataclasses.replace(r, unit_id=1) for r in reminders]
    _, text, html = render(own, today=date(2025, 10, 15), units=units, policy=default_policy())
    assert "… và 50 nhiệm vụ khác" in text and "liên hệ Văn phòng" in text
    assert "theo đơn vị" not in text and "Quá hạn lâu nhất" not in html


def test_short_digest_has_no_remainder_line() -> None:
    units = {1: SimpleNamespace(id=1, name="Phòng Nội vụ")}
    digest = Digest("mailto://noivu@example.gov.vn", "email", "Phòng Nội vụ", 1, "overdue_7")
    digest.reminders = _reminders(3, units=1)
    _, text, html = render(digest, today=date(2025, 10, 15), units=units, policy=default_policy())
    assert "nhiệm vụ khác" not in text and "nhiệm vụ khác" not in html
    assert "3. Văn bản số 1/TB-UBND, mục 3" in text


def test_batch_out_of_time_leaves_its_rows_for_a_later_sweep(
    engine: Engine, session: Session, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch out of time starts no more messages; the rows it left are still pending
    (nothing claimed), a later sweep sends them, and every message goes out once."""
    mini_scenario(session)
    give_contacts(session)
    plan_everything(session, date(2024, 6, 3))
    moment = datetime(2024, 6, 3, 8, 30, tzinfo=TZ)
    policy = default_policy()
    queued = queue_due(engine=engine, as_of=moment, policy=policy)
    ids = next_batch(engine=engine, limit=policy.batch_size, now=moment)
    assert len(ids) == queued.deliveries > 0
    monkeypatch.setattr(outbox, "SEND_BUDGET", timedelta(0))
    with Channels(mailbox.smtp_url) as channels:
        report = outbox.send_batch(
            engine=engine, ids=ids, sender=channels, policy=policy, now=moment
        )
    assert report.left == len(ids) and report.sent == 0 and mailbox.inbox == []
    monkeypatch.setattr(outbox, "SEND_BUDGET", outbox.STALE_CLAIM * 0.8)
    later = moment + outbox.STALE_CLAIM + timedelta(minutes=1)
    with Channels(mailbox.smtp_url) as channels:
        result = run_sweep(engine=engine, as_of=later, policy=policy, sender=channels)
    assert result.sent == len(ids) == len(mailbox.inbox)
    with Session(engine) as s:
        assert {d.state for d in s.exec(select(Delivery)).all()} == {"sent"}


PLAIN = "mailto://user:secret@mail.example.gov.vn?from=dondoc@example.gov.vn"


@pytest.mark.parametrize(
    ("smtp_url", "allowed", "refused"),
    [
        (PLAIN, False, True),  # mailto:// to a server Apprise does not know: no TLS
        (PLAIN + "&mode=insecure", False, True),
        (PLAIN.replace("mailto://", "mailtos://") + "&mode=insecure", False, True),
        (PLAIN, True, False),  # DONDOC_SMTP_ALLOW_PLAIN_PASSWORD=true
        (PLAIN + "&mode=starttls", False, False),
        (PLAIN + "&mode=ssl", False, False),
        (PLAIN.replace("mailto://", "mailtos://"), False, False),
        ("mailto://user:secret@127.0.0.1:2525?mode=insecure&from=d@example.gov.vn", False, False),
        ("mailto://user:secret@localhost:2525?mode=insecure&from=d@example.gov.vn", False, False),
        ("mailto://mail.example.gov.vn?mode=insecure&from=d@example.gov.vn", False, False),
    ],
)
def test_password_over_a_plain_connection_is_refused(
    smtp_url: str, allowed: bool, refused: bool
) -> None:
    from notifications.channels import SmtpServer

    if refused:
        with pytest.raises(ChannelError, match="DONDOC_SMTP_ALLOW_PLAIN_PASSWORD") as info:
            SmtpServer(smtp_url, allow_plain_password=allowed)
        assert "secret" not in str(info.value)
    else:
        SmtpServer(smtp_url, allow_plain_password=allowed)


def test_plain_password_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dondoc.settings import get_settings
    from notifications.channels import SmtpServer

    with pytest.raises(ChannelError, match="không mã hoá"):
        send(delivery(1), smtp_url=PLAIN)  # refused before connecting
    monkeypatch.setenv("DONDOC_SMTP_ALLOW_PLAIN_PASSWORD", "true")
    get_settings.cache_clear()
    try:
        assert SmtpServer(PLAIN).password == "secret"
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mailto://noivu@example.gov.vn", None),
        ("mailtos://noi.vu+nhac@example.gov.vn", None),
        ("zalo://oa/1001", None),
        ("zalo://zns/0912345678?template=nhac-viec", None),
        ("json://localhost/nhac-viec", None),
        ("mailto://noivu", "không có địa chỉ thư"),
        ("mailto://noivu@localhost", "không phải địa chỉ thư hợp lệ"),
        ("mailto://noi vu@example.gov.vn", "không phải địa chỉ Apprise"),
        ("noivu@example.gov.vn", "không phải địa chỉ Apprise"),
        ("zalo://zns/123?template=nhac-viec", "không hợp lệ cho ZNS"),
        ("zalo://oa/abc", "không hợp lệ"),
        ("nosuchservice://x", "Apprise không nhận"),
        ("mailto://" + "a" * 500 + "@example.gov.vn", "quá giới hạn 500"),
        ("", "trống"),
        (None, "không phải chuỗi"),
    ],
)
def test_recipient_problem(url: object, problem: str | None) -> None:
    from notifications.channels import recipient_problem

    found = recipient_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_phone_numbers_masked_e_mail_addresses_kept() -> None:
    from notifications.channels import mask_recipient

    assert mask_recipient("zalo://zns/84912345678?template=x") == "zalo://zns/8491***678?template=x"
    assert mask_recipient("zalo://zns/0912345678?template=x") == "zalo://zns/091***678?template=x"
    assert (
        mask_recipient("mailto://0912345678@example.gov.vn") == "mailto://0912345678@example.gov.vn"
    )
    assert mask_recipient("zalo://oa/1001") == "zalo://oa/1001"
