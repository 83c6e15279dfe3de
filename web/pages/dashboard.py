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
from web.page_cache import Produced, kept_page
from web.security import SignedIn

router = APIRouter()

ROLES = {"lead": "Chủ trì", "support": "Phối hợp"}


@router.get("/")
def dashboard_page(
    request: Request,
    user: SignedIn,
    as_of: str | None = None,
    unit: str | None = None,
    notice: str | None = None,
    status: str | None = None,
    role: str | None = None,
    notice_id: str | None = None,
) -> Response:
    day = parse_date_value(as_of, field="Ngày") if as_of else date.today()
    if status and status not in CATEGORY_BY_KEY:
        raise InputError(f"Trạng thái «{status}» không có; chọn một trong sáu nhóm.")
    chosen_notice = None
    if notice_id and notice_id.strip():
        if not notice_id.strip().isdigit():
            raise InputError(f"Mã thông báo «{notice_id}» không hợp lệ: ghi một số, ví dụ 12.")
        chosen_notice = int(notice_id.strip())
    if role and role not in ROLES:
        raise InputError(f"Vai trò «{role}» không có; chọn chủ trì (lead) hoặc phối hợp (support).")
    filters = {
        "unit": unit or "",
        "notice": notice or "",
        "status": status or "",
        "role": role or "",
        "notice_id": "" if chosen_notice is None else str(chosen_notice),
    }

    def produce() -> Produced:
        with ready_session() as session:
            board = dashboard(
                session=session,
                as_of=day,
                unit_code=unit or None,
                notice_number=notice or None,
                status=status or None,
                role=role or None,
                notice_id=chosen_notice,
            )
        context = {
            "title": "Tình hình thực hiện nhiệm vụ",
            "user": user,
            "board": board,
            "as_of": day,
            "filters": filters,
            "roles": ROLES,
        }
        return "dashboard.html.j2", context, board

    # Kept while nothing is committed (see web.page_cache): who asks, as of when, filtered how.
    key = ("dashboard", user.model_dump_json(), day, tuple(filters.values()))
    return kept_page(request, key, produce)
