"""One assignment and its whole history; recording a unit's progress as the CLI's
``dondoc assignment update`` does; its evidence files as downloads. Also the few steps every
page that changes data shares (``changing``, ``finish``); web.render.page shows a change's
message once, on the page it leads to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from models.db import set_actor
from models.delivery import DeliveryState
from models.progress import ProgressState
from models.web import Role, UserPublic
from services.accounts import CAN_CHANGE
from services.database import ready_session
from services.history import assignment_history, evidence_of
from services.progress import report_progress
from tasks.errors import NotFoundError
from tasks.fileio import parse_date_value
from web.render import page, wants_json
from web.security import Refused, SignedIn, check_csrf, require

router = APIRouter()


@contextmanager
def changing(user: UserPublic, roles: set[Role] = CAN_CHANGE) -> Iterator[Session]:
    """A transaction for a change this person's role allows, written to the audit log under
    their name; the actor is cleared after, so it never leaks into another request."""
    require(user, roles)
    set_actor(user.name)
    try:
        with ready_session() as session:
            yield session
    finally:
        set_actor(None)


def finish(request: Request, to: str, message: str, data: dict[str, Any] | None = None) -> Response:
    """After a change: its result as JSON, or back to ``to`` (303) showing ``message`` once."""
    if wants_json(request):
        return page(request, "message.html.j2", {}, json={"message": message, **(data or {})})
    request.session["flash"] = message
    return RedirectResponse(to, status_code=303)


def not_found(what: str) -> Refused:
    return Refused(404, f"Không tìm thấy {what}.")


STATE_LABELS = {
    ProgressState.IN_PROGRESS.value: "đang thực hiện",
    ProgressState.DONE.value: "hoàn thành",
}
DELIVERY_LABELS = {
    DeliveryState.PENDING.value: "Chờ gửi",
    DeliveryState.SENDING.value: "Đang gửi",
    DeliveryState.SENT.value: "Đã gửi",
    DeliveryState.FAILED.value: "Gửi lỗi",
    DeliveryState.SUPERSEDED.value: "Đã thay bằng bản mới",
}


@router.get("/nhiem-vu/{assignment_id}")
def assignment_page(request: Request, user: SignedIn, assignment_id: int) -> Response:
    today = date.today()
    with ready_session() as session:
        history = assignment_history(session=session, assignment_id=assignment_id, as_of=today)
    if history is None:
        raise not_found(f"nhiệm vụ giao mã {assignment_id}")
    return page(
        request,
        "assignment.html.j2",
        {
            "title": f"Nhiệm vụ giao {assignment_id}",
            "user": user,
            "h": history,
            "today": today,
            "can_change": user.role in CAN_CHANGE,
            "state_labels": STATE_LABELS,
            "delivery_states": DELIVERY_LABELS,
        },
        json=history,
    )


@router.post("/nhiem-vu/{assignment_id}/tien-do", dependencies=[Depends(check_csrf)])
def record_progress_page(
    request: Request,
    user: SignedIn,
    assignment_id: int,
    state: Annotated[str, Form()],
    on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
) -> Response:
    day = parse_date_value(on, field="Ngày") if on.strip() else date.today()
    try:
        with changing(user) as session:
            update = report_progress(
                session=session,
                assignment_id=assignment_id,
                state=state,
                on=day,
                note=note.strip() or None,
                period=period.strip() or None,
            )
            key, update_id = update.period, update.id
    except NotFoundError:
        raise not_found(f"nhiệm vụ giao mã {assignment_id}") from None
    of = f" kỳ {key}" if key else ""
    message = (
        f"Đã ghi nhận nhiệm vụ giao {assignment_id}{of}: {STATE_LABELS[state]} ngày {day:%d/%m/%Y}."
    )
    return finish(
        request,
        f"/nhiem-vu/{assignment_id}",
        message,
        {"progress_update_id": update_id, "period": key, "on": day.isoformat()},
    )


@router.get("/nhiem-vu/{assignment_id}/minh-chung/{evidence_id}")
def evidence_download(
    request: Request, user: SignedIn, assignment_id: int, evidence_id: int
) -> Response:
    with ready_session() as session:
        stored = evidence_of(session=session, assignment_id=assignment_id, evidence_id=evidence_id)
    if stored is None:
        raise not_found(f"tệp minh chứng số {evidence_id} của nhiệm vụ giao {assignment_id}")
    return FileResponse(
        stored.path,
        media_type=stored.content_type,
        filename=Path(stored.original_name).name or "minh-chung",
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )
