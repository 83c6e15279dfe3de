"""Unit directory: import (YAML, CSV, re-import), bad files, and name matching."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from models.unit import Unit, UnitGroup, UnitGroupMember
from tasks.errors import AmbiguousUnitError, InputError, UnitNotFoundError
from tasks.units import Directory, import_directory, name_key, unit_tree

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini-units.yaml"


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def directory(session: Session) -> Directory:
    import_directory(session=session, path=MINI)
    session.commit()
    return Directory.load(session)


def _codes(d: Directory, ids: list[int]) -> set[str]:
    return {d.units[i].code for i in ids}


def test_import_builds_tree_and_groups(session: Session) -> None:
    report = import_directory(session=session, path=MINI)
    assert report.created == 13 and report.updated == 0
    assert report.groups_created == 3
    tree = unit_tree(session=session)
    depth = {u.code: d for d, u in tree}
    assert depth["T"] == 0 and depth["T-A"] == 1 and depth["T-A-NV"] == 2
    nv = session.exec(select(Unit).where(Unit.code == "T-A-NV")).one()
    assert nv.contacts == ["mailto://noivu.anphu@example.gov.vn", "zalo://oa/1001"]
    assert nv.head["title"] == "Trưởng phòng"


def test_reimport_updates_by_code_never_duplicates(session: Session, tmp_path: Path) -> None:
    import_directory(session=session, path=MINI)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        MINI.read_text(encoding="utf-8").replace(
            "name: Phòng Tư pháp", "name: Phòng Tư pháp huyện"
        ),
        encoding="utf-8",
    )
    report = import_directory(session=session, path=changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 12)
    assert _count(session, Unit) == 13
    assert _count(session, UnitGroup) == 3
    tp = session.exec(select(Unit).where(Unit.code == "T-A-TP")).one()
    assert tp.name == "Phòng Tư pháp huyện"


def test_csv_import_with_parent_codes(session: Session, tmp_path: Path) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,kind,parent,aliases,contacts,head_name,head_title,head_contacts\n"
        "P,UBND tỉnh Mẫu,province,,Ủy ban nhân dân tỉnh Mẫu,,,,\n"
        'P-X1,UBND xã Hòa Bình,commune,P,"xã Hòa Bình | Hòa Bình",mailto://hb@example.gov.vn,,Chủ tịch,mailto://ct.hb@example.gov.vn\n',
        encoding="utf-8",
    )
    report = import_directory(session=session, path=csv_file)
    assert report.created == 2
    x1 = session.exec(select(Unit).where(Unit.code == "P-X1")).one()
    root = session.exec(select(Unit).where(Unit.code == "P")).one()
    assert x1.parent_id == root.id
    assert x1.aliases == ["xã Hòa Bình", "Hòa Bình"]
    assert x1.head == {"title": "Chủ tịch", "contacts": ["mailto://ct.hb@example.gov.vn"]}


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        ("units:\n  - code: A\n    name: X\n    kind: planet\n", ".yaml", "loại «planet»"),
        ("units:\n  - code: a b\n    name: X\n    kind: office\n", ".yaml", "Mã «a b»"),
        ("units:\n  - code: A\n    kind: office\n", ".yaml", "«name»"),
        (
            "units:\n  - code: A\n    name: X\n    kind: office\n    parent: NOPE\n",
            ".yaml",
            "«NOPE»",
        ),
        ("units:\n  - code: A\n    name: X\n  kind: office\n", ".yaml", "YAML không hợp lệ"),
        (
            "units:\n  - {code: A, name: X, kind: office}\n  - {code: A, name: Y, kind: office}\n",
            ".yaml",
            "xuất hiện hai lần",
        ),
        (
            "units:\n  - {code: A, name: X, kind: office, contacts: [noivu@example.gov.vn]}\n",
            ".yaml",
            "URL Apprise",
        ),
        ("code,name,kind,parent\nA,X,office,,extra,cells\n", ".csv", "nhiều cột"),
        ("hello: world\n", ".yaml", "«units:»"),
        ("", ".yaml", "rỗng"),
        ("a,b\n", ".txt", ".yaml, .yml hoặc .csv"),
    ],
)
def test_bad_directory_files_change_nothing(
    session: Session, tmp_path: Path, content: str, suffix: str, expected: str
) -> None:
    import_directory(session=session, path=MINI)
    session.commit()
    before = _count(session, Unit)
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_directory(session=session, path=bad)
    session.rollback()
    assert expected in str(info.value)
    assert _count(session, Unit) == before


def test_error_names_the_line(session: Session, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "units:\n  - code: A\n    name: X\n    kind: office\n  - code: B\n    name: Y\n    kind: moon\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        import_directory(session=session, path=bad)
    assert info.value.where == f"{bad}:5"


def test_name_key_equivalences() -> None:
    assert name_key("Ủy ban nhân dân xã Phú Hữu") == name_key("UBND xã Phú Hữu")
    assert name_key("Uỷ ban nhân dân xã Phú Hữu") == name_key("ubnd XÃ PHÚ HỮU")
    assert name_key("Văn phòng HĐND và UBND") == name_key("VP Hội đồng nhân dân và Ủy ban nhân dân")
    assert name_key("các xã, thị trấn") == name_key("Các xã thị trấn")
    # Diacritics carry meaning.
    assert name_key("Phòng Nội vụ") != name_key("Phòng Nối vụ")
    assert name_key("Phòng Nội vụ") != name_key("Phong Noi vu")


def test_match_alias_case_and_abbreviation(directory: Directory) -> None:
    scope = directory.by_code["T-A"].id
    assert directory.resolve("phòng nội vụ huyện an phú").unit_code == "T-A-NV"
    assert directory.resolve("Ủy ban nhân dân xã Phú Hội", scope=scope).unit_code == "T-A-X2"
    assert directory.resolve("xã Phú Hữu").unit_code == "T-A-X1"
    assert directory.resolve("T-A-TP").unit_code == "T-A-TP"
    assert (
        directory.resolve("Văn phòng Hội đồng nhân dân và UBND huyện An Phú").unit_code == "T-A-VP"
    )


def test_same_name_in_two_districts_is_ambiguous_without_scope(directory: Directory) -> None:
    with pytest.raises(AmbiguousUnitError) as info:
        directory.resolve("Phòng Nội vụ")
    assert "T-A-NV" in str(info.value) and "T-B-NV" in str(info.value)
    assert "mã" in str(info.value)
    scope_b = directory.by_code["T-B"].id
    assert directory.resolve("Phòng Nội vụ", scope=scope_b).unit_code == "T-B-NV"


def test_scope_reaches_the_level_above(directory: Directory) -> None:
    scope = directory.by_code["T-A"].id
    assert directory.resolve("Sở Nội vụ", scope=scope).unit_code == "T-SNV"


def test_group_phrase_expands_to_members(directory: Directory) -> None:
    scope_a = directory.by_code["T-A"].id
    match = directory.resolve("UBND các xã, thị trấn", scope=scope_a)
    assert match.group_code == "T-A-XA"
    assert _codes(directory, match.unit_ids) == {"T-A-X1", "T-A-X2", "T-A-TT"}
    match_b = directory.resolve("Các xã, thị trấn", scope=directory.by_code["T-B"].id)
    assert _codes(directory, match_b.unit_ids) == {"T-B-X1"}
    phong = directory.resolve("các phòng, ban chuyên môn", scope=scope_a)
    assert _codes(directory, phong.unit_ids) == {"T-A-NV", "T-A-TP"}


def test_group_ambiguous_without_scope(directory: Directory) -> None:
    with pytest.raises(AmbiguousUnitError):
        directory.resolve("các xã, thị trấn")


@pytest.mark.parametrize("near_miss", ["Phòng Nối vụ", "Phong Noi vu", "Phòng Nội"])
def test_near_miss_names_do_not_match(directory: Directory, near_miss: str) -> None:
    with pytest.raises(UnitNotFoundError) as info:
        directory.resolve(near_miss, scope=directory.by_code["T-A"].id)
    assert f"«{near_miss}»" in str(info.value)


def test_not_found_suggests_the_close_name(directory: Directory) -> None:
    with pytest.raises(UnitNotFoundError) as info:
        directory.resolve("Phòng Tư phap")
    assert "Có phải" in str(info.value) and "T-A-TP" in str(info.value)


def test_inactive_units_leave_groups(session: Session, tmp_path: Path) -> None:
    import_directory(session=session, path=MINI)
    off = tmp_path / "off.yaml"
    off.write_text(
        "units:\n  - {code: T-A-X2, name: UBND xã Phú Hội, kind: commune, parent: T-A, active: false}\n",
        encoding="utf-8",
    )
    import_directory(session=session, path=off)
    d = Directory.load(session)
    match = d.resolve("các xã, thị trấn", scope=d.by_code["T-A"].id)
    assert _codes(d, match.unit_ids) == {"T-A-X1", "T-A-TT"}
    assert _count(session, UnitGroupMember) > 0
