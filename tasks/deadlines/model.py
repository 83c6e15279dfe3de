"""What a deadline is once read: ``Due``, and the error a clerk's unreadable phrase raises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from models.notice import DueKind, Recurrence

__all__ = [
    "HOW_TO_WRITE",
    "MAX_YEAR",
    "MIN_YEAR",
    "NO_DUE",
    "DeadlineError",
    "Due",
    "DueKind",
    "Recurrence",
]

# Years outside this range are typos ("năm 20244"), and would also break date arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2200

HOW_TO_WRITE = (
    "Hãy ghi một ngày (30/8/2024), một tháng (trong tháng 6/2018), một quý (quý II/2024), "
    "một năm (trong năm 2024) hoặc «hằng tháng»/«thường xuyên»."
)


@dataclass(frozen=True, init=False)
class Due:
    """A deadline: what kind it is, its stated date, the phrase as written, its recurrence."""

    kind: DueKind
    date: dt.date | None
    text: str | None
    recurrence: Recurrence | None = None

    def __init__(
        self,
        kind: DueKind | str,
        date: dt.date | None,
        text: str | None,
        recurrence: Recurrence | str | None = None,
    ) -> None:
        # A word ("date", "monthly") is taken as its member and an unknown one refused, so a
        # deadline built from a file or a test is the same value as one the parser builds.
        object.__setattr__(self, "kind", DueKind(kind))
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "text", text)
        object.__setattr__(
            self, "recurrence", None if recurrence is None else Recurrence(recurrence)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (date as ISO string)."""
        return {
            "kind": self.kind.value,
            "date": self.date.isoformat() if self.date else None,
            "text": self.text,
            "recurrence": self.recurrence.value if self.recurrence else None,
        }


NO_DUE = Due(kind=DueKind.NONE, date=None, text=None)


class DeadlineError(ValueError):
    """A deadline phrase that cannot be understood; the message is for the clerk (Vietnamese)."""
