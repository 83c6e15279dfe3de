"""Reporting periods, period keys of recurring directives, and progress on them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from models.notice import Assignment, Directive
from models.progress import ProgressUpdate
from models.reminder import Reminder
from tasks.errors import InputError
from tasks.notices import register_notice_file
from tasks.periods import Period, occurrence_in, parse_month, parse_period_key, period_key
from tasks.progress import find_assignment, record_progress
from tasks.reminders import plan_assignments
from tasks.units import import_directory

DATA = Path(__file__).parent / "data"


def test_calendar_month_and_15_14_boundaries() -> None:
    june = parse_month("2024-06")
    assert (june.start, june.end) == (date(2024, 6, 1), date(2024, 6, 30))
    regime = parse_month("2024-06", "15-14")
    assert (regime.start, regime.end) == (date(2024, 5, 15), date(2024, 6, 14))
    january = parse_month("01/2025", "15-14")
    assert (january.start, january.end) == (date(2024, 12, 15), date(2025, 1, 14))
    assert january.previous() == Period(2024, 12, "15-14")
    assert january.previous().end + (january.start - january.previous().end) == january.start
    assert (january.start - january.previous().end).days == 1  # no gap, no overlap
    assert Period(2024, 12).next() == Period(2025, 1)
    assert parse_month("2024-2").end == date(2024, 2, 29)  # leap year


@pytest.mark.parametrize("text", ["2024-13", "tháng 6", "2024/06/01", ""])
def test_bad_month_says_how_to_write_it(text: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM|từ 1 đến 12"):
        parse_month(text)


def test_bad_period_kind() -> None:
    with pytest.raises(InputError, match="calendar hoặc 15-14"):
        parse_month("2024-06", "quý")


def test_period_keys() -> None:
    assert period_key("monthly", date(2024, 6, 30)) == "2024-06"
    assert period_key("quarterly", date(2024, 6, 30)) == "2024-Q2"
    assert period_key("yearly", date(2024, 6, 30)) == "2024"
    assert parse_period_key("monthly", "06/2024") == "2024-06"
    assert parse_period_key("quarterly", "q3/2024") == "2024-Q3"
    assert parse_period_key("yearly", " 2025 ") == "2025"
    with pytest.raises(InputError, match="YYYY-Qn"):
        parse_period_key("quarterly", "2024-06")


def test_occurrences_in_a_period() -> None:
    june = Period(2024, 6)
    assert occurrence_in(
        recurrence="monthly", anchor=date(2024, 1, 20), start=june.start, end=june.end
    ) == [(date(2024, 6, 20), "2024-06")]
    assert occurrence_in(recurrence="monthly", anchor=None, start=june.start, end=june.end) == [
        (date(2024, 6, 30), "2024-06")
    ]
    assert occurrence_in(recurrence="quarterly", anchor=None, start=june.start, end=june.end) == [
        (date(2024, 6, 30), "2024-Q2")
    ]
    assert (
        occurrence_in(
            recurrence="quarterly", anchor=None, start=date(2024, 7, 1), end=date(2024, 7, 31)
        )
        == []
    )
    assert occurrence_in(recurrence="yearly", anchor=None, start=june.start, end=june.end) == []
    # A 15-14 period: the 20th of May falls in it, the 20th of June does not.
    regime = Period(2024, 6, "15-14")
    assert occurrence_in(
        recurrence="monthly", anchor=date(2024, 1, 20), start=regime.start, end=regime.end
    ) == [(date(2024, 5, 20), "2024-05")]
    # The 31st in a 30-day month is its last day.
    assert occurrence_in(
        recurrence="monthly", anchor=date(2024, 1, 31), start=june.start, end=june.end
    ) == [(date(2024, 6, 30), "2024-06")]


def _notice(session: Session) -> int:
    import_directory(session=session, path=DATA / "mini-units.yaml")
    notice = register_notice_file(session=session, path=DATA / "briefing-notice.yaml")
    session.commit()
    assert notice.id is not None
    return notice.id


def test_recurring_done_one_period_at_a_time(session: Session) -> None:
    notice_id = _notice(session)
    monthly = find_assignment(session=session, notice_id=notice_id, ref="3", unit_code="T-A-NV")
    assert monthly.id is not None
    plan_assignments(session=session, assignment_ids=[monthly.id], start=date(2024, 6, 3))
    session.commit()
    record_progress(
        session=session,
        assignment_id=monthly.id,
        state="done",
        on=date(2024, 6, 18),
    )
    session.commit()
    session.refresh(monthly)
    assert monthly.state == "open" and monthly.completed_on is None  # the next months go on
    update = session.exec(select(ProgressUpdate)).one()
    assert update.period == "2024-06"
    rungs = session.exec(select(Reminder).where(Reminder.assignment_id == monthly.id)).all()
    june = [r for r in rungs if r.occurrence == date(2024, 6, 20)]
    july = [r for r in rungs if r.occurrence == date(2024, 7, 22)]  # 20/7 is a Saturday
    assert june and all(r.state == "cancelled" for r in june)
    assert july and all(r.state == "planned" for r in july)
    # June's report sent late, in July, names its period.
    record_progress(
        session=session,
        assignment_id=monthly.id,
        state="done",
        on=date(2024, 8, 2),
        period="07/2024",
    )
    assert session.exec(select(ProgressUpdate.period).order_by(col(ProgressUpdate.id))).all() == [
        "2024-06",
        "2024-07",
    ]


def test_period_refused_for_a_directive_with_a_date(session: Session) -> None:
    notice_id = _notice(session)
    dated = find_assignment(session=session, notice_id=notice_id, ref="1", unit_code="T-A-NV")
    assert dated.id is not None
    with pytest.raises(InputError, match="không phải nhiệm vụ định kỳ"):
        record_progress(
            session=session,
            assignment_id=dated.id,
            state="done",
            on=date(2024, 6, 28),
            period="2024-06",
        )
    assert session.exec(select(ProgressUpdate)).all() == []
    kinds = {d.ref: (d.due_kind, d.recurrence) for d in session.exec(select(Directive)).all()}
    assert kinds["3"] == ("recurring", "monthly")
    assert session.exec(select(Assignment)).first() is not None
