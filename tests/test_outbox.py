"""The outbox under trouble: a sweep killed mid-send, digests overtaken during an outage, a
contact that cannot be sent to, and phone numbers masked in the commands' output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, create_engine, select
from typer.testing import CliRunner

from dondoc.cli import app
from models.db import _engine_for, upgrade_database
from models.delivery import Delivery
from models.unit import Unit
from notifications.mailbox import Mailbox
from tasks.outbox import STALE_CLAIM
from tasks.progress import find_assignment
from tasks.reminders import default_policy
from tests.conftest import ROOT
from tests.helpers import give_contacts, mini_scenario, plan_everything, run_cli
from tests.test_reminders import START, at, sweep

runner = CliRunner()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def rows(engine: Engine) -> list[Delivery]:
    with Session(engine) as s:
        return list(s.exec(select(Delivery).order_by(col(Delivery.id))).all())


# ----------------------------------------------------------------------------- a kill

KILLED_SWEEP = textwrap.dedent(
    """
    import os, sys, threading
    from datetime import datetime
    sys.path.insert(0, os.environ["ROOT"])
    from notifications.channels import Channels
    from models.db import make_engine
    from tasks.reminders import default_policy
    from tasks.sweep import run_sweep

    policy = default_policy()
    after = int(os.environ["KILL_AFTER"])
    lock = threading.Lock()
    barrier = threading.Barrier(policy.send_concurrency)
    count = 0
    channels = Channels(os.environ["SMTP_URL"])

    def sender(delivery):
        global count
        channels(delivery)  # the server has accepted this message
        with lock:
            count += 1
            mine = count
        if mine > after:
            # Every thread has a message accepted and not yet recorded: the worst moment.
            barrier.wait(timeout=20)
            os._exit(17)

    run_sweep(
        engine=make_engine(os.environ["DB_URL"]),
        as_of=datetime.fromisoformat(os.environ["AS_OF"]),
        policy=policy,
        sender=sender,
    )
    os._exit(0)
    """
)


def test_sweep_killed_mid_send_then_rerun(
    engine: Engine, session: Session, db_url: str, mailbox: Mailbox
) -> None:
    """The process dies (os._exit) while every sending thread has a message accepted by the
    server and not yet marked. Only those rows stay ``sending``; a rerun at once sends every
    other row exactly once; after STALE_CLAIM the rows in flight go out again: at most
    ``send_concurrency`` duplicates, all of them rows that were in flight."""
    mini_scenario(session)
    for unit in session.exec(select(Unit)).all():  # 5 contacts a unit: enough rows to kill in
        code = unit.code.lower()
        unit.contacts = [f"mailto://{code}-{k}@example.gov.vn" for k in range(5)]
        session.add(unit)
    session.commit()
    plan_everything(session, START)
    concurrency = default_policy().send_concurrency
    after = 6
    env = {
        **os.environ,
        "ROOT": str(ROOT),
        "DB_URL": db_url,
        "SMTP_URL": mailbox.smtp_url,
        "AS_OF": at(START).isoformat(),
        "KILL_AFTER": str(after),
    }
    done = subprocess.run(
        [sys.executable, "-c", KILLED_SWEEP], env=env, timeout=120, capture_output=True, text=True
    )
    assert done.returncode == 17, done.stderr
    in_flight = after + concurrency
    assert len(mailbox.inbox) == in_flight
    states = Counter(d.state for d in rows(engine))
    total = sum(states.values())
    assert total >= in_flight + 5
    assert states["sending"] == concurrency and states["sent"] == after
    assert states["pending"] == total - in_flight

    again = sweep(engine, mailbox, at(START, minute=31))  # at once: no claim is stale yet
    assert again.sent == total - in_flight
    assert len(mailbox.inbox) == total
    assert max(Counter(m.rcpt_tos[0] for m in mailbox.inbox).values()) == 1, "no duplicate"
    assert Counter(d.state for d in rows(engine)) == {
        "sent": total - concurrency,
        "sending": concurrency,
    }

    later = sweep(engine, mailbox, at(START) + STALE_CLAIM + timedelta(minutes=1))
    assert later.sent == concurrency
    assert {d.state for d in rows(engine)} == {"sent"}
    twice = [r for r, n in Counter(m.rcpt_tos[0] for m in mailbox.inbox).items() if n > 1]
    assert len(twice) == concurrency  # the bound, reached: one per sending thread


# ----------------------------------------------------------------------------- an outage

NV_HEAD = "mailto://head-t-a-nv@example.gov.vn"


def test_outage_sends_only_the_highest_rung_of_each_ladder(
    engine: Engine, session: Session, scenario_outage: int
) -> None:
    """Mail is down from Fri 30/8 to Thu 5/9 (2–3/9 are holidays). Item 1 of Phòng Nội vụ is
    due 30/8, that of Phòng Tư pháp 4/9, and one person heads both. When mail comes back,
    the due-day digests overtaken by overdue ones are not sent (``superseded``), and the
    head's digest of 4/9 (Nội vụ overdue, Tư pháp due today) goes without the Tư pháp item,
    which the 5/9 overdue digest carries."""
    down = Mailbox()  # not started: every connection is refused
    for day in (date(2024, 8, 30), date(2024, 9, 4), date(2024, 9, 5)):
        assert sweep(engine, down, at(day)).sent == 0
    before = {d.id for d in rows(engine) if d.state == "sent"}
    superseded = [d for d in rows(engine) if d.state == "superseded"]
    assert superseded and all(d.level == "due_day" for d in superseded)
    with Mailbox() as box:
        result = sweep(engine, box, at(date(2024, 9, 6)))
        inbox = list(box.inbox)
    assert result.sent == len(inbox) > 0
    sent_now = [d for d in rows(engine) if d.state == "sent" and d.id not in before]
    # Each ladder (assignment × occurrence) has one rung, the highest, in what went out.
    from models.reminder import Reminder

    with Session(engine) as s:
        ladder = {
            r.id: (r.assignment_id, r.occurrence)
            for r in s.exec(select(Reminder).where(Reminder.state == "queued")).all()
        }
    per_ladder: dict[tuple, set[int]] = {}
    for d in sent_now:
        for rid in d.reminder_ids:
            per_ladder.setdefault(ladder[rid], set()).add(rid)
    assert per_ladder and all(len(rids) == 1 for rids in per_ladder.values()), per_ladder
    head = [m for m in inbox if m.rcpt_tos == ["head-t-a-nv@example.gov.vn"]]
    texts = [m.text() for m in head]
    assert len(head) == 2 and not any("đến hạn hôm nay" in t for t in texts), texts
    assert sorted(m.subject.split(" – ")[0] for m in head) == [
        "[Nhắc việc] 1 nhiệm vụ quá hạn",
        "[Nhắc việc] 1 nhiệm vụ quá hạn",
    ]
    assert sum("Phòng Tư pháp" in t for t in texts) == 1
    assert not any(m.rcpt_tos == ["t-a-nv@example.gov.vn"] for m in inbox)  # due day: overtaken
    code, out = _cli_outbox(["--state", "superseded"])
    assert code == 0 and "đã thay thế" in out


@pytest.fixture
def scenario_outage(session: Session, app_env: str, engine: Engine) -> int:
    notice = mini_scenario(session)
    give_contacts(session)
    assert notice.id is not None
    tp = find_assignment(session=session, notice_id=notice.id, ref="1", unit_code="T-A-TP")
    tp.effective_due = tp.stated_due = date(2024, 9, 4)
    session.add(tp)
    for unit in session.exec(select(Unit).where(Unit.code == "T-A-TP")).all():
        unit.head = {"title": "Trưởng", "contacts": [NV_HEAD]}  # one person heads both
        session.add(unit)
    session.commit()
    plan_everything(session, START)
    with Mailbox() as box:  # everything before the outage went out
        for day in (START, date(2024, 8, 23), date(2024, 8, 28)):
            sweep(engine, box, at(day))
    return notice.id


def _cli_outbox(args: list[str]) -> tuple[int, str]:
    return run_cli("outbox", *args)


# ----------------------------------------------------------------------------- bad contacts

LONG = "mailto://" + "a" * 520 + "@example.gov.vn"
# Any: 42 is not even text, as a database edited by hand may hold.
BAD: list[Any] = ["mailto://không có a còng", "zalo://zns/123?template=nhac-viec", LONG, 42]


def _bad_contacts(session: Session) -> None:
    """Phòng Nội vụ's contacts written straight into the database, past any import check."""
    nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
    nv.contacts = [*BAD, "mailto://t-a-nv@example.gov.vn"]
    session.add(nv)
    session.commit()


def _check_bad_contacts_fail_alone(engine: Engine, box: Mailbox) -> None:
    result = sweep(engine, box, at(START))
    deliveries = rows(engine)
    failed = [d for d in deliveries if d.state == "failed"]
    assert len(failed) == len(BAD) == result.failed
    assert all(d.last_error and "không hợp lệ" in d.last_error for d in failed)
    assert all(len(d.recipient) <= 500 and d.attempts == 0 for d in failed)
    assert any("quá giới hạn 500" in (d.last_error or "") for d in failed)
    assert len(result.errors) == len(BAD)
    good = [d for d in deliveries if d.state != "failed"]
    assert good and all(d.state == "sent" for d in good)
    assert sorted(m.rcpt_tos[0] for m in box.inbox) == sorted(
        d.recipient.removeprefix("mailto://") for d in good
    )
    assert "t-a-nv@example.gov.vn" in [m.rcpt_tos[0] for m in box.inbox]
    assert set(result.delivery_ids) == {d.id for d in deliveries}


def test_bad_contacts_fail_alone(session: Session, engine: Engine, mailbox: Mailbox) -> None:
    mini_scenario(session)
    give_contacts(session)
    _bad_contacts(session)
    plan_everything(session, START)
    _check_bad_contacts_fail_alone(engine, mailbox)


def test_bad_contacts_fail_alone_on_postgresql(postgres_url: str, mailbox: Mailbox) -> None:
    """On PostgreSQL a recipient over 500 characters used to abort the whole queueing
    transaction (varchar(500)): nobody got anything."""
    upgrade_database(postgres_url)
    _engine_for.cache_clear()
    engine = create_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            mini_scenario(session)
            give_contacts(session)
            _bad_contacts(session)
            plan_everything(session, START)
        _check_bad_contacts_fail_alone(engine, mailbox)
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- masking

ZNS = "zalo://zns/84912345678?template=nhac-viec"


def test_phone_numbers_are_masked_in_remind_and_outbox(app_env: str) -> None:
    engine = create_engine(app_env)
    with Session(engine, expire_on_commit=False) as session:
        mini_scenario(session)
        give_contacts(session)
        nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
        nv.contacts = [ZNS, "mailto://0912345678@example.gov.vn"]
        session.add(nv)
        session.commit()
        plan_everything(session, START)
        session.add(
            Delivery(
                key="zalo:test",
                channel="zalo",
                recipient=ZNS,
                level="due_day",
                subject="[Nhắc việc] 1 nhiệm vụ",
                state="failed",
                last_error="Zalo từ chối số 84912345678: hết hạn mức",
            )
        )
        session.commit()
    engine.dispose()
    dry = runner.invoke(app, ["remind", "--as-of", "03/06/2024 09:00", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "8491***678" in dry.output and "84912345678" not in dry.output
    assert "0912345678@example.gov.vn" in dry.output  # an e-mail address stays as it is
    code, out = _cli_outbox(["--json"])
    payload = json.loads(out)
    assert code == 0 and "84912345678" not in out
    assert payload[0]["recipient"] == "zalo://zns/8491***678?template=nhac-viec"
    assert "8491***678" in payload[0]["last_error"]
    code, out = _cli_outbox([])
    assert code == 0 and "8491***678" in out and "84912345678" not in out
