"""The web application: ``create_app()`` builds it; ``dondoc web`` serves it with uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from dondoc.settings import get_settings
from tasks.errors import DondocError
from web.render import page
from web.security import SignInRequired, secret_key

SESSION_DAYS = 7


def create_app() -> FastAPI:
    """The app, with signed HttpOnly session cookies (Secure behind https)."""
    from web.pages import (
        assignments,
        auth,
        briefing,
        dashboard,
        extensions,
        notices,
        outbox,
        portal,
        register,
        units,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # The links' visits noted since the last batch are written when the server stops.
        await run_in_threadpool(portal.write_visits)

    app = FastAPI(
        title="dondoc", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(),
        session_cookie="dondoc_phien",
        max_age=SESSION_DAYS * 24 * 3600,
        same_site="lax",
        https_only=get_settings().public_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (
        auth,
        dashboard,
        register,
        notices,
        assignments,
        extensions,
        outbox,
        briefing,
        units,
        portal,
    ):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.query_params.get("format") == "json":
            return page(request, "message.html.j2", {}, status_code=401, json={"error": "sign-in"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/dang-nhap?next={target}", status_code=303)

    @app.exception_handler(DondocError)
    async def _domain(request: Request, exc: DondocError) -> Response:
        return _message(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Không tìm thấy trang."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Không tìm thấy trang này."
        return _message(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _message(request, 422, f"Thiếu hoặc sai dữ liệu ở các ô: {fields}.")

    return app


def _message(request: Request, status: int, text: str) -> Response:
    return page(
        request,
        "message.html.j2",
        {"title": "Không thực hiện được", "message": text},
        status_code=status,
        json={"error": text},
    )
