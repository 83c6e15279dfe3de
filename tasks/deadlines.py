"""Deadline phrases of Vietnamese administrative notices -> structured ``Due`` values.

Two entry points:

* :func:`parse_deadline` — strict, for the phrase a clerk writes in a YAML file
  (``trước ngày 30/8/2024``, ``quý II/2024``, ``hằng tháng`` …). Anything it cannot read
  raises :class:`DeadlineError` with a Vietnamese explanation.
* :func:`find_deadline` — lenient, looks for the deadline inside a whole directive
  sentence; never raises, returns ``Due(kind="none")`` when nothing usable is there.

Conventions (docs: DESIGN.md "Deadlines", eval/CONVENTIONS.md §4): the stated date is kept
as written; :func:`effective_due` moves it to the next working day (Bộ luật Dân sự 2015,
điều 148). A missing year takes the notice's year, or the next one when the date would
fall before the notice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from tasks.calendar import WorkCalendar, default_calendar

DueKind = Literal["date", "month", "quarter", "year", "recurring", "none"]
Recurrence = Literal["monthly", "quarterly", "yearly", "ongoing"]

# Years outside this range are typos ("năm 20244"), and would also break date arithmetic.
_MIN_YEAR, _MAX_YEAR = 1900, 2200
# Relative deadlines longer than ten years are typos, and would make working-day counting slow.
_MAX_RELATIVE = {"ngày": 3660, "ngày làm việc": 2600, "tuần": 520, "tháng": 120}

_HOW_TO_WRITE = (
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


# --------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------


def _normalize(text: str) -> str:
    """NFC, one space between words, no surrounding blanks."""
    text = unicodedata.normalize("NFC", text)
    # U+00D0 (Icelandic Eth) is a common mistype of the Vietnamese Đ.
    text = text.replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return re.sub(r"\s+", " ", text).strip()


def _lower_same_length(text: str) -> str:
    # Matching runs on the lowercased text but spans are cut from the original, so the
    # two must align character for character (a few exotic letters lowercase to two).
    low = text.lower()
    if len(low) == len(text):  # no letter grew: aligned (the usual case, and fast)
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# --------------------------------------------------------------------------------------
# Patterns (applied to lowercased NFC text)
# --------------------------------------------------------------------------------------

_Y = r"([0-9]{4})\b"
# "/2024", "-2024", "năm 2024", ", năm 2024"
_YEAR_TAIL = r"(?:\s*[/.\-]\s*|\s*,?\s*năm\s+)" + _Y

_RELATIVE = re.compile(
    r"\b(?:trong\s+vòng|trong\s+thời\s+hạn|trong\s+thời\s+gian|trong|không\s+quá"
    r"|chậm\s+nhất(?:\s+là)?|sau)\s+"
    r"([0-9]{1,6})\s+(ngày\s+làm\s+việc|ngày|tuần|tháng)\b"
    r"(?!\s*(?:đầu|cuối|[0-9]))"  # "6 tháng đầu năm" is a half-year, "trong ngày 30" a date
    r"(?:\s*\([^)]{0,60}\))?"
    r"(\s*,?\s*(?:kể\s+từ|tính\s+từ|từ|sau)\s+(?:ngày|khi)\b)?"
)
# The explicit starting date of a relative deadline ("… kể từ ngày 01/7/2024").
_RELATIVE_BASE = re.compile(
    r"\s*(?:([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})\s*\2\s*([0-9]{4})"
    r"|([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\s*,?\s*năm\s+([0-9]{4}))\b"
)
# What the relative deadline counts from, kept only to quote the phrase in full.
_DOC = r"(?:văn\s+bản|thông\s+báo|công\s+văn|kế\s+hoạch|quyết\s+định)(?:\s+này)?"
_RELATIVE_FROM = re.compile(
    r"\s+(?:(?:ký\s+ban\s+hành|ký|ban\s+hành|nhận\s+được)(?:\s+" + _DOC + r")?"
    r"|" + _DOC + r"\s+(?:được\s+)?(?:ký|ban\s+hành|có\s+hiệu\s+lực))\b"
)
_FROM_YEAR = re.compile(r"\b(?:kể\s+)?từ\s+năm\s+" + _Y)
_HALF = re.compile(r"\b(06|6|sáu|09|9|chín)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+" + _Y + ")?")
_DATE_ISO = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")
_DATE_WORDS = re.compile(
    r"\bngày\s+([0-9]{1,2})\s+tháng\s+([0-9]{1,2})\b(?:\s*,?\s*năm\s+" + _Y + ")?"
)
_DATE_NUM = re.compile(
    r"(?<![0-9/.\-])([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2})(?:\s*\2\s*([0-9]{4}))?(?![0-9/])"
)
# "ngày 20 hằng tháng": a day of the month without a month.
_DAY_ONLY = re.compile(r"\bngày\s+([0-9]{1,2})\b(?!\s*(?:[/.\-]\s*[0-9]|tháng\s+[0-9]))")
_MONTH = re.compile(r"\btháng\s+([0-9]{1,2})\b(?!\s*lần)(?:" + _YEAR_TAIL + ")?")
_QUARTER = re.compile(r"\bqu[ýí]\s+([ivx]+|[0-9]{1,2})\b(?:" + _YEAR_TAIL + ")?")
_YEAR = re.compile(r"\bnăm\s+" + _Y)
# "năm 2018 và những năm tiếp theo" states a goal, not a deadline.
_GOAL_YEARS = re.compile(r"\s*(?:,|và)\s*(?:những|các)\s+năm\s+(?:tiếp\s+theo|sau|tới)")

# Words before a date that make it a deadline (used by the lenient search only).
_CUE_DATE = re.compile(
    r"(?:\b(?:trước|chậm\s+nhất|muộn\s+nhất|hạn\s+chót|thời\s+hạn|hạn|xong|hoàn\s+thành"
    r"|hoàn\s+tất|đến|tới|kể\s+từ|không\s+quá|trong|vào))"
    r"(?:\s*(?:là|vào|đến|tới|trước|hết|trong|ngày|:|,))*\s*$"
)
# Plain "đến" is not enough before a period: "đến năm 2030, tỷ lệ …" states a goal.
_CUE_PERIOD = re.compile(
    r"(?:\b(?:trước|chậm\s+nhất|muộn\s+nhất|hạn\s+chót|thời\s+hạn|hạn|xong|hoàn\s+thành"
    r"|hoàn\s+tất|trong|vào|cuối|đến\s+hết|đến\s+cuối))"
    r"(?:\s*(?:là|vào|trong|trước|hết|cuối|:|,))*\s*$"
)
# A date right after a document number or a document type cites that document.
_CITATION = re.compile(
    r"(?:\b[0-9][\w.\-]*/[\w.\-/]*[^\W\d_][\w.\-/]*"
    r"|\b(?:quyết\s+định|nghị\s+định|nghị\s+quyết|thông\s+tư|thông\s+báo|công\s+văn|văn\s+bản"
    r"|báo\s+cáo|kế\s+hoạch|chỉ\s+thị|kết\s+luận|tờ\s+trình|luật|hướng\s+dẫn|quy\s+định))"
    r"\s*,?\s*(?:ngày\s*)?$"
)

_RECURRENCE_PATTERNS: list[tuple[Recurrence, re.Pattern[str]]] = [
    ("ongoing", re.compile(r"\bđịnh\s+kỳ\s*(?:hoặc|và|,|/)\s*đột\s+xuất\b")),
    ("monthly", re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+tháng\b")),
    ("quarterly", re.compile(r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+qu[ýí]\b")),
    (
        "yearly",
        re.compile(
            r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+năm\b|\bnăm\s+liền\s+kề\b"
            r"|\bnăm\s+sau\s+năm\s+báo\s+cáo\b"
        ),
    ),
    (
        "ongoing",
        re.compile(r"\b(?:thường\s+xuyên|định\s+kỳ|liên\s+tục|(?:hằng|hàng)\s+(?:ngày|tuần))\b"),
    ),
]
# Recurrence words that name a kind of thing rather than a repeated action.
_NOT_RECURRENCE_BEFORE = re.compile(r"(?:\bchi|\bkinh\s+phí|\bnăm\s+(?:và|,))\s*$")
_NOT_RECURRENCE_AFTER = re.compile(r"\s*xảy\s+ra\b")  # matched at the word's end
# "triển khai kế hoạch đào tạo, bồi dưỡng hằng năm" names a kind of plan; only making the plan
# each year ("xây dựng kế hoạch thanh tra hàng năm") is a recurring task.
_PLAN_OF_THE_YEAR = re.compile(r"\bkế\s+hoạch\b[^;.]{0,45}$")
_MAKES_THE_PLAN = re.compile(
    r"\b(?:xây\s+dựng|ban\s+hành|lập|phê\s+duyệt)\s+kế\s+hoạch\b[^;.]{0,45}$"
)

# Phrases that mean "no fixed deadline".
_NONE_WORDS = re.compile(
    r"\b(?:không(?:\s+có)?(?:\s+thời\s+hạn)?|không\s+quy\s+định|chưa\s+xác\s+định|sớm|khẩn\s+trương"
    r"|kịp\s+thời|ngay|theo\s+yêu\s+cầu|đột\s+xuất|phấn\s+đấu|(?:những|các)\s+năm\s+tiếp\s+theo)\b"
)
_ONLY_PUNCTUATION = re.compile(r"^[\s\-–—.,;:/…]*$")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_MONTH_OFFSET = [
    # (pattern, month of the quarter the day falls in: 0 first, 2 last, 3 first of next)
    (re.compile(r"tháng\s+đầu\s+(?:của\s+)?qu[ýí]\s+(?:sau|tiếp\s+theo|kế\s+tiếp)"), 3),
    (re.compile(r"tháng\s+cuối\s+(?:của\s+)?qu[ýí]"), 2),
    (re.compile(r"tháng\s+đầu\s+(?:của\s+)?qu[ýí]"), 0),
]


# --------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A candidate that looks like a deadline but is impossible (31/2, quý V, …)."""


@dataclass
class _Candidate:
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


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - timedelta(days=1)).day


def _check_year(year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _Invalid(f"Năm {year} không hợp lệ (phải trong khoảng {_MIN_YEAR}–{_MAX_YEAR}).")


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise _Invalid(f"Tháng {month} không tồn tại: tháng phải từ 1 đến 12.")


def _check_day_month(day: int, month: int) -> None:
    """A day/month pair that exists in at least one year (29/2 does, 30/2 does not)."""
    _check_month(month)
    longest = 29 if month == 2 else _days_in_month(2023, month)
    if not 1 <= day <= longest:
        raise _Invalid(
            f"Ngày {day}/{month} không tồn tại: tháng {month} có nhiều nhất {longest} ngày."
        )


def _make_date(year: int, month: int, day: int) -> date:
    _check_year(year)
    _check_day_month(day, month)
    if day > _days_in_month(year, month):
        raise _Invalid(
            f"Ngày {day}/{month}/{year} không tồn tại: tháng {month}/{year} chỉ có "
            f"{_days_in_month(year, month)} ngày."
        )
    return date(year, month, day)


def _month_end(year: int, month: int) -> date:
    _check_year(year)
    _check_month(month)
    return date(year, month, _days_in_month(year, month))


def _quarter_number(token: str) -> int:
    q = _ROMAN.get(token) if not token.isdigit() else int(token)
    if q is None or not 1 <= q <= 4:
        raise _Invalid(f"Quý «{token.upper()}» không tồn tại: quý phải từ I đến IV (hoặc 1 đến 4).")
    return q


class _Scanner:
    """Collects non-overlapping candidates from the lowercased text, most specific first.

    Linear in the text: the taken spans are marked character by character (a list of spans
    checked for each candidate made a directive of 876 KB take minutes)."""

    def __init__(self, low: str, strict: bool) -> None:
        self.low = low
        self.strict = strict
        self.taken = bytearray(len(low))  # 1 where a candidate's span lies
        self.text_start = len(low) - len(low.lstrip())
        self.found: list[_Candidate] = []
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
        return _CITATION.search(self.low, lo, start) is not None

    def _add(
        self,
        cand: _Candidate,
        cue: re.Pattern[str] | None,
        build: Callable[[_Candidate], None] | None = None,
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
            except _Invalid as exc:
                self.errors.append((cand.start, str(exc)))
                return
        self.found.append(cand)

    def scan(self) -> None:
        low = self.low
        for m in _RELATIVE.finditer(low):
            cand = _Candidate("relative", m.start(), m.end(), amount=int(m.group(1)))
            cand.unit = re.sub(r"\s+", " ", m.group(2))
            if m.group(3) is None and not self.strict:
                continue  # "trong 2 ngày" alone may describe anything, not a deadline
            if m.group(3) is not None:
                base = _RELATIVE_BASE.match(low, m.end())
                if base:
                    cand.end = base.end()
                    g = base.groups()
                    y, mo, d = (g[3], g[2], g[0]) if g[0] else (g[6], g[5], g[4])
                    cand.extra["base"] = (int(y), int(mo), int(d))
                else:
                    tail = _RELATIVE_FROM.match(low, m.end())
                    if tail:
                        cand.end = tail.end()
            self._add(cand, None, _build_relative)
        for m in _FROM_YEAR.finditer(low):
            self._add(
                _Candidate("from_year", m.start(), m.end(), year=int(m.group(1))),
                None,
                lambda c: _check_year(c.year),
            )
        for m in _HALF.finditer(low):
            months = 6 if m.group(1) in ("6", "06", "sáu") else 9
            end_month = months if m.group(2) == "đầu" else 12
            year = int(m.group(3)) if m.group(3) else None
            cand = _Candidate("quarter", m.start(), m.end(), year=year, end_month=end_month)
            self._add(cand, _CUE_PERIOD, _build_period)
        for m in _DATE_ISO.finditer(low):
            cand = _Candidate(
                "date", m.start(), m.end(), int(m.group(3)), int(m.group(2)), int(m.group(1))
            )
            self._add_date(cand)
        for m in _DATE_WORDS.finditer(low):
            year = int(m.group(3)) if m.group(3) else None
            self._add_date(
                _Candidate("date", m.start(), m.end(), int(m.group(1)), int(m.group(2)), year)
            )
        for m in _DATE_NUM.finditer(low):
            year = int(m.group(4)) if m.group(4) else None
            self._add_date(
                _Candidate("date", m.start(), m.end(), int(m.group(1)), int(m.group(3)), year)
            )
        for m in _DAY_ONLY.finditer(low):
            cand = _Candidate("day", m.start(), m.end(), day=int(m.group(1)))
            self._add(cand, _CUE_DATE, _build_day)
        for m in _MONTH.finditer(low):
            year = int(m.group(2)) if m.group(2) else None
            cand = _Candidate(
                "month",
                m.start(),
                m.end(),
                month=int(m.group(1)),
                year=year,
                end_month=int(m.group(1)),
            )
            self._add(cand, _CUE_PERIOD, _build_period)
        for m in _QUARTER.finditer(low):
            year = int(m.group(2)) if m.group(2) else None
            cand = _Candidate("quarter", m.start(), m.end(), year=year)
            cand.extra["quarter"] = m.group(1)
            self._add(cand, _CUE_PERIOD, _build_period)
        for m in _YEAR.finditer(low):
            if _GOAL_YEARS.match(low, m.end()):
                self._take(m.start(), m.end())
                continue
            cand = _Candidate("year", m.start(), m.end(), year=int(m.group(1)), end_month=12)
            self._add(cand, _CUE_PERIOD, _build_period)
        self.found.sort(key=lambda c: c.start)

    def _add_date(self, cand: _Candidate) -> None:
        if self._free(cand.start, cand.end) and self._cited(cand.start):
            self._take(cand.start, cand.end)
            return
        self._add(cand, _CUE_DATE, _build_date)


def _build_relative(c: _Candidate) -> None:
    assert c.amount is not None and c.unit is not None
    if c.amount > _MAX_RELATIVE[c.unit]:
        raise _Invalid(f"Số {c.unit} ({c.amount}) quá lớn. Hãy ghi một ngày cụ thể (30/8/2024).")
    if "base" in c.extra:
        y, m, d = c.extra["base"]
        c.base = _make_date(y, m, d)


def _build_date(c: _Candidate) -> None:
    assert c.day is not None and c.month is not None
    if c.year is None:
        _check_day_month(c.day, c.month)
    else:
        _make_date(c.year, c.month, c.day)


def _build_day(c: _Candidate) -> None:
    assert c.day is not None
    if not 1 <= c.day <= 31:
        raise _Invalid(f"Ngày {c.day} không tồn tại: ngày trong tháng phải từ 1 đến 31.")


def _build_period(c: _Candidate) -> None:
    if c.kind == "quarter" and "quarter" in c.extra:
        c.end_month = 3 * _quarter_number(c.extra["quarter"])
    assert c.end_month is not None
    _check_month(c.end_month)
    if c.year is not None:
        _check_year(c.year)


# --------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------


@dataclass
class _Context:
    issued_on: date | None
    year: int | None
    calendar: WorkCalendar | None


def _with_missing_year(make: Callable[[int], date], ctx: _Context) -> date:
    """``make(year) -> date`` for a phrase without a year: the notice's year, or the next."""
    if ctx.issued_on is not None:
        d: date = make(ctx.issued_on.year)
        return make(ctx.issued_on.year + 1) if d < ctx.issued_on else d
    if ctx.year is not None:
        return make(ctx.year)
    raise _Invalid(
        "Thời hạn không ghi năm và chưa biết ngày ban hành của thông báo, nên không xác định "
        "được năm. Hãy ghi đủ ngày/tháng/năm (ví dụ 15/7/2024)."
    )


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, _days_in_month(y, m + 1)))


def _concrete(c: _Candidate, ctx: _Context) -> tuple[DueKind, date]:
    """Kind and date of a one-off candidate (raises _Invalid)."""
    if c.kind == "date":
        assert c.day is not None and c.month is not None
        if c.year is not None:
            return "date", _make_date(c.year, c.month, c.day)
        day, month = c.day, c.month
        return "date", _with_missing_year(lambda y: _make_date(y, month, day), ctx)
    if c.kind in ("month", "quarter", "year"):
        assert c.end_month is not None
        end_month = c.end_month
        if c.year is not None:
            return c.kind, _month_end(c.year, end_month)  # type: ignore[return-value]
        return c.kind, _with_missing_year(  # type: ignore[return-value]
            lambda y: _month_end(y, end_month), ctx
        )
    if c.kind == "from_year":
        assert c.year is not None
        return "date", date(c.year, 1, 1)
    if c.kind == "relative":
        return "date", _relative_date(c, ctx)
    raise _Invalid("Không xác định được ngày.")


def _relative_date(c: _Candidate, ctx: _Context) -> date:
    assert c.amount is not None and c.unit is not None
    base = c.base or ctx.issued_on
    if base is None:
        raise _Invalid(
            "Thời hạn này tính từ ngày ký/ban hành nhưng chưa có ngày ban hành của thông báo. "
            "Hãy ghi ngày ban hành của thông báo, hoặc ghi thẳng một ngày cụ thể (30/8/2024)."
        )
    if c.unit == "ngày làm việc":
        return (ctx.calendar or default_calendar()).add_working_days(base, c.amount)
    if c.unit == "tuần":
        return base + timedelta(weeks=c.amount)
    if c.unit == "tháng":
        return _add_months(base, c.amount)
    return base + timedelta(days=c.amount)


def _find_recurrence(low: str) -> tuple[Recurrence, int, int] | None:
    """First periodic word (monthly/quarterly/yearly), else first ongoing one."""
    hits: list[tuple[int, int, Recurrence]] = []
    for rec, pattern in _RECURRENCE_PATTERNS:
        for m in pattern.finditer(low):
            if _NOT_RECURRENCE_BEFORE.search(low, max(0, m.start() - 20), m.start()):
                continue
            if _NOT_RECURRENCE_AFTER.match(low, m.end()):
                continue
            before = low[max(0, m.start() - 70) : m.start()]
            if (
                "năm" in m.group(0)
                and _PLAN_OF_THE_YEAR.search(before)
                and not _MAKES_THE_PLAN.search(before)
                and "báo cáo" not in before
            ):
                continue
            hits.append((m.start(), m.end(), rec))
    if not hits:
        return None
    hits.sort()
    periodic = [h for h in hits if h[2] != "ongoing"]
    start, end, rec = (periodic or hits)[0]
    if rec == "ongoing":
        # Prefer the longest ongoing phrase starting there ("định kỳ hoặc đột xuất").
        end = max(h[1] for h in hits if h[0] == start)
    return rec, start, end


def _first_occurrence(
    anchor: _Candidate, rec: Recurrence, low: str, from_year: int | None, ctx: _Context
) -> tuple[Recurrence, date | None] | None:
    """First due date of an anchored recurring deadline on or after the notice date.

    Returns None when the anchor does not fit the recurrence (a bare day with "hằng năm").
    """
    start = ctx.issued_on
    if from_year is not None:
        jan1 = date(from_year, 1, 1)
        start = jan1 if start is None or start < jan1 else start
    if start is None and ctx.year is not None:
        start = date(ctx.year, 1, 1)  # blank issue date but printed year: that year's first

    if anchor.kind in ("date", "month"):
        assert anchor.month is not None
        month = anchor.month
        day = anchor.day  # None: end of the month ("trong tháng 6 hằng năm")
        rec = "yearly" if rec == "ongoing" else rec
        if start is None:
            return rec, None

        def occ(y: int) -> date:
            last = _days_in_month(y, month)
            return date(y, month, last if day is None else min(day, last))

        d = occ(start.year)
        return rec, d if d >= start else occ(start.year + 1)

    if anchor.kind == "day" and rec in ("monthly", "quarterly"):
        assert anchor.day is not None
        dom = anchor.day
        if start is None:
            return rec, None
        if rec == "monthly":
            step, first, offset = 1, start.month, 0
        else:
            offset = 2  # "hằng quý, trước ngày 15": the last month of the quarter by default
            for pattern, value in _QUARTER_MONTH_OFFSET:
                if pattern.search(low):
                    offset = value
                    break
            step, first = 3, (start.month - 1) // 3 * 3 + 1
        for k in range(6):
            y, m0 = divmod(start.year * 12 + first - 1 + offset + k * step, 12)
            d = date(y, m0 + 1, min(dom, _days_in_month(y, m0 + 1)))
            if d >= start:
                return rec, d
    return None


def _decide(text: str, low: str, ctx: _Context, strict: bool) -> Due:
    """Shared core of parse_deadline / find_deadline."""
    scanner = _Scanner(low, strict)
    scanner.scan()
    if strict and scanner.errors:
        raise DeadlineError(_error_message(text, min(scanner.errors)[1]))

    found = scanner.found
    recurrence = _find_recurrence(low)
    from_years = [c for c in found if c.kind == "from_year"]
    from_year = from_years[0].year if (recurrence and from_years) else None

    def phrase(start: int, end: int) -> str:
        return text if strict else text[start:end].strip(" ,;:.")

    # A concrete deadline wins over a recurrence word; several concrete ones: the first.
    for c in found:
        if c.kind == "day":
            continue
        if recurrence is not None:
            if c.kind == "from_year":
                continue
            if c.kind in ("date", "month") and c.year is None:
                continue  # a year-less date next to "hằng năm" is the recurring anchor
        try:
            kind, d = _concrete(c, ctx)
        except _Invalid as exc:
            if strict:
                raise DeadlineError(_error_message(text, str(exc))) from None
            continue
        return Due(kind=kind, date=d, text=phrase(c.text_start, c.end))

    if recurrence is not None:
        rec, r_start, r_end = recurrence
        anchors = [c for c in found if c.kind in ("date", "month", "day") and c.year is None]
        for anchor in anchors:
            result = _first_occurrence(anchor, rec, low, from_year, ctx)
            if result is not None:
                span = (min(anchor.text_start, r_start), max(anchor.end, r_end))
                return Due("recurring", result[1], phrase(*span), result[0])
        return Due("recurring", None, phrase(r_start, r_end), rec)

    if not strict:
        return NO_DUE
    if _NONE_WORDS.search(low) or _ONLY_PUNCTUATION.match(low):
        return Due("none", None, text or None)
    raise DeadlineError(f"Không hiểu thời hạn «{text}». {_HOW_TO_WRITE}")


def _error_message(text: str, detail: str) -> str:
    return f"Thời hạn «{text}»: {detail}"


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def parse_deadline(
    phrase: str | date | None,
    *,
    issued_on: date | None,
    calendar: WorkCalendar | None = None,
    year: int | None = None,
) -> Due:
    """Read the deadline phrase a clerk wrote (strict).

    Args:
        phrase: e.g. "trước ngày 30/8/2024", "quý II/2024", "hằng tháng"; a ``date`` is
            taken as is; None or "" means no deadline.
        issued_on: the notice's date (for a missing year and relative deadlines).
        calendar: working-day calendar for "… ngày làm việc"; the shipped one by default.
        year: the notice's year when its full date is unknown (blank issue date).

    Raises:
        DeadlineError: the phrase is not understood or names a date that does not exist.
    """
    if phrase is None:
        return NO_DUE
    if isinstance(phrase, datetime):
        phrase = phrase.date()
    if isinstance(phrase, date):
        return Due("date", phrase, phrase.isoformat())
    if not isinstance(phrase, str):
        raise DeadlineError(f"Không hiểu thời hạn «{phrase!r}». {_HOW_TO_WRITE}")
    text = _normalize(phrase)
    if not text:
        return NO_DUE
    ctx = _Context(issued_on, year, calendar)
    try:
        if year is not None:
            _check_year(year)
        return _decide(text, _lower_same_length(text), ctx, strict=True)
    except DeadlineError:
        raise
    except (OverflowError, ValueError, _Invalid) as exc:
        # _Invalid: a bad ``year``; Overflow/ValueError: date arithmetic past year 9999 from
        # an odd issue date. Report them as deadline errors rather than crash the import.
        raise DeadlineError(_error_message(text, str(exc) or "ngày vượt quá giới hạn.")) from None


def find_deadline(
    text: str,
    *,
    issued_on: date | None,
    calendar: WorkCalendar | None = None,
    year: int | None = None,
) -> Due:
    """Find the deadline inside a directive's text (lenient; never raises for bad input).

    Dates citing documents and the notice's own date are ignored; with several deadlines the
    first is taken; a dated deadline wins over a recurrence word. ``text`` of the result is
    the deadline phrase cut from the directive.
    """
    if not text:
        return NO_DUE
    norm = _normalize(text)
    if year is not None and not _MIN_YEAR <= year <= _MAX_YEAR:
        year = None
    ctx = _Context(issued_on, year, calendar)
    try:
        return _decide(norm, _lower_same_length(norm), ctx, strict=False)
    except (OverflowError, ValueError, _Invalid):
        # Only reachable with issue dates near year 9999; such text has no usable deadline.
        return NO_DUE


def effective_due(due: Due, calendar: WorkCalendar | None = None) -> date | None:
    """The stated date moved to the next working day (BLDS 2015 điều 148); None if no date."""
    if due.date is None:
        return None
    return (calendar or default_calendar()).roll_forward(due.date)
