"""``dondoc web``: the web pages, served by uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli.common import console, run
from dondoc.settings import get_settings
from services.database import ready_session


def web(
    host: Annotated[
        str | None, typer.Option("--host", metavar="ĐỊA_CHỈ", help="Địa chỉ lắng nghe.")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Cổng.")] = None,
) -> None:
    """Chạy trang web của văn phòng và của các đơn vị (đến khi dừng bằng Ctrl-C)."""
    import uvicorn

    from web.app import create_app

    def go() -> None:
        with ready_session():
            pass
        settings = get_settings()
        bind_host, bind_port = host or settings.web_host, port or settings.web_port
        console.print(
            f"Trang web: http://{bind_host}:{bind_port} (địa chỉ công khai {settings.public_url}). "
            "Dừng: Ctrl-C."
        )
        uvicorn.run(create_app(), host=bind_host, port=bind_port, log_level="warning")

    run(go)
