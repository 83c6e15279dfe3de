"""The outbox: reminders are written here before anything is sent, and marked after.

Guarantees:
- a digest row has a unique key and is inserted in the same transaction that marks its
  reminders queued, so a reminder is never queued twice nor lost between the two;
- sending claims rows by switching them to ``sending`` with a guard on the state (and
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two sweeps never send the same row;
- each row is marked ``sent`` right after its message went out, or put back ``pending`` with
  a later ``next_attempt_at`` (backoff), and ``failed`` after the policy's attempts.
A process killed between sending a message and marking it leaves that one row ``sending``;
after ``STALE_CLAIM`` it is claimed again and that message may go out twice. Nothing else is
sent twice and nothing is dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session

from models.base import utcnow
from models.delivery import Delivery
from models.unit import Unit
from notifications.messages import build_digests, render
from tasks.reminders import DueReminder, Policy

STALE_CLAIM = timedelta(minutes=30)
SEND_BUDGET = STALE_CLAIM * 0.8  # a batch stops sending before its claims go stale
Sender = Callable[[Delivery], None]  # raises on failure


@dataclass
class QueueReport:
    """What a sweep put in the outbox."""

    reminders: int = 0
    deliveries: int = 0
    keys: list[str] = field(default_factory=list)


def queue_digests(
    *, session: Session, due: list[DueReminder], policy: Policy, today: date
) -> QueueReport:
    """Write one outbox row per digest (recipient × channel) for the reminders taken."""
    report = QueueReport(reminders=len(due))
    if not due:
        return report
    unit_ids = {r.unit_id for r in due}
    units = {u.id: u for u in session.execute(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}  # type: ignore[union-attr]
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for digest in build_digests(due=due, units=units, policy=policy):
        subject, text, html = render(digest, today=today, units=units, policy=policy)
        rows.append(
            {
                "key": digest.key,
                "channel": digest.channel,
                "recipient": digest.recipient,
                "unit_id": digest.unit_id,
                "level": digest.level,
                "subject": subject,
                "body": text,
                "html": html or None,
                "assignment_ids": sorted({r.assignment_id for r in digest.reminders}),
                "reminder_ids": sorted(r.reminder_id for r in digest.reminders),
                "state": "pending",
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": None,
            }
        )
        report.keys.append(digest.key)
    for i in range(0, len(rows), 1000):
        session.execute(Delivery.__table__.insert(), rows[i : i + 1000])  # type: ignore[attr-defined]
    report.deliveries = len(rows)
    return report


def claim(*, session: Session, limit: int, now: datetime | None = None) -> list[int]:
    """Take up to ``limit`` rows ready to send and mark them ``sending``."""
    now = now or utcnow()
    ready = or_(
        (Delivery.state == "pending")
        & or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),  # type: ignore[union-attr]
        (Delivery.state == "sending") & (Delivery.claimed_at < now - STALE_CLAIM),  # type: ignore[operator]
    )
    query = select(Delivery.id).where(ready).order_by(Delivery.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [i for (i,) in session.execute(query)]
    if not ids:
        return []
    claimed = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), ready)  # type: ignore[union-attr]
        .values(state="sending", claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
    )
    return sorted(i for (i,) in claimed)


@dataclass
class SendReport:
    """What one batch did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    left: int = 0  # not tried: the batch ran out of time (claimed again by a later sweep)
    errors: list[str] = field(default_factory=list)


def send_claimed(
    *, engine: Any, ids: Iterable[int], sender: Sender, policy: Policy, now: datetime | None = None
) -> SendReport:
    """Send claimed rows, ``policy.send_concurrency`` at a time, marking each one right after
    its message went out (its own short transaction).

    ``now`` is the sweep's clock (a simulated day in tests and the demo)."""
    from concurrent.futures import ThreadPoolExecutor

    now = now or utcnow()
    report = SendReport()
    lock = threading.Lock()

    ids = list(ids)
    # The batch's rows in one query; each is sent only while still ``sending`` (our claim).
    with Session(engine, expire_on_commit=False) as session:
        rows = {
            d.id: d
            for d in session.execute(
                select(Delivery).where(Delivery.id.in_(ids), Delivery.state == "sending")  # type: ignore[union-attr]
            ).scalars()
        }

    started = time.monotonic()

    def one(delivery_id: int) -> None:
        delivery = rows.get(delivery_id)
        if delivery is None:
            return
        if time.monotonic() - started > SEND_BUDGET.total_seconds():
            # Our claim is about to go stale and another sweep may take the row: leave it.
            with lock:
                report.left += 1
            return
        outcome, error = _send_one(
            engine=engine, delivery=delivery, sender=sender, policy=policy, now=now
        )
        with lock:
            if outcome == "sent":
                report.sent += 1
            elif outcome == "failed":
                report.failed += 1
            elif outcome == "retry":
                report.retry += 1
            if error:
                report.errors.append(error)

    if policy.send_concurrency <= 1 or len(ids) <= 1:
        for delivery_id in ids:
            one(delivery_id)
    else:
        with ThreadPoolExecutor(max_workers=policy.send_concurrency) as pool:
            for future in [pool.submit(one, i) for i in ids]:
                future.result()  # re-raise an interrupt or a bug, after the others finished
    return report


def _send_one(
    *, engine: Any, delivery: Delivery, sender: Sender, policy: Policy, now: datetime
) -> tuple[str, str | None]:
    error: str | None = None
    try:
        sender(delivery)
    except Exception as exc:  # any channel failure: keep the row, try again later
        error = f"{type(exc).__name__}: {exc}"[:500]
    values: dict[str, Any]
    if error is None:
        outcome, values = "sent", {"state": "sent", "sent_at": now, "last_error": None}
    elif delivery.attempts >= policy.max_attempts:
        outcome, values = "failed", {"state": "failed", "last_error": error}
    else:
        wait = policy.backoff_minutes[min(delivery.attempts, len(policy.backoff_minutes)) - 1]
        outcome = "retry"
        values = {
            "state": "pending",
            "last_error": error,
            "next_attempt_at": now + timedelta(minutes=wait),
        }
    with engine.begin() as conn:  # its own short transaction, right after the message
        conn.execute(
            update(Delivery)
            .where(Delivery.id == delivery.id, Delivery.state == "sending")  # type: ignore[arg-type]
            .values(**values)
        )
    return outcome, error
