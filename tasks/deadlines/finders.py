"""The two ways in: a clerk's phrase read strictly, a directive's text searched leniently."""

from __future__ import annotations

from datetime import date, datetime

from tasks.calendar import WorkCalendar
from tasks.deadlines.lexicon import lower_same_length, normalize
from tasks.deadlines.model import (
    HOW_TO_WRITE,
    MAX_YEAR,
    MIN_YEAR,
    NO_DUE,
    DeadlineError,
    Due,
    DueKind,
)
from tasks.deadlines.resolve import Context, decide, error_message
from tasks.deadlines.scanner import Invalid, check_year


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
        return Due(DueKind.DATE, phrase, phrase.isoformat())
    if not isinstance(phrase, str):
        raise DeadlineError(f"Không hiểu thời hạn «{phrase!r}». {HOW_TO_WRITE}")
    text = normalize(phrase)
    if not text:
        return NO_DUE
    ctx = Context(issued_on, year, calendar)
    try:
        if year is not None:
            check_year(year)
        return decide(text, lower_same_length(text), ctx, strict=True)
    except DeadlineError:
        raise
    except (OverflowError, ValueError, Invalid) as exc:
        # Invalid: a bad ``year``; Overflow/ValueError: date arithmetic past year 9999 from
        # an odd issue date. Report them as deadline errors rather than crash the import.
        raise DeadlineError(error_message(text, str(exc) or "ngày vượt quá giới hạn.")) from None


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
    norm = normalize(text)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        year = None
    ctx = Context(issued_on, year, calendar)
    try:
        return decide(norm, lower_same_length(norm), ctx, strict=False)
    except (OverflowError, ValueError, Invalid):
        # Only reachable with issue dates near year 9999; such text has no usable deadline.
        return NO_DUE
