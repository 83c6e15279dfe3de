"""Schedules of dondoc's flows, and serving them from one long-lived process.

The sweep runs at 08:00 Monday–Friday in Asia/Ho_Chi_Minh; the flow itself sends nothing on
public holidays (and a swapped working Saturday is not in this cron: run ``dondoc remind``
that day, or add a Saturday schedule). The monthly briefing runs at 07:00 on the 1st and
reports on the month just ended.
"""

from __future__ import annotations

from typing import Any

from prefect.schedules import Cron

TIMEZONE = "Asia/Ho_Chi_Minh"
SWEEP_CRON = "0 8 * * 1-5"
BRIEFING_CRON = "0 7 1 * *"


def sweep_schedule() -> Any:
    """08:00 on weekdays, office time zone."""
    return Cron(SWEEP_CRON, timezone=TIMEZONE)


def briefing_schedule() -> Any:
    """07:00 on the first day of each month, office time zone."""
    return Cron(BRIEFING_CRON, timezone=TIMEZONE)


def deployments() -> list[Any]:
    """The runner deployments that ``dondoc serve`` serves."""
    from flows.briefing import monthly_briefing
    from flows.reminders import reminder_sweep

    return [
        reminder_sweep.to_deployment(
            name="nhac-viec-hang-ngay",
            schedules=[sweep_schedule()],
            description="Nhắc việc: 08:00 các ngày làm việc (giờ Việt Nam).",
            tags=["dondoc"],
        ),
        monthly_briefing.to_deployment(
            name="bao-cao-giao-ban-hang-thang",
            schedules=[briefing_schedule()],
            description="Báo cáo giao ban: 07:00 ngày 1 hằng tháng, cho tháng vừa qua.",
            tags=["dondoc"],
        ),
    ]


def serve() -> None:
    """Serve every deployment from this process until it is stopped (Ctrl-C)."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments())
