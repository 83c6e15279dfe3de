"""The notices: their list, and one notice with its directives and each unit's assignment
and status as of today."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.database import ready_session
from services.history import notice_detail
from services.notices import list_notices
from web.pages.assignments import not_found
from web.render import page
from web.security import SignedIn

router = APIRouter()


@router.get("/thong-bao")
def notices_page(request: Request, user: SignedIn) -> Response:
    with ready_session() as session:
        notices = list_notices(session=session)
    notices.reverse()  # the newest first: what a clerk works on
    return page(
        request,
        "notices.html.j2",
        {"title": "Thông báo đã đăng ký", "user": user, "notices": notices},
        json={"notices": notices},
    )


@router.get("/thong-bao/{notice_id}")
def notice_page(request: Request, user: SignedIn, notice_id: int) -> Response:
    today = date.today()
    with ready_session() as session:
        detail = notice_detail(session=session, notice_id=notice_id, as_of=today)
    if detail is None:
        raise not_found(f"thông báo mã {notice_id}")
    number = detail.notice.number or "(chưa có số)"
    return page(
        request,
        "notice.html.j2",
        {"title": f"Thông báo {number}", "user": user, "d": detail, "today": today},
        json=detail,
    )
