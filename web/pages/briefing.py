"""The monthly giao ban briefing: a month (calendar, or the 15th-to-14th period) shown in the
page, and downloaded as DOCX, Markdown or JSON, the documents of ``dondoc briefing``."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.database import ready_session
from services.reports import briefing_document
from services.secretariat import BRIEFING_TYPES, briefing_file
from tasks.errors import InputError
from tasks.periods import PERIOD_KINDS, parse_month
from web.render import page, wants_json
from web.security import SignedIn

router = APIRouter()

PERIOD_LABELS = {"calendar": "Cả tháng", "15-14": "Từ ngày 15 tháng trước đến ngày 14"}
DOWNLOADS = {"docx": "Word (DOCX)", "md": "Markdown", "json": "JSON"}


@router.get("/giao-ban")
def briefing_page(
    request: Request, user: SignedIn, month: str | None = None, period: str = "calendar"
) -> Response:
    chosen = parse_month(month or f"{date.today():%Y-%m}", period)
    key = f"{chosen.year}-{chosen.month:02d}"
    with ready_session() as session:
        document = briefing_document(
            session=session, period=chosen, fmt="json" if wants_json(request) else "html"
        )
    context = {
        "title": f"Báo cáo giao ban {chosen.label}",
        "user": user,
        "month": key,
        "period": chosen.kind,
        "label": chosen.label,
        "periods": {k: PERIOD_LABELS[k] for k in PERIOD_KINDS},
        "downloads": DOWNLOADS,
    }
    if wants_json(request):
        data = {k: context[k] for k in ("month", "period", "label")}
        return page(
            request, "briefing.html.j2", {}, json={**data, "briefing": json.loads(document.text)}
        )
    return page(request, "briefing.html.j2", {**context, "html": document.text})


@router.get("/giao-ban/xem")
def briefing_full_page(
    request: Request, user: SignedIn, month: str, period: str = "calendar"
) -> Response:
    """The briefing alone, as a whole page (on a phone: no frame to scroll inside a page).
    The document is the one framed on /giao-ban; like the frame it may run no script."""
    chosen = parse_month(month, period)
    with ready_session() as session:
        document = briefing_document(session=session, period=chosen, fmt="html")
    return Response(
        document.text,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/giao-ban/tai-ve")
def briefing_download(
    request: Request,
    user: SignedIn,
    month: str,
    period: str = "calendar",
    fmt: Annotated[str, Query(alias="format")] = "docx",
) -> Response:
    chosen = parse_month(month, period)
    kind = fmt.strip().lower()
    if kind not in BRIEFING_TYPES:
        raise InputError(f"Định dạng «{fmt}» không được hỗ trợ: dùng docx, md hoặc json.")
    with ready_session() as session:
        made = briefing_file(session=session, period=chosen, fmt=kind)
    return Response(
        made.content,
        media_type=made.content_type,
        headers={"Content-Disposition": f'attachment; filename="{made.file_name}"'},
    )
