"""Reporting periods: the briefing's month (calendar or the 15th-to-14th period of the state
reporting regime) and the period keys of recurring directives ("2024-06", "2024-Q2", "2024")."""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import date

from models.notice import Recurrence
from tasks.errors import InputError
from tasks.fileio import check_year

# The recurrences that come in periods (an ongoing directive has none).
RECURRING_PERIODS = (Recurrence.MONTHLY, Recurrence.QUARTERLY, Recurrence.YEARLY)
PERIOD_KINDS = ("calendar", "15-14")


@dataclass(frozen=True)
class Period:
    """A reporting period: ``start`` and ``end`` both included."""

    year: int
    month: int
    kind: str = "calendar"

    @property
    def start(self) -> date:
        if self.kind == "15-14":
            return shift_month(date(self.year, self.month, 15), -1)
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        if self.kind == "15-14":
            return date(self.year, self.month, 14)
        return date(self.year, self.month, month_calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        """ "tháng 06/2024" (with the dates for a 15-14 period)."""
        base = f"tháng {self.month:02d}/{self.year}"
        if self.kind == "15-14":
            return f"{base} (từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y})"
        return base

    def previous(self) -> Period:
        d = shift_month(date(self.year, self.month, 1), -1)
        return Period(d.year, d.month, self.kind)

    def next(self) -> Period:
        d = shift_month(date(self.year, self.month, 1), 1)
        return Period(d.year, d.month, self.kind)

    def key(self) -> str:
        return f"{self.year}-{self.month:02d}" + ("-15-14" if self.kind == "15-14" else "")


def parse_month(text: str, kind: str = "calendar") -> Period:
    """``2024-06`` (or ``06/2024``) → the period of that month; a clear error otherwise."""
    if kind not in PERIOD_KINDS:
        raise InputError(f"Kỳ báo cáo «{kind}» không hợp lệ: dùng calendar hoặc 15-14.")
    found = _year_month(text)
    if found is None:
        raise InputError(f"Tháng «{text}» không đọc được: viết dạng YYYY-MM, ví dụ 2024-06.")
    year, month = found
    if not 1 <= month <= 12:
        raise InputError(f"Tháng «{text}» không có: tháng phải từ 1 đến 12.")
    check_year(year, f"Tháng «{text}»")
    return Period(year, month, kind)


def _year_month(text: str) -> tuple[int, int] | None:
    """(year, month) of "2024-06" or "06/2024" (the month not checked); None otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text) or re.fullmatch(
        r"\s*(\d{1,2})/(\d{4})\s*", text
    )
    if m is None:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    return (a, b) if a > 12 else (b, a)


def period_key(recurrence: str, day: date) -> str:
    """The key of the period of a recurring directive that contains ``day``."""
    if recurrence == Recurrence.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    if recurrence == Recurrence.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if recurrence == Recurrence.YEARLY:
        return str(day.year)
    raise InputError(f"Nhiệm vụ định kỳ «{recurrence}» không chia theo kỳ.")


def parse_period_key(recurrence: str, text: str) -> str:
    """Check a period written by a clerk ("2024-06", "06/2024", "2024-Q2", "Q2/2024", "2024")
    against the directive's recurrence and give its key."""
    t = text.strip().upper()
    if recurrence == Recurrence.MONTHLY:
        found = _year_month(t)
        if found and 1 <= found[1] <= 12:
            check_year(found[0], f"Kỳ «{text}»")
            return f"{found[0]}-{found[1]:02d}"
        hint = "tháng, dạng YYYY-MM (ví dụ 2024-06)"
    elif recurrence == Recurrence.QUARTERLY:
        m = re.fullmatch(r"(\d{4})-Q([1-4])", t) or re.fullmatch(r"Q([1-4])/(\d{4})", t)
        if m:
            year, q = (
                (int(m.group(1)), m.group(2))
                if len(m.group(1)) == 4
                else (int(m.group(2)), m.group(1))
            )
            check_year(year, f"Kỳ «{text}»")
            return f"{year}-Q{q}"
        hint = "quý, dạng YYYY-Qn (ví dụ 2024-Q2)"
    elif recurrence == Recurrence.YEARLY:
        if re.fullmatch(r"\d{4}", t):
            check_year(int(t), f"Kỳ «{text}»")
            return t
        hint = "năm, dạng YYYY (ví dụ 2024)"
    else:
        raise InputError(f"Nhiệm vụ định kỳ «{recurrence}» không chia theo kỳ.")
    raise InputError(f"Kỳ «{text}» không hợp lệ cho nhiệm vụ định kỳ: ghi {hint}.")


def occurrence_in(
    *, recurrence: str, anchor: date | None, start: date, end: date
) -> list[tuple[date, str]]:
    """The occurrences (due date, period key) of a recurring directive within [start, end].

    A monthly directive is due on its anchor's day of each month ("trước ngày 20 hằng tháng"),
    or the month's last day; a quarterly one on that day of the quarter's last month, or the
    quarter's last day; a yearly one on the anchor's day and month, or 31 December."""
    out = []
    month = date(start.year, start.month, 1)
    while month <= end:
        due = _due_in_month(recurrence, anchor, month.year, month.month)
        if due is not None and start <= due <= end:
            out.append((due, period_key(recurrence, due)))
        month = shift_month(month, 1)
    return out


def _due_in_month(recurrence: str, anchor: date | None, year: int, month: int) -> date | None:
    last = month_calendar.monthrange(year, month)[1]
    if recurrence == Recurrence.MONTHLY:
        return date(year, month, min(anchor.day, last) if anchor else last)
    if recurrence == Recurrence.QUARTERLY:
        return (
            date(year, month, min(anchor.day, last) if anchor else last) if month % 3 == 0 else None
        )
    if recurrence == Recurrence.YEARLY:
        if anchor is None:
            return date(year, 12, 31) if month == 12 else None
        return date(year, month, min(anchor.day, last)) if month == anchor.month else None
    return None


def shift_month(day: date, months: int) -> date:
    """The same day ``months`` later (earlier when negative), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, month_calendar.monthrange(year, month + 1)[1]))
