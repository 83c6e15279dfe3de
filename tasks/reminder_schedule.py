"""When reminders fall due and when they may go out: the due dates of a recurring directive,
the ladder of rungs around a due date (in working days), and office hours. Pure: no database."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime

from models.notice import Recurrence
from tasks.calendar import WorkCalendar, default_calendar
from tasks.escalation_policy import Policy
from tasks.periods import RECURRING_PERIODS, shift_month

_MONTHS: dict[str, int] = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


def _period_end(day: date, recurrence: str) -> date:
    if recurrence == Recurrence.MONTHLY:
        return day.replace(day=month_calendar.monthrange(day.year, day.month)[1])
    if recurrence == Recurrence.QUARTERLY:
        month = ((day.month - 1) // 3 + 1) * 3
        return date(day.year, month, month_calendar.monthrange(day.year, month)[1])
    return date(day.year, 12, 31)


def _add_period(day: date, recurrence: str) -> date:
    return shift_month(day, _MONTHS[recurrence])


def occurrences(
    *, first_due: date | None, recurrence: str | None, start: date, horizon_months: int
) -> list[date]:
    """The due dates of a recurring directive within the horizon: the anchor's day when the
    notice gives one ("trước ngày 20 hằng tháng"), else the end of each period."""
    if recurrence not in RECURRING_PERIODS:
        return []
    end = _add_period(start, Recurrence.MONTHLY)
    for _ in range(horizon_months - 1):
        end = _add_period(end, Recurrence.MONTHLY)
    day = first_due or _period_end(start, recurrence)
    out = []
    while day <= end:
        if day >= start:
            out.append(day)
        day = (
            _add_period(day, recurrence)
            if first_due
            else _period_end(_add_period(day, recurrence), recurrence)
        )
    return out


def ladder(*, due: date, policy: Policy, calendar: WorkCalendar) -> list[tuple[str, int, date]]:
    """(level, rank, day) for each rung before and after an effective due date."""
    rungs = []
    for lv in policy.levels:
        day = calendar.add_working_days(due, lv.offset) if lv.offset else calendar.roll_forward(due)
        rungs.append((lv.key, policy.rank(lv.key), day))
        for k in range(1, lv.repeat_times + 1 if lv.repeat_every else 1):
            rungs.append(
                (lv.key, policy.rank(lv.key), calendar.add_working_days(day, k * lv.repeat_every))
            )
    return rungs


def is_sending_time(moment: datetime, calendar: WorkCalendar | None = None) -> bool:
    """Reminders go out on working days in office hours only (Asia/Ho_Chi_Minh)."""
    from dondoc.settings import get_settings

    settings = get_settings()
    local = local_time(moment)
    cal = calendar or default_calendar()
    return (
        cal.is_working_day(local.date()) and settings.work_start <= local.time() < settings.work_end
    )


def local_time(moment: datetime) -> datetime:
    """``moment`` in the office time zone (a naive one is taken as office time)."""
    import pendulum

    from dondoc.settings import get_settings

    tz = pendulum.timezone(get_settings().timezone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)
