"""``dondoc serve``: a local Prefect server with its scheduler, a scheduled sweep that really
runs, a clean stop on SIGTERM and Ctrl-C, and Prefect's own CLI against the pinned versions."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployments.local_server import healthy
from notifications.mailbox import free_port
from tests.helpers import prefect_api

BIN = Path(sys.executable).parent
DONDOC = BIN / "dondoc"


@dataclass
class Served:
    """A ``dondoc serve`` child process and what it printed so far."""

    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"«{text}» not printed in {timeout} s:\n{self.output}")

    def stop(self, signum: int, timeout: float = 15) -> float:
        started = time.monotonic()
        self.process.send_signal(signum)
        self.process.wait(timeout=timeout)
        return time.monotonic() - started


def _env(data: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DONDOC_", "PREFECT_"))}
    env.update(
        {
            "DONDOC_DATA_DIR": str(data),
            "DONDOC_PREFECT_PORT": str(port),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",  # faster start; the UI is not under test
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(**extra: str) -> Served:
        data, port = tmp_path / "data", free_port()
        env = _env(data, port, **{"DONDOC_WEB_PORT": str(free_port()), **extra})
        subprocess.run([str(DONDOC), "init"], env=env, check=True, capture_output=True)
        process = subprocess.Popen(
            [str(DONDOC), "serve"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = Served(process=process, port=port)
        stdout = process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: served.lines.extend(stdout), daemon=True).start()
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()


def test_serve_runs_a_scheduled_sweep_and_stops_on_sigterm(serve: Callable[..., Served]) -> None:
    served = serve(
        DONDOC_SWEEP_CRON="* * * * *",  # every minute, so that a run comes within the test
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
        PREFECT_RUNNER_POLL_FREQUENCY="2",
    )
    served.wait_for("Lần nhắc việc tới", timeout=150)
    assert f"Máy chủ Prefect cục bộ: {served.api_url}" in served.output
    assert "có bộ lập lịch" in served.output
    # The web pages are served by the same process.
    web = re.search(r"Trang web: (http://127\.0\.0\.1:\d+)", served.output)
    assert web, served.output
    page = httpx.get(web.group(1) + "/dang-nhap", timeout=10)
    assert page.status_code == 200 and "Đăng nhập" in page.text
    # Prefect's own CLI against this server, with the installed (pinned) FastAPI/SQLAlchemy.
    # The runner registers the deployments after the schedules are announced: ask until the
    # three are there (a loaded machine takes seconds).
    names = ("nhac-viec-hang-ngay", "bao-cao-giao-ban-hang-thang", "theo-doi-thong-bao")
    deadline = time.monotonic() + 90
    while True:
        listed = subprocess.run(
            [str(BIN / "prefect"), "deployment", "ls"],
            env={
                **_env(Path("."), served.port),
                "PREFECT_API_URL": served.api_url,
                "COLUMNS": "250",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stdout + listed.stderr
        if all(name in listed.stdout for name in names) or time.monotonic() > deadline:
            break
        time.sleep(2)
    for name in names:
        assert name in listed.stdout
    # The scheduler creates runs of the sweep; the served process runs one to completion.
    deadline = time.monotonic() + 150
    done: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not done:
        runs = prefect_api(
            served.api_url, "/flow_runs/filter", {"limit": 50, "sort": "EXPECTED_START_TIME_ASC"}
        )
        scheduled = [r for r in runs if r["auto_scheduled"]]
        done = [r for r in scheduled if r["state_type"] == "COMPLETED"]
        time.sleep(2)
    assert done, f"no scheduled run completed:\n{served.output}"
    assert done[0]["name"].startswith("nhac-viec-2")  # named after its moment, not "None"
    took = served.stop(signal.SIGTERM)
    assert took < 15 and served.process.returncode == 0
    assert "Đã dừng." in served.output and "Traceback" not in served.output
    assert not healthy(served.api_url)
    with pytest.raises(httpx.TransportError):
        httpx.get(web.group(1) + "/dang-nhap", timeout=5)


def test_serve_stops_on_ctrl_c_while_waiting(serve: Callable[..., Served]) -> None:
    served = serve()
    served.wait_for("Lần nhắc việc tới", timeout=150)
    took = served.stop(signal.SIGINT)
    assert took < 15 and served.process.returncode == 0, served.output
    assert "Đã dừng." in served.output and "Traceback" not in served.output
    assert not healthy(served.api_url)


def test_serve_says_when_its_port_is_taken(serve: Callable[..., Served]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        served = serve(DONDOC_PREFECT_PORT=str(port))
        served.process.wait(timeout=60)
    assert served.process.returncode == 2
    assert f"Cổng {port}" in served.output and "DONDOC_PREFECT_PORT" in served.output
    assert "Traceback" not in served.output


def test_serve_refuses_a_bad_cron(serve: Callable[..., Served]) -> None:
    served = serve(DONDOC_SWEEP_CRON="8 giờ sáng")
    served.process.wait(timeout=60)
    assert served.process.returncode == 2
    assert "DONDOC_SWEEP_CRON" in served.output and "Traceback" not in served.output
