"""Unit scorecard: the share of directives done on time over the last four calendar quarters,
and its trend.

What a province reports for the administrative-reform index (Chỉ số CCHC) criterion on
carrying out the tasks assigned by the People's Committee: of the directives a unit led that
fell due in the window (recurring ones per occurrence), how many were done by their due date.
Computed by SQL GROUP BY per quarter, from the same items as the monthly briefing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from models.unit import Unit
from tasks.briefing.items import items_query
from tasks.briefing.model import KEYS
from tasks.calendar import WorkCalendar, default_calendar
from tasks.periods import shift_month

TREND_DEAD_ZONE = 2.0  # percentage points: a smaller move is "stable"


ROMAN = ("I", "II", "III", "IV")


@dataclass
class Window:
    """A calendar quarter (the last one may end on the report date, before the quarter does)."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """«Quý III/2024», or «Quý III/2024 (đến 31/07/2024)» for one not over yet."""
        name = f"Quý {ROMAN[(self.start.month - 1) // 3]}/{self.start.year}"
        full_end = shift_month(self.start, 3) - timedelta(days=1)
        return name if self.end == full_end else f"{name} (đến {self.end:%d/%m/%Y})"


@dataclass
class ScoreLine:
    """One unit: due and done on time per quarter (oldest first) and over the year."""

    unit_id: int
    code: str
    name: str
    due: list[int] = field(default_factory=list)
    on_time: list[int] = field(default_factory=list)

    @property
    def due_total(self) -> int:
        return sum(self.due)

    @property
    def on_time_total(self) -> int:
        return sum(self.on_time)

    @property
    def pct(self) -> float | None:
        return _pct(self.on_time_total, self.due_total)

    def quarter_pct(self) -> list[float | None]:
        return [_pct(o, d) for o, d in zip(self.on_time, self.due, strict=True)]

    @property
    def trend(self) -> float | None:
        """Points gained from the first half-year to the second (None without both)."""
        first = _pct(sum(self.on_time[:2]), sum(self.due[:2]))
        second = _pct(sum(self.on_time[2:]), sum(self.due[2:]))
        if first is None or second is None:
            return None
        return round(second - first, 1)

    @property
    def trend_word(self) -> str:
        t = self.trend
        if t is None:
            return "chưa đủ số liệu"
        if t > TREND_DEAD_ZONE:
            return "tăng"
        if t < -TREND_DEAD_ZONE:
            return "giảm"
        return "ổn định"

    def to_json(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "code": self.code,
            "name": self.name,
            "due": self.due_total,
            "on_time": self.on_time_total,
            "pct_on_time": self.pct,
            "quarters": [
                {"due": d, "on_time": o, "pct_on_time": p}
                for d, o, p in zip(self.due, self.on_time, self.quarter_pct(), strict=True)
            ],
            "trend_points": self.trend,
            "trend": self.trend_word,
        }


@dataclass
class Scorecard:
    as_of: date
    windows: list[Window]
    units: list[ScoreLine]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "from": self.windows[0].start.isoformat(),
            "to": self.windows[-1].end.isoformat(),
            "quarters": [w.label for w in self.windows],
            "units": [u.to_json() for u in self.units],
        }


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def windows_before(as_of: date) -> list[Window]:
    """The four calendar quarters up to ``as_of``: the quarter that holds it (cut at that day,
    unless it is the quarter's last) and the three before it."""
    current = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    starts = [shift_month(current, -3 * (3 - k)) for k in range(4)]
    return [
        Window(start, min(shift_month(start, 3) - timedelta(days=1), as_of)) for start in starts
    ]


def compute_scorecard(
    *, session: Session, as_of: date, calendar: WorkCalendar | None = None
) -> Scorecard:
    """Every unit that led a directive due in the four calendar quarters up to ``as_of``."""
    cal = calendar or default_calendar()
    windows = windows_before(as_of)
    lines: dict[int, ScoreLine] = {}
    for k, window in enumerate(windows):
        items = items_query(
            start=window.start, end=window.end, as_of=as_of, calendar=cal, scope="due"
        )
        rows = session.execute(
            select(items.c.unit_id, items.c.status, func.count()).group_by(
                items.c.unit_id, items.c.status
            )
        ).all()
        for unit_id, status, n in rows:  # aggregated rows: a few per unit
            line = lines.setdefault(unit_id, ScoreLine(unit_id, "", "", [0] * 4, [0] * 4))
            if status in KEYS and status != "no_deadline":
                line.due[k] += n
            if status == "done_on_time":
                line.on_time[k] += n
    names = {
        uid: (code, name)
        for uid, code, name in session.execute(
            select(col(Unit.id), col(Unit.code), col(Unit.name)).where(
                col(Unit.id).in_(list(lines))
            )
        )
    }
    for uid, line in lines.items():
        line.code, line.name = names[uid]
    units = sorted(
        (u for u in lines.values() if u.due_total),
        key=lambda u: (-(u.pct if u.pct is not None else -1), -u.due_total, u.name),
    )
    return Scorecard(as_of=as_of, windows=windows, units=units)
