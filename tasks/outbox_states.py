"""Which outbox rows are still to send, as SQL conditions shared by queueing and sending."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from models.delivery import Delivery, DeliveryState

STALE_CLAIM = timedelta(minutes=30)
SUPERSEDED = DeliveryState.SUPERSEDED  # the name callers have always imported


def not_yet_sent(now: datetime) -> ColumnElement[bool]:
    """Rows not sent and not on the wire: pending, or ``sending`` with a stale claim."""
    return or_(
        col(Delivery.state) == DeliveryState.PENDING,
        (col(Delivery.state) == DeliveryState.SENDING)
        & (col(Delivery.claimed_at) < now - STALE_CLAIM),
    )


def ready(now: Any, stale_before: Any = None) -> ColumnElement[bool]:
    """Rows to send at ``now``: pending and due for a try, or claimed before ``stale_before``
    (default: ``now - STALE_CLAIM``) by a sweep that must have died."""
    if stale_before is None:
        stale_before = now - STALE_CLAIM
    return or_(
        (col(Delivery.state) == DeliveryState.PENDING)
        & or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        (col(Delivery.state) == DeliveryState.SENDING) & (col(Delivery.claimed_at) < stale_before),
    )
