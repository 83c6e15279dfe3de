"""Sessions, CSRF tokens and roles for the web pages."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from dondoc.settings import get_settings
from models.web import Role, UserPublic
from services.accounts import get_user
from services.database import ready_session
from web.page_cache import kept_fact

CSRF_FIELD = "csrf"


def secret_key() -> str:
    """DONDOC_SECRET_KEY, else a random key kept in DATA_DIR/secret_key (mode 0600)."""
    settings = get_settings()
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path: Path = settings.ensure_data_dir() / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form that changes data sends it."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


class Refused(HTTPException):
    """A request refused with a message for the person (shown on a page, in Vietnamese)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status_code=status, detail=message)


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Refuse a form without this session's token (a forged or stale page)."""
    expected = request.session.get(CSRF_FIELD)
    if not expected or not hmac.compare_digest(str(expected), csrf):
        raise Refused(
            403,
            "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã CSRF). Tải lại trang rồi gửi lại.",
        )


class SignInRequired(Exception):
    """No signed-in person: the page sends the browser to the sign-in page."""


def current_user(request: Request) -> UserPublic:
    """The signed-in person (an account that still exists and is active)."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise SignInRequired

    def read() -> UserPublic | None:
        with ready_session() as session:
            return get_user(session=session, user_id=user_id)

    # Asked on every page: kept while nothing is committed (a change of the account is one).
    user = kept_fact(request, ("user", user_id), read)
    if user is None:
        request.session.clear()
        raise SignInRequired
    return user


SignedIn = Annotated[UserPublic, Depends(current_user)]


def require(user: UserPublic, roles: set[Role]) -> None:
    """Refuse what this person's role may not do."""
    if user.role not in roles:
        raise Refused(403, "Tài khoản của anh/chị không có quyền thực hiện việc này.")
