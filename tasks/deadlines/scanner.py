"""Date phrases in a text -> candidates: every deadline-looking expression, checked.

The scanner only says where dates, months, quarters, years and relative spans are, and
whether they can exist; :mod:`tasks.deadlines.resolve` decides which one is the deadline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from tasks.deadlines.lexicon import (
    CITATION,
    CUE_DATE,
    CUE_PERIOD,
    DATE_ISO,
    DATE_NUM,
    DATE_WORDS,
    DAY_ONLY,
    FROM_YEAR,
    GOAL_YEARS,
    HALF,
    MONTH,
    QUARTER,
    RELATIVE,
    RELATIVE_BASE,
    RELATIVE_FROM,
    ROMAN,
    YEAR,
)
from tasks.deadlines.model import MAX_YEAR, MIN_YEAR

# Relative deadlines longer than ten years are typos, and would make working-day counting slow.
_MAX_RELATIVE = {"ngày": 3660, "ngày làm việc": 2600, "tuần": 520, "tháng": 120}


class Invalid(Exception):
    """A candidate that looks like a deadline but is impossible (31/2, quý V, …)."""


@dataclass
class Candidate:
    """One deadline-looking expression found in the text."""

    kind: Literal["date", "month", "quarter", "year", "relative", "from_year", "day"]
    start: int  # span of the expression itself in the normalised text
    end: int
    day: int | None = None
    month: int | None = None
    year: int | None = None
    end_month: int | None = None  # last month of a quarter or half-year
    amount: int | None = None  # relative: how many units
    unit: str | None = None  # relative: "ngày", "ngày làm việc", "tuần", "tháng"
    base: date | None = None  # relative: explicit starting date
    cue_start: int | None = None  # where the cue ("trước", "trong", …) begins
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text_start(self) -> int:
        return self.start if self.cue_start is None else min(self.cue_start, self.start)


def days_in_month(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - timedelta(days=1)).day


def check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"Năm {year} không hợp lệ (phải trong khoảng {MIN_YEAR}–{MAX_YEAR}).")


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise Invalid(f"Tháng {month} không tồn tại: tháng phải từ 1 đến 12.")


def _check_day_month(day: int, month: int) -> None:
    """A day/month pair that exists in at least one year (29/2 does, 30/2 does not)."""
    _check_month(month)
    longest = 29 if month == 2 else days_in_month(2023, month)
    if not 1 <= day <= longest:
        raise Invalid(
            f"Ngày {day}/{month} không tồn tại: tháng {month} có nhiều nhất {longest} ngày."
        )


def make_date(year: int, month: int, day: int) -> date:
    check_year(year)
    _check_day_month(day, month)
    if day > days_in_month(year, month):
        raise Invalid(
            f"Ngày {day}/{month}/{year} không tồn tại: tháng {month}/{year} chỉ có "
            f"{days_in_month(year, month)} ngày."
        )
    return date(year, month, day)


def month_end(year: int, month: int) -> date:
    check_year(year)
    _check_month(month)
    return date(year, month, days_in_month(year, month))


def _quarter_number(token: str) -> int:
    q = ROMAN.get(token) if not token.isdigit() else int(token)
    if q is None or not 1 <= q <= 4:
        raise Invalid(f"Quý «{token.upper()}» không tồn tại: quý phải từ I đến IV (hoặc 1 đến 4).")
    return q


class Scanner:
    """Collects non-overlapping candidates from the lowercased text, most specific first.

    Linear in the text: the taken spans are marked character by character (a list of spans
    checked for each candidate made a directive of 876 KB take minutes)."""

    def __init__(self, low: str, strict: bool) -> None:
        self.low = low
        self.strict = strict
        self.taken = bytearray(len(low))  # 1 where a candidate's span lies
        self.text_start = len(low) - len(low.lstrip())
        self.found: list[Candidate] = []
        self.errors: list[tuple[int, str]] = []

    def _free(self, start: int, end: int) -> bool:
        return 1 not in self.taken[start:end]

    def _take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def _cue(self, start: int, pattern: re.Pattern[str]) -> int | None:
        """Start of the cue word right before ``start``, if any."""
        lo = max(0, start - 60)
        m = pattern.search(self.low, lo, start)
        return m.start() if m else None

    def _cited(self, start: int) -> bool:
        lo = max(0, start - 80)
        return CITATION.search(self.low, lo, start) is not None

    def _add(
        self,
        cand: Candidate,
        cue: re.Pattern[str] | None,
        build: Callable[[Candidate], None] | None = None,
    ) -> None:
        """Record ``cand`` if its span is free and, in lenient mode, it is cued."""
        if not self._free(cand.start, cand.end):
            return
        # The span is taken even when the candidate is rejected, so that a cited date
        # ("Quyết định … ngày 30 tháng 01 năm 2023") is not re-read as "năm 2023".
        self._take(cand.start, cand.end)
        if cue is not None:
            cand.cue_start = self._cue(cand.start, cue)
            at_start = cand.start <= self.text_start
            if not self.strict and cand.cue_start is None and not at_start:
                return
        if build is not None:
            try:
                build(cand)
            except Invalid as exc:
                self.errors.append((cand.start, str(exc)))
                return
        self.found.append(cand)

    def scan(self) -> None:
        low = self.low
        for m in RELATIVE.finditer(low):
            cand = Candidate("relative", m.start(), m.end(), amount=int(m.group(1)))
            cand.unit = re.sub(r"\s+", " ", m.group(2))
            if m.group(3) is None and not self.strict:
                continue  # "trong 2 ngày" alone may describe anything, not a deadline
            if m.group(3) is not None:
                base = RELATIVE_BASE.match(low, m.end())
                if base:
                    cand.end = base.end()
                    g = base.groups()
                    y, mo, d = (g[3], g[2], g[0]) if g[0] else (g[6], g[5], g[4])
                    cand.extra["base"] = (int(y), int(mo), int(d))
                else:
                    tail = RELATIVE_FROM.match(low, m.end())
                    if tail:
                        cand.end = tail.end()
            self._add(cand, None, _build_relative)
        for m in FROM_YEAR.finditer(low):
            self._add(
                Candidate("from_year", m.start(), m.end(), year=int(m.group(1))),
                None,
                _build_from_year,
            )
        for m in HALF.finditer(low):
            months = 6 if m.group(1) in ("6", "06", "sáu") else 9
            end_month = months if m.group(2) == "đầu" else 12
            year = int(m.group(3)) if m.group(3) else None
            cand = Candidate("quarter", m.start(), m.end(), year=year, end_month=end_month)
            self._add(cand, CUE_PERIOD, _build_period)
        for m in DATE_ISO.finditer(low):
            cand = Candidate(
                "date", m.start(), m.end(), int(m.group(3)), int(m.group(2)), int(m.group(1))
            )
            self._add_date(cand)
        for m in DATE_WORDS.finditer(low):
            year = int(m.group(3)) if m.group(3) else None
            self._add_date(
                Candidate("date", m.start(), m.end(), int(m.group(1)), int(m.group(2)), year)
            )
        for m in DATE_NUM.finditer(low):
            year = int(m.group(4)) if m.group(4) else None
            self._add_date(
                Candidate("date", m.start(), m.end(), int(m.group(1)), int(m.group(3)), year)
            )
        for m in DAY_ONLY.finditer(low):
            cand = Candidate("day", m.start(), m.end(), day=int(m.group(1)))
            self._add(cand, CUE_DATE, _build_day)
        for m in MONTH.finditer(low):
            year = int(m.group(2)) if m.group(2) else None
            cand = Candidate(
                "month",
                m.start(),
                m.end(),
                month=int(m.group(1)),
                year=year,
                end_month=int(m.group(1)),
            )
            self._add(cand, CUE_PERIOD, _build_period)
        for m in QUARTER.finditer(low):
            year = int(m.group(2)) if m.group(2) else None
            cand = Candidate("quarter", m.start(), m.end(), year=year)
            cand.extra["quarter"] = m.group(1)
            self._add(cand, CUE_PERIOD, _build_period)
        for m in YEAR.finditer(low):
            if GOAL_YEARS.match(low, m.end()):
                self._take(m.start(), m.end())
                continue
            cand = Candidate("year", m.start(), m.end(), year=int(m.group(1)), end_month=12)
            self._add(cand, CUE_PERIOD, _build_period)
        self.found.sort(key=lambda c: c.start)

    def _add_date(self, cand: Candidate) -> None:
        if self._free(cand.start, cand.end) and self._cited(cand.start):
            self._take(cand.start, cand.end)
            return
        self._add(cand, CUE_DATE, _build_date)


def _build_relative(c: Candidate) -> None:
    assert c.amount is not None and c.unit is not None
    if c.amount > _MAX_RELATIVE[c.unit]:
        raise Invalid(f"Số {c.unit} ({c.amount}) quá lớn. Hãy ghi một ngày cụ thể (30/8/2024).")
    if "base" in c.extra:
        y, m, d = c.extra["base"]
        c.base = make_date(y, m, d)


def _build_from_year(c: Candidate) -> None:
    assert c.year is not None
    check_year(c.year)


def _build_date(c: Candidate) -> None:
    assert c.day is not None and c.month is not None
    if c.year is None:
        _check_day_month(c.day, c.month)
    else:
        make_date(c.year, c.month, c.day)


def _build_day(c: Candidate) -> None:
    assert c.day is not None
    if not 1 <= c.day <= 31:
        raise Invalid(f"Ngày {c.day} không tồn tại: ngày trong tháng phải từ 1 đến 31.")


def _build_period(c: Candidate) -> None:
    if c.kind == "quarter" and "quarter" in c.extra:
        c.end_month = 3 * _quarter_number(c.extra["quarter"])
    assert c.end_month is not None
    _check_month(c.end_month)
    if c.year is not None:
        check_year(c.year)
