"""The outbox: messages waiting or given up, with their errors (recipients masked), and
putting failed ones back in the queue as ``dondoc outbox --retry`` does."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models.delivery import DeliveryState
from services.accounts import CAN_CHANGE
from services.database import ready_session
from services.outbox import DeliveryView, RetryResult, deliveries, list_outbox, retry_failed
from tasks.errors import InputError
from web.pages.assignments import DELIVERY_LABELS, changing, finish, not_found
from web.render import page
from web.security import SignedIn, check_csrf

router = APIRouter()

# What the page shows unless asked for one state: what still needs someone's attention.
NEEDS_LOOK = (DeliveryState.FAILED.value, DeliveryState.PENDING.value)


@router.get("/hop-thu-di")
def outbox_page(request: Request, user: SignedIn, state: str | None = None) -> Response:
    if state and state not in DELIVERY_LABELS:
        raise InputError(
            f"Tình trạng «{state}» không có; chọn một trong: {', '.join(DELIVERY_LABELS)}."
        )
    shown = (state,) if state else NEEDS_LOOK
    with ready_session() as session:
        rows: list[DeliveryView] = []
        for one in shown:
            rows += list_outbox(session=session, state=one)
    rows.sort(key=lambda d: d.id, reverse=True)
    failed = sum(1 for d in rows if d.state == DeliveryState.FAILED)
    return page(
        request,
        "outbox.html.j2",
        {
            "title": "Hộp thư đi",
            "user": user,
            "rows": rows,
            "state": state or "",
            "failed": failed,
            "labels": DELIVERY_LABELS,
            "can_change": user.role in CAN_CHANGE,
        },
        json={"state": state, "deliveries": rows},
    )


def _retried(request: Request, result: RetryResult) -> Response:
    ids = f" (mã {', '.join(map(str, result.retried))})" if result.retried else ""
    message = (
        f"Đã đưa {len(result.retried)} thư/tin nhắn thất bại vào hàng chờ gửi lại{ids}; "
        "lần nhắc việc tới sẽ gửi."
    )
    return finish(request, "/hop-thu-di", message, result.to_json())


@router.post("/hop-thu-di/gui-lai", dependencies=[Depends(check_csrf)])
def retry_all(request: Request, user: SignedIn) -> Response:
    with changing(user) as session:
        result = retry_failed(session=session)
    return _retried(request, result)


@router.post("/hop-thu-di/{delivery_id}/gui-lai", dependencies=[Depends(check_csrf)])
def retry_one(request: Request, user: SignedIn, delivery_id: int) -> Response:
    with changing(user) as session:
        if not deliveries(session=session, ids=[delivery_id]):
            raise not_found(f"tin số {delivery_id} trong hộp thư đi")
        result = retry_failed(session=session, ids=[delivery_id])
        if result.not_failed:
            raise InputError(
                f"Tin số {delivery_id} không ở trạng thái thất bại; không cần gửi lại."
            )
    return _retried(request, result)
