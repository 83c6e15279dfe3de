"""The web pages served beside the schedules (``dondoc serve``): uvicorn in a thread of the
same process, stopped with it."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

from tasks.errors import InputError


@dataclass
class WebThread:
    """A running web server; ``stop()`` ends it within a few seconds."""

    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=10)


def start_web(host: str, port: int, timeout: float = 30.0) -> WebThread:
    """Start the app on ``host:port`` in a daemon thread and wait until it answers."""
    import uvicorn

    from web.app import create_app

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise InputError(
                f"Cổng {port} trên {host} đang được dùng: đặt DONDOC_WEB_PORT khác, hoặc dừng "
                "chương trình đang dùng cổng đó."
            ) from None
    config = uvicorn.Config(create_app(), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="dondoc-web", daemon=True)
    thread.start()  # not the main thread: uvicorn leaves the signals to dondoc serve
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise InputError(f"Trang web không khởi động được trên {host}:{port}.")
        time.sleep(0.05)
    return WebThread(server=server, thread=thread)
