"""Schedules, the served deployments and prefect.yaml."""

from __future__ import annotations

import importlib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from cronsim import CronSim

from deployments.schedules import (
    BRIEFING_CRON,
    BRIEFING_DEPLOYMENT,
    FOLLOW_UP_DEPLOYMENT,
    SWEEP_CRON,
    SWEEP_DEPLOYMENT,
    TIMEZONE,
    deployments,
    next_sweep,
    sweep_schedule,
)
from dondoc.caches import reset_caches
from flows.reminders import FOLLOW_UP_DEPLOYMENT as FOLLOW_UP
from tasks.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_sweep_runs_at_eight_on_weekdays_in_vietnam() -> None:
    start = datetime(2024, 8, 30, 9, 0, tzinfo=ZoneInfo(TIMEZONE))  # Friday, after the run
    runs = CronSim(SWEEP_CRON, start)
    nxt = [next(runs) for _ in range(3)]
    assert [(d.weekday(), d.hour, d.minute) for d in nxt] == [(0, 8, 0), (1, 8, 0), (2, 8, 0)]
    schedule = sweep_schedule()
    assert schedule.cron == SWEEP_CRON and schedule.timezone == "Asia/Ho_Chi_Minh"
    first = next(CronSim(BRIEFING_CRON, start))
    assert (first.day, first.hour) == (1, 7)


def test_served_deployments() -> None:
    sweep, briefing, follow_up = deployments()
    assert sweep.name == SWEEP_DEPLOYMENT == "nhac-viec-hang-ngay"
    assert sweep.schedules[0].schedule.cron == SWEEP_CRON
    assert briefing.name == BRIEFING_DEPLOYMENT == "bao-cao-giao-ban-hang-thang"
    assert briefing.schedules[0].schedule.cron == BRIEFING_CRON
    assert briefing.schedules[0].schedule.timezone == TIMEZONE
    assert follow_up.name == FOLLOW_UP_DEPLOYMENT and not follow_up.schedules
    assert f"{follow_up.flow_name}/{follow_up.name}" == FOLLOW_UP


def test_schedules_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("DONDOC_SWEEP_CRON", "30 7 * * 1-6")
    reset_caches()
    try:
        assert sweep_schedule().cron == "30 7 * * 1-6"
        # Friday 30/08/2024 after 07:30: Saturday 31/08 to Tuesday 03/09 are the National Day
        # holiday, so the next sweep that sends is Wednesday 04/09.
        after = datetime(2024, 8, 30, 9, 0, tzinfo=ZoneInfo(TIMEZONE))
        assert next_sweep(after) == datetime(2024, 9, 4, 7, 30, tzinfo=ZoneInfo(TIMEZONE))
        monkeypatch.setenv("DONDOC_SWEEP_CRON", "0 8 * * 1")  # Mondays only
        reset_caches()
        sunday = datetime(2024, 9, 1, 9, 0, tzinfo=ZoneInfo(TIMEZONE))
        assert next_sweep(sunday).date() == date(2024, 9, 9)  # 02/09 and 03/09 are holidays
        monkeypatch.setenv("DONDOC_SWEEP_CRON", "mỗi sáng")
        reset_caches()
        with pytest.raises(InputError, match="DONDOC_SWEEP_CRON"):
            sweep_schedule()
    finally:
        reset_caches()


def test_prefect_yaml_points_at_real_flows() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["prefect-version"] == "3.8.8"
    # The code location is the worker's own setting, resolved when a run starts.
    (pull,) = config["pull"]
    assert pull["prefect.deployments.steps.set_working_directory"]["directory"] == (
        "{{ $DONDOC_CODE_DIR }}"
    )
    crons = {"reminder-sweep": SWEEP_CRON, "monthly-briefing": BRIEFING_CRON}
    names = {
        "reminder-sweep": SWEEP_DEPLOYMENT,
        "monthly-briefing": BRIEFING_DEPLOYMENT,
        "follow-up-notice": FOLLOW_UP_DEPLOYMENT,
    }
    seen = set()
    for deployment in config["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, name)
        seen.add(flow.name)
        assert deployment["name"] == names[flow.name]
        if flow.name in crons:
            (schedule,) = deployment["schedules"]
            assert schedule["cron"] == crons[flow.name] and schedule["timezone"] == TIMEZONE
        else:
            assert not deployment.get("schedules")
        assert deployment["work_pool"]["name"] == "dondoc"
        # No settings (and so no secrets) are baked into a deployment.
        assert "{{" not in yaml.safe_dump(deployment)
        assert "job_variables" not in deployment["work_pool"]
    assert seen == set(names)
