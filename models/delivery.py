"""The reminder outbox: a row is written before a message is sent and marked after."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp_column, utcnow

DELIVERY_STATES = ("pending", "sending", "sent", "failed", "superseded")


class Delivery(SQLModel, table=True):
    """One message to one recipient on one channel."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)  # idempotency key
    channel: str = Field(max_length=20)
    recipient: str = Field(max_length=500)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    level: str = Field(max_length=40)
    subject: str = Field(default="", max_length=500)
    body: str = ""  # plain text (Zalo) or the text part
    html: str | None = None  # the HTML part of an email
    assignment_ids: list[int] = Field(default_factory=list, sa_column=json_column())
    reminder_ids: list[int] = Field(default_factory=list, sa_column=json_column())
    state: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    next_attempt_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    claimed_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
    sent_at: datetime | None = Field(default=None, sa_column=timestamp_column(True))
