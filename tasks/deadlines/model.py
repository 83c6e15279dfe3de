"""What a deadline is once read: ``Due``, and the error a clerk's unreadable phrase raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

DueKind = Literal["date", "month", "quarter", "year", "recurring", "none"]
Recurrence = Literal["monthly", "quarterly", "yearly", "ongoing"]

# Years outside this range are typos ("năm 20244"), and would also break date arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2200

HOW_TO_WRITE = (
    "Hãy ghi một ngày (30/8/2024), một tháng (trong tháng 6/2018), một quý (quý II/2024), "
    "một năm (trong năm 2024) hoặc «hằng tháng»/«thường xuyên»."
)


@dataclass(frozen=True)
class Due:
    """A deadline: what kind it is, its stated date, the phrase as written, its recurrence."""

    kind: DueKind
    date: date | None
    text: str | None
    recurrence: Recurrence | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (date as ISO string)."""
        return {
            "kind": self.kind,
            "date": self.date.isoformat() if self.date else None,
            "text": self.text,
            "recurrence": self.recurrence,
        }


NO_DUE = Due(kind="none", date=None, text=None)


class DeadlineError(ValueError):
    """A deadline phrase that cannot be understood; the message is for the clerk (Vietnamese)."""
