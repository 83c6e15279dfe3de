"""Candidates -> the deadline: which one counts, its date, its recurrence, the working day."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tasks.calendar import WorkCalendar, default_calendar
from tasks.deadlines.lexicon import (
    MAKES_THE_PLAN,
    NONE_WORDS,
    NOT_RECURRENCE_AFTER,
    NOT_RECURRENCE_BEFORE,
    ONLY_PUNCTUATION,
    PLAN_OF_THE_YEAR,
    QUARTER_MONTH_OFFSET,
    RECURRENCE_PATTERNS,
)
from tasks.deadlines.model import HOW_TO_WRITE, NO_DUE, DeadlineError, Due, DueKind, Recurrence
from tasks.deadlines.scanner import (
    Candidate,
    Invalid,
    Scanner,
    days_in_month,
    make_date,
    month_end,
)


@dataclass
class Context:
    issued_on: date | None
    year: int | None
    calendar: WorkCalendar | None


def _with_missing_year(make: Callable[[int], date], ctx: Context) -> date:
    """``make(year) -> date`` for a phrase without a year: the notice's year, or the next."""
    if ctx.issued_on is not None:
        d: date = make(ctx.issued_on.year)
        return make(ctx.issued_on.year + 1) if d < ctx.issued_on else d
    if ctx.year is not None:
        return make(ctx.year)
    raise Invalid(
        "Thời hạn không ghi năm và chưa biết ngày ban hành của thông báo, nên không xác định "
        "được năm. Hãy ghi đủ ngày/tháng/năm (ví dụ 15/7/2024)."
    )


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, days_in_month(y, m + 1)))


def _concrete(c: Candidate, ctx: Context) -> tuple[DueKind, date]:
    """Kind and date of a one-off candidate (raises Invalid)."""
    if c.kind == "date":
        assert c.day is not None and c.month is not None
        if c.year is not None:
            return DueKind.DATE, make_date(c.year, c.month, c.day)
        day, month = c.day, c.month
        return DueKind.DATE, _with_missing_year(lambda y: make_date(y, month, day), ctx)
    if c.kind in ("month", "quarter", "year"):
        assert c.end_month is not None
        end_month = c.end_month
        if c.year is not None:
            return DueKind(c.kind), month_end(c.year, end_month)
        return DueKind(c.kind), _with_missing_year(lambda y: month_end(y, end_month), ctx)
    if c.kind == "from_year":
        assert c.year is not None
        return DueKind.DATE, date(c.year, 1, 1)
    if c.kind == "relative":
        return DueKind.DATE, _relative_date(c, ctx)
    raise Invalid("Không xác định được ngày.")


def _relative_date(c: Candidate, ctx: Context) -> date:
    assert c.amount is not None and c.unit is not None
    base = c.base or ctx.issued_on
    if base is None:
        raise Invalid(
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
    for rec, pattern in RECURRENCE_PATTERNS:
        for m in pattern.finditer(low):
            if NOT_RECURRENCE_BEFORE.search(low, max(0, m.start() - 20), m.start()):
                continue
            if NOT_RECURRENCE_AFTER.match(low, m.end()):
                continue
            before = low[max(0, m.start() - 70) : m.start()]
            if (
                "năm" in m.group(0)
                and PLAN_OF_THE_YEAR.search(before)
                and not MAKES_THE_PLAN.search(before)
                and "báo cáo" not in before
            ):
                continue
            hits.append((m.start(), m.end(), rec))
    if not hits:
        return None
    hits.sort()
    periodic = [h for h in hits if h[2] != Recurrence.ONGOING]
    start, end, rec = (periodic or hits)[0]
    if rec == Recurrence.ONGOING:
        # Prefer the longest ongoing phrase starting there ("định kỳ hoặc đột xuất").
        end = max(h[1] for h in hits if h[0] == start)
    return rec, start, end


def _first_occurrence(
    anchor: Candidate, rec: Recurrence, low: str, from_year: int | None, ctx: Context
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
        rec = Recurrence.YEARLY if rec == Recurrence.ONGOING else rec
        if start is None:
            return rec, None

        def occ(y: int) -> date:
            last = days_in_month(y, month)
            return date(y, month, last if day is None else min(day, last))

        d = occ(start.year)
        return rec, d if d >= start else occ(start.year + 1)

    if anchor.kind == "day" and rec in (Recurrence.MONTHLY, Recurrence.QUARTERLY):
        assert anchor.day is not None
        dom = anchor.day
        if start is None:
            return rec, None
        if rec == Recurrence.MONTHLY:
            step, first, offset = 1, start.month, 0
        else:
            offset = 2  # "hằng quý, trước ngày 15": the last month of the quarter by default
            for pattern, value in QUARTER_MONTH_OFFSET:
                if pattern.search(low):
                    offset = value
                    break
            step, first = 3, (start.month - 1) // 3 * 3 + 1
        for k in range(6):
            y, m0 = divmod(start.year * 12 + first - 1 + offset + k * step, 12)
            d = date(y, m0 + 1, min(dom, days_in_month(y, m0 + 1)))
            if d >= start:
                return rec, d
    return None


# «từ nay đến» / «từ nay tới» / «từ nay cho đến» just before a deadline expression.
_SPAN_FROM_NOW_RE = re.compile(r"\btừ\s+(?:nay|bây giờ)\s+(?:cho\s+)?(?:đến|tới)?\s*$")


_LOOKING_BACK_RE = re.compile(r"\s*(?:trở\s+)?về\s+trước\b")
_FROM_RE = re.compile(r"(?:kể\s+)?từ\b")


def decide(text: str, low: str, ctx: Context, strict: bool) -> Due:
    """Shared core of parse_deadline / find_deadline."""
    scanner = Scanner(low, strict)
    scanner.scan()
    if strict and scanner.errors:
        raise DeadlineError(error_message(text, min(scanner.errors)[1]))

    found = scanner.found
    recurrence = _find_recurrence(low)
    from_years = [c for c in found if c.kind == "from_year"]
    from_year = from_years[0].year if (recurrence and from_years) else None

    def phrase(start: int, end: int) -> str:
        return text if strict else text[start:end].strip(" ,;:.")

    # A concrete deadline wins over a recurrence word; several concrete ones: the first —
    # except a span «từ nay đến cuối năm 2025» qualifying a noun («Kế hoạch cao điểm … từ nay
    # đến cuối năm 2025, trình … trong tháng 10/2025») when a later deadline follows it.
    # A starting point («từ năm 2024», «kể từ ngày 01/7/2026») gives way to a deadline after
    # it too, and a bound looking back («từ năm 2024 trở về trước») is never a deadline.
    concrete = [
        c for c in found if c.kind != "day" and not _LOOKING_BACK_RE.match(low, c.end, c.end + 20)
    ]
    for i, c in enumerate(concrete):
        later = i + 1 < len(concrete)
        if later and (
            _SPAN_FROM_NOW_RE.search(low, max(0, c.text_start - 30), c.text_start)
            or c.kind == "from_year"
            or _FROM_RE.match(low, c.text_start, c.start)
        ):
            continue
        if recurrence is not None:
            if c.kind == "from_year":
                continue
            if c.kind in ("date", "month") and c.year is None:
                continue  # a year-less date next to "hằng năm" is the recurring anchor
        try:
            kind, d = _concrete(c, ctx)
        except Invalid as exc:
            if strict:
                raise DeadlineError(error_message(text, str(exc))) from None
            continue
        return Due(kind=kind, date=d, text=phrase(c.text_start, c.end))

    if recurrence is not None:
        rec, r_start, r_end = recurrence
        anchors = [c for c in found if c.kind in ("date", "month", "day") and c.year is None]
        for anchor in anchors:
            result = _first_occurrence(anchor, rec, low, from_year, ctx)
            if result is not None:
                span = (min(anchor.text_start, r_start), max(anchor.end, r_end))
                return Due(DueKind.RECURRING, result[1], phrase(*span), result[0])
        return Due(DueKind.RECURRING, None, phrase(r_start, r_end), rec)

    if not strict:
        return NO_DUE
    if NONE_WORDS.search(low) or ONLY_PUNCTUATION.match(low):
        return Due(DueKind.NONE, None, text or None)
    raise DeadlineError(f"Không hiểu thời hạn «{text}». {HOW_TO_WRITE}")


def error_message(text: str, detail: str) -> str:
    return f"Thời hạn «{text}»: {detail}"


def effective_due(due: Due, calendar: WorkCalendar | None = None) -> date | None:
    """The stated date moved to the next working day (BLDS 2015 điều 148); None if no date."""
    if due.date is None:
        return None
    return (calendar or default_calendar()).roll_forward(due.date)
