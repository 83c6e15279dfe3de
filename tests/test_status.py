"""The six status categories and their boundaries; progress and extensions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from models.audit import AuditEvent
from models.notice import Assignment
from tasks.errors import InputError, NotFoundError, StateError
from tasks.progress import decide_extension, find_assignment, record_progress, request_extension
from tasks.status import CATEGORIES, compute_status, count_by_status
from tests.helpers import mini_scenario

# The mini notice (issued Mon 03/06/2024): item 1 due Fri 30/08/2024 for Phòng Nội vụ (lead)
# and Phòng Tư pháp (support); item 2 due 30/06/2024, a Sunday, so effectively Mon 01/07/2024.


@pytest.fixture
def notice_id(session: Session) -> int:
    notice = mini_scenario(session)
    assert notice.id is not None
    return notice.id


def _status(session: Session, as_of: date, ref: str = "1", unit: str = "T-A-NV") -> str:
    rows = compute_status(session=session, as_of=as_of, unit_code=unit, due_soon_days=5)
    return next(r.status for r in rows if r.ref == ref)


def _assignment(
    session: Session, notice_id: int, ref: str = "1", unit: str = "T-A-NV"
) -> Assignment:
    return find_assignment(session=session, notice_id=notice_id, ref=ref, unit_code=unit)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 8, 1), "in_time"),
        (date(2024, 8, 22), "in_time"),  # Thu: five working days later is Thu 29/08
        (date(2024, 8, 23), "due_soon"),  # Fri: five working days later is Fri 30/08
        (date(2024, 8, 30), "due_soon"),  # due today is not overdue
        (date(2024, 8, 31), "overdue"),
        (date(2024, 12, 31), "overdue"),
    ],
)
def test_open_assignment_by_date(
    session: Session, notice_id: int, as_of: date, expected: str
) -> None:
    assert _status(session, as_of) == expected


def test_deadline_on_sunday_is_effective_monday(session: Session, notice_id: int) -> None:
    assert _status(session, date(2024, 7, 1), ref="2", unit="T-A-X1") == "due_soon"
    assert _status(session, date(2024, 7, 2), ref="2", unit="T-A-X1") == "overdue"


def test_recurring_is_no_deadline(session: Session, notice_id: int) -> None:
    assert _status(session, date(2024, 8, 1), ref="3") == "no_deadline"


@pytest.mark.parametrize(
    ("done_on", "expected"),
    [
        (date(2024, 8, 29), "done_on_time"),
        (date(2024, 8, 30), "done_on_time"),
        (date(2024, 9, 4), "done_late"),
    ],
)
def test_done_on_time_or_late(
    session: Session, notice_id: int, done_on: date, expected: str
) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    record_progress(session=session, assignment_id=a.id, state="done", on=done_on, note="xong")
    session.commit()
    assert _status(session, date(2024, 9, 30)) == expected


def test_done_one_day_late_after_the_monday_rule(session: Session, notice_id: int) -> None:
    # Stated 30/06 (Sunday), effective 01/07: done on 01/07 is on time, 02/07 late.
    a = _assignment(session, notice_id, ref="2", unit="T-A-X1")
    assert a.id is not None
    record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 7, 1))
    b = _assignment(session, notice_id, ref="2", unit="T-A-X2")
    assert b.id is not None
    record_progress(session=session, assignment_id=b.id, state="done", on=date(2024, 7, 2))
    session.commit()
    assert _status(session, date(2024, 8, 1), ref="2", unit="T-A-X1") == "done_on_time"
    assert _status(session, date(2024, 8, 1), ref="2", unit="T-A-X2") == "done_late"


def test_completion_after_the_report_date_does_not_count(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 8, 20))
    session.commit()
    assert _status(session, date(2024, 8, 19)) == "in_time"
    assert _status(session, date(2024, 8, 20)) == "done_on_time"


def test_back_to_in_progress_clears_completion(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 8, 20))
    record_progress(
        session=session,
        assignment_id=a.id,
        state="in_progress",
        on=date(2024, 8, 21),
        note="chưa đạt",
    )
    session.commit()
    assert a.completed_on is None and a.state == "in_progress"
    assert _status(session, date(2024, 8, 26)) == "due_soon"


def test_approved_extension_moves_effective_due_and_keeps_original(
    session: Session, notice_id: int
) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    req = request_extension(
        session=session, assignment_id=a.id, to=date(2024, 9, 14), reason="Chờ số liệu"
    )
    assert req.id is not None
    session.commit()
    assert _status(session, date(2024, 9, 5)) == "overdue"  # pending: nothing moves yet
    decide_extension(session=session, extension_id=req.id, approve=True, on=date(2024, 9, 2))
    session.commit()
    session.refresh(a)
    # 14/09/2024 is a Saturday: the granted date rolls to Monday 16/09.
    assert a.effective_due == date(2024, 9, 16) and a.stated_due == date(2024, 8, 30)
    assert req.previous_due == date(2024, 8, 30) and req.approved_due == date(2024, 9, 16)
    assert _status(session, date(2024, 8, 31)) == "overdue"  # before the decision
    assert _status(session, date(2024, 9, 5)) == "in_time"
    assert _status(session, date(2024, 9, 17)) == "overdue"
    record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 9, 10))
    session.commit()
    assert _status(session, date(2024, 9, 30)) == "done_on_time"


def test_rejected_extension_changes_nothing(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    req = request_extension(
        session=session, assignment_id=a.id, to=date(2024, 9, 30), reason="Thiếu người"
    )
    assert req.id is not None
    decide_extension(
        session=session,
        extension_id=req.id,
        approve=False,
        on=date(2024, 8, 28),
        note="Không đủ lý do",
    )
    session.commit()
    assert a.effective_due == date(2024, 8, 30)
    assert _status(session, date(2024, 9, 2)) == "overdue"
    with pytest.raises(StateError):
        decide_extension(session=session, extension_id=req.id, approve=True, on=date(2024, 8, 29))


def test_extension_rules(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    with pytest.raises(InputError):
        request_extension(session=session, assignment_id=a.id, to=date(2024, 8, 1), reason="x")
    request_extension(session=session, assignment_id=a.id, to=date(2024, 9, 30), reason="x")
    with pytest.raises(StateError):
        request_extension(session=session, assignment_id=a.id, to=date(2024, 10, 30), reason="y")
    recurring = _assignment(session, notice_id, ref="3")
    assert recurring.id is not None
    with pytest.raises(StateError):
        request_extension(
            session=session, assignment_id=recurring.id, to=date(2024, 9, 30), reason="x"
        )
    with pytest.raises(NotFoundError):
        request_extension(session=session, assignment_id=999999, to=date(2024, 9, 30), reason="x")


def test_progress_rules(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    with pytest.raises(InputError):
        record_progress(session=session, assignment_id=a.id, state="done", on=date(2024, 6, 1))
    with pytest.raises(InputError):
        record_progress(session=session, assignment_id=a.id, state="finished", on=date(2024, 7, 1))
    with pytest.raises(InputError):
        record_progress(session=session, assignment_id=a.id, state="done", on=date(2999, 1, 1))


def test_updates_write_audit_events_with_changes(session: Session, notice_id: int) -> None:
    a = _assignment(session, notice_id)
    assert a.id is not None
    record_progress(
        session=session,
        assignment_id=a.id,
        state="done",
        on=date(2024, 8, 20),
        evidence="https://vb.example.gov.vn/45",
    )
    session.commit()
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "assignment",
            AuditEvent.entity_id == a.id,
            AuditEvent.action == "update",
        )
    ).one()
    assert event.changes["state"] == ["open", "done"]
    assert event.changes["completed_on"] == [None, "2024-08-20"]
    support = _assignment(session, notice_id, "1", "T-A-TP")
    assert support.id is not None
    req = request_extension(
        session=session,
        assignment_id=support.id,
        to=date(2024, 9, 30),
        reason="x",
    )
    assert req.id is not None
    session.commit()
    assert session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "extension_request", AuditEvent.entity_id == req.id
        )
    ).one()


def test_every_category_and_filters(session: Session, notice_id: int) -> None:
    done = _assignment(session, notice_id, "2", "T-A-X1")
    assert done.id is not None
    record_progress(session=session, assignment_id=done.id, state="done", on=date(2024, 7, 1))
    late = _assignment(session, notice_id, "2", "T-A-X2")
    assert late.id is not None
    record_progress(session=session, assignment_id=late.id, state="done", on=date(2024, 7, 5))
    ext = _assignment(session, notice_id, "1", "T-A-TP")
    assert ext.id is not None
    req = request_extension(
        session=session, assignment_id=ext.id, to=date(2024, 10, 31), reason="x"
    )
    assert req.id is not None
    decide_extension(session=session, extension_id=req.id, approve=True, on=date(2024, 8, 20))
    session.commit()
    rows = compute_status(session=session, as_of=date(2024, 8, 26), due_soon_days=5)
    counts = count_by_status(rows)
    assert counts == {
        "done_on_time": 1,
        "done_late": 1,
        "in_time": 1,
        "due_soon": 1,
        "overdue": 1,
        "no_deadline": 2,
    }
    assert list(counts) == [c.key for c in CATEGORIES]
    only_nv = compute_status(session=session, as_of=date(2024, 8, 26), unit_code="T-A-NV")
    assert {r.unit_code for r in only_nv} == {"T-A-NV"} and len(only_nv) == 2
    assert compute_status(session=session, as_of=date(2024, 8, 26), notice_number="12/TB-VP")
    assert compute_status(session=session, as_of=date(2024, 8, 26), notice_number="99/TB-VP") == []
    # Before the notice was issued there is nothing to report.
    assert compute_status(session=session, as_of=date(2024, 6, 2)) == []
