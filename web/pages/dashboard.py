"""The dashboard: the six categories as of a day, units by most overdue, overdue first."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.dashboard import dashboard
from services.database import ready_session
from tasks.errors import InputError
from tasks.fileio import parse_date_value
from tasks.status import CATEGORY_BY_KEY
from web.render import page
from web.security import SignedIn

router = APIRouter()


@router.get("/")
def dashboard_page(
    request: Request,
    user: SignedIn,
    as_of: str | None = None,
    unit: str | None = None,
    notice: str | None = None,
    status: str | None = None,
) -> Response:
    day = parse_date_value(as_of, field="Ngày") if as_of else date.today()
    if status and status not in CATEGORY_BY_KEY:
        raise InputError(f"Trạng thái «{status}» không có; chọn một trong sáu nhóm.")
    with ready_session() as session:
        board = dashboard(
            session=session,
            as_of=day,
            unit_code=unit or None,
            notice_number=notice or None,
            status=status or None,
        )
    return page(
        request,
        "dashboard.html.j2",
        {
            "title": "Tình hình thực hiện nhiệm vụ",
            "user": user,
            "board": board,
            "as_of": day,
            "filters": {"unit": unit or "", "notice": notice or "", "status": status or ""},
        },
        json=board,
    )
