"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime


def utcnow() -> datetime:
    """Now, timezone-aware UTC (stored as such on PostgreSQL, naive UTC on SQLite)."""
    return datetime.now(UTC)


def json_column(nullable: bool = False) -> Any:
    """A JSON column (a list or dict); assign a new object to change it."""
    return Column(JSON, nullable=nullable)


def timestamp_column(nullable: bool = False) -> Any:
    """A timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)
