"""Extension requests: the queue waiting for a decision, and approving or rejecting one
(leaders may, as the secretariat may) exactly as ``dondoc extension approve|reject`` does:
the effective due date moves and the reminder ladder restarts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from services.accounts import CAN_DECIDE
from services.database import ready_session
from services.progress import decide
from services.secretariat import extension_queue
from tasks.errors import NotFoundError
from web.pages.assignments import changing, finish, not_found
from web.render import page
from web.security import SignedIn, check_csrf

router = APIRouter()


@router.get("/gia-han")
def extensions_page(request: Request, user: SignedIn) -> Response:
    with ready_session() as session:
        queue = extension_queue(session=session)
    return page(
        request,
        "extensions.html.j2",
        {
            "title": "Đề nghị gia hạn",
            "user": user,
            "queue": queue,
            "can_decide": user.role in CAN_DECIDE,
        },
        json=queue,
    )


def _decide(
    request: Request, user: SignedIn, extension_id: int, approve: bool, note: str
) -> Response:
    try:
        with changing(user, CAN_DECIDE) as session:
            decided = decide(
                session=session,
                extension_id=extension_id,
                approve=approve,
                on=date.today(),
                note=note.strip() or None,
            )
            approved_due, previous_due = decided.approved_due, decided.previous_due
            assignment_id = decided.assignment_id
    except NotFoundError:
        raise not_found(f"đề nghị gia hạn số {extension_id}") from None
    if approve and approved_due is not None:
        old = f" (hạn cũ {previous_due:%d/%m/%Y} vẫn được lưu)" if previous_due else ""
        message = f"Đã duyệt gia hạn số {extension_id}: hạn mới {approved_due:%d/%m/%Y}{old}."
    else:
        message = f"Đã từ chối đề nghị gia hạn số {extension_id}; hạn giữ nguyên."
    return finish(
        request,
        "/gia-han",
        message,
        {
            "extension_id": extension_id,
            "assignment_id": assignment_id,
            "state": "approved" if approve else "rejected",
            "approved_due": approved_due.isoformat() if approved_due else None,
        },
    )


@router.post("/gia-han/{extension_id}/duyet", dependencies=[Depends(check_csrf)])
def approve_page(
    request: Request, user: SignedIn, extension_id: int, note: Annotated[str, Form()] = ""
) -> Response:
    return _decide(request, user, extension_id, True, note)


@router.post("/gia-han/{extension_id}/tu-choi", dependencies=[Depends(check_csrf)])
def reject_page(
    request: Request, user: SignedIn, extension_id: int, note: Annotated[str, Form()] = ""
) -> Response:
    return _decide(request, user, extension_id, False, note)
