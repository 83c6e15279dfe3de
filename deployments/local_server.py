"""The local Prefect server that ``dondoc serve`` starts and stops when no server is configured.

Prefect's temporary (ephemeral) server, which a flow run starts on its own, runs no scheduler:
deployments served against it never get a scheduled run. ``dondoc serve`` therefore starts a
real ``prefect server start`` (scheduler included) on 127.0.0.1, its database a SQLite file in
``DATA_DIR/prefect``, waits until it answers, and stops it when serving ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tasks.errors import DondocError


class ServerError(DondocError):
    """The local Prefect server could not be started."""


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port``."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200 and json.loads(response.read() or b"false") is True
    except (OSError, ValueError, urllib.error.URLError):
        return False


class LocalPrefectServer:
    """``prefect server start`` as a child process, on SQLite in ``home``."""

    def __init__(self, *, home: Path, port: int) -> None:
        self.home = home.resolve()
        self.port = port
        self.database = self.home / "prefect.db"
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def environment(self) -> dict[str, str]:
        """The server's environment: this one, with its home, database and no telemetry."""
        env = dict(os.environ)
        for name in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE"):
            env.pop(name, None)
        env.update(
            {
                "PREFECT_HOME": str(self.home),
                "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{self.database}",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true",
            }
        )
        return env

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait until it answers; a clear error when it cannot."""
        if port_in_use(self.port):
            raise ServerError(
                f"Cổng {self.port} trên 127.0.0.1 đang được dùng (có thể một «dondoc serve» khác "
                "đang chạy). Dừng tiến trình đó, hoặc đặt DONDOC_PREFECT_PORT sang cổng khác, "
                "hoặc đặt PREFECT_API_URL để dùng máy chủ Prefect sẵn có."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
        command += ["server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches dondoc, which stops it
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"Máy chủ Prefect dừng ngay khi khởi động (mã {self.process.returncode}). "
                    f"Xem nhật ký: {self.log_path}\n{self.log_tail()}"
                )
            if healthy(self.api_url):
                return
            time.sleep(0.5)
        self.stop()
        raise ServerError(
            f"Máy chủ Prefect chưa trả lời sau {timeout:.0f} giây. Xem nhật ký: {self.log_path}"
        )

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``grace`` seconds)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
