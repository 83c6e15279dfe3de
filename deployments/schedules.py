"""Schedules of dondoc's flows, and serving them from one long-lived process.

The sweep runs at 08:00 Monday–Friday in Asia/Ho_Chi_Minh (``DONDOC_SWEEP_CRON``); the flow
itself sends nothing on public holidays (and a swapped working Saturday is not in this cron:
run ``dondoc remind`` that day, or add a Saturday to the cron). The monthly briefing runs at
07:00 on the 1st (``DONDOC_BRIEFING_CRON``) and reports on the month just ended.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from prefect.schedules import Cron

from tasks.errors import InputError

TIMEZONE = "Asia/Ho_Chi_Minh"
SWEEP_CRON = "0 8 * * 1-5"
BRIEFING_CRON = "0 7 1 * *"
SWEEP_DEPLOYMENT = "nhac-viec-hang-ngay"
BRIEFING_DEPLOYMENT = "bao-cao-giao-ban-hang-thang"
FOLLOW_UP_DEPLOYMENT = "theo-doi-thong-bao"


def _cron(expression: str, setting: str) -> Any:
    from cronsim import CronSim, CronSimError

    try:
        CronSim(expression, datetime.now(ZoneInfo(TIMEZONE)))
    except (CronSimError, ValueError) as exc:
        raise InputError(
            f"{setting}=«{expression}» không phải biểu thức cron hợp lệ ({exc}); "
            "ví dụ «0 8 * * 1-5» là 08:00 thứ Hai–thứ Sáu."
        ) from None
    return Cron(expression, timezone=TIMEZONE)


def sweep_schedule() -> Any:
    """08:00 on weekdays, office time zone (or DONDOC_SWEEP_CRON)."""
    from dondoc.settings import get_settings

    return _cron(get_settings().sweep_cron, "DONDOC_SWEEP_CRON")


def briefing_schedule() -> Any:
    """07:00 on the first day of each month, office time zone (or DONDOC_BRIEFING_CRON)."""
    from dondoc.settings import get_settings

    return _cron(get_settings().briefing_cron, "DONDOC_BRIEFING_CRON")


def next_sweep(now: datetime | None = None) -> datetime:
    """When the next sweep will send: the next time of its cron on a working day."""
    from cronsim import CronSim

    from dondoc.settings import get_settings
    from tasks.calendar import default_calendar

    calendar = default_calendar()
    now = now or datetime.now(ZoneInfo(TIMEZONE))
    times = CronSim(get_settings().sweep_cron, now.astimezone(ZoneInfo(TIMEZONE)))
    for _ in range(5000):  # a cron that never meets a working day gives up here
        moment = next(times)
        if calendar.is_working_day(moment.date()):
            return moment
    raise InputError("DONDOC_SWEEP_CRON không rơi vào ngày làm việc nào.")


def next_briefing(now: datetime | None = None) -> datetime:
    """When the next monthly briefing will be written."""
    from cronsim import CronSim

    from dondoc.settings import get_settings

    now = now or datetime.now(ZoneInfo(TIMEZONE))
    return next(CronSim(get_settings().briefing_cron, now.astimezone(ZoneInfo(TIMEZONE))))


def deployments() -> list[Any]:
    """The runner deployments that ``dondoc serve`` serves."""
    from flows.briefing import monthly_briefing
    from flows.reminders import follow_up_notice, reminder_sweep

    return [
        reminder_sweep.to_deployment(
            name=SWEEP_DEPLOYMENT,
            schedules=[sweep_schedule()],
            description="Nhắc việc: 08:00 các ngày làm việc (giờ Việt Nam).",
            tags=["dondoc"],
        ),
        monthly_briefing.to_deployment(
            name=BRIEFING_DEPLOYMENT,
            schedules=[briefing_schedule()],
            description="Báo cáo giao ban: 07:00 ngày 1 hằng tháng, cho tháng vừa qua.",
            tags=["dondoc"],
        ),
        follow_up_notice.to_deployment(
            name=FOLLOW_UP_DEPLOYMENT,
            description="Theo dõi một thông báo vừa đăng ký: kế hoạch nhắc việc, thư giao việc.",
            tags=["dondoc"],
        ),
    ]


def serve(say: Callable[[str], None], *, web: bool = True) -> None:
    """Serve every deployment until SIGTERM or Ctrl-C, and the web pages (``web``) in the same
    process.

    With PREFECT_API_URL set, against that server; otherwise a local Prefect server (with its
    scheduler) is started on 127.0.0.1 and stopped at the end."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from deployments.local_server import LocalPrefectServer
    from dondoc.settings import get_settings

    settings = get_settings()
    served = deployments()  # the schedules are checked before anything starts
    server: LocalPrefectServer | None = None
    pages: Any = None
    api_url = PREFECT_API_URL.value()
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        # SIGTERM stops like Ctrl-C (Prefect's runner later sets its own SIGTERM handler).
        stopping.append(signum)
        raise KeyboardInterrupt

    for s in previous:
        signal.signal(s, stop)
    try:
        if api_url:
            say(f"Máy chủ Prefect: {api_url} (PREFECT_API_URL).")
        else:
            server = LocalPrefectServer(
                home=settings.ensure_data_dir() / "prefect", port=settings.prefect_port
            )
            say(f"Khởi động máy chủ Prefect cục bộ (cơ sở dữ liệu {server.database})…")
            server.start()
            api_url = server.api_url
            os.environ["PREFECT_API_URL"] = api_url  # for the flow runs' own processes
            say(
                f"Máy chủ Prefect cục bộ: {api_url} (giao diện http://127.0.0.1:{server.port}), "
                "có bộ lập lịch."
            )
        if web:
            from web.serving import start_web

            pages = start_web(settings.web_host, settings.web_port)
            say(
                f"Trang web: http://{settings.web_host}:{settings.web_port} "
                f"(địa chỉ công khai {settings.public_url})."
            )
        sweep, briefing = next_sweep(), next_briefing()
        say(
            f"Lần nhắc việc tới: {sweep:%H:%M} {_weekday(sweep)} {sweep:%d/%m/%Y}; "
            f"báo cáo giao ban tới: {briefing:%H:%M} ngày {briefing:%d/%m/%Y}. Ctrl-C để dừng."
        )
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            _run(served)
    except (KeyboardInterrupt, SystemExit):
        pass
    except Exception:
        # A signal in the middle of a library call may come out wrapped in its own error
        # (pydantic's serializer, say): once asked to stop, stop quietly.
        if not stopping:
            raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pages is not None:
            pages.stop()
        if server is not None:
            say("Đang dừng máy chủ Prefect cục bộ…")
            server.stop()
            os.environ.pop("PREFECT_API_URL", None)
        say("Đã dừng.")


def _run(served: list[Any]) -> None:
    """Run Prefect's runner until a stop signal, which ends it the way asyncio ends Ctrl-C:
    by cancelling the main task. (Prefect's own SIGTERM handler calls ``sys.exit`` inside the
    event loop, which can surface as a SystemExit exception-group traceback.)"""
    import asyncio

    from prefect.runner import Runner

    runner = Runner(pause_on_shutdown=True)
    for deployment in served:
        runner.add_deployment(deployment)
    # asyncio installs its graceful Ctrl-C handler only over Python's default one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    runner.handle_sigterm = lambda *_args: os.kill(os.getpid(), signal.SIGINT)  # type: ignore[method-assign]
    asyncio.run(runner.start())


def _weekday(moment: datetime) -> str:
    names = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
    return names[moment.weekday()]
