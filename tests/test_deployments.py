"""Schedules, the served deployments and prefect.yaml."""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from cronsim import CronSim

from deployments.schedules import BRIEFING_CRON, SWEEP_CRON, TIMEZONE, deployments, sweep_schedule

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
    sweep, briefing = deployments()
    assert sweep.name == "nhac-viec-hang-ngay"
    assert sweep.schedules[0].schedule.cron == SWEEP_CRON
    assert briefing.name == "bao-cao-giao-ban-hang-thang"
    assert briefing.schedules[0].schedule.cron == BRIEFING_CRON
    assert briefing.schedules[0].schedule.timezone == TIMEZONE


def test_prefect_yaml_points_at_real_flows() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["prefect-version"] == "3.8.8"
    crons = {"reminder-sweep": SWEEP_CRON, "monthly-briefing": BRIEFING_CRON}
    seen = set()
    for deployment in config["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, name)
        seen.add(flow.name)
        (schedule,) = deployment["schedules"]
        assert schedule["cron"] == crons[flow.name] and schedule["timezone"] == TIMEZONE
        assert deployment["work_pool"]["name"] == "dondoc"
        env = deployment["work_pool"]["job_variables"]["env"]
        assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert seen == set(crons)
