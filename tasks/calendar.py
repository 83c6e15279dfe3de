"""Vietnamese working-day calendar.

Public holidays come from the ``holidays`` package (country "VN"); the government's
yearly day swaps (đổi ngày làm việc / nghỉ bù) that the package may not know yet are
read from ``tasks/data/vn_day_swaps.yaml`` so administrators can add them without a
code change.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays

from tasks.errors import InputError
from tasks.fileio import load_yaml, parse_date_value

SHIPPED_OVERRIDES = Path(__file__).parent / "data" / "vn_day_swaps.yaml"


class CalendarFileError(InputError, ValueError):
    """A day-swap file that cannot be used; it names the file and the entry."""


# Saturday and Sunday (date.weekday() numbering).
_WEEKEND = frozenset({5, 6})


class WorkCalendar:
    """Working days for Vietnamese state agencies (Mon–Fri, minus holidays, plus swaps)."""

    def __init__(
        self,
        overrides_path: Path | None = None,
        extra_overrides: dict[date, bool] | None = None,
    ) -> None:
        """Build a calendar.

        Args:
            overrides_path: YAML file of day swaps; ``None`` means the shipped file.
            extra_overrides: date -> True (working day) / False (day off); these win over
                the file, which wins over the ``holidays`` package.
        """
        path = SHIPPED_OVERRIDES if overrides_path is None else Path(overrides_path)
        self.overrides_path = path
        self._overrides: dict[date, bool] = {}
        self._notes: dict[date, str] = {}
        self.add_overrides_file(path)
        for d, working in (extra_overrides or {}).items():
            self._overrides[_as_date(d)] = bool(working)
        self._years: dict[int, holidays.HolidayBase] = {}

    # -- overrides -------------------------------------------------------------------

    def add_overrides_file(self, path: Path) -> None:
        """Read and validate a swap file and apply it over what is loaded; a malformed entry is
        a ValueError naming the file and the entry."""
        try:
            raw: Any = load_yaml(path, lines=False, empty_ok=True)
        except InputError as exc:
            raise CalendarFileError(f"Tệp đổi ngày làm việc {path} không đọc được: {exc}") from None
        except OSError as exc:
            raise CalendarFileError(f"Không đọc được tệp đổi ngày làm việc {path}: {exc}") from exc
        # Accept either a bare list or {swaps: [...]} so the file can grow metadata later.
        if isinstance(raw, dict) and "swaps" in raw:
            raw = raw["swaps"]
        if raw is None:
            return
        if not isinstance(raw, list):
            raise CalendarFileError(
                f"Tệp đổi ngày làm việc {path}: phải là một danh sách các mục "
                "{date, working, note}."
            )
        for i, entry in enumerate(raw, start=1):
            where = f"Tệp đổi ngày làm việc {path}, mục thứ {i} ({entry!r})"
            if not isinstance(entry, dict):
                raise CalendarFileError(f"{where}: mỗi mục phải có dạng {{date, working, note}}.")
            unknown = set(entry) - {"date", "working", "note"}
            if unknown:
                raise CalendarFileError(f"{where}: khóa không hợp lệ {sorted(unknown)}.")
            try:
                d = parse_date_value(entry.get("date"), field="date")
            except InputError as exc:
                raise CalendarFileError(f"{where}: {exc.message}") from None
            working = entry.get("working")
            if not isinstance(working, bool):
                raise CalendarFileError(f"{where}: «working» phải là true hoặc false.")
            note = entry.get("note")
            if note is not None and not isinstance(note, str):
                raise CalendarFileError(f"{where}: «note» phải là một đoạn chữ.")
            if d in self._overrides and self._overrides[d] != working:
                raise CalendarFileError(
                    f"{where}: ngày {d.isoformat()} bị khai báo hai lần, mâu thuẫn."
                )
            self._overrides[d] = working
            if note:
                self._notes[d] = note.strip()

    # -- holidays package -----------------------------------------------------------

    def _holidays(self, year: int) -> holidays.HolidayBase:
        """Holidays of one year, built once (the package computes lunar dates lazily)."""
        h = self._years.get(year)
        if h is None:
            h = holidays.country_holidays("VN", years=year, language="vi")
            self._years[year] = h
        return h

    def _package_weekend_workday(self, d: date) -> bool:
        # Recent ``holidays`` versions know some swapped working Saturdays; older ones
        # lack the attribute, which is why the YAML lists them too.
        return d in getattr(self._holidays(d.year), "weekend_workdays", ())

    # -- public API -----------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True when state agencies work on ``d``."""
        d = _as_date(d)
        if d in self._overrides:
            return self._overrides[d]
        if self._package_weekend_workday(d):
            return True
        if d.weekday() in _WEEKEND:
            return False
        return d not in self._holidays(d.year)

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a working day, else the next one (Bộ luật Dân sự 2015, điều 148)."""
        d = _as_date(d)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """Move ``n`` working days from ``d`` (backwards when ``n`` < 0); ``d`` is not counted."""
        d = _as_date(d)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (minus those in (end, start]) if end < start."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count

    def holiday_name(self, d: date) -> str | None:
        """Vietnamese name of the holiday or swapped day off on ``d``; None otherwise."""
        d = _as_date(d)
        if d in self._overrides:
            if self._overrides[d]:
                return None
            return self._notes.get(d) or "Ngày nghỉ (đổi ngày làm việc)"
        name = self._holidays(d.year).get(d)
        return str(name) if name else None


def _as_date(d: date) -> date:
    # datetime is a date subclass; comparing it with plain dates would misbehave.
    return d.date() if isinstance(d, datetime) else d


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The shipped swap table plus the administrator's file (DONDOC_CALENDAR_OVERRIDES), once
    per process."""
    from dondoc.settings import get_settings

    calendar = WorkCalendar()
    extra = get_settings().calendar_overrides
    if extra is not None:
        calendar.add_overrides_file(extra)
    return calendar
