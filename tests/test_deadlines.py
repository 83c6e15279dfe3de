"""Deadline phrases -> Due (DESIGN.md "Deadlines", eval/CONVENTIONS.md §4)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.calendar import WorkCalendar, default_calendar
from tasks.deadlines import (
    DeadlineError,
    Due,
    effective_due,
    find_deadline,
    parse_deadline,
)

ISSUED = date(2024, 6, 3)  # a Monday


def D(y: int, m: int, d: int) -> date:
    return date(y, m, d)


# --------------------------------------------------------------------------------------
# parse_deadline: one row per phrase of the design table
# --------------------------------------------------------------------------------------

ONE_OFF = [
    # date
    ("trước ngày 30/8/2024", "date", D(2024, 8, 30)),
    ("chậm nhất ngày 15/7", "date", D(2024, 7, 15)),
    ("hạn chót 05/01/2025", "date", D(2025, 1, 5)),
    ("ngày 30 tháng 8 năm 2024", "date", D(2024, 8, 30)),
    ("trước 30-8-2024", "date", D(2024, 8, 30)),
    ("chậm nhất đến ngày 01 tháng 7 năm 2028", "date", D(2028, 7, 1)),
    ("Kể từ ngày 01/7/2024", "date", D(2024, 7, 1)),
    ("30/8/2024", "date", D(2024, 8, 30)),
    ("trước ngày 15/9/2025", "date", D(2025, 9, 15)),
    ("đến hết ngày 30.8.2024", "date", D(2024, 8, 30)),
    ("2024-08-30", "date", D(2024, 8, 30)),
    # month
    ("trong tháng 6/2018", "month", D(2018, 6, 30)),
    ("trong tháng 3 năm 2023", "month", D(2023, 3, 31)),
    ("xong trong tháng 5/2026", "month", D(2026, 5, 31)),
    ("tháng 12/2024", "month", D(2024, 12, 31)),
    ("trong tháng 2/2024", "month", D(2024, 2, 29)),
    ("trong tháng 2/2023", "month", D(2023, 2, 28)),
    ("tháng 4-2024", "month", D(2024, 4, 30)),
    # quarter and halves
    ("quý II-2019", "quarter", D(2019, 6, 30)),
    ("trong quý III/2024", "quarter", D(2024, 9, 30)),
    ("Quý II/2026", "quarter", D(2026, 6, 30)),
    ("xong trong Quý II/2026", "quarter", D(2026, 6, 30)),
    ("quý 2 năm 2026", "quarter", D(2026, 6, 30)),
    ("trong quý II năm 2026", "quarter", D(2026, 6, 30)),
    ("trong quý IV năm 2024", "quarter", D(2024, 12, 31)),
    ("quý I/2025", "quarter", D(2025, 3, 31)),
    ("QUÝ II/2024", "quarter", D(2024, 6, 30)),
    ("quý 4/2024", "quarter", D(2024, 12, 31)),
    ("6 tháng đầu năm 2024", "quarter", D(2024, 6, 30)),
    ("6 tháng cuối năm 2024", "quarter", D(2024, 12, 31)),
    ("9 tháng đầu năm 2024", "quarter", D(2024, 9, 30)),
    # year
    ("trong năm 2024", "year", D(2024, 12, 31)),
    ("năm 2024", "year", D(2024, 12, 31)),
    # relative to the notice date
    ("trong vòng 10 ngày kể từ ngày ký", "date", D(2024, 6, 13)),
    ("trong thời hạn 15 ngày kể từ ngày ban hành", "date", D(2024, 6, 18)),
    ("trong vòng 10 ngày làm việc kể từ ngày ký", "date", D(2024, 6, 17)),
    ("trong vòng 10 ngày kể từ ngày 01/7/2024", "date", D(2024, 7, 11)),
    ("trong vòng 02 tháng kể từ ngày ký", "date", D(2024, 8, 3)),
    # "kể từ năm" without a recurrence: in place from 1 January
    ("kể từ năm 2027", "date", D(2027, 1, 1)),
]


@pytest.mark.parametrize(("phrase", "kind", "expected"), ONE_OFF)
def test_parse_one_off(phrase: str, kind: str, expected: date) -> None:
    due = parse_deadline(phrase, issued_on=ISSUED)
    assert (due.kind, due.date, due.recurrence) == (kind, expected, None)
    assert due.text == phrase


RECURRING = [
    ("hằng tháng", "monthly"),
    ("hàng tháng", "monthly"),
    ("tại các cuộc họp giao ban hàng tháng", "monthly"),
    ("hằng quý", "quarterly"),
    ("hàng quý", "quarterly"),
    ("hằng năm", "yearly"),
    ("hàng năm", "yearly"),
    ("định kỳ hằng năm", "yearly"),
    ("thường xuyên", "ongoing"),
    ("định kỳ", "ongoing"),
    ("định kỳ hoặc đột xuất", "ongoing"),
    ("hằng ngày", "ongoing"),
    ("Thường xuyên", "ongoing"),
]


@pytest.mark.parametrize(("phrase", "recurrence"), RECURRING)
def test_parse_recurring_without_anchor(phrase: str, recurrence: str) -> None:
    due = parse_deadline(phrase, issued_on=ISSUED)
    assert due == Due("recurring", None, phrase, recurrence)


ANCHORED = [
    # (phrase, issued_on, recurrence, first occurrence)
    ("trước ngày 30 tháng 6 hằng năm", D(2024, 6, 3), "yearly", D(2024, 6, 30)),
    ("trước ngày 30 tháng 6 hằng năm", D(2024, 7, 1), "yearly", D(2025, 6, 30)),
    ("trước ngày 30 tháng 6 hằng năm", D(2024, 6, 30), "yearly", D(2024, 6, 30)),
    ("định kỳ hàng năm (trước ngày 10/12)", D(2024, 6, 3), "yearly", D(2024, 12, 10)),
    ("định kỳ hàng năm (trước ngày 10/12)", D(2024, 12, 11), "yearly", D(2025, 12, 10)),
    ("trước ngày 20 hằng tháng", D(2024, 6, 3), "monthly", D(2024, 6, 20)),
    ("trước ngày 20 hằng tháng", D(2024, 6, 21), "monthly", D(2024, 7, 20)),
    ("trước ngày 20 hằng tháng", D(2024, 12, 21), "monthly", D(2025, 1, 20)),
    ("trước ngày 31 hằng tháng", D(2024, 2, 1), "monthly", D(2024, 2, 29)),
    ("trước ngày 30 tháng 6 hằng năm, kể từ năm 2027", D(2024, 6, 3), "yearly", D(2027, 6, 30)),
    (
        "trước ngày 15 tháng 02 của năm liền kề sau năm báo cáo",
        D(2024, 6, 3),
        "yearly",
        D(2025, 2, 15),
    ),
    ("hằng quý, trước ngày 15 tháng cuối quý", D(2024, 6, 3), "quarterly", D(2024, 6, 15)),
    ("hằng quý, trước ngày 15 tháng cuối quý", D(2024, 6, 16), "quarterly", D(2024, 9, 15)),
]


@pytest.mark.parametrize(("phrase", "issued_on", "recurrence", "first"), ANCHORED)
def test_parse_recurring_with_anchor(
    phrase: str, issued_on: date, recurrence: str, first: date
) -> None:
    due = parse_deadline(phrase, issued_on=issued_on)
    assert due == Due("recurring", first, phrase, recurrence)


def test_anchor_without_issue_date_uses_printed_year() -> None:
    due = parse_deadline("trước ngày 30 tháng 6 hằng năm", issued_on=None, year=2025)
    assert (due.kind, due.date, due.recurrence) == ("recurring", D(2025, 6, 30), "yearly")
    due = parse_deadline("trước ngày 30 tháng 6 hằng năm", issued_on=None)
    assert (due.kind, due.date, due.recurrence) == ("recurring", None, "yearly")


def test_a_span_from_now_qualifying_a_noun_gives_way_to_the_deadline_after_it() -> None:
    """«Kế hoạch cao điểm … từ nay đến cuối năm 2025, trình … trong tháng 10/2025»: the span
    is the plan's, the deadline is the month; alone, the span is the deadline."""
    text = (
        "Xây dựng Kế hoạch cao điểm chống khai thác IUU từ nay đến cuối năm 2025, trình Ủy ban "
        "nhân dân tỉnh ban hành trong tháng 10/2025."
    )
    due = find_deadline(text, issued_on=D(2025, 9, 18))
    assert (due.kind, due.date) == ("month", D(2025, 10, 31))
    due = find_deadline("Ra quân từ nay đến hết năm 2025.", issued_on=D(2025, 9, 18))
    assert (due.kind, due.date) == ("year", D(2025, 12, 31))


def test_a_starting_point_gives_way_to_the_deadline_and_a_bound_looking_back_is_none() -> None:
    issued = D(2026, 3, 12)
    text = (
        "Các chủ đầu tư lập hồ sơ quyết toán các dự án đưa vào sử dụng từ năm 2024 trở về "
        "trước, gửi cơ quan thẩm tra trước 31/12/2026."
    )
    assert find_deadline(text, issued_on=issued).date == D(2026, 12, 31)
    assert find_deadline("các dự án từ năm 2024 trở về trước", issued_on=issued).kind == "none"
    text = "Áp dụng phần mềm từ năm 2026, hoàn thành việc chuyển dữ liệu trong quý III/2026."
    assert find_deadline(text, issued_on=issued).date == D(2026, 9, 30)
    text = "Kể từ ngày 01/7/2026, các đơn vị cập nhật dữ liệu, hoàn thành trước ngày 31/12/2026."
    assert find_deadline(text, issued_on=issued).date == D(2026, 12, 31)
    alone = find_deadline(
        "Kể từ ngày 01/7/2026, yêu cầu các đơn vị phải cập nhật.", issued_on=issued
    )
    assert alone.date == D(2026, 7, 1)  # CONVENTIONS §4: a start alone is the date


def test_a_date_named_by_an_event_is_a_deadline() -> None:
    """«trước ngày khai giảng 05/9/2025»: the day is named by what happens on it."""
    due = find_deadline(
        "Hoàn thành sửa chữa trước ngày khai giảng 05/9/2025.", issued_on=D(2025, 8, 19)
    )
    assert (due.kind, due.date) == ("date", D(2025, 9, 5))
    # a date in a sentence of context, with no cue, is still not one
    assert (
        find_deadline("Ngày 15/9/2025, đồng chí X chủ trì cuộc họp.", issued_on=D(2025, 8, 19)).kind
        == "none"
    )


def test_dated_deadline_wins_over_recurrence_word() -> None:
    due = parse_deadline("đánh giá hàng năm, hoàn thành vào quý II-2019", issued_on=ISSUED)
    assert (due.kind, due.date) == ("quarter", D(2019, 6, 30))


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "   ",
        "không",
        "Không",
        "không thời hạn",
        "sớm",
        "khẩn trương",
        "kịp thời",
        "năm 2018 và những năm tiếp theo",
    ],
)
def test_parse_none(phrase: str) -> None:
    due = parse_deadline(phrase, issued_on=ISSUED)
    assert due.kind == "none"
    assert due.date is None and due.recurrence is None


def test_parse_none_object() -> None:
    assert parse_deadline(None, issued_on=None) == Due("none", None, None)


def test_parse_date_object() -> None:
    due = parse_deadline(D(2024, 8, 30), issued_on=None)
    assert (due.kind, due.date) == ("date", D(2024, 8, 30))


# --------------------------------------------------------------------------------------
# Missing year
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "issued_on", "expected"),
    [
        ("chậm nhất ngày 15/7", D(2024, 6, 3), D(2024, 7, 15)),
        ("chậm nhất ngày 15/7", D(2024, 7, 15), D(2024, 7, 15)),
        ("chậm nhất ngày 15/7", D(2024, 7, 16), D(2025, 7, 15)),
        ("trước ngày 05/01", D(2024, 12, 20), D(2025, 1, 5)),
        ("trước ngày 10 tháng 1", D(2024, 12, 20), D(2025, 1, 10)),
        ("trong tháng 6", D(2024, 6, 20), D(2024, 6, 30)),
        ("trong quý I", D(2024, 6, 20), D(2025, 3, 31)),
    ],
)
def test_missing_year(phrase: str, issued_on: date, expected: date) -> None:
    assert parse_deadline(phrase, issued_on=issued_on).date == expected


def test_missing_year_needs_a_notice_date() -> None:
    with pytest.raises(DeadlineError, match="năm"):
        parse_deadline("chậm nhất ngày 15/7", issued_on=None)
    assert parse_deadline("chậm nhất ngày 15/7", issued_on=None, year=2024).date == D(2024, 7, 15)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "31/2/2024",
        "trước ngày 30/2",
        "32/1/2024",
        "tháng 13/2024",
        "quý V/2024",
        "quý 5 năm 2024",
        "ngày 31 tháng 4 năm 2024",
        "29/2/2023",
        "trước ngày 31/6/2024",
    ],
)
def test_impossible_dates(phrase: str) -> None:
    with pytest.raises(DeadlineError, match="không tồn tại"):
        parse_deadline(phrase, issued_on=ISSUED)


@pytest.mark.parametrize("phrase", ["blah", "khi nào xong thì báo", "trước ngày 20", "30/8/24"])
def test_unknown_phrase(phrase: str) -> None:
    with pytest.raises(DeadlineError) as err:
        parse_deadline(phrase, issued_on=ISSUED)
    message = str(err.value)
    assert message.startswith("Không hiểu thời hạn «")
    assert "quý II/2024" in message and "thường xuyên" in message


def test_relative_needs_issue_date() -> None:
    with pytest.raises(DeadlineError, match="ngày ban hành"):
        parse_deadline("trong vòng 10 ngày kể từ ngày ký", issued_on=None)


def test_deadline_error_is_value_error() -> None:
    assert issubclass(DeadlineError, ValueError)


# --------------------------------------------------------------------------------------
# Input forms
# --------------------------------------------------------------------------------------


def test_nfd_input_is_normalized() -> None:
    phrase = unicodedata.normalize("NFD", "trong quý III/2024")
    due = parse_deadline(phrase, issued_on=ISSUED)
    assert (due.kind, due.date, due.text) == ("quarter", D(2024, 9, 30), "trong quý III/2024")


def test_whitespace_is_collapsed() -> None:
    due = parse_deadline("  trước   ngày\n30/8/2024 ", issued_on=ISSUED)
    assert due.text == "trước ngày 30/8/2024"
    assert due.date == D(2024, 8, 30)


def test_working_days_use_given_calendar() -> None:
    cal = WorkCalendar(extra_overrides={D(2024, 6, 4): False})
    due = parse_deadline("trong vòng 1 ngày làm việc kể từ ngày ký", issued_on=ISSUED, calendar=cal)
    assert due.date == D(2024, 6, 5)


def test_to_dict() -> None:
    due = parse_deadline("trước ngày 30 tháng 6 hằng năm", issued_on=ISSUED)
    assert due.to_dict() == {
        "kind": "recurring",
        "date": "2024-06-30",
        "text": "trước ngày 30 tháng 6 hằng năm",
        "recurrence": "yearly",
    }
    assert Due("none", None, None).to_dict()["date"] is None


# --------------------------------------------------------------------------------------
# effective_due
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "effective"),
    [
        (Due("date", D(2024, 2, 10), "trước ngày 10/2/2024"), D(2024, 2, 15)),
        (Due("date", D(2024, 9, 2), "trước ngày 02/9/2024"), D(2024, 9, 4)),
        (Due("date", D(2025, 9, 1), "trước ngày 01/9/2025"), D(2025, 9, 3)),
        (Due("month", D(2024, 8, 31), "trong tháng 8/2024"), D(2024, 9, 4)),
        (Due("date", D(2024, 8, 24), "trước ngày 24/8/2024"), D(2024, 8, 26)),
        (Due("date", D(2024, 8, 30), "trước ngày 30/8/2024"), D(2024, 8, 30)),
        (Due("recurring", D(2024, 6, 30), "trước ngày 30/6 hằng năm", "yearly"), D(2024, 7, 1)),
        (Due("recurring", None, "hằng tháng", "monthly"), None),
        (Due("none", None, None), None),
    ],
)
def test_effective_due(due: Due, effective: date | None) -> None:
    assert effective_due(due) == effective
    assert effective_due(due, default_calendar()) == effective


def test_effective_due_keeps_stated_date() -> None:
    due = parse_deadline("trước ngày 10/2/2024", issued_on=D(2024, 1, 15))
    assert due.date == D(2024, 2, 10)
    assert effective_due(due) == D(2024, 2, 15)


# --------------------------------------------------------------------------------------
# find_deadline: deadlines inside directive text
# --------------------------------------------------------------------------------------

FOUND = [
    (
        "Sở Xây dựng chủ trì, hoàn thành chậm nhất đến ngày 01 tháng 7 năm 2028.",
        ("date", D(2028, 7, 1), "chậm nhất đến ngày 01 tháng 7 năm 2028", None),
    ),
    (
        "Giao Sở Công Thương tham mưu, báo cáo UBND tỉnh trước ngày 15/9/2025.",
        ("date", D(2025, 9, 15), "trước ngày 15/9/2025", None),
    ),
    (
        "Thực hiện Quyết định số 227/QĐ-UBND ngày 30 tháng 01 năm 2023, báo cáo trước ngày "
        "15/9/2025.",
        ("date", D(2025, 9, 15), "trước ngày 15/9/2025", None),
    ),
    (
        "Các cơ quan, đơn vị gửi Sở Tài chính trước ngày 05/7; Sở Tài chính tổng hợp, báo cáo "
        "UBND tỉnh trước ngày 10/7.",
        ("date", D(2024, 7, 5), "trước ngày 05/7", None),
    ),
    (
        "Tổ chức đánh giá tình hình thực hiện hàng năm. Hoàn thành việc sửa đổi vào quý II-2019.",
        ("quarter", D(2019, 6, 30), "vào quý II-2019", None),
    ),
    (
        "Kể từ ngày 01/7/2024, yêu cầu các cơ sở phải lắp camera.",
        ("date", D(2024, 7, 1), "Kể từ ngày 01/7/2024", None),
    ),
    (
        "Báo cáo kết quả tại các cuộc họp giao ban hàng tháng.",
        ("recurring", None, "hàng tháng", "monthly"),
    ),
    (
        "Định kỳ báo cáo UBND tỉnh trước ngày 20 hằng tháng.",
        ("recurring", D(2024, 6, 20), "trước ngày 20 hằng tháng", "monthly"),
    ),
    (
        "Thường xuyên kiểm tra, giám sát việc khai thác khoáng sản.",
        ("recurring", None, "Thường xuyên", "ongoing"),
    ),
    (
        "Thực hiện trong vòng 10 ngày làm việc kể từ ngày ký văn bản này.",
        ("date", D(2024, 6, 17), "trong vòng 10 ngày làm việc kể từ ngày ký văn bản này", None),
    ),
    (
        "Khẩn trương hoàn thiện hồ sơ xong trong tháng 6/2024.",
        ("month", D(2024, 6, 30), "xong trong tháng 6/2024", None),
    ),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_find_deadline(text: str, expected: tuple[object, ...]) -> None:
    due = find_deadline(text, issued_on=ISSUED)
    assert (due.kind, due.date, due.text, due.recurrence) == expected


NOT_FOUND = [
    "Căn cứ Báo cáo số 02/BC-ĐKT ngày 25/6/2024 của Đoàn kiểm tra.",
    "Thực hiện Nghị định số 33/2023/NĐ-CP ngày 10/6/2023 của Chính phủ.",
    "Theo văn bản số 1297/SNNMT-KS ngày 25/8/2025 của Sở Nông nghiệp và Môi trường.",
    "Phấn đấu năm 2018 và những năm tiếp theo hoàn thành 100% chỉ tiêu.",
    "Đến năm 2030, tỷ lệ che phủ rừng đạt 45%.",
    "Hà Nội, ngày 25 tháng 8 năm 2025",
    "Khẩn trương triển khai thực hiện.",
    "Bố trí kinh phí từ nguồn chi thường xuyên của đơn vị.",
    "",
]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_find_no_deadline(text: str) -> None:
    assert find_deadline(text, issued_on=ISSUED) == Due("none", None, None)


def test_find_skips_what_it_cannot_resolve() -> None:
    # No notice date: the relative deadline cannot be computed, and find never raises.
    text = "Báo cáo trong vòng 10 ngày kể từ ngày ký."
    assert find_deadline(text, issued_on=None).kind == "none"
    assert find_deadline("Hoàn thành trước ngày 31/2/2024.", issued_on=ISSUED).kind == "none"


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

_VOCAB = st.sampled_from(
    [
        "trước",
        "ngày",
        "tháng",
        "năm",
        "quý",
        "II",
        "IV",
        "V",
        "hằng",
        "hàng",
        "kể từ",
        "trong",
        "vòng",
        "làm việc",
        "thường xuyên",
        "/",
        "-",
        ".",
        ",",
        "(",
        ")",
        "30",
        "31",
        "2",
        "13",
        "2024",
        "0000",
        "9999",
        "99999",
        "số",
        "QĐ-UBND",
        "đầu",
        "cuối",
        "6",
        "9",
        "lần",
        "ký",
    ]
)
_PHRASES = st.one_of(
    st.text(max_size=60),
    st.lists(_VOCAB, max_size=12).map(" ".join),
)
_ISSUED = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))


@settings(max_examples=300, deadline=None)
@given(_PHRASES, _ISSUED)
def test_parse_deadline_returns_due_or_deadline_error(phrase: str, issued_on: date | None) -> None:
    try:
        due = parse_deadline(phrase, issued_on=issued_on)
    except DeadlineError as exc:
        assert str(exc)
        return
    assert isinstance(due, Due)
    assert due.kind in ("date", "month", "quarter", "year", "recurring", "none")
    if due.kind in ("date", "month", "quarter", "year"):
        assert due.date is not None
    due.to_dict()


@settings(max_examples=200, deadline=None)
@given(_PHRASES, _ISSUED)
def test_find_deadline_never_raises(text: str, issued_on: date | None) -> None:
    assert isinstance(find_deadline(text, issued_on=issued_on), Due)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "Tập trung triển khai thực hiện kế hoạch đào tạo, bồi dưỡng hằng năm, trong đó chú trọng",
            "none",
        ),
        (
            "lồng ghép nội dung giáo dục an toàn giao thông vào kế hoạch giáo dục hằng năm của nhà trường",
            "none",
        ),
        ("Thanh tra tỉnh xây dựng kế hoạch thanh tra hàng năm trình UBND tỉnh", "recurring"),
        ("báo cáo kết quả thực hiện Kế hoạch định kỳ 6 tháng và hằng năm", "recurring"),
    ],
)
def test_a_kind_of_yearly_plan_is_not_a_recurrence(text: str, kind: str) -> None:
    assert find_deadline(text, issued_on=D(2024, 6, 28)).kind == kind
