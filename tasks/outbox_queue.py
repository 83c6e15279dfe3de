"""Putting reminders in the outbox: one row per digest (recipient × channel), written in the
transaction that marks its reminders queued, after taking the items they overtake out of
older unsent digests. See ``tasks.outbox`` for the guarantees."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from models.base import utcnow
from models.delivery import Delivery, DeliveryState
from models.reminder import Reminder
from models.unit import Unit
from notifications.channels import mask_recipient, recipient_problem
from notifications.messages import Digest, build_digests, render
from services.unit_links import link_urls
from tasks.outbox_states import not_yet_sent
from tasks.reminders import ASSIGNED, DueReminder, Policy, reminder_details

log = logging.getLogger("dondoc.outbox")

RECIPIENT_MAX = 500  # Delivery.recipient
CHANNEL_MAX = 20  # Delivery.channel


@dataclass
class QueueReport:
    """What a sweep put in the outbox."""

    reminders: int = 0
    deliveries: int = 0
    keys: list[str] = field(default_factory=list)
    failed: int = 0  # digests written ``failed`` at once: their recipient cannot be sent to
    failed_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    superseded: int = 0  # older unsent digests with nothing left once overtaken items went
    rerendered: int = 0  # older unsent digests rendered again without their overtaken items
    followed_up: list[dict[str, Any]] = field(default_factory=list)  # notices planned first


def _chunks(items: list[Any], size: int = 1000) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def queue_digests(
    *,
    session: Session,
    due: list[DueReminder],
    policy: Policy,
    today: date,
    now: datetime | None = None,
) -> QueueReport:
    """Write one outbox row per digest (recipient × channel) for the reminders taken, after
    taking the items they overtake out of older unsent digests. ``now``: the sweep's clock."""
    report = QueueReport(reminders=len(due))
    if not due:
        return report
    now = now or utcnow()
    unit_ids = {r.unit_id for r in due}
    units = {u.id: u for u in session.execute(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}  # type: ignore[union-attr]
    drop_overtaken(session=session, due=due, policy=policy, today=today, now=now, report=report)
    rows: list[dict[str, Any]] = []
    bad_keys: list[str] = []
    digests = build_digests(due=due, units=units, policy=policy)
    links = link_urls(session=session, unit_ids=[d.unit_id for d in digests], now=now)
    for digest in digests:
        subject, text, html = render(digest, today=today, units=units, policy=policy, links=links)
        row = {
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
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": None,
            "last_error": None,
            "claimed_at": None,
        }
        problem = recipient_problem(digest.recipient)
        if problem:
            _refuse(row, problem, digest, now=now, report=report)
            bad_keys.append(digest.key)
        rows.append(row)
        report.keys.append(digest.key)
    for chunk in _chunks(rows):
        session.execute(Delivery.__table__.insert(), chunk)  # type: ignore[attr-defined]
    if bad_keys:
        report.failed_ids = list(
            session.execute(
                select(col(Delivery.id)).where(col(Delivery.key).in_(bad_keys))
            ).scalars()
        )
    report.deliveries = len(rows)
    return report


def _refuse(
    row: dict[str, Any], problem: str, digest: Digest, *, now: datetime, report: QueueReport
) -> None:
    """Turn a digest whose recipient cannot be sent to into a ``failed`` row, its recipient
    and channel cut to fit their columns, so that it cannot fail the whole sweep."""
    recipient = str(digest.recipient)
    if len(recipient) > RECIPIENT_MAX:
        recipient = recipient[: RECIPIENT_MAX - 1] + "…"
    error = f"Người nhận không hợp lệ, không gửi: {problem}"[:500]
    row.update(
        recipient=recipient,
        channel=str(digest.channel)[:CHANNEL_MAX],
        state=DeliveryState.FAILED.value,
        last_error=error,
        claimed_at=now,  # when it was given up on (the briefing lists failures by this)
    )
    shown = mask_recipient(recipient if len(recipient) <= 80 else recipient[:79] + "…")
    log.error("Nhắc việc cho «%s» không gửi được: %s", shown, problem)
    report.failed += 1
    report.errors.append(f"{shown}: {error}")


def drop_overtaken(
    *,
    session: Session,
    due: list[DueReminder],
    policy: Policy,
    today: date,
    now: datetime,
    report: QueueReport,
) -> None:
    """Take out of the unsent digests of earlier sweeps every rung that a rung queued now
    overtakes (the same ladder: assignment and occurrence; a day no later), as ``take_due``
    skips the lower rungs still planned. Call it before inserting the new digests."""
    top: dict[tuple[int, date | None], date] = {}
    for r in due:
        if r.level != ASSIGNED:
            ladder = (r.assignment_id, r.occurrence)
            top[ladder] = max(top.get(ladder, r.due_on), r.due_on)
    if not top:
        return
    unsent = session.execute(
        select(col(Delivery.id), col(Delivery.reminder_ids)).where(not_yet_sent(now))
    ).all()
    listed = sorted({rid for _, rids in unsent for rid in rids})
    overtaken: set[int] = set()
    for chunk in _chunks(listed):
        for rid, aid, occurrence, level, due_on in session.execute(
            select(
                col(Reminder.id),
                col(Reminder.assignment_id),
                col(Reminder.occurrence),
                col(Reminder.level),
                col(Reminder.due_on),
            ).where(col(Reminder.id).in_(chunk))
        ):
            latest = top.get((aid, occurrence))
            if level != ASSIGNED and latest is not None and due_on <= latest:
                overtaken.add(rid)
    if not overtaken:
        return
    emptied = [did for did, rids in unsent if rids and set(rids) <= overtaken]
    kept = {
        did: [rid for rid in rids if rid not in overtaken]
        for did, rids in unsent
        if overtaken.intersection(rids) and not set(rids) <= overtaken
    }
    for chunk in _chunks(emptied):
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(chunk), not_yet_sent(now))  # type: ignore[union-attr]
            .values(state=DeliveryState.SUPERSEDED.value)
            .execution_options(synchronize_session=False)
        )
        report.superseded += result.rowcount  # type: ignore[attr-defined]
    if kept:
        report.rerendered += _rerender(
            session=session, kept=kept, policy=policy, today=today, now=now
        )
    log.info(
        "Nhắc việc cũ chưa gửi đã bị mốc cao hơn thay thế: %d thư bỏ, %d thư soạn lại.",
        report.superseded,
        report.rerendered,
    )


def _rerender(
    *, session: Session, kept: dict[int, list[int]], policy: Policy, today: date, now: datetime
) -> int:
    """Render these unsent rows again with only the reminders kept (same key and row)."""
    items = {
        r.reminder_id: r
        for r in reminder_details(
            session=session, ids=sorted({i for ids in kept.values() for i in ids})
        )
    }
    unit_ids = {r.unit_id for r in items.values()}
    units = {u.id: u for u in session.execute(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}  # type: ignore[union-attr]
    done = 0
    rows = session.execute(select(Delivery).where(Delivery.id.in_(list(kept)))).scalars().all()  # type: ignore[union-attr]
    for row in rows:
        reminders = [items[i] for i in kept[row.id] if i in items]  # type: ignore[index]
        digest = _digest_for(row, reminders, units=units, policy=policy)
        if digest is None:
            continue
        links = link_urls(session=session, unit_ids=[digest.unit_id], now=now)
        subject, text, html = render(
            digest, today=today, units=units, policy=policy, key=row.key, links=links
        )
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, not_yet_sent(now))  # type: ignore[arg-type]
            .values(
                subject=subject,
                body=text,
                html=html or None,
                level=digest.level,
                assignment_ids=sorted({r.assignment_id for r in digest.reminders}),
                reminder_ids=sorted(r.reminder_id for r in digest.reminders),
            )
            .execution_options(synchronize_session=False)
        )
        done += result.rowcount  # type: ignore[attr-defined]
    return done


def _digest_for(
    row: Delivery, reminders: list[DueReminder], *, units: dict[Any, Any], policy: Policy
) -> Digest | None:
    """The digest these reminders make for this row's recipient today (the recipient's name
    and the level as the policy gives them); None when the recipient no longer gets any."""
    if not reminders:
        return None
    for digest in build_digests(due=reminders, units=units, policy=policy):
        if (digest.channel, digest.recipient) == (row.channel, row.recipient):
            return digest
    return None
