"""WorkCalendar: Vietnamese public holidays, day swaps, working-day arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dondoc.caches import reset_caches
from tasks.calendar import SHIPPED_OVERRIDES, WorkCalendar, default_calendar


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return default_calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 8, 30), True),  # Friday
        (date(2024, 8, 31), False),  # Saturday
        (date(2024, 9, 1), False),  # Sunday
        (date(2024, 9, 2), False),  # Quốc khánh
        (date(2024, 9, 3), False),  # Quốc khánh, the day after
        (date(2024, 9, 4), True),
        (date(2024, 2, 8), False),  # Tết Giáp Thìn 8–14/2/2024
        (date(2024, 2, 14), False),
        (date(2024, 2, 15), True),
        (date(2024, 4, 18), False),  # Giỗ Tổ Hùng Vương
        (date(2024, 4, 29), False),  # swapped day off …
        (date(2024, 5, 4), True),  # … worked on this Saturday
        (date(2025, 5, 2), False),  # swapped day off …
        (date(2025, 4, 26), True),  # … worked on this Saturday
        (date(2025, 9, 1), False),
        (date(2025, 9, 2), False),
        (date(2025, 9, 3), True),
        (date(2019, 1, 5), True),  # Saturday worked for 31/12/2018
        (date(2018, 12, 31), False),
        (date(2026, 1, 1), False),
    ],
)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize(
    ("stated", "effective"),
    [
        (date(2024, 2, 10), date(2024, 2, 15)),  # Tết Giáp Thìn
        (date(2024, 9, 2), date(2024, 9, 4)),  # 2/9 and 3/9/2024 off
        (date(2024, 8, 31), date(2024, 9, 4)),  # Saturday before the long weekend
        (date(2025, 9, 1), date(2025, 9, 3)),  # 1/9 and 2/9/2025 off
        (date(2024, 8, 24), date(2024, 8, 26)),  # a Saturday -> Monday
        (date(2024, 8, 25), date(2024, 8, 26)),  # a Sunday -> Monday
        (date(2024, 8, 26), date(2024, 8, 26)),  # already a working day
        (date(2025, 4, 26), date(2025, 4, 26)),  # a Saturday worked as a swap
        (date(2024, 4, 27), date(2024, 5, 2)),  # 27/4–1/5/2024 off
    ],
)
def test_roll_forward(cal: WorkCalendar, stated: date, effective: date) -> None:
    assert cal.roll_forward(stated) == effective


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 8, 30), 0, date(2024, 8, 30)),
        (date(2024, 8, 28), 2, date(2024, 8, 30)),
        (date(2024, 8, 30), 1, date(2024, 9, 4)),  # weekend + 2/9 + 3/9
        (date(2024, 8, 29), 3, date(2024, 9, 5)),
        (date(2024, 9, 4), -1, date(2024, 8, 30)),
        (date(2024, 2, 7), 1, date(2024, 2, 15)),  # across Tết
        (date(2024, 6, 1), 10, date(2024, 6, 14)),  # Saturday start
        (date(2025, 4, 25), 1, date(2025, 4, 26)),  # the worked Saturday counts
    ],
)
def test_add_working_days(cal: WorkCalendar, start: date, n: int, expected: date) -> None:
    assert cal.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 8, 30), date(2024, 8, 30), 0),
        (date(2024, 8, 26), date(2024, 8, 30), 4),  # (Mon, Fri]
        (date(2024, 8, 30), date(2024, 9, 4), 1),
        (date(2024, 9, 4), date(2024, 8, 30), -1),
        (date(2024, 2, 1), date(2024, 2, 29), 15),  # 20 weekdays in (1/2, 29/2], 5 of them Tết
        (date(2024, 4, 26), date(2024, 5, 6), 4),  # 2/5, 3/5, the worked Saturday 4/5, 6/5
    ],
)
def test_working_days_between(cal: WorkCalendar, start: date, end: date, expected: int) -> None:
    assert cal.working_days_between(start, end) == expected


def test_working_days_between_matches_add(cal: WorkCalendar) -> None:
    start = date(2024, 1, 15)
    for n in range(40):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 9, 2), "Quốc khánh"),
        (date(2024, 2, 10), "Tết Nguyên Đán"),
        (date(2024, 1, 1), "Tết Dương lịch"),
        (date(2024, 8, 30), None),
        (date(2024, 8, 31), None),  # an ordinary weekend has no name
    ],
)
def test_holiday_name(cal: WorkCalendar, day: date, name: str | None) -> None:
    assert cal.holiday_name(day) == name


def test_extra_overrides_win() -> None:
    cal = WorkCalendar(extra_overrides={date(2024, 9, 4): False, date(2024, 9, 7): True})
    assert not cal.is_working_day(date(2024, 9, 4))
    assert cal.is_working_day(date(2024, 9, 7))
    assert cal.roll_forward(date(2024, 9, 2)) == date(2024, 9, 5)
    assert cal.holiday_name(date(2024, 9, 4)) is not None


def test_override_file(tmp_path: Path) -> None:
    path = tmp_path / "swaps.yaml"
    path.write_text(
        "- date: 2030-09-03\n  working: false\n  note: Nghỉ bù\n"
        "- date: 2030-09-07\n  working: true\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(path)
    assert not cal.is_working_day(date(2030, 9, 3))
    assert cal.holiday_name(date(2030, 9, 3)) == "Nghỉ bù"
    assert cal.is_working_day(date(2030, 9, 7))


def test_empty_override_file(tmp_path: Path) -> None:
    path = tmp_path / "swaps.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert WorkCalendar(path).is_working_day(date(2024, 8, 30))


@pytest.mark.parametrize(
    "content",
    [
        "- date: 2030-02-30\n  working: false\n",
        "- date: hôm qua\n  working: false\n",
        "- date: 2030-09-03\n  working: có\n",
        "- date: 2030-09-03\n",
        "- 2030-09-03\n",
        "- date: 2030-09-03\n  working: true\n  when: x\n",
        "date: 2030-09-03\n",
        "- date: 2030-09-03\n  working: true\n- date: 2030-09-03\n  working: false\n",
        "- [unclosed\n",
    ],
)
def test_bad_override_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad-swaps.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="bad-swaps.yaml"):
        WorkCalendar(path)


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nowhere.yaml"):
        WorkCalendar(tmp_path / "nowhere.yaml")


def test_shipped_file_is_valid_and_not_redundant() -> None:
    cal = WorkCalendar(SHIPPED_OVERRIDES)
    bare = WorkCalendar(SHIPPED_OVERRIDES)
    bare._overrides.clear()
    for day, working in WorkCalendar(SHIPPED_OVERRIDES)._overrides.items():
        assert cal.is_working_day(day) is working
        # Days off the `holidays` package already knows are not repeated in the file.
        if not working:
            assert bare.is_working_day(day), day


def test_default_calendar_is_cached() -> None:
    assert default_calendar() is default_calendar()


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1)))
def test_roll_forward_property(d: date) -> None:
    cal = default_calendar()
    rolled = cal.roll_forward(d)
    assert rolled >= d
    assert rolled - d < timedelta(days=15)
    assert cal.is_working_day(rolled)
    assert all(not cal.is_working_day(d + timedelta(days=k)) for k in range((rolled - d).days))


def test_administrator_override_file_from_settings(monkeypatch, tmp_path) -> None:
    from tasks.calendar import default_calendar

    extra = tmp_path / "swaps.yaml"
    extra.write_text(
        "- date: 2026-12-31\n  working: false\n  note: Nghỉ bù theo thông báo của Bộ Nội vụ\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DONDOC_CALENDAR_OVERRIDES", str(extra))
    reset_caches()
    try:
        cal = default_calendar()
        assert not cal.is_working_day(date(2026, 12, 31))
        assert cal.roll_forward(date(2026, 12, 31)) == date(2027, 1, 4)
    finally:
        monkeypatch.delenv("DONDOC_CALENDAR_OVERRIDES")
        reset_caches()
    assert default_calendar().is_working_day(date(2026, 12, 31))
