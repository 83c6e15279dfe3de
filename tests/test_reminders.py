"""Reminders over simulated days, delivered into a real SMTP server on loopback."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.delivery import Delivery
from models.reminder import Reminder
from models.unit import Unit
from notifications.channels import send
from notifications.mailbox import Mailbox
from tasks.calendar import default_calendar
from tasks.outbox import STALE_CLAIM
from tasks.progress import decide_extension, find_assignment, record_progress, request_extension
from tasks.reminders import default_policy
from tasks.sweep import SweepResult, run_sweep
from tests.helpers import give_contacts, mini_scenario, plan_everything

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2024, 6, 3)  # the mini notice's issue date (Monday)


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


@pytest.fixture
def scenario(session: Session, engine: Engine) -> int:
    """The mini notice, every unit with an e-mail contact and a head, the plan written."""
    notice = mini_scenario(session)
    give_contacts(session)
    plan_everything(session, START)
    assert notice.id is not None
    return notice.id


def sweep(engine: Engine, box: Mailbox, moment: datetime) -> SweepResult:
    policy = default_policy()
    return run_sweep(
        engine=engine, as_of=moment, policy=policy, sender=lambda d: send(d, smtp_url=box.smtp_url)
    )


def received(box: Mailbox) -> dict[str, list[str]]:
    by_rcpt: dict[str, list[str]] = defaultdict(list)
    for m in box.inbox:
        for r in m.rcpt_tos:
            by_rcpt[r].append(m.subject)
    return by_rcpt


def test_two_months_one_sweep_a_day(engine: Engine, mailbox: Mailbox, scenario: int) -> None:
    """Every day from 3 June to 30 September 2024 at 08:30: each rung arrives once, on its
    working day; weekends and the 2/9 holidays send nothing."""
    days: dict[str, list[tuple[date, str]]] = defaultdict(list)
    day = START
    while day <= date(2024, 9, 30):
        before = len(mailbox.inbox)
        result = sweep(engine, mailbox, at(day))
        if not default_calendar().is_working_day(day):
            assert result.skipped and len(mailbox.inbox) == before
        for m in mailbox.inbox[before:]:
            for r in m.rcpt_tos:
                days[r].append((day, m.subject))
        day += timedelta(days=1)
    nv = [(d, s) for d, s in days["t-a-nv@example.gov.vn"]]
    nv_days = [d for d, _ in nv]
    # Giao việc on 3/6 (items 1 and 3 in one digest), the monthly item 3 before each month
    # end, and item 1 (due Fri 30/8): 5 working days before, on the day.
    assert nv[0] == (date(2024, 6, 3), "[Giao việc] 2 nhiệm vụ mới – Phòng Nội vụ")
    assert date(2024, 8, 23) in nv_days and date(2024, 8, 30) in nv_days
    assert len(nv_days) == len(set(nv_days)), "one digest per recipient per sweep"
    head = [d for d, _ in days["head-t-a-nv@example.gov.vn"]]
    # due day (focal + head); 1 working day after (2–3/9 are holidays: 4/9); 7 after, then weekly
    for expected in (
        date(2024, 8, 30),
        date(2024, 9, 4),
        date(2024, 9, 12),
        date(2024, 9, 19),
        date(2024, 9, 26),
    ):
        assert expected in head
    assert all(default_calendar().is_working_day(d) for d, _ in sum(days.values(), []))
    secretariat = [d for d, _ in days["vanphong@example.gov.vn"]]
    assert date(2024, 9, 4) in secretariat and date(2024, 9, 12) in secretariat
    # Item 2 (June 2024 ends on a Sunday, effective Mon 1/7) for a commune.
    x1 = [s for d, s in days["t-a-x1@example.gov.vn"] if d == date(2024, 7, 1)]
    assert x1 == ["[Nhắc việc] 1 nhiệm vụ đến hạn hôm nay – UBND xã Phú Hữu"]
    # Nothing planned is left behind once its day has passed.
    with Session(engine) as s:
        left = s.exec(
            select(Reminder).where(
                Reminder.state == "planned", Reminder.due_on <= date(2024, 9, 30)
            )
        ).all()
    assert left == []


def test_subject_and_body_decode_to_vietnamese(
    engine: Engine, mailbox: Mailbox, scenario: int
) -> None:
    sweep(engine, mailbox, at(START))
    message = next(m for m in mailbox.inbox if m.rcpt_tos == ["t-a-nv@example.gov.vn"])
    assert message.subject == "[Giao việc] 2 nhiệm vụ mới – Phòng Nội vụ"
    text, html = message.text(), message.html()
    assert "Văn bản số 12/TB-VP" in html and "30/08/2024" in html and "Phòng Nội vụ" in html
    assert "báo cáo tiến độ" in text
    assert "<script>" not in html


def test_same_sweep_twice_sends_nothing_new(
    engine: Engine, mailbox: Mailbox, scenario: int
) -> None:
    first = sweep(engine, mailbox, at(START))
    count = len(mailbox.inbox)
    second = sweep(engine, mailbox, at(START, 9))
    assert first.sent == count > 0
    assert second.sent == 0 and second.queued == 0 and len(mailbox.inbox) == count


def test_missed_days_catch_up_with_the_latest_rung_only(
    engine: Engine, mailbox: Mailbox, scenario: int
) -> None:
    sweep(engine, mailbox, at(START))
    # No sweep from 4/6 until Thu 5/9: for item 1 the due-day rung and the first overdue
    # rung (4/9) are due; only the higher one is sent, the stale ones are skipped.
    mailbox.inbox.clear()
    sweep(engine, mailbox, at(date(2024, 9, 5)))
    focal = received(mailbox)["t-a-nv@example.gov.vn"]
    head = received(mailbox)["head-t-a-nv@example.gov.vn"]
    assert focal == [] or all("quá hạn" in s or "đến hạn" in s for s in focal)
    assert head and all("quá hạn" in s for s in head)
    with Session(engine) as s:
        skipped = s.exec(select(Reminder.level).where(Reminder.state == "skipped")).all()
    assert "before_5" in skipped and "due_day" in skipped


def test_holiday_sends_nothing_and_outside_hours(
    engine: Engine, mailbox: Mailbox, scenario: int
) -> None:
    assert sweep(engine, mailbox, at(date(2024, 9, 2))).skipped  # Quốc khánh
    assert sweep(engine, mailbox, at(START, 19)).skipped  # after office hours
    assert mailbox.inbox == []


def test_done_assignment_gets_no_more_reminders(
    engine: Engine, session: Session, mailbox: Mailbox, scenario: int
) -> None:
    sweep(engine, mailbox, at(START))
    a = find_assignment(session=session, notice_id=scenario, ref="1", unit_code="T-A-NV")
    assert a.id is not None
    record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 8, 20))
    session.commit()
    mailbox.inbox.clear()
    for day in (date(2024, 8, 23), date(2024, 8, 30), date(2024, 9, 4)):
        sweep(engine, mailbox, at(day))
    assert not any(
        "t-a-nv@example.gov.vn" in m.rcpt_tos and "12/TB-VP" in m.html() and "mục 1" in m.text()
        for m in mailbox.inbox
    )
    assert "head-t-a-nv@example.gov.vn" not in received(mailbox)


def test_approved_extension_restarts_the_ladder(
    engine: Engine, session: Session, mailbox: Mailbox, scenario: int
) -> None:
    sweep(engine, mailbox, at(START))
    a = find_assignment(session=session, notice_id=scenario, ref="1", unit_code="T-A-NV")
    assert a.id is not None
    req = request_extension(
        session=session, assignment_id=a.id, to=date(2024, 9, 30), reason="Chờ số liệu"
    )
    assert req.id is not None
    decide_extension(session=session, extension_id=req.id, approve=True, on=date(2024, 8, 20))
    session.commit()
    mailbox.inbox.clear()
    for day in (
        date(2024, 8, 23),
        date(2024, 8, 30),
        date(2024, 9, 4),
        date(2024, 9, 23),
        date(2024, 9, 30),
    ):
        sweep(engine, mailbox, at(day))
    head_days = received(mailbox)["head-t-a-nv@example.gov.vn"]
    assert len(head_days) == 1 and "đến hạn hôm nay" in head_days[0]  # only on the new due day 30/9
    focal = received(mailbox)["t-a-nv@example.gov.vn"]
    assert any("sắp đến hạn" in s for s in focal)  # 5 working days before 30/9 (23/9)


def test_smtp_down_for_three_sweeps_then_up(engine: Engine, scenario: int) -> None:
    box = Mailbox()  # not started: connections are refused
    days = [START, date(2024, 6, 4), date(2024, 6, 5)]
    for day in days:
        result = sweep(engine, box, at(day))
        assert result.sent == 0
    with Session(engine) as s:
        pending = s.exec(select(Delivery)).all()
    assert pending and all(
        d.state == "pending" and d.attempts == 3 and d.last_error for d in pending
    )
    box.start()
    try:
        result = sweep(engine, box, at(date(2024, 6, 6)))
        assert result.sent == len(pending)
        keys = Counter(m.rcpt_tos[0] for m in box.inbox)
        assert all(n == 1 for n in keys.values())
        assert len(box.inbox) == len(pending)
    finally:
        box.stop()


def test_failed_after_max_attempts_is_kept_and_shown(engine: Engine, scenario: int) -> None:
    box = Mailbox()
    day = START
    for _ in range(default_policy().max_attempts + 2):
        sweep(engine, box, at(day))
        day += timedelta(days=1)
        while not default_calendar().is_working_day(day):
            day += timedelta(days=1)
    with Session(engine) as s:
        states = Counter(d.state for d in s.exec(select(Delivery)).all())
    assert states["failed"] > 0 and states["sent"] == 0


def test_sweep_killed_half_way_then_rerun(engine: Engine, mailbox: Mailbox, scenario: int) -> None:
    calls = {"n": 0}

    def dying_sender(d: Delivery) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process is stopped before this message goes out
        send(d, smtp_url=mailbox.smtp_url)

    with pytest.raises(KeyboardInterrupt):
        run_sweep(engine=engine, as_of=at(START), policy=default_policy(), sender=dying_sender)
    delivered_before = len(mailbox.inbox)
    with Session(engine) as s:
        states = Counter(d.state for d in s.exec(select(Delivery)).all())
    # The interrupted message never left; the others in flight at the time finished.
    assert states["sending"] == 1 and states["sent"] == delivered_before >= 2
    # Rerun once the interrupted claim is stale: every message arrives exactly once.
    result = sweep(engine, mailbox, at(START) + STALE_CLAIM + timedelta(minutes=1))
    with Session(engine) as s:
        rows = s.exec(select(Delivery)).all()
    assert all(d.state == "sent" for d in rows)
    assert len(mailbox.inbox) == len(rows) and result.sent == len(rows) - delivered_before
    assert len({(m.rcpt_tos[0], m.subject) for m in mailbox.inbox}) == len(rows)


def test_zalo_through_the_outbox(
    engine: Engine,
    session: Session,
    scenario: int,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Units with a Zalo contact get their digest from the OA; an expired token is refreshed
    on the way, and a ZNS quota error leaves the row pending for a later sweep."""
    from dondoc.settings import get_settings
    from notifications.zalo_sandbox import ZaloSandbox

    nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
    nv.contacts = ["zalo://oa/1001"]
    tp = session.exec(select(Unit).where(Unit.code == "T-A-TP")).one()
    tp.contacts = ["zalo://zns/0912345678?template=nhac-viec"]
    session.add_all([nv, tp])
    session.commit()
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_ZALO_RATE_PER_SECOND", "0")
    get_settings.cache_clear()
    with ZaloSandbox() as zalo:
        for key, value in zalo.env().items():
            monkeypatch.setenv(key, value)
        zalo.expire_token()
        zalo.quota_exceeded = True
        sweep(engine, mailbox, at(START))
        oa_calls = [r for r in zalo.received if "recipient" in (r.get("body") or {})]
        # The expired token is refused, refreshed, and the message sent once with the new one.
        assert [r["access_token_valid"] for r in oa_calls] == [False, True]
        oa = [r for r in oa_calls if r["access_token_valid"]]
        assert oa[0]["body"]["recipient"]["user_id"] == "1001"
        text = oa[0]["body"]["message"]["text"]
        assert "[Giao việc] 2 nhiệm vụ mới – Phòng Nội vụ" in text and "12/TB-VP" in text
        assert zalo.refresh_count >= 1
        with Session(engine) as s:
            zns = s.exec(
                select(Delivery).where(
                    Delivery.channel == "zalo", col(Delivery.recipient).contains("zns")
                )
            ).one()
        assert zns.state == "pending" and zns.attempts == 1
        zalo.quota_exceeded = False
        sweep(engine, mailbox, at(date(2024, 6, 4)))
        with Session(engine) as s:
            assert s.get(Delivery, zns.id).state == "sent"  # type: ignore[union-attr]
    get_settings.cache_clear()
