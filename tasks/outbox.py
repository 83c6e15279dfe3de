"""The outbox: reminders are written here before anything is sent, and marked after.

Guarantees:
- a digest row has a unique key and is inserted in the same transaction that marks its
  reminders queued, so a reminder is never queued twice nor lost between the two;
- a digest whose recipient cannot be sent to (not a URL, longer than the column, a malformed
  e-mail or Zalo address) is written ``failed`` with the reason, and the others go out;
- an unsent digest listing a rung that a newer one overtakes (the same ladder, a higher rung:
  "due today" still pending after an outage when "overdue" is queued) loses that item: it is
  ``superseded`` when nothing is left, else rendered again with the rest;
- a batch is a list of candidates, not a claim. Each sending thread claims the one row it is
  about to send (a guarded UPDATE ``pending`` → ``sending``, behind ``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL), sends it, and marks it ``sent`` (or back ``pending`` with a later
  ``next_attempt_at``, or ``failed`` after the policy's attempts) in the same transaction
  that claims its next row. So two sweeps never send the same row, and at any moment a sweep
  holds at most ``send_concurrency`` rows ``sending``: the ones on the wire.
A process killed mid-send leaves only those rows ``sending``; a rerun sends everything else
at once, and claims them again after ``STALE_CLAIM``, when each of those messages may go out
a second time if it had left before the kill. Nothing else is sent twice, nothing is dropped.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlmodel import Session, col

from models.base import utcnow
from models.delivery import Delivery
from models.reminder import Reminder
from models.unit import Unit
from notifications.channels import mask_recipient, recipient_problem
from notifications.messages import Digest, build_digests, render
from tasks.reminders import ASSIGNED, DueReminder, Policy, reminder_details

log = logging.getLogger("dondoc.outbox")

STALE_CLAIM = timedelta(minutes=30)
# A batch (one Prefect task run) starts no new message after this; what it leaves stays
# pending, for the next batch.
SEND_BUDGET = STALE_CLAIM * 0.8
RECIPIENT_MAX = 500  # Delivery.recipient
CHANNEL_MAX = 20  # Delivery.channel
SUPERSEDED = "superseded"
Sender = Callable[[Delivery], None]  # raises on failure


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
    for digest in build_digests(due=due, units=units, policy=policy):
        subject, text, html = render(digest, today=today, units=units, policy=policy)
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
            "state": "pending",
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
        state="failed",
        last_error=error,
        claimed_at=now,  # when it was given up on (the briefing lists failures by this)
    )
    shown = mask_recipient(recipient if len(recipient) <= 80 else recipient[:79] + "…")
    log.error("Nhắc việc cho «%s» không gửi được: %s", shown, problem)
    report.failed += 1
    report.errors.append(f"{shown}: {error}")


def _unsent(now: datetime) -> ColumnElement[bool]:
    """Rows not sent and not on the wire: pending, or ``sending`` with a stale claim."""
    return or_(
        col(Delivery.state) == "pending",
        (col(Delivery.state) == "sending") & (col(Delivery.claimed_at) < now - STALE_CLAIM),
    )


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
        select(col(Delivery.id), col(Delivery.reminder_ids)).where(_unsent(now))
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
            .where(Delivery.id.in_(chunk), _unsent(now))  # type: ignore[union-attr]
            .values(state=SUPERSEDED)
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
        subject, text, html = render(digest, today=today, units=units, policy=policy, key=row.key)
        result = session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, _unsent(now))  # type: ignore[arg-type]
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


# ----------------------------------------------------------------------------- sending


def ready(now: Any, stale_before: Any = None) -> ColumnElement[bool]:
    """Rows to send at ``now``: pending and due for a try, or claimed before ``stale_before``
    (default: ``now - STALE_CLAIM``) by a sweep that must have died."""
    if stale_before is None:
        stale_before = now - STALE_CLAIM
    return or_(
        (col(Delivery.state) == "pending")
        & or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        (col(Delivery.state) == "sending") & (col(Delivery.claimed_at) < stale_before),
    )


def candidates(*, session: Session, limit: int, now: datetime) -> list[int]:
    """Up to ``limit`` ids of rows ready to send, oldest first: a list to work through, not a
    claim (each row is claimed by the thread that sends it)."""
    query = select(col(Delivery.id)).where(ready(now)).order_by(col(Delivery.id)).limit(limit)
    return list(session.execute(query).scalars())


@dataclass
class SendReport:
    """What one batch did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    left: int = 0  # not tried: the batch ran out of time (the next batch takes them)
    taken: int = 0  # claimed by another sweep first, or no longer ready
    ids: list[int] = field(default_factory=list)  # the rows this batch claimed
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.ids)


@dataclass
class _Outcome:
    """How one message went: the parameters of ``_MARK``, run with the next claim."""

    delivery_id: int
    kind: str  # sent, retry, failed
    values: dict[str, Any]
    error: str | None


def send_batch(
    *, engine: Any, ids: Iterable[int], sender: Sender, policy: Policy, now: datetime | None = None
) -> SendReport:
    """Send these candidate rows, ``policy.send_concurrency`` at a time. Each thread claims
    the row it is about to send, sends it, and marks it in the transaction that claims its
    next row; a row another sweep claimed first is passed over.

    ``now`` is the sweep's clock (a simulated day in tests and the demo); it moves on with
    real time while the batch runs, so a claim is dated when it is made."""
    start = now or utcnow()
    started = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - started)

    todo = list(ids)
    position = 0
    report = SendReport()
    lock = threading.Lock()
    stop = threading.Event()  # an interrupt or a bug in one thread stops the others

    def take() -> int | None:
        nonlocal position
        with lock:
            if stop.is_set() or position >= len(todo):
                return None
            if time.monotonic() - started > SEND_BUDGET.total_seconds():
                report.left += len(todo) - position
                position = len(todo)
                return None
            position += 1
            return todo[position - 1]

    def tally(delivery_id: int, outcome: _Outcome | None) -> None:
        with lock:
            if outcome is None:
                report.taken += 1
                return
            report.ids.append(delivery_id)
            setattr(report, outcome.kind, getattr(report, outcome.kind) + 1)
            if outcome.error:
                report.errors.append(outcome.error)

    def work() -> None:
        finished: _Outcome | None = None  # sent, not yet marked
        try:
            while True:
                delivery_id = take()
                delivery = _mark_and_claim(engine, finished, delivery_id, clock())
                finished = None
                if delivery_id is None:
                    return
                if delivery is None:
                    tally(delivery_id, None)
                    continue
                finished = _attempt(delivery, sender=sender, policy=policy, clock=clock)
                tally(delivery_id, finished)
        except BaseException:
            stop.set()
            if finished is not None:  # it went out: record that before stopping
                _mark_and_claim(engine, finished, None, clock())
            raise

    workers = min(policy.send_concurrency, len(todo))
    if workers <= 1:
        work()
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work) for _ in range(workers)]:
                future.result()  # re-raise an interrupt or a bug, once the others stopped
    report.ids.sort()
    return report


@lru_cache
def _claim_statement(dialect: str) -> Any:
    """Claim one row (``claim_id``) if it is still ready at ``now``: built once, as the same
    statement runs for every message."""
    guard = (col(Delivery.id) == bindparam("claim_id")) & ready(
        bindparam("now"), bindparam("stale_before")
    )
    if dialect == "postgresql":
        # Skip, rather than wait for, a row that another sweep is claiming right now.
        locked = select(col(Delivery.id)).where(guard).with_for_update(skip_locked=True)
        guard = Delivery.id.in_(locked.scalar_subquery())  # type: ignore[union-attr]
    return (
        update(Delivery)
        .where(guard)
        .values(state="sending", claimed_at=bindparam("now"), attempts=Delivery.attempts + 1)
        .returning(*Delivery.__table__.columns)  # type: ignore[attr-defined]
    )


# Record how a message went: sent, back to pending with a later try, or failed.
_MARK = (
    update(Delivery)
    .where(Delivery.id == bindparam("mark_id"), Delivery.state == "sending")  # type: ignore[arg-type]
    .values(
        state=bindparam("new_state"),
        sent_at=bindparam("new_sent_at"),
        last_error=bindparam("new_error"),
        next_attempt_at=bindparam("new_next_attempt"),
    )
)


def _mark_and_claim(
    engine: Any, finished: _Outcome | None, delivery_id: int | None, now: datetime
) -> Delivery | None:
    """One short transaction: record the message just sent (if any) and claim the next row
    (if any). Returns the claimed row, or None when another sweep had it or it was no longer
    ready."""
    if finished is None and delivery_id is None:
        return None
    claim = _claim_statement(engine.dialect.name)
    params = {"claim_id": delivery_id, "now": now, "stale_before": now - STALE_CLAIM}
    # SQLite has one writer at a time, and a writer that finds the database locked sleeps
    # 1 to 100 ms before trying again: this process's own threads take turns on a lock instead.
    turn = _SQLITE_WRITER if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with turn, engine.begin() as conn:
        if finished is not None:
            conn.execute(_MARK, finished.values)
        if delivery_id is None:
            return None
        row = conn.execute(claim, params).mappings().first()
    return Delivery(**row) if row else None


_SQLITE_WRITER = threading.Lock()


def _attempt(
    delivery: Delivery, *, sender: Sender, policy: Policy, clock: Callable[[], datetime]
) -> _Outcome:
    error: str | None = None
    try:
        sender(delivery)
    except Exception as exc:  # any channel failure: keep the row, try again later
        error = f"{type(exc).__name__}: {exc}"[:500]
    now = clock()
    kind, next_attempt = "sent", None
    if error is not None and delivery.attempts >= policy.max_attempts:
        kind = "failed"
    elif error is not None:
        wait = policy.backoff_minutes[min(delivery.attempts, len(policy.backoff_minutes)) - 1]
        kind, next_attempt = "retry", now + timedelta(minutes=wait)
    values = {
        "mark_id": delivery.id,
        "new_state": {"sent": "sent", "retry": "pending", "failed": "failed"}[kind],
        "new_sent_at": now if kind == "sent" else None,
        "new_error": error,
        "new_next_attempt": next_attempt,
    }
    return _Outcome(delivery.id, kind, values, error)  # type: ignore[arg-type]
