"""A reminder sweep as the edges start it: what it would send now, and its messages after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.db import get_engine
from models.reminder import Reminder, ReminderState
from notifications.channels import mask_recipient
from tasks.reminders import default_policy
from tasks.sweep import preview_due


@dataclass
class PlannedMessage:
    """One digest a sweep would send now (recipient masked)."""

    channel: str
    recipient: str
    subject: str
    reminders: int


def preview_sweep(*, as_of: datetime) -> list[PlannedMessage]:
    """What a sweep at ``as_of`` would send, computed in a transaction rolled back."""
    return [
        PlannedMessage(
            channel=r["channel"],
            recipient=mask_recipient(r["recipient"]),
            subject=r["subject"],
            reminders=r["reminders"],
        )
        for r in preview_due(engine=get_engine(), as_of=as_of, policy=default_policy())
    ]


def days_with_due_rungs(*, session: Session, since: date, until: date) -> list[date]:
    """The days between ``since`` and ``until`` on which a planned reminder falls due."""
    days = session.exec(
        select(col(Reminder.due_on))
        .where(
            col(Reminder.state) == ReminderState.PLANNED,
            col(Reminder.due_on) >= since,
            col(Reminder.due_on) <= until,
        )
        .distinct()
    ).all()
    return sorted(set(days))
