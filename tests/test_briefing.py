"""The monthly briefing's numbers, the scorecard, and the briefing flow and commands."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session
from typer.testing import CliRunner

from dondoc.cli import app
from tasks.briefing import compute_briefing, pct_on_time
from tasks.periods import Period
from tasks.progress import find_assignment, record_progress
from tasks.scorecard import compute_scorecard, windows_before
from tests.helpers import briefing_scenario

JUNE = Period(2024, 6)


def units_of(numbers: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {u["code"]: u for u in numbers["units"]}


def test_june_numbers(session: Session) -> None:
    briefing_scenario(session)
    numbers = compute_briefing(session=session, period=JUNE).to_json()
    assert numbers["as_of"] == "2024-06-30"
    assert numbers["totals"] == {
        "done_on_time": 2,  # 1 on its due date; the June report of monthly 3
        "done_late": 1,  # 2, a day late
        "in_time": 1,  # 6, due in July
        "due_soon": 1,  # 4, extended to 05/07
        "overdue": 1,  # 5
        "no_deadline": 1,  # 7, ongoing
    }
    assert numbers["total"] == 7 and numbers["pct_on_time"] == 50.0
    units = units_of(numbers)
    assert set(units) == {"T-A-NV", "T-A-TP", "T-A-X1", "T-A-X2"}  # Thư ký ISO has nothing
    nv, tp, x1, x2 = units["T-A-NV"], units["T-A-TP"], units["T-A-X1"], units["T-A-X2"]
    assert (nv["assigned"], nv["done_on_time"], nv["in_progress_in_time"], nv["pct_on_time"]) == (
        3,
        2,
        1,
        100.0,
    )
    assert (tp["assigned"], tp["done_late"], tp["no_deadline"], tp["pct_on_time"]) == (2, 1, 1, 0.0)
    assert (x1["assigned"], x1["due_soon"], x1["pct_on_time"]) == (1, 1, None)
    assert (x2["assigned"], x2["overdue"], x2["pct_on_time"]) == (1, 1, 0.0)
    assert numbers["units"][0]["code"] == "T-A-X2"  # the units with overdue work come first
    (late,) = numbers["overdue"]
    assert (late["notice_number"], late["ref"], late["unit"], late["due"], late["days_late"]) == (
        "20/TB-VP",
        "5",
        "UBND xã Phú Hội",
        "2024-06-25",
        5,
    )
    assert late["note"] == "Đang tổng hợp số liệu"
    assert [(i["ref"], i["due"]) for i in numbers["due_next"]] == [
        ("4", "2024-07-05"),
        ("6", "2024-07-15"),
        ("3", "2024-07-22"),  # July's occurrence: 20/07 is a Saturday
    ]
    assert numbers["due_next_total"] == 3
    (notice,) = numbers["notices"]
    assert (notice["number"], notice["directives"], notice["assignments"]) == ("20/TB-VP", 7, 8)
    assert numbers["previous"]["total"] == 0 and nv["previous"] is None
    assert numbers["failed_total"] == 0
    assert json.loads(json.dumps(numbers)) == numbers  # plain JSON


def test_empty_month(session: Session) -> None:
    briefing_scenario(session)
    numbers = compute_briefing(session=session, period=Period(2024, 5)).to_json()
    assert numbers["total"] == 0 and set(numbers["totals"].values()) == {0}
    assert numbers["units"] == [] and numbers["overdue"] == [] and numbers["notices"] == []
    assert numbers["due_next"] == []  # the notice of 03/06 was not known on 31/05
    assert numbers["pct_on_time"] is None


def test_15_14_period_boundaries(session: Session) -> None:
    """15/05–14/06, as of 14/06: 1 and 2 fell due and were done on 14/06; June's 20th of
    the monthly directive is in the next period; 4's extension came on 19/06, later."""
    briefing_scenario(session)
    numbers = compute_briefing(session=session, period=Period(2024, 6, "15-14")).to_json()
    assert (numbers["period"]["start"], numbers["period"]["end"]) == ("2024-05-15", "2024-06-14")
    assert numbers["as_of"] == "2024-06-14"
    assert numbers["totals"] == {
        "done_on_time": 1,
        "done_late": 1,
        "in_time": 2,
        "due_soon": 1,
        "overdue": 0,
        "no_deadline": 1,
    }
    assert "T-A-X1" in units_of(numbers) and units_of(numbers)["T-A-X1"]["due_soon"] == 1
    assert [(i["ref"], i["due"]) for i in numbers["due_next"]] == [
        ("3", "2024-06-20"),
        ("4", "2024-06-21"),
        ("5", "2024-06-25"),
    ]


def test_next_month_against_the_previous(session: Session) -> None:
    """July: what was done in June is gone; what is still open is carried over, late."""
    briefing_scenario(session)
    numbers = compute_briefing(session=session, period=Period(2024, 7)).to_json()
    assert numbers["totals"]["overdue"] == 4  # 3 (July), 4, 5, 6
    assert numbers["totals"]["no_deadline"] == 1 and numbers["total"] == 5
    nv = units_of(numbers)["T-A-NV"]
    assert nv["assigned"] == 2 and nv["previous"]["assigned"] == 3
    assert nv["previous"]["pct_on_time"] == 100.0 and nv["pct_on_time"] == 0.0
    assert numbers["previous"]["totals"]["done_on_time"] == 2


def test_monthly_directive_counted_per_occurrence(session: Session) -> None:
    nid = briefing_scenario(session)
    monthly = find_assignment(session=session, notice_id=nid, ref="3", unit_code="T-A-NV")
    record_progress(
        session=session,
        assignment_id=monthly.id,  # type: ignore[arg-type]
        state="done",
        on=date(2024, 7, 25),
        period="2024-07",
    )
    session.commit()
    july = compute_briefing(session=session, period=Period(2024, 7)).to_json()
    assert july["totals"]["done_late"] == 1  # due 22/07, reported 25/07
    june = compute_briefing(session=session, period=JUNE).to_json()
    assert june["totals"]["done_on_time"] == 2  # June's occurrence is unchanged


def test_as_of_inside_the_month(session: Session) -> None:
    briefing_scenario(session)
    numbers = compute_briefing(session=session, period=JUNE, as_of=date(2024, 6, 13)).to_json()
    # Nothing done yet on 13/06; 2 was due that day (due soon, not late yet).
    assert numbers["totals"]["done_on_time"] == 0 and numbers["totals"]["done_late"] == 0
    assert numbers["totals"]["overdue"] == 0


def test_pct_on_time() -> None:
    assert pct_on_time({"done_on_time": 2, "done_late": 1, "overdue": 1}) == 50.0
    assert pct_on_time({"in_time": 3}) is None


def test_scorecard(session: Session) -> None:
    briefing_scenario(session)
    card = compute_scorecard(session=session, as_of=date(2024, 7, 31)).to_json()
    units = {u["code"]: u for u in card["units"]}
    # Four calendar quarters to 31/07/2024: NV led 1 (on time), 3 in June (on time) and in
    # July (late), 6 (late).
    nv = units["T-A-NV"]
    assert (nv["due"], nv["on_time"], nv["pct_on_time"]) == (4, 2, 50.0)
    assert card["quarters"] == [
        "Quý IV/2023",
        "Quý I/2024",
        "Quý II/2024",
        "Quý III/2024 (đến 31/07/2024)",
    ]
    # 1 and 3's June occurrence in the second quarter, on time; July's two in the third, late.
    assert nv["quarters"][2] == {"due": 2, "on_time": 2, "pct_on_time": 100.0}
    assert nv["quarters"][3] == {"due": 2, "on_time": 0, "pct_on_time": 0.0}
    assert [q["due"] for q in nv["quarters"][:2]] == [0, 0]
    assert nv["trend"] == "chưa đủ số liệu"  # nothing in the first half-year
    assert units["T-A-TP"]["pct_on_time"] == 0.0 and "T-A-ISO" not in units
    assert card["from"] == "2023-10-01" and card["to"] == "2024-07-31"


def test_scorecard_windows_are_calendar_quarters_without_gaps() -> None:
    windows = windows_before(date(2025, 3, 31))  # a quarter's last day: four whole quarters
    assert windows[0].start == date(2024, 4, 1) and windows[-1].end == date(2025, 3, 31)
    assert [w.label for w in windows] == [
        "Quý II/2024",
        "Quý III/2024",
        "Quý IV/2024",
        "Quý I/2025",
    ]
    for a, b in zip(windows, windows[1:], strict=False):
        assert (b.start - a.end).days == 1
    for w in windows_before(date(2024, 11, 20)):
        assert w.start.day == 1 and w.start.month in (1, 4, 7, 10)
    assert windows_before(date(2024, 11, 20))[-1].end == date(2024, 11, 20)


@pytest.mark.parametrize("month", ["2024-13", "6/2024x"])
def test_bad_month_is_refused(month: str) -> None:
    from tasks.errors import InputError
    from tasks.periods import parse_month

    with pytest.raises(InputError):
        parse_month(month)


# ----------------------------------------------------------------------------- commands

runner = CliRunner()


@pytest.fixture
def scenario_env(app_env: str, session: Session) -> str:
    briefing_scenario(session)
    return app_env


def test_briefing_command_json_docx_md(scenario_env: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["briefing", "--month", "2024-06", "--format", "json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert numbers["total"] == 7 and numbers["totals"]["done_late"] == 1
    out = tmp_path / "bc" / "giao-ban.docx"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["briefing", "--month", "2024-06", "--format", "docx", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Đã ghi báo cáo giao ban tháng 06/2024" in result.output
    assert len(Document(str(out)).tables) >= 4
    result = runner.invoke(app, ["briefing", "--month", "2024-06", "--period", "15-14"])
    assert result.exit_code == 0 and "14/06/2024" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2024-13"], "từ 1 đến 12"),
        (["--month", "2024-06", "--format", "docx"], "--out"),
        (["--month", "2024-06", "--as-of", "31/02/2024"], "--as-of"),
    ],
)
def test_briefing_command_errors(scenario_env: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["briefing", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_scorecard_command(scenario_env: str) -> None:
    result = runner.invoke(app, ["scorecard", "--as-of", "31/07/2024"])
    assert result.exit_code == 0, result.output
    assert "Phòng Nội vụ" in result.output and "50,0%" in result.output
    as_json = json.loads(
        runner.invoke(app, ["scorecard", "--as-of", "31/07/2024", "--json"]).output
    )
    assert {u["code"] for u in as_json["units"]} == {"T-A-NV", "T-A-TP", "T-A-X1", "T-A-X2"}
    empty = runner.invoke(app, ["scorecard", "--as-of", "31/05/2024"])
    assert empty.exit_code == 0 and "Không có nhiệm vụ nào đến hạn" in empty.output


def test_same_numbers_on_postgresql(postgres_url: str) -> None:
    """The SQL (literal occurrence table, EXTRACT, window of extensions) on PostgreSQL."""
    from sqlalchemy import create_engine

    from models.db import upgrade_database

    upgrade_database(postgres_url)
    engine = create_engine(postgres_url)
    try:
        with Session(engine) as session:
            briefing_scenario(session)
            june = compute_briefing(session=session, period=JUNE).to_json()
            regime = compute_briefing(session=session, period=Period(2024, 6, "15-14")).to_json()
            card = compute_scorecard(session=session, as_of=date(2024, 7, 31)).to_json()
    finally:
        engine.dispose()
    assert june["totals"] == {
        "done_on_time": 2,
        "done_late": 1,
        "in_time": 1,
        "due_soon": 1,
        "overdue": 1,
        "no_deadline": 1,
    }
    assert [(i["ref"], i["due"]) for i in june["due_next"]] == [
        ("4", "2024-07-05"),
        ("6", "2024-07-15"),
        ("3", "2024-07-22"),
    ]
    assert june["overdue"][0]["note"] == "Đang tổng hợp số liệu"
    assert regime["totals"]["in_time"] == 2 and regime["total"] == 6
    assert {u["code"]: u["pct_on_time"] for u in card["units"]}["T-A-NV"] == 50.0
