"""The briefing's letterhead (Nghị định 30/2020): the governing body over the issuing office,
derived from the notices' issuer when the settings leave them empty — never one name twice."""

from __future__ import annotations

import pytest

from tasks.briefing.model import letterhead, office_line


@pytest.mark.parametrize(
    ("issuer", "body", "office", "line"),
    [
        (
            "UBND huyện Hương Sơn",
            "UBND huyện Hương Sơn",
            "Văn phòng HĐND và UBND huyện Hương Sơn",
            "Văn phòng HĐND và UBND",
        ),
        (
            "Ủy ban nhân dân tỉnh An Giang",
            "UBND tỉnh An Giang",
            "Văn phòng UBND tỉnh An Giang",
            "Văn phòng UBND",
        ),
        (
            "UBND thành phố Hồ Chí Minh",
            "UBND thành phố Hồ Chí Minh",
            "Văn phòng UBND thành phố Hồ Chí Minh",
            "Văn phòng UBND",
        ),
        (
            "UBND thành phố Long Xuyên",  # a city of a province: an HĐND and UBND office
            "UBND thành phố Long Xuyên",
            "Văn phòng HĐND và UBND thành phố Long Xuyên",
            "Văn phòng HĐND và UBND",
        ),
        (
            "UBND xã Bình Giang",  # a commune after the 2025 reform
            "UBND xã Bình Giang",
            "Văn phòng HĐND và UBND xã Bình Giang",
            "Văn phòng HĐND và UBND",
        ),
        (
            "Văn phòng HĐND và UBND huyện An Phú",
            "UBND huyện An Phú",
            "Văn phòng HĐND và UBND huyện An Phú",
            "Văn phòng HĐND và UBND",
        ),
        ("Sở Nội vụ tỉnh An Giang", "", "Sở Nội vụ tỉnh An Giang", "Sở Nội vụ tỉnh An Giang"),
    ],
)
def test_the_office_and_its_body_come_from_the_issuer(
    issuer: str, body: str, office: str, line: str
) -> None:
    above, by, place = letterhead((issuer, "Hương Sơn"), parent=None, issuer=None, place=None)
    assert (above, by, place) == (body, office, "Hương Sơn")
    assert office_line(above, by) == line
    assert above.casefold() != by.casefold()


def test_the_settings_win_and_a_body_equal_to_the_office_is_not_repeated() -> None:
    assert letterhead(
        ("UBND huyện Hương Sơn", None),
        parent="UBND tỉnh Hà Tĩnh",
        issuer="Văn phòng HĐND và UBND huyện Hương Sơn",
        place="Hương Sơn",
    ) == ("UBND tỉnh Hà Tĩnh", "Văn phòng HĐND và UBND huyện Hương Sơn", "Hương Sơn")
    # The office named as its own body (a setting copied twice): said once.
    above, office, _ = letterhead(
        None, parent="UBND huyện Hương Sơn", issuer="UBND huyện Hương Sơn", place=None
    )
    assert (above, office) == ("", "UBND huyện Hương Sơn")
    # Nothing known: the office's generic name and a blank place, no body line.
    assert letterhead(None, parent=None, issuer=None, place=None) == ("", "Văn phòng", "……")
