"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from models.db import set_actor
from services.accounts import SignInError, authenticate
from services.database import ready_session
from web.render import page
from web.security import check_csrf

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) after signing in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/dang-nhap")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return page(request, "sign_in.html.j2", {"title": "Đăng nhập", "next": _safe_next(next)})


@router.post("/dang-nhap", dependencies=[Depends(check_csrf)])
def sign_in(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    set_actor(name.strip()[:100] or None)
    try:
        with ready_session() as session:
            try:
                user = authenticate(session=session, name=name, password=password)
            except SignInError as exc:
                error = str(exc)
                user = None
    finally:
        set_actor(None)
    if user is None:
        return page(
            request,
            "sign_in.html.j2",
            {"title": "Đăng nhập", "next": _safe_next(next), "error": error, "name": name},
            status_code=401,
            json={"error": error},
        )
    request.session.clear()  # a new session on sign-in: no fixation
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/dang-xuat", dependencies=[Depends(check_csrf)])
def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/dang-nhap", status_code=303)
