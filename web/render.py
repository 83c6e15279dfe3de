"""One context per page, rendered as HTML (Jinja2) or, for ``?format=json``, as JSON: the
tests assert on the data, not on the markup."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import select_autoescape

from tasks.status import CATEGORIES, CATEGORY_BY_KEY

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# Escape every template's text: units type what these pages show. (Starlette's default
# autoescape matches .html, not the .html.j2 names used here.)
TEMPLATES.env.autoescape = select_autoescape(enabled_extensions=("html", "htm", "xml", "j2"))


def _day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def _moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    from tasks.reminders import local_time

    return f"{local_time(value):%d/%m/%Y %H:%M}"


def _level(key: str | None) -> str:
    """A reminder level's words in the escalation policy («Quá hạn»), not its key."""
    if not key:
        return "—"
    from tasks.escalation_policy import ASSIGNED
    from tasks.reminders import default_policy

    labels = {level.key: level.label for level in default_policy().levels}
    labels[ASSIGNED] = "Giao nhiệm vụ"
    return labels.get(key, key)


# The audit log's field names and stored words, as a clerk reads them.
FIELD_WORDS = {
    "state": "trạng thái",
    "effective_due": "hạn thực tế",
    "stated_due": "hạn ghi trong văn bản",
    "completed_on": "ngày hoàn thành",
    "evidence": "minh chứng",
    "role": "vai trò",
    "unit_id": "mã đơn vị",
    "directive_id": "mã nhiệm vụ",
    "assignment_id": "mã nhiệm vụ giao",
    "previous_due": "hạn cũ",
    "requested_due": "hạn đề nghị",
    "approved_due": "hạn được duyệt",
    "reason": "lý do",
    "requested_at": "lập lúc",
    "decided_on": "ngày quyết định",
    "decided_by": "người quyết định",
    "decision_note": "ghi chú quyết định",
    "note": "ghi chú",
}
VALUE_WORDS = {
    "open": "chưa báo cáo",
    "in_progress": "đang thực hiện",
    "done": "hoàn thành",
    "pending": "chờ quyết định",
    "approved": "đã duyệt",
    "rejected": "từ chối",
    "lead": "chủ trì",
    "support": "phối hợp",
}


def _field(name: str) -> str:
    return FIELD_WORDS.get(name, name)


def _value(value: object) -> str:
    """A stored value as text: dates dd/mm/yyyy, moments in office time, states in words."""
    if value is None or value == "":
        return "—"
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _day(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", text):
        try:
            return _moment(datetime.fromisoformat(text))
        except ValueError:
            return text
    return VALUE_WORDS.get(text, text)


TEMPLATES.env.filters["level"] = _level
TEMPLATES.env.filters["field"] = _field
TEMPLATES.env.filters["value"] = _value
TEMPLATES.env.filters["day"] = _day
TEMPLATES.env.filters["moment"] = _moment
TEMPLATES.env.globals["CATEGORIES"] = CATEGORIES
TEMPLATES.env.globals["CATEGORY_BY_KEY"] = CATEGORY_BY_KEY


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    json: Any = None,
) -> Response:
    """The page's context as HTML, or as JSON (``json`` when given, else the context)."""
    if wants_json(request):
        data = json if json is not None else context
        return JSONResponse(jsonable_encoder(_plain(data)), status_code=status_code)
    from web.security import csrf_token

    # A change's message not shown by the page itself (say, a notice just registered, shown
    # on the notice's page it redirected to) is shown once at the top of the next page.
    left = request.session.pop("flash", None)
    lines = [str(x) for x in left] if isinstance(left, list) else [str(left)] if left else []
    full = {"request": request, "csrf": csrf_token(request), "flash_lines": lines, **context}
    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request, template, full, status_code=status_code
    )
    return response


def _plain(data: Any) -> Any:
    """Objects with ``to_json()`` as their JSON; everything else as FastAPI encodes it."""
    if hasattr(data, "to_json"):
        return data.to_json()
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    return data
