"""Shared column helpers: timestamps, JSON, the row id, CHECK constraints for closed sets of words."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware UTC (stored as such on PostgreSQL, naive UTC on SQLite)."""
    return datetime.now(UTC)


def json_column(nullable: bool = False) -> Any:
    """A JSON column (a list or dict); assign a new object to change it."""
    return Column(JSON, nullable=nullable)


def timestamp_column(nullable: bool = False) -> Any:
    """A timezone-aware timestamp column."""
    return Column(DateTime(timezone=True), nullable=nullable)


class RowId(SQLModel):
    """The integer primary key of a table.

    A table lists it after its ``…Base`` (``class Notice(NoticeBase, RowId, table=True)``):
    fields are collected from the last base to the first, so ``id`` stays the first column,
    where the migrations created it.
    """

    id: int | None = Field(default=None, primary_key=True)


def one_of(table: str, column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The CHECK constraint ``ck_<table>_<column>``: the column holds a word of ``enum``
    (or NULL). Migration 0007 created these with the words of its day.

    The column itself stays a ``str`` field: rows are built and compared with plain strings
    all over the code and its tests, and a StrEnum member is such a string."""
    words = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({words})", name=f"ck_{table}_{column}")
