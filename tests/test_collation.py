"""Vietnamese alphabetical order of unit names."""

from __future__ import annotations

from tasks.collation import vietnamese_key


def test_names_sort_as_a_vietnamese_dictionary() -> None:
    names = ["Sơn Long", "Sơn Lâm", "Sơn Bình", "Sơn Bằng", "Đức Thọ", "Dương Kinh", "An Hòa"]
    assert sorted(names, key=vietnamese_key) == [
        "An Hòa",
        "Dương Kinh",
        "Đức Thọ",
        "Sơn Bằng",
        "Sơn Bình",
        "Sơn Lâm",
        "Sơn Long",
    ]


def test_tones_only_break_ties_and_case_is_ignored() -> None:
    words = ["má", "mà", "ma", "mạ", "mã", "mả", "Mai"]
    assert sorted(words, key=vietnamese_key) == ["ma", "mà", "mả", "mã", "má", "mạ", "Mai"]
    assert vietnamese_key("Xã An Phú") == vietnamese_key("xã an phú")
    # decomposed and composed text sort the same
    assert vietnamese_key("Hòa") == vietnamese_key("Ho\u0300a")


def test_shorter_and_numbered_names() -> None:
    assert sorted(["Sơn Kim 2", "Sơn Kim 1", "Sơn Kim", "Sơn Kim Hai"], key=vietnamese_key) == [
        "Sơn Kim",
        "Sơn Kim 1",
        "Sơn Kim 2",
        "Sơn Kim Hai",
    ]
