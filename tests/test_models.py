"""The model families: Create validates what an edge sends, Public shows a stored row,
and the tables keep their columns where the migrations made them."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import Session, SQLModel, select

from models.delivery import DELIVERY_STATES, Delivery, DeliveryPublic, DeliveryState
from models.notice import (
    ASSIGNMENT_STATES,
    DUE_KINDS,
    ROLES,
    Assignment,
    AssignmentCreate,
    AssignmentPublic,
    AssignmentRole,
    AssignmentState,
    Directive,
    DirectiveCreate,
    DirectivePublic,
    DueKind,
    Notice,
    NoticeCreate,
    NoticeFollowUp,
    NoticePublic,
)
from models.progress import (
    EXTENSION_STATES,
    PROGRESS_STATES,
    ExtensionRequest,
    ExtensionRequestCreate,
    ExtensionRequestPublic,
    ProgressUpdate,
    ProgressUpdateCreate,
    ProgressUpdatePublic,
)
from models.reminder import REMINDER_STATES
from models.unit import GOVERNMENT_KINDS, UNIT_KINDS, Unit, UnitCreate, UnitPublic
from tasks.progress import record_progress, request_extension
from tests.helpers import mini_scenario


def test_tuples_of_words_are_the_enums_values() -> None:
    assert DUE_KINDS == ("date", "month", "quarter", "year", "recurring", "none")
    assert ROLES == ("lead", "support")
    assert ASSIGNMENT_STATES == ("open", "in_progress", "done")
    assert PROGRESS_STATES == ("in_progress", "done")
    assert EXTENSION_STATES == ("pending", "approved", "rejected")
    # "cancelled": a period of a recurring directive reported done (tasks/progress.py).
    assert REMINDER_STATES == ("planned", "queued", "skipped", "superseded", "cancelled")
    assert DELIVERY_STATES == ("pending", "sending", "sent", "failed", "superseded")
    assert UNIT_KINDS[:3] == GOVERNMENT_KINDS == ("province", "district", "commune")
    assert all(type(word) is str for word in (*DUE_KINDS, *REMINDER_STATES, *UNIT_KINDS))
    assert AssignmentState.DONE == "done" and "done" in {AssignmentState.DONE}


@pytest.mark.parametrize(
    "table",
    [Notice, Directive, Assignment, Unit, ProgressUpdate, ExtensionRequest, Delivery],
)
def test_tables_keep_id_first_and_plain_string_defaults(table: type[SQLModel]) -> None:
    columns = [c.name for c in table.__table__.columns]  # type: ignore[attr-defined]
    assert columns[0] == "id"
    for column in table.__table__.columns:  # type: ignore[attr-defined]
        default = column.default.arg if column.default is not None else None
        assert not isinstance(default, str) or type(default) is str, column.name


def test_create_refuses_words_outside_the_set() -> None:
    with pytest.raises(ValidationError):
        AssignmentCreate(directive_id=1, unit_id=1, role="chair")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        UnitCreate(code="X", name="X", kind="planet")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        DirectiveCreate(notice_id=1, text="x", due_kind="someday")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ProgressUpdateCreate(assignment_id=1, state="finished", on=date(2024, 6, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        NoticeCreate(issuer="x" * 301, issued_on=date(2024, 6, 1))


def test_create_becomes_a_row(session: Session) -> None:
    mini_scenario(session)
    directive = session.exec(select(Directive)).first()
    unit = session.exec(select(Unit).where(Unit.code == "T-A-X1")).one()
    assert directive is not None and directive.id is not None and unit.id is not None
    # role as a plain string, as an edge sends it; pydantic turns it into the enum.
    sent = AssignmentCreate(directive_id=directive.id, unit_id=unit.id, role="support")  # type: ignore[arg-type]
    row = Assignment.model_validate(sent)
    session.add(row)
    session.commit()
    session.refresh(row)
    assert (row.role, row.state) == ("support", "open")
    assert type(row.state) is str  # tables hold plain strings, as before


def test_public_shows_a_stored_row(session: Session) -> None:
    notice = mini_scenario(session)
    shown = NoticePublic.model_validate(notice).model_dump()
    assert shown["id"] == notice.id and shown["number"] == notice.number
    assert shown["follow_up"] is NoticeFollowUp.PENDING

    directive = session.exec(select(Directive).where(Directive.notice_id == notice.id)).first()
    assert directive is not None
    assert DirectivePublic.model_validate(directive).due_kind in set(DueKind)

    assignment = session.exec(select(Assignment)).first()
    assert assignment is not None and assignment.id is not None
    public = AssignmentPublic.model_validate(assignment)
    assert (public.role, public.state) == (AssignmentRole.LEAD, AssignmentState.OPEN)
    assert public.model_dump(mode="json")["state"] == "open"

    unit = session.get(Unit, assignment.unit_id)
    assert UnitPublic.model_validate(unit).code == unit.code  # type: ignore[union-attr]

    update = record_progress(
        session=session, assignment_id=assignment.id, state="in_progress", on=date(2024, 6, 5)
    )
    assert ProgressUpdatePublic.model_validate(update).state == "in_progress"

    request = request_extension(
        session=session, assignment_id=assignment.id, to=date(2024, 12, 31), reason="Chờ số liệu"
    )
    public_request = ExtensionRequestPublic.model_validate(request)
    assert (public_request.state, public_request.requested_due) == ("pending", date(2024, 12, 31))
    asked = ExtensionRequestCreate(
        assignment_id=assignment.id, requested_due=date(2024, 12, 31), reason="x"
    )
    assert set(asked.model_dump()) == {"assignment_id", "requested_due", "reason"}


def test_delivery_public_leaves_the_message_out() -> None:
    row = Delivery(
        id=7, key="k", channel="email", recipient="a@example.gov.vn", level="assigned", body="…"
    )
    shown = DeliveryPublic.model_validate(row).model_dump()
    assert shown["state"] is DeliveryState.PENDING and shown["attempts"] == 0
    assert "body" not in shown and "html" not in shown
